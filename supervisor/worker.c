/*
 * worker.c — a pool worker: jail itself, wait warm, load one job, run it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp-policy/seccomp-policy.h"
#include "protocol/protocol.h"
#include "supervisor/worker.h"

int zvm_window_put_job(struct zvm_window_job *w, const struct zvm_manifest *m)
{
	static struct zvm_submit s; /* a view of m: borrows its strings, frees nothing */
	struct zvm_msg msg;
	int rc;

	zvm_submit_init(&s);
	s.m = *m;
	s.image_fd = 0;
	for (unsigned i = 0; i < m->nchannels && i < ZVM_MAX_CHANNELS; i++)
		s.channel_fds[i] = (int)i + 1;
	rc = zvm_proto_encode_submit(&msg, &s);
	if (rc == 0 && msg.len > sizeof(w->bytes))
		rc = -EMSGSIZE;
	if (rc == 0) {
		memcpy(w->bytes, msg.buf, msg.len);
		w->len = (uint32_t)msg.len;
	}
	zvm_msg_free(&msg);
	memset(&s, 0, sizeof(s));
	return rc;
}

int zvm_window_get_job(const struct zvm_window_job *w, unsigned nfds, struct zvm_submit *s, char *err,
		       size_t errlen)
{
	static uint8_t copy[sizeof(w->bytes)];
	uint32_t len;
	uint16_t type;
	int n;

	/* read once: a length checked is the length used */
	memcpy(&len, &w->len, sizeof(len));
	if (len < ZVM_PROTO_HEADER || len > sizeof(copy)) {
		snprintf(err, errlen, "window: a job of %u bytes, expected %u to %zu", len, ZVM_PROTO_HEADER, sizeof(copy));
		zvm_submit_init(s);
		return -EMSGSIZE;
	}
	memcpy(copy, w->bytes, len);
	n = zvm_proto_check_header(copy, len, &type, err, errlen);
	if (n >= 0 && (type != ZVM_MSG_SUBMIT || (size_t)n != len - ZVM_PROTO_HEADER)) {
		snprintf(err, errlen, "window: message type %u of %d bytes in %u, expected a whole SUBMIT", type, n,
			 len - ZVM_PROTO_HEADER);
		n = -EBADMSG;
	}
	if (n < 0) {
		zvm_submit_init(s);
		return n;
	}
	return zvm_proto_decode_submit(copy + ZVM_PROTO_HEADER, (size_t)n, nfds, s, err, errlen);
}

__attribute__((noreturn, format(printf, 3, 4)))
static void worker_failed(struct zvm_slot_shared *sh, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(sh->result.message, sizeof(sh->result.message), fmt, ap);
	va_end(ap);
	if (err && n >= 0 && (size_t)n < sizeof(sh->result.message))
		snprintf(sh->result.message + n, sizeof(sh->result.message) - n, ": %s", strerror(err));
	sh->result.state = ZVM_STATE_INTERNAL_ERROR;
	_exit(127);
}

/* Receives the job byte with the image fd and the channel fds. */
static int recv_job(int ctl, int *fds, unsigned max, unsigned *nfds)
{
	int flags = 0;
	char byte;
	ssize_t n;

	*nfds = 0;
	n = zvm_recvmsg_fds(ctl, &byte, 1, fds, max, nfds, 0, &flags);
	if (n != 1 || byte != ZVM_CTL_JOB)
		return n < 0 ? (int)n : -EPROTO;
	return (flags & MSG_CTRUNC) ? -EPROTO : 0;
}

