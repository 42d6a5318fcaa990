/*
 * daemon-proto.c — zvmd's side of the protocol: one request in, one reply
 * out. Every fd a client passes is either given to the job or closed here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/daemon-proto.h"
#include "protocol/protocol.h"

int zvmd_decode_request(uint16_t type, const uint8_t *payload, size_t len, int *fds, unsigned nfds,
			struct zvm_submit *req, char *err, size_t errlen)
{
	int rc;

	switch (type) {
	case ZVM_MSG_STATUS:
		rc = ZVMD_REQ_STATUS;
		break;
	case ZVM_MSG_SUBMIT:
	case ZVM_MSG_UPLOAD:
		rc = type == ZVM_MSG_UPLOAD ? zvm_proto_decode_upload(payload, len, nfds, req, err, errlen)
					    : zvm_proto_decode_submit(payload, len, nfds, req, err, errlen);
		if (rc < 0)
			break;
		/* the indexes become the fds; the rest are closed */
		rc = zvm_submit_take_fds(req, fds, nfds);
		nfds = 0;
		if (rc < 0) {
			snprintf(err, errlen, "taking the passed fds: %s", strerror(-rc));
			zvm_submit_close_fds(req);
			zvm_submit_free(req);
			break;
		}
		rc = type == ZVM_MSG_SUBMIT ? ZVMD_REQ_SUBMIT : ZVMD_REQ_UPLOAD;
		break;
	default:
		snprintf(err, errlen, "unexpected message type 0x%x", type);
		rc = -EBADMSG;
	}
	for (unsigned i = 0; i < nfds; i++)
		close(fds[i]);
	return rc;
}

static int send_msg(int conn, struct zvm_msg *m, int rc)
{
	if (rc == 0)
		rc = zvm_proto_send(conn, m, NULL, 0);
	zvm_msg_free(m);
	return rc;
}

int zvmd_encode_report(struct zvm_msg *m, const struct zvm_report *rep, const struct zvmd_reply_extra *x)
{
	static struct zvm_report r; /* large: not on the stack */

	r = *rep;
	r.from_daemon = true;
	r.queue_s = x->queue_s;
	r.handout_s = x->handout_s;
	r.cgroup_peak = x->cgroup_peak;
	r.oom = x->oom;
	return zvm_proto_encode_report(m, &r);
}

int zvmd_send_report(int conn, const struct zvm_report *rep, const struct zvmd_reply_extra *x)
{
	struct zvm_msg m;
	return send_msg(conn, &m, zvmd_encode_report(&m, rep, x));
}

int zvmd_send_status(int conn, const struct zvmd *d)
{
	struct timespec ts;
	struct zvm_status s = {
		.pool = d->pool.cfg.size, .warm = d->pool.warm, .busy = d->pool.busy, .queued = d->queued,
		.queue_max = d->cfg.queue_max, .jobs = d->stats.jobs, .ok = d->stats.ok,
		.failed = d->stats.failed, .busy_rejected = d->stats.busy_rejected };
	struct zvm_msg m;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	s.uptime_s = ts.tv_sec + ts.tv_nsec / 1e9 - d->stats.started;
	return send_msg(conn, &m, zvm_proto_encode_status(&m, &s));
}

int zvmd_send_digest(int conn, const uint8_t digest[32])
{
	struct zvm_msg m;
	return send_msg(conn, &m, zvm_proto_encode_digest(&m, digest));
}

int zvmd_send_error(int conn, int code, const char *message)
{
	struct zvm_msg m;
	return send_msg(conn, &m, zvm_proto_encode_error(&m, code, message));
}
