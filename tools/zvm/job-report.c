/*
 * job-report.c — what `zvm run` and `zvm submit` print when a job ends
 * (docs/report.md): nothing of their own when it ended ok, as bwrap and
 * docker run do, so the program's stderr is its own; one line on stderr
 * when it did not; the full report when asked for.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "client/zvm-client.h"
#include "tools/zvm/job.h"

void zvm_report_brief(char *buf, size_t len, const struct zvm_job *j, const struct zvm_report *r)
{
	zvm_client_report_brief(buf, len, &j->m, j->limits_exact, r);
}

static void print_full(const struct zvm_job *j, FILE *f, const struct zvm_report *rep)
{
	if (j->format == ZVM_REPORT_JSON)
		zvm_report_print_json(f, rep);
	else
		zvm_report_print_text(f, rep);
}

int zvm_job_report(const struct zvm_job *j, const struct zvm_report *rep)
{
	int status = zvm_state_exit_status(rep->state, rep->exit_code, rep->signal);
	bool full_on_stderr = !j->report_file && (j->format == ZVM_REPORT_TEXT || j->format == ZVM_REPORT_JSON);
	char line[1024];

	if (j->format == ZVM_REPORT_NONE)
		return status;
	if (j->report_file) {
		FILE *f = fopen(j->report_file, "we");
		if (!f) {
			fprintf(stderr, "%s: --report-file %s: %s\n", j->cmd, j->report_file, strerror(errno));
		} else {
			print_full(j, f, rep);
			if (fclose(f) != 0)
				fprintf(stderr, "%s: --report-file %s: %s\n", j->cmd, j->report_file, strerror(errno));
		}
	}
	if (full_on_stderr) {
		print_full(j, stderr, rep);
	} else if (rep->state != ZVM_STATE_OK) {
		zvm_report_brief(line, sizeof(line), j, rep);
		fprintf(stderr, "zvm: %s\n", line);
	}
	return status;
}

int zvm_job_load_error(const struct zvm_job *j, const char *msg)
{
	static struct zvm_report rep;

	memset(&rep, 0, sizeof(rep));
	rep.state = ZVM_STATE_LOAD_ERROR;
	snprintf(rep.message, sizeof(rep.message), "%s", msg);
	return zvm_job_report(j, &rep);
}
