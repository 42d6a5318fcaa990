/*
 * cmd_submit.c — `zvm submit` and `zvm status`: clients of zvmd.
 * The client opens the image and passes it (and its own stdin, stdout and
 * stderr as channels 0-2) as fds, so the daemon never opens a path a
 * client names, and output streams straight to the client.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channels/channels.h"
#include "protocol/protocol.h"
#include "client/zvm-client.h"
#include "tools/zvm/commands.h"
#include "tools/zvm/job.h"

#define DEFAULT_SOCKET ZVM_DEFAULT_SOCKET

static int parse_digest(const char *hex, uint8_t out[32])
{
	if (strlen(hex) != 64 || strspn(hex, "0123456789abcdefABCDEF") != 64)
		return -EINVAL;
	for (int i = 0; i < 32; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		out[i] = (uint8_t)v;
	}
	return 0;
}

enum { O_DIGEST = 512, O_TEMPLATE, O_KEEP_AS, O_KEEP_AS_GLOBAL };

static const struct option submit_opts[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "digest", required_argument, NULL, O_DIGEST },
	{ "template", required_argument, NULL, O_TEMPLATE },
	{ "keep-as", required_argument, NULL, O_KEEP_AS },
	{ "keep-as-global", required_argument, NULL, O_KEEP_AS_GLOBAL },
	{ 0 } };

struct submit_cli {
	const char *sock;
	bool by_digest;
	uint8_t digest[32];
	unsigned tpl_op;
	const char *tpl_name;
};

static int take(struct zvm_job *j, void *ctx, int c, const char *arg)
{
	struct submit_cli *s = ctx;

	if (c == 's') {
		s->sock = arg;
	} else if (c == O_DIGEST) {
		if (parse_digest(arg, s->digest) < 0) {
			fprintf(stderr, "zvm submit: --digest '%s': expected 64 hex digits\n", arg);
			return ZVM_EXIT_USAGE;
		}
		s->by_digest = j->no_program = true;
	} else if (c == O_TEMPLATE || c == O_KEEP_AS || c == O_KEEP_AS_GLOBAL) {
		if (!zvm_template_name_ok(arg)) {
			fprintf(stderr, "zvm submit: template name '%s': 1 to 63 of A-Z a-z 0-9 . _ -, not starting with '.'\n",
				arg);
			return ZVM_EXIT_USAGE;
		}
		if (s->tpl_op) {
			fprintf(stderr, "zvm submit: --template, --keep-as and --keep-as-global: one of them, once\n");
			return ZVM_EXIT_USAGE;
		}
		s->tpl_name = arg;
		s->tpl_op = c == O_TEMPLATE ? ZVM_TPL_USE : c == O_KEEP_AS ? ZVM_TPL_MAKE : ZVM_TPL_MAKE_GLOBAL;
		if (c == O_TEMPLATE)
			j->no_program = true;
	} else {
		return ZVM_EXIT_USAGE;
	}
	return ZVM_JOB_READY;
}

/* The job description as SUBMIT carries it: the manifest itself (the
 * encoder sends the program's base name and only the limits m.given
 * names: others are zvmd's defaults) and the fd indexes. fds[0] is the
 * image (a placeholder when the job names a digest), then the channels in
 * manifest order. s borrows the manifest's strings: it is not freed. */
static int to_submit(const struct zvm_job *job, const struct submit_cli *c, struct zvm_submit *s,
		     int *fds, unsigned *nfds)
{
	zvm_submit_init(s);
	s->m = job->m;
	s->by_digest = c->by_digest;
	memcpy(s->digest, c->digest, sizeof(s->digest));
	s->image_fd = c->by_digest || c->tpl_op == ZVM_TPL_USE ? -1 : 0;
	s->tpl_op = c->tpl_op;
	if (c->tpl_name)
		snprintf(s->tpl_name, sizeof(s->tpl_name), "%s", c->tpl_name);
	fds[0] = s->image_fd < 0 ? open("/dev/null", O_RDONLY | O_CLOEXEC) : job->image_fd;
	if (fds[0] < 0)
		return -errno;
	for (unsigned i = 0; i < job->m.nchannels; i++) {
		s->channel_fds[i] = (int)i + 1;
		fds[i + 1] = job->chan_fd[i];
	}
	*nfds = job->m.nchannels + 1;
	return 0;
}

