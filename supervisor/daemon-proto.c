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

static int take_fd(int *fds, unsigned nfds, uint32_t index, bool *used)
{
	if (index >= nfds)
		return -EBADF;
	/* the same fd may serve several channels: later users get a copy */
	if (used[index])
		return fcntl(fds[index], F_DUPFD_CLOEXEC, 3);
	used[index] = true;
	return fds[index];
}

static int to_request(struct zvm_job_request *j, int *fds, unsigned nfds, struct zvmd_request *r)
{
	bool used[ZVM_PROTO_MAX_FDS] = { false };
	struct zvm_manifest *m = &r->m;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	m->memory = j->memory;
	m->timeout = j->timeout;
	m->cpu_time = j->cpu_time;
	m->deterministic = j->deterministic;
	m->seed = j->seed;
	m->epoch_ns = j->epoch_ns;
	snprintf(r->program_name, sizeof(r->program_name), "%s", j->program_name[0] ? j->program_name : "program");
	m->program = strdup(r->program_name);
	/* the strings move from the request to the manifest */
	memcpy(m->args, j->args, sizeof(char *) * j->nargs);
	m->nargs = j->nargs;
	memcpy(m->env, j->env, sizeof(char *) * j->nenv);
	m->nenv = j->nenv;
	j->nargs = j->nenv = 0;
	r->by_digest = j->by_digest;
	memcpy(r->digest, j->digest, 32);
	if (!j->by_digest)
		r->image_fd = take_fd(fds, nfds, (uint32_t)j->image_fd_index, used);
	for (unsigned i = 0; i < j->nchannels && rc == 0; i++) {
		struct zvm_channel_decl *d = &m->channels[i];
		d->alias = strdup(j->ch[i].alias);
		d->uri = strdup("client fd");
		d->type = j->ch[i].type;
		d->max_reads = j->ch[i].max_reads;
		d->max_read_bytes = j->ch[i].max_read_bytes;
		d->max_writes = j->ch[i].max_writes;
		d->max_write_bytes = j->ch[i].max_write_bytes;
		m->nchannels++;
		r->channel_fds[i] = take_fd(fds, nfds, j->ch[i].fd_index, used);
		if (!d->alias || !d->uri || r->channel_fds[i] < 0)
			rc = -ENOMEM;
	}
	for (unsigned i = 0; i < nfds; i++)
		if (!used[i])
			close(fds[i]);
	return rc;
}

int zvmd_decode_request(uint16_t type, const uint8_t *payload, size_t len, int *fds, unsigned nfds,
			struct zvmd_request *req, char *err, size_t errlen)
{
	static struct zvm_job_request j;
	int rc;

	switch (type) {
	case ZVM_MSG_STATUS:
		rc = ZVMD_REQ_STATUS;
		break;
	case ZVM_MSG_SUBMIT:
	case ZVM_MSG_UPLOAD:
		rc = type == ZVM_MSG_UPLOAD ? zvm_proto_decode_upload(payload, len, nfds, &j, err, errlen)
					    : zvm_proto_decode_submit(payload, len, nfds, &j, err, errlen);
		if (rc == 0) {
			rc = to_request(&j, fds, nfds, req);
			nfds = 0; /* given to the request or closed */
			zvm_job_request_free(&j);
			if (rc == 0)
				rc = type == ZVM_MSG_SUBMIT ? ZVMD_REQ_SUBMIT : ZVMD_REQ_UPLOAD;
		}
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

int zvmd_send_report(int conn, const struct zvm_report *rep, const struct zvmd_reply_extra *x)
{
	struct zvm_report r = *rep;
	struct zvm_msg m;

	r.from_daemon = true;
	r.queue_s = x->queue_s;
	r.handout_s = x->handout_s;
	r.cgroup_peak = x->cgroup_peak;
	r.oom = x->oom;
	return send_msg(conn, &m, zvm_proto_encode_report(&m, &r));
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
