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

#include "tools/zvm/job.h"

static void bytes_text(char *buf, size_t len, uint64_t b)
{
	if (b && !(b & ((1ull << 30) - 1)))
		snprintf(buf, len, "%llu GiB", (unsigned long long)(b >> 30));
	else if (b && !(b & ((1ull << 20) - 1)))
		snprintf(buf, len, "%llu MiB", (unsigned long long)(b >> 20));
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)b);
}

/* The limit that applied, as far as this side knows it: zvm run's own
 * values are exact; zvmd applies its defaults and caps to a submitted job. */
static void limit_text(char *buf, size_t len, const struct zvm_job *j, unsigned given, double seconds,
		       const char *what)
{
	if (j->limits_exact)
		snprintf(buf, len, "%s limit %g s", what, seconds);
	else if (j->m.given & given)
		snprintf(buf, len, "%s limit asked %g s, zvmd caps it", what, seconds);
	else
		snprintf(buf, len, "zvmd's default %s limit", what);
}

void zvm_report_brief(char *buf, size_t len, const struct zvm_job *j, const struct zvm_report *r)
{
	char lim[96];

	switch (r->state) {
	case ZVM_STATE_OK:
		snprintf(buf, len, "ok, exit code %d", r->exit_code);
		break;
	case ZVM_STATE_TIMEOUT:
		limit_text(lim, sizeof(lim), j, ZVM_GIVEN_TIMEOUT, j->m.timeout, "wall");
		snprintf(buf, len, "timeout after %.2f s (%s)", r->wall_s, lim);
		break;
	case ZVM_STATE_CPU_LIMIT: {
		/* zvm run without a CPU limit of its own backs the wall limit
		 * up with one a second above it (sfi/run.c) */
		double cpu = j->m.cpu_time > 0 && j->m.cpu_time < j->m.timeout ? j->m.cpu_time : j->m.timeout + 1;
		limit_text(lim, sizeof(lim), j, ZVM_GIVEN_CPU_TIME, j->limits_exact ? cpu : j->m.cpu_time, "cpu");
		snprintf(buf, len, "cpu limit after %.2f s of CPU (%s)", r->cpu_user_s + r->cpu_sys_s, lim);
		break;
	}
	case ZVM_STATE_MEMORY_LIMIT: {
		char what[128] = "zvmd's default";

		bytes_text(lim, sizeof(lim), j->m.memory);
		if (!j->limits_exact && (j->m.given & ZVM_GIVEN_MEMORY))
			snprintf(what, sizeof(what), "asked %s, zvmd caps it", lim);
		if (j->limits_exact)
			snprintf(buf, len, "memory limit %s reached (%u heap request%s refused%s)", lim,
				 r->heap_refused, r->heap_refused == 1 ? "" : "s", r->oom ? ", cgroup OOM kill" : "");
		else
			snprintf(buf, len, "memory limit reached (%s; %u heap request%s refused%s)", what,
				 r->heap_refused, r->heap_refused == 1 ? "" : "s", r->oom ? ", cgroup OOM kill" : "");
		break;
	}
	case ZVM_STATE_SIGNAL:
		snprintf(buf, len, "killed by signal %d (%s) at 0x%llx (pc 0x%llx%s)%s", r->signal,
			 r->signal > 0 && r->signal < 65 ? strsignal(r->signal) : "unknown",
			 (unsigned long long)r->fault_addr, (unsigned long long)r->fault_pc,
			 r->fault_in_sandbox ? "" : ", in trusted code", r->oom ? ", cgroup OOM kill" : "");
		break;
	case ZVM_STATE_VALIDATION_FAILED:
		snprintf(buf, len, "validation failed: %s at offset 0x%llx: %s",
			 r->verdict.rule ? r->verdict.rule : "?", (unsigned long long)r->verdict.offset,
			 r->verdict.disasm);
		break;
	case ZVM_STATE_SECCOMP:
		snprintf(buf, len, "seccomp violation: %s (%d) at pc 0x%llx", r->syscall_name[0] ? r->syscall_name : "?",
			 r->syscall_nr, (unsigned long long)r->fault_pc);
		break;
	case ZVM_STATE_LOAD_ERROR:
	case ZVM_STATE_INTERNAL_ERROR:
		snprintf(buf, len, "%s: %s", zvm_state_name(r->state), r->message[0] ? r->message : "(no message)");
		break;
	default:
		snprintf(buf, len, "%s", zvm_state_name(r->state));
	}
	/* One line, whatever a message or an instruction holds. */
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
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