void zvm_worker_main(int ctl, struct zvm_slot_shared *sh, const struct zvm_jail *jail)
{
	static struct zvm_channel ch[ZVM_MAX_CHANNELS];
	static const char *aliases[ZVM_MAX_CHANNELS];
	static char *argv[ZVM_MAX_ARGS + 2];
	static struct sfi_image img;
	static struct zvm_submit job;
	static struct sfi_template tpl;
	struct sfi_cell_config cfg;
	int fds[ZVM_MAX_CHANNELS + 2];
	unsigned nfds = 0, mode, extra;
	char byte, err[256];
	int rc;

	/* 1. Into the slot's cgroup, first of all: the worker does it itself
	 * (it is still root and runs nothing untrusted yet), so the cgroup
	 * migration costs the supervisor's event loop nothing. Nothing else of
	 * the supervisor's is open here (zvm_jail_spawn closed it). */
	if ((rc = zvm_jail_join_cgroup(jail)) < 0)
		worker_failed(sh, -rc, "joining the slot's cgroup");
	/* 2. Shrink: jail, sandbox range, pool-stage filter. */
	if ((rc = zvm_jail_enter(jail, err, sizeof(err))) < 0)
		worker_failed(sh, 0, "jail: %s", err);
	for (int i = 0; i < 4; i++)
		if (jail->shared_ns[i] >= 0)
			close(jail->shared_ns[i]);
	if ((rc = sfi_cell_reserve()) < 0)
		worker_failed(sh, -rc, "reserving the sandbox range");
	if ((rc = zvm_seccomp_prepare_cell_stage()) < 0)
		worker_failed(sh, -rc, "compiling the cell-stage seccomp filter");
	/* forked by the zygote: its word to zvmd (our pid) goes first */
	if (jail->ready_after >= 0) {
		if (read(jail->ready_after, &byte, 1) != 1)
			worker_failed(sh, errno, "waiting for the zygote");
		close(jail->ready_after);
	}
	if ((rc = zvm_seccomp_load_pool_stage()) < 0)
		worker_failed(sh, -rc, "pool-stage seccomp filter");
	byte = ZVM_CTL_READY;
	if (write(ctl, &byte, 1) != 1)
		worker_failed(sh, errno, "reporting ready");

	/* 3. Warm: wait for the job, then read it from the window as zvmd
	 * read it from the client: the same decoder, every check. */
	if ((rc = recv_job(ctl, fds, ZVM_MAX_CHANNELS + 2, &nfds)) < 0)
		worker_failed(sh, -rc, "receiving the job");
	/* read once: a template copy's registers and sizes are checked by
	 * the loader against its own layout (sfi/cell.c) */
	mode = __atomic_load_n(&sh->tpl_mode, __ATOMIC_ACQUIRE);
	if (mode != ZVM_TPL_NONE && mode != ZVM_TPL_USE && mode != ZVM_TPL_MAKE)
		worker_failed(sh, EPROTO, "the window names template mode %u", mode);
	extra = mode != ZVM_TPL_NONE;
	if (mode == ZVM_TPL_USE)
		memcpy(&tpl, &sh->tpl, sizeof(tpl));
	if ((rc = zvm_window_get_job(&sh->job, nfds - extra, &job, err, sizeof(err))) < 0)
		worker_failed(sh, 0, "the job in the window: %s", err);
	if (job.image_fd < 0 || nfds != job.m.nchannels + 1 + extra)
		worker_failed(sh, EPROTO, "the job in the window names %u channels, %u fds came", job.m.nchannels, nfds);
	for (unsigned i = 0; i < job.m.nchannels; i++)
		if (job.channel_fds[i] == job.image_fd)
			worker_failed(sh, EPROTO, "the job in the window gives the image as channel %u", i);
	/* zvmd decided every limit before the hand-out */
	if ((job.m.given & (ZVM_GIVEN_MEMORY | ZVM_GIVEN_TIMEOUT | ZVM_GIVEN_CPU_TIME)) !=
	    (ZVM_GIVEN_MEMORY | ZVM_GIVEN_TIMEOUT | ZVM_GIVEN_CPU_TIME))
		worker_failed(sh, EPROTO, "the job in the window leaves a limit undecided");
	/* The memfd is sealed (sfi_image_map_fd refuses it otherwise): these are
	 * the bytes the supervisor validated, mapped, not copied, into the cell. */
	if ((rc = sfi_image_map_fd(fds[job.image_fd], 0, &img, err, sizeof(err))) < 0)
		worker_failed(sh, 0, "image: %s", err);
	close(fds[job.image_fd]);

	for (unsigned i = 0; i < job.m.nchannels; i++) {
		const struct zvm_channel_decl *c = &job.m.channels[i];
		ch[i] = (struct zvm_channel){
			.fd = fds[job.channel_fds[i]], .type = c->type,
			.readable = c->max_reads && c->max_read_bytes,
			.writable = c->max_writes && c->max_write_bytes,
			.size = 0, .max_reads = c->max_reads, .max_read_bytes = c->max_read_bytes,
			.max_writes = c->max_writes, .max_write_bytes = c->max_write_bytes,
			.stats = &sh->stats[i] };
	}
	zvm_cell_config(&cfg, &job.m, &img, ch, argv, aliases, 0);
	if (mode == ZVM_TPL_MAKE) {
		cfg.keep_fd = fds[nfds - 1];
		cfg.keep_out = &sh->tpl;
	} else if (mode == ZVM_TPL_USE) {
		if (tpl.magic != SFI_TEMPLATE_MAGIC)
			worker_failed(sh, EPROTO, "the template in the window is not one");
		cfg.resume = &tpl;
		cfg.resume_fd = fds[nfds - 1];
	}
	sfi_cell_enter(&cfg, &sh->result);
}