int cmd_submit(int argc, char **argv)
{
	static struct zvm_job j;
	static struct zvm_submit req;
	struct submit_cli s = { .sock = getenv("ZVM_SOCKET") ? getenv("ZVM_SOCKET") : DEFAULT_SOCKET };
	const struct zvm_job_extra x = {
		.shortopts = "s:", .longopts = submit_opts, .take = take, .ctx = &s,
		.synopsis = "       zvm submit [options] --digest HEX [-- ARGS...]\n"
			    "       zvm submit [options] --template NAME [-- ARGS...]\n",
		.about = "Runs the program in a warm cell of zvmd (docs/zvmd.md). The program and\n"
			 "every channel are opened here and passed to zvmd as descriptors. Limits\n"
			 "not given are zvmd's defaults; zvmd caps them. 75 if zvmd is busy.\n",
		.options = "  -s, --socket PATH       zvmd's socket (default " DEFAULT_SOCKET ", or $ZVM_SOCKET)\n"
			   "  --digest HEX            run an image uploaded before (`zvm upload`)\n"
			   "  --keep-as NAME          keep the cell as template NAME when it calls\n"
			   "                          zvm_template_keep() (docs/zvmd.md, \"Templates\")\n"
			   "  --keep-as-global NAME   the same, for every uid (root only)\n"
			   "  --template NAME         run as a copy of template NAME (no PROGRAM)\n" };
	int fds[ZVM_PROTO_MAX_FDS] = { -1 };
	struct zvm_report *rep;
	unsigned nfds = 0;
	int rc;

	if ((rc = zvm_job_parse(&j, "zvm submit", argc, argv, &x)) != ZVM_JOB_READY)
		return rc;
	if ((rc = zvm_job_open(&j)) != ZVM_JOB_READY) {
		zvm_job_free(&j);
		return rc;
	}
	if ((rc = to_submit(&j, &s, &req, fds, &nfds)) < 0) {
		fprintf(stderr, "zvm submit: building the request: %s\n", strerror(-rc));
		zvm_job_free(&j);
		return 125;
	}
	rep = calloc(1, sizeof(*rep));
	if (!rep)
		return 127;
	if (s.by_digest && s.tpl_op == ZVM_TPL_USE) {
		fprintf(stderr, "zvm submit: --digest and --template: a template brings its own image\n");
		return ZVM_EXIT_USAGE;
	}
	rc = zvm_client_submit(s.sock, "zvm submit", &req, fds, nfds, rep);
	if (req.image_fd < 0 && fds[0] >= 0)
		close(fds[0]);
	if (rc == 0)
		rc = zvm_job_report(&j, rep);
	free(rep);
	zvm_job_free(&j);
	return rc;
}

int cmd_status(int argc, char **argv)
{
	const char *sock = getenv("ZVM_SOCKET") ? getenv("ZVM_SOCKET") : DEFAULT_SOCKET;
	struct zvm_status s;

	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "-s") || !strcmp(argv[i], "--socket")) && i + 1 < argc)
			sock = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: zvm status [-s SOCKET]\nShows zvmd's pool size, warm and busy cells, queue and totals.\n\n"
			       "  -s, --socket PATH       zvmd's socket (default " DEFAULT_SOCKET ", or $ZVM_SOCKET)\n"
			       "  -h, --help              this text\n");
			return 0;
		} else {
			fprintf(stderr, "zvm status: unexpected argument '%s'\n", argv[i]);
			return ZVM_EXIT_USAGE;
		}
	}
	if (zvm_client_status(sock, "zvm status", &s, NULL, 0) != 0)
		return 1;
	printf("pool %u, warm %u, busy %u, queued %u (max %u)\n", s.pool, s.warm, s.busy, s.queued, s.queue_max);
	printf("jobs %llu: %llu ok, %llu failed, %llu refused busy; up %.1f s\n", (unsigned long long)s.jobs,
	       (unsigned long long)s.ok, (unsigned long long)s.failed, (unsigned long long)s.busy_rejected, s.uptime_s);
	return 0;
}

int cmd_upload(int argc, char **argv)
{
	const char *sock = getenv("ZVM_SOCKET") ? getenv("ZVM_SOCKET") : DEFAULT_SOCKET;
	static struct zvm_report r;
	uint8_t digest[32];
	const char *path = NULL;
	int rc;

	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "-s") || !strcmp(argv[i], "--socket")) && i + 1 < argc)
			sock = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: zvm upload [-s SOCKET] PROGRAM.nexe\nValidates the image in zvmd and prints its SHA-256,\n"
			       "which `zvm submit --digest` can then name.\n\n"
			       "  -s, --socket PATH       zvmd's socket (default " DEFAULT_SOCKET ", or $ZVM_SOCKET)\n"
			       "  -h, --help              this text\n");
			return 0;
		} else
			path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: zvm upload [-s SOCKET] PROGRAM.nexe\n");
		return ZVM_EXIT_USAGE;
	}
	rc = zvm_client_upload(sock, "zvm", path, digest, &r);
	if (rc == 0) {
		for (int i = 0; i < 32; i++)
			printf("%02x", digest[i]);
		printf("\n");
	} else if (rc == 126) {
		static const struct zvm_job none;
		char line[1024];
		zvm_report_brief(line, sizeof(line), &none, &r);
		fprintf(stderr, "zvm: %s\n", line);
	} else if (!strstr(r.message, "refused to take")) { /* a refusal was printed as it came */
		fprintf(stderr, "zvm upload: %s\n", r.message);
	}
	return rc < 0 ? -rc : rc;
}
