/*
 * cmd_run.c — `zvm run`: one program, one fresh cell, one report. The job
 * is built by job.c, as for `zvm submit`; only validation is local.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfi/sfi.h"
#include "tools/zvm/commands.h"
#include "tools/zvm/job.h"

enum { O_NO_CACHE = 512, O_SKIP_VALIDATION };

static const struct option run_opts[] = {
	{ "no-cache", no_argument, NULL, O_NO_CACHE },
	{ "debug-skip-validation", no_argument, NULL, O_SKIP_VALIDATION },
	{ 0 } };

static int take(struct zvm_job *j, void *ctx, int c, const char *arg)
{
	struct zvm_run_options *o = ctx;

	if (c == O_NO_CACHE)
		o->use_cache = false;
	else if (c == O_SKIP_VALIDATION)
		o->skip_validation = true;
	else
		return ZVM_EXIT_USAGE;
	return ZVM_JOB_READY;
}

/* zvm_run opens a manifest's channels itself: give it the descriptors the
 * job opened, so both commands open them in one way, once. */
static int use_job_fds(struct zvm_job *j)
{
	for (unsigned i = 0; i < j->m.nchannels; i++) {
		char *uri;

		if (asprintf(&uri, "fd:%d", j->chan_fd[i]) < 0)
			return -ENOMEM;
		free(j->m.channels[i].uri);
		j->m.channels[i].uri = uri;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	static struct zvm_job j;
	struct zvm_run_options opt = { .use_cache = true };
	const struct zvm_job_extra x = {
		.longopts = run_opts, .take = take, .ctx = &opt,
		.about = "Runs the program in a fresh cell. Without a manifest, the caller's stdin,\n"
			 "stdout and stderr are channels 0-2 and the default limits apply.\n",
		.options = "  --no-cache              validate even if the image is in the validation cache\n"
			   "  --debug-skip-validation run WITHOUT validation (tests of the second wall only;\n"
			   "                          refused unless ZVM_DEBUG_ALLOW_UNVALIDATED=1)\n" };
	struct zvm_report *rep;
	int rc, status;

	if ((rc = zvm_job_parse(&j, "zvm run", argc, argv, &x)) != ZVM_JOB_READY)
		return rc;
	j.limits_exact = true;
	if ((rc = zvm_job_open(&j)) != ZVM_JOB_READY) {
		zvm_job_free(&j);
		return rc;
	}
	rep = calloc(1, sizeof(*rep));
	if (!rep || use_job_fds(&j) < 0) {
		fprintf(stderr, "zvm run: out of memory\n");
		return 127;
	}
	rc = zvm_run(&j.m, &opt, rep);
	if (rc < 0) {
		if (!rep->message[0])
			snprintf(rep->message, sizeof(rep->message), "%s", strerror(-rc));
		rep->state = ZVM_STATE_INTERNAL_ERROR;
	}
	status = zvm_job_report(&j, rep);
	free(rep);
	zvm_job_free(&j);
	return status;
}
