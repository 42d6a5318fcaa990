/*
 * cmd_run.c — `zvm run`: one program, one fresh cell, one report. The job
 * is built by job.c, as for `zvm submit`; only validation is local.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sfi/sfi.h"
#include "tools/zvm/commands.h"
#include "tools/zvm/job.h"

enum { O_NO_CACHE = 512, O_SKIP_VALIDATION, O_FD };

static const struct option run_opts[] = {
	{ "no-cache", no_argument, NULL, O_NO_CACHE },
	{ "debug-skip-validation", no_argument, NULL, O_SKIP_VALIDATION },
	{ "fd", required_argument, NULL, O_FD },
	{ 0 } };

/* --fd N: the caller's descriptors given to the cell (a shell's 4<file) */
#define MAX_PASS_FDS 8
static int pass_fd[MAX_PASS_FDS];
static unsigned npass;

static int take_fd(const char *arg)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || errno || n < 3 || n > 9999) {
		fprintf(stderr, "zvm run: --fd '%s': expected a descriptor number from 3 to 9999\n", arg);
		return ZVM_EXIT_USAGE;
	}
	if (fcntl((int)n, F_GETFL) < 0) {
		fprintf(stderr, "zvm run: --fd %ld: descriptor %ld is not open\n", n, n);
		return ZVM_EXIT_USAGE;
	}
	if (npass == MAX_PASS_FDS) {
		fprintf(stderr, "zvm run: more than %d --fd\n", MAX_PASS_FDS);
		return ZVM_EXIT_USAGE;
	}
	for (unsigned i = 0; i < npass; i++)
		if (pass_fd[i] == (int)n)
			return ZVM_JOB_READY;
	pass_fd[npass++] = (int)n;
	return ZVM_JOB_READY;
}

/* Each --fd N becomes channel fd:N at /dev/fd/N (ZRT opens it at
 * descriptor N), read or written as the caller's descriptor allows. */
static int add_fd_channels(struct zvm_job *j)
{
	struct zvm_manifest *m = &j->m;

	for (unsigned k = 0; k < npass; k++) {
		int acc = fcntl(pass_fd[k], F_GETFL) & O_ACCMODE;
		bool r = acc == O_RDONLY || acc == O_RDWR, w = acc == O_WRONLY || acc == O_RDWR;
		struct zvm_channel_decl *d;
		char *uri, *alias;

		if (asprintf(&uri, "fd:%d", pass_fd[k]) < 0)
			return 127;
		if (asprintf(&alias, "/dev/fd/%d", pass_fd[k]) < 0) {
			free(uri);
			return 127;
		}
		for (unsigned i = 0; i < m->nchannels; i++)
			if (!strcmp(m->channels[i].alias, alias)) {
				fprintf(stderr, "zvm run: --fd %d: the manifest already declares %s\n", pass_fd[k], alias);
				free(uri);
				free(alias);
				return ZVM_EXIT_USAGE;
			}
		if (m->nchannels >= ZVM_MAX_CHANNELS) {
			fprintf(stderr, "zvm run: --fd %d: more than %d channels\n", pass_fd[k], ZVM_MAX_CHANNELS);
			free(uri);
			free(alias);
			return ZVM_EXIT_USAGE;
		}
		d = &m->channels[m->nchannels++];
		*d = (struct zvm_channel_decl){ .uri = uri, .alias = alias, .type = ZVM_CHANNEL_SEQ_READ_SEQ_WRITE,
			.max_reads = r ? ZVM_NO_LIMIT : 0, .max_read_bytes = r ? ZVM_NO_LIMIT : 0,
			.max_writes = w ? ZVM_NO_LIMIT : 0, .max_write_bytes = w ? ZVM_NO_LIMIT : 0 };
	}
	return ZVM_JOB_READY;
}

static int take(struct zvm_job *j, void *ctx, int c, const char *arg)
{
	struct zvm_run_options *o = ctx;

	if (c == O_FD)
		return take_fd(arg);
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
		.options = "  --fd N                  the caller's descriptor N as channel /dev/fd/N, open at\n"
			   "                          descriptor N in the cell (musl programs; repeat, 3-9999)\n"
			   "  --no-cache              validate even if the image is in the validation cache\n"
			   "  --debug-skip-validation run WITHOUT validation (tests of the second wall only;\n"
			   "                          refused unless ZVM_DEBUG_ALLOW_UNVALIDATED=1)\n" };
	struct zvm_report *rep;
	int rc, status;

	npass = 0;
	if ((rc = zvm_job_parse(&j, "zvm run", argc, argv, &x)) != ZVM_JOB_READY)
		return rc;
	if ((rc = add_fd_channels(&j)) != ZVM_JOB_READY) {
		zvm_job_free(&j);
		return rc;
	}
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
