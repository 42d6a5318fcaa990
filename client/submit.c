/*
 * submit.c — a job through zvmd (zvm-client.h): SUBMIT and its report,
 * the common job in one call, and STATUS.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/zvm-client.h"

/* A message into the report (and on stderr with cmd's prefix). */
#define FAIL(rep, cmd, ...) do { \
	snprintf((rep)->message, sizeof((rep)->message), __VA_ARGS__); \
	if (cmd) \
		fprintf(stderr, "%s: %s\n", (cmd), (rep)->message); \
} while (0)

int zvm_client_submit(const char *sock, const char *cmd, const struct zvm_submit *s, const int *fds,
		      unsigned nfds, struct zvm_report *rep)
{
	struct zvm_msg m;
	uint8_t *payload = NULL;
	size_t len;
	int fd, type, rc;

	memset(rep, 0, sizeof(*rep));
	rep->state = ZVM_STATE_LOAD_ERROR;
	fd = zvm_client_connect(sock);
	if (fd < 0) {
		FAIL(rep, cmd, "cannot reach zvmd at %s: %s", sock, strerror(-fd));
		return 125;
	}
	if ((rc = zvm_proto_encode_submit(&m, s)) < 0) {
		FAIL(rep, cmd, "encoding the job: %s",
		     rc == -ENAMETOOLONG ? "a channel alias is longer than 63 bytes" : strerror(-rc));
		zvm_msg_free(&m);
		close(fd);
		return 125;
	}
	if ((rc = zvm_proto_send(fd, &m, fds, nfds)) < 0) {
		/* zvmd may have answered and closed before reading (a client it
		 * refuses): its error is still waiting to be read */
		type = zvm_client_read_answer(fd, cmd, &payload, &len, rep->message, sizeof(rep->message));
		if (type > -100) {
			FAIL(rep, cmd, "sending the job: %s", strerror(-rc));
			type = -1;
		}
	} else {
		type = zvm_client_read_answer(fd, cmd, &payload, &len, rep->message, sizeof(rep->message));
	}
	zvm_msg_free(&m);
	close(fd);
	if (type != ZVM_MSG_REPORT) {
		if (type >= 0)
			FAIL(rep, cmd, "zvmd answered with message type %d, not a report", type);
		free(payload);
		return zvm_client_refusal_status(type);
	}
	if (zvm_proto_decode_report(payload, len, rep, NULL, 0) < 0) {
		memset(rep, 0, sizeof(*rep));
		rep->state = ZVM_STATE_LOAD_ERROR;
		FAIL(rep, cmd, "zvmd sent a malformed report");
		free(payload);
		return 127;
	}
	free(payload);
	return 0;
}

int zvm_client_run(const char *sock, const char *cmd, const struct zvm_client_job *job, struct zvm_report *rep)
{
	struct zvm_submit *s = malloc(sizeof(*s));
	int fds[4], rc = 125;

	memset(rep, 0, sizeof(*rep));
	rep->state = ZVM_STATE_LOAD_ERROR;
	bool use = job->image_fd < 0 && !job->digest && job->template_name;

	if (!s || job->nargs > ZVM_MAX_ARGS || (job->image_fd < 0 && !job->digest && !use) ||
	    (job->template_name && strlen(job->template_name) >= sizeof(s->tpl_name))) {
		FAIL(rep, cmd, "%s", !s ? "out of memory" : job->nargs > ZVM_MAX_ARGS ? "too many arguments"
		     : job->image_fd < 0 && !job->digest && !use ? "no image: neither a descriptor, a digest nor a template"
		     : "a template name of more than 63 bytes");
		free(s);
		return 125;
	}
	zvm_submit_init(s);
	if (zvm_manifest_default(job->argv0 ? job->argv0 : "program", &s->m) < 0) {
		FAIL(rep, cmd, "out of memory");
		free(s);
		return 125;
	}
	/* the manifest's strings stay the caller's: s->m's own are freed below,
	 * these are put back first */
	for (unsigned i = 0; i < job->nargs; i++)
		s->m.args[i] = (char *)job->args[i];
	s->m.nargs = job->nargs;
	s->by_digest = job->image_fd < 0 && !use;
	if (s->by_digest)
		memcpy(s->digest, job->digest, sizeof(s->digest));
	s->image_fd = job->image_fd < 0 ? -1 : 0;
	if (job->template_name) {
		snprintf(s->tpl_name, sizeof(s->tpl_name), "%s", job->template_name);
		s->tpl_op = use ? ZVM_TPL_USE : job->keep == ZVM_TPL_MAKE_GLOBAL ? ZVM_TPL_MAKE_GLOBAL : ZVM_TPL_MAKE;
	}
	/* by digest, fds[0] is a placeholder the message still carries */
	fds[0] = s->image_fd < 0 ? open("/dev/null", O_RDONLY | O_CLOEXEC) : job->image_fd;
	for (unsigned i = 0; i < 3; i++) {
		s->channel_fds[i] = (int)i + 1;
		fds[i + 1] = job->stdio[i];
	}
	if (fds[0] < 0)
		FAIL(rep, cmd, "/dev/null: %s", strerror(errno));
	else
		rc = zvm_client_submit(sock, cmd, s, fds, 4, rep);
	if (s->image_fd < 0 && fds[0] >= 0)
		close(fds[0]);
	s->m.nargs = 0;
	zvm_manifest_free(&s->m);
	free(s);
	return rc;
}

int zvm_client_status(const char *sock, const char *cmd, struct zvm_status *st, char *why, size_t whylen)
{
	struct zvm_msg m;
	uint8_t *payload = NULL;
	size_t len;
	int fd, type, rc;
	char tmp[1];

	if (!why || !whylen) {
		why = tmp;
		whylen = sizeof(tmp);
	}
	fd = zvm_client_connect(sock);
	if (fd < 0) {
		snprintf(why, whylen, "cannot reach zvmd at %s: %s", sock, strerror(-fd));
		if (cmd)
			fprintf(stderr, "%s: cannot reach zvmd at %s: %s\n", cmd, sock, strerror(-fd));
		return 125;
	}
	zvm_msg_init(&m, ZVM_MSG_STATUS);
	if ((rc = zvm_msg_finish(&m)) < 0 || (rc = zvm_proto_send(fd, &m, NULL, 0)) < 0) {
		snprintf(why, whylen, "sending: %s", strerror(-rc));
		if (cmd)
			fprintf(stderr, "%s: sending: %s\n", cmd, strerror(-rc));
		zvm_msg_free(&m);
		close(fd);
		return 125;
	}
	zvm_msg_free(&m);
	type = zvm_client_read_answer(fd, cmd, &payload, &len, why, whylen);
	close(fd);
	if (type != ZVM_MSG_STATUS_REPLY || zvm_proto_decode_status(payload, len, st, NULL, 0) < 0) {
		if (type >= 0)
			snprintf(why, whylen, "zvmd sent no status");
		free(payload);
		return type < -1 ? zvm_client_refusal_status(type) : 125;
	}
	free(payload);
	return 0;
}
