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
#include "supervisor/worker.h"

static int put_string(struct zvm_worker_job *job, const char *s, uint32_t *off)
{
	size_t n = strlen(s) + 1;

	if (n > sizeof(job->strings) - job->strings_used)
		return -E2BIG;
	memcpy(job->strings + job->strings_used, s, n);
	*off = job->strings_used;
	job->strings_used += (uint32_t)n;
	return 0;
}

int zvm_worker_job_from_manifest(struct zvm_worker_job *job, const struct zvm_manifest *m,
				 const char *program_name, uint64_t stack_size)
{
	int rc;

	job->memory = m->memory;
	job->stack_size = stack_size;
	job->seed = m->seed;
	job->epoch_ns = m->epoch_ns;
	job->cpu_time = m->cpu_time > 0 ? m->cpu_time : m->timeout;
	job->deterministic = m->deterministic;
	job->strings_used = 0;
	job->argc = m->nargs + 1;
	job->envc = m->nenv;
	job->nchannels = m->nchannels;
	if ((rc = put_string(job, program_name, &job->argv[0])) < 0)
		return rc;
	for (unsigned i = 0; i < m->nargs; i++)
		if ((rc = put_string(job, m->args[i], &job->argv[i + 1])) < 0)
			return rc;
	for (unsigned i = 0; i < m->nenv; i++)
		if ((rc = put_string(job, m->env[i], &job->envp[i])) < 0)
			return rc;
	for (unsigned i = 0; i < m->nchannels; i++) {
		const struct zvm_channel_decl *d = &m->channels[i];
		struct zvm_worker_channel *c = &job->ch[i];
		c->type = d->type;
		c->max_reads = d->max_reads;
		c->max_read_bytes = d->max_read_bytes;
		c->max_writes = d->max_writes;
		c->max_write_bytes = d->max_write_bytes;
		c->size = 0;
		if ((rc = put_string(job, d->alias, &c->alias)) < 0)
			return rc;
	}
	return 0;
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
	char byte, cbuf[CMSG_SPACE(sizeof(int) * (ZVM_MAX_CHANNELS + 1))];
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n;

	do
		n = recvmsg(ctl, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n != 1 || byte != ZVM_CTL_JOB)
		return n < 0 ? -errno : -EPROTO;
	*nfds = 0;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			unsigned k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (unsigned i = 0; i < k && *nfds < max; i++)
				memcpy(&fds[(*nfds)++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
		}
	}
	return (msg.msg_flags & MSG_CTRUNC) ? -EPROTO : 0;
}

void zvm_worker_main(int ctl, struct zvm_slot_shared *sh, const struct zvm_jail *jail)
{
	static struct zvm_channel ch[ZVM_MAX_CHANNELS];
	static const char *aliases[ZVM_MAX_CHANNELS];
	static char *argv[ZVM_MAX_ARGS + 2], *envp[ZVM_MAX_ENV + 1];
	static struct sfi_image img;
	struct zvm_worker_job *job = &sh->job;
	int fds[ZVM_MAX_CHANNELS + 1];
	unsigned nfds = 0;
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
	if ((rc = zvm_seccomp_load_pool_stage()) < 0)
		worker_failed(sh, -rc, "pool-stage seccomp filter");
	byte = ZVM_CTL_READY;
	if (write(ctl, &byte, 1) != 1)
		worker_failed(sh, errno, "reporting ready");

	/* 3. Warm: wait for the job. */
	if ((rc = recv_job(ctl, fds, ZVM_MAX_CHANNELS + 1, &nfds)) < 0 || nfds != job->nchannels + 1 ||
	    job->argc > ZVM_MAX_ARGS + 1 || job->envc > ZVM_MAX_ENV || job->nchannels > ZVM_MAX_CHANNELS)
		worker_failed(sh, rc < 0 ? -rc : EPROTO, "receiving the job");
	/* The memfd is sealed (sfi_image_map_fd refuses it otherwise): these are
	 * the bytes the supervisor validated, mapped, not copied, into the cell. */
	if ((rc = sfi_image_map_fd(fds[0], 0, &img, err, sizeof(err))) < 0)
		worker_failed(sh, 0, "image: %s", err);
	close(fds[0]);

	for (unsigned i = 0; i < job->argc; i++)
		argv[i] = job->strings + job->argv[i];
	for (unsigned i = 0; i < job->envc; i++)
		envp[i] = job->strings + job->envp[i];
	for (unsigned i = 0; i < job->nchannels; i++) {
		const struct zvm_worker_channel *c = &job->ch[i];
		ch[i] = (struct zvm_channel){
			.fd = fds[i + 1], .type = c->type,
			.readable = c->max_reads && c->max_read_bytes,
			.writable = c->max_writes && c->max_write_bytes,
			.size = c->size, .max_reads = c->max_reads, .max_read_bytes = c->max_read_bytes,
			.max_writes = c->max_writes, .max_write_bytes = c->max_write_bytes,
			.stats = &sh->stats[i] };
		aliases[i] = job->strings + c->alias;
	}
	{
		struct sfi_cell_config cfg = {
			.img = &img, .memory = job->memory, .stack_size = job->stack_size,
			.cpu_time = job->cpu_time, .argc = job->argc, .argv = argv,
			.envc = job->envc, .envp = envp, .nchannels = job->nchannels, .channels = ch,
			.aliases = aliases, .seed = job->seed, .epoch_ns = job->epoch_ns,
			.deterministic = job->deterministic, .seccomp = true };
		sfi_cell_enter(&cfg, &sh->result);
	}
}
