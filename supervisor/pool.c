/*
 * pool.c — spawning, handing out and reaping workers.
 *
 * A slot's life: EMPTY -> spawn (clone into a new pid namespace, exec
 * zvm-worker, which joins the slot's cgroup and jails itself) -> WARMING
 * -> worker says ready -> WARM -> job handed out -> BUSY -> worker exits
 * -> reaped, report built -> EMPTY, refilled in an idle moment. The
 * slot's cgroup and window outlive its workers (zvm_pool_destroy removes
 * them); the worker was pid 1 of its namespace, so nothing of it is left
 * in the cgroup once it is reaped.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "protocol/protocol.h"
#include "supervisor/pool.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The worker program: cfg->worker_path, or zvm-worker beside our own
 * executable, kept open (zvm_open_program). */
static int open_worker(struct zvm_pool *p, char *err, size_t errlen)
{
	int fd = zvm_open_program(p->cfg.worker_path, "zvm-worker", 0, "the worker program", p->worker_path,
				  sizeof(p->worker_path), err, errlen);

	if (fd < 0)
		return fd;
	p->worker_prog = fd;
	return 0;
}

/* One window per slot: a sealed memfd (neither side can shrink it under
 * the other), mapped here once and by each of the slot's workers. */
static int make_window(struct zvm_slot *s, char *err, size_t errlen)
{
	char name[32];
	int e;

	snprintf(name, sizeof(name), "zvm-window-%u", s->index);
	s->window = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (s->window < 0 || ftruncate(s->window, sizeof(*s->sh)) < 0 ||
	    fcntl(s->window, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		goto fail;
	s->sh = mmap(NULL, sizeof(*s->sh), PROT_READ | PROT_WRITE, MAP_SHARED, s->window, 0);
	if (s->sh != MAP_FAILED)
		return 0;
	s->sh = NULL;
fail:
	e = errno;
	snprintf(err, errlen, "slot %u's window: %s", s->index, strerror(e));
	return -e;
}

int zvm_pool_init(struct zvm_pool *p, const struct zvm_pool_config *cfg, char *err, size_t errlen)
{
	int rc;

	memset(p, 0, sizeof(*p));
	p->cfg = *cfg;
	p->worker_prog = -1;
	p->zygote_sock = p->zygote_pidfd = -1;
	rc = zvm_cg_detect(&p->host, NULL);
	if (rc < 0) {
		snprintf(err, errlen, "detecting cgroups: %s", strerror(-rc));
		return rc;
	}
	if ((rc = open_worker(p, err, errlen)) < 0)
		return rc;
	p->slot = calloc(cfg->size, sizeof(*p->slot));
	if (!p->slot)
		return -ENOMEM;
	for (unsigned i = 0; i < cfg->size; i++) {
		struct zvm_slot *s = &p->slot[i];
		s->pool = p;
		s->index = i;
		s->pidfd = s->ctl = s->window = -1;
		for (int k = 0; k < 4; k++)
			s->cg_procs[k] = -1;
	}
	for (unsigned i = 0; i < cfg->size; i++)
		if ((rc = make_window(&p->slot[i], err, errlen)) < 0)
			return rc;
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The cgroup.procs file of each of the slot's cgroup directories, for
 * the worker to write itself into (opened here, as root, once). */
static int open_cg_procs(struct zvm_slot *s, char *err, size_t errlen)
{
	const char *dirs[] = { s->cg.path_v2, s->cg.path_memory, s->cg.path_pids, s->cg.path_cpu };
	char path[600];
	int k = 0;

	for (int i = 0; i < 4; i++) {
		if (!dirs[i][0])
			continue;
		snprintf(path, sizeof(path), "%s/cgroup.procs", dirs[i]);
		if ((s->cg_procs[k] = open(path, O_WRONLY | O_CLOEXEC)) < 0) {
			int e = errno;
			snprintf(err, errlen, "%s: %s", path, strerror(e));
			return -e;
		}
		k++;
	}
	return 0;
}

static void close_cg_procs(struct zvm_slot *s)
{
	for (int k = 0; k < 4; k++)
		if (s->cg_procs[k] >= 0) {
			close(s->cg_procs[k]);
			s->cg_procs[k] = -1;
		}
}

/* ---- the zygote (worker.h) ------------------------------------------- */

/* The zygote answers what is queued, then ends at end of stream (a second
 * at most, else it is killed): a fork cut in half would leave a worker
 * zvmd was never told of. */
static void zygote_stop(struct zvm_pool *p)
{
	if (p->zygote_sock >= 0)
		close(p->zygote_sock);
	if (p->zygote_pidfd >= 0) {
		struct pollfd pf = { .fd = p->zygote_pidfd, .events = POLLIN };
		if (poll(&pf, 1, 1000) != 1)
			syscall(SYS_pidfd_send_signal, p->zygote_pidfd, SIGKILL, NULL, 0);
		close(p->zygote_pidfd);
	}
	if (p->zygote_pid > 0)
		while (waitpid(p->zygote_pid, NULL, 0) < 0 && errno == EINTR)
			;
	p->zygote_sock = p->zygote_pidfd = -1;
	p->zygote_pid = 0;
}

static int zygote_start(struct zvm_pool *p)
{
	char a0[] = "zvm-worker", a1[] = "zygote", *argv[] = { a0, a1, NULL };
	struct zvm_jail_exec x = { .program = p->worker_prog, .argv = argv, .nfds = 1, .same_pid_ns = true };
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	x.fds = &sv[1];
	pid = zvm_jail_spawn(&x, &p->zygote_pidfd);
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		p->zygote_pidfd = -1;
		return (int)pid;
	}
	p->zygote_sock = sv[0];
	p->zygote_pid = pid;
	p->zygote_forks = 0;
	return 0;
}

/* Asks the zygote for a worker with the descriptors wfds (3.., as
 * zvm_jail_spawn would place them) and returns at once: 0, or -errno and
 * the caller execs one instead. Its pid comes later, first on the worker's
 * control socket (zvm_pool_on_ctl). The zygote is replaced when it has
 * forked ZVM_ZYGOTE_FORKS workers, and after a failure. */
static int zygote_request(struct zvm_pool *p, struct zvm_slot *s, const int *wfds, const char *nsbits, int ncg)
{
	struct zvm_zygote_req rq = { .slot = s->index, .uid = p->cfg.uid_base + s->index,
				     .gid = p->cfg.gid_base + s->index, .ncg = (uint32_t)ncg };
	int fds[ZVM_ZYGOTE_MAX_FDS], rc;
	unsigned n = 0;

	if (p->zygote_pause) {
		p->zygote_pause--;
		return -EAGAIN;
	}
	if (p->zygote_sock >= 0 && p->zygote_forks >= ZVM_ZYGOTE_FORKS)
		zygote_stop(p);
	if (p->zygote_sock < 0 && (rc = zygote_start(p)) < 0) {
		p->zygote_pause = ZVM_ZYGOTE_PAUSE;
		return rc;
	}
	memcpy(rq.ns, nsbits, 4);
	fds[n++] = wfds[ZVM_WORKER_FD_CTL - 3];
	fds[n++] = wfds[ZVM_WORKER_FD_WINDOW - 3];
	for (int i = 0; i < 4; i++)
		if (nsbits[i] == '1')
			fds[n++] = wfds[ZVM_WORKER_FD_NS - 3 + i];
	for (int i = 0; i < ncg; i++)
		fds[n++] = wfds[ZVM_WORKER_FD_CGROUP - 3 + i];
	/* never blocks: a zygote that fell behind by a whole socket buffer is
	 * stuck, and replaced */
	if (zvm_sendmsg_fds(p->zygote_sock, &rq, sizeof(rq), fds, n, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)sizeof(rq)) {
		zygote_stop(p);
		return -EPIPE;
	}
	p->zygote_forks++;
	return 0;
}

int zvm_pool_spawn(struct zvm_pool *p, struct zvm_slot *s, char *err, size_t errlen)
{
	char name[64], a_slot[32], a_uid[32], a_gid[32], a_ns[16], a_cg[32], nsbits[5] = "";
	char a_prog[] = "zvm-worker", *argv[] = { a_prog, a_slot, a_uid, a_gid, a_ns, a_cg, NULL };
	int fds[ZVM_WORKER_NFDS], sv[2], rc, ncg = 0;
	struct zvm_jail_exec x = { .program = p->worker_prog, .argv = argv, .fds = fds, .nfds = ZVM_WORKER_NFDS };
	pid_t pid;

	/* Nothing of the last worker's job or writes for the next one: the
	 * window's pages are dropped (they read as zeros, and a window of up
	 * to 1 MiB of job costs no memory while warm), or zeroed. */
	if (fallocate(s->window, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)sizeof(*s->sh)) < 0)
		memset(s->sh, 0, sizeof(*s->sh));
	s->sh->result.state = 0xffffffffu;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	/* A slot's cgroup outlives its workers: created (and given its BPF
	 * programs) once, then reused with a fresh accounting period, which
	 * keeps mkdir/rmdir and BPF loading off the per-cell path. */
	snprintf(name, sizeof(name), "cell-%d-%u", (int)getpid(), s->index);
	if (!s->has_cg && p->host.mode != ZVM_CG_NONE) {
		rc = zvm_cg_create(&p->host, p->cfg.cgroup_parent, name, &p->cfg.cg, &s->cg, err, errlen);
		if (rc < 0)
			goto out_close;
		s->has_cg = true;
		if ((p->cfg.deny_sockets_bpf && p->host.bpf_possible &&
		     (rc = zvm_cg_deny_sockets_and_devices(&s->cg, err, errlen)) < 0) ||
		    (rc = open_cg_procs(s, err, errlen)) < 0) {
			close_cg_procs(s);
			zvm_cg_destroy(&s->cg);
			s->has_cg = false;
			goto out_close;
		}
	}
	if (s->has_cg)
		zvm_cg_new_period(&s->cg);

	/* the worker's descriptors 3.. (worker.h) */
	for (int i = 0; i < ZVM_WORKER_NFDS; i++)
		fds[i] = -1;
	fds[ZVM_WORKER_FD_CTL - 3] = sv[1];
	fds[ZVM_WORKER_FD_WINDOW - 3] = s->window;
	for (int i = 0; i < 4; i++) {
		fds[ZVM_WORKER_FD_NS - 3 + i] = p->cfg.shared_ns[i];
		nsbits[i] = p->cfg.shared_ns[i] >= 0 ? '1' : '0';
		if (s->has_cg && s->cg_procs[i] >= 0)
			fds[ZVM_WORKER_FD_CGROUP - 3 + ncg++] = s->cg_procs[i];
	}
	snprintf(a_ns, sizeof(a_ns), "ns=%s", nsbits);
	snprintf(a_slot, sizeof(a_slot), "slot=%u", s->index);
	snprintf(a_uid, sizeof(a_uid), "uid=%u", (unsigned)(p->cfg.uid_base + s->index));
	snprintf(a_gid, sizeof(a_gid), "gid=%u", (unsigned)(p->cfg.gid_base + s->index));
	snprintf(a_cg, sizeof(a_cg), "cgroups=%d", ncg);

	s->pidfd = -1;
	if (p->cfg.zygote && zygote_request(p, s, fds, nsbits, ncg) == 0) {
		/* forked on its own time; its pid and pidfd come on sv[0] */
		close(sv[1]);
		s->pid = 0;
		s->ctl = sv[0];
		s->state = ZVM_SLOT_WARMING;
		return 0;
	}
	/* no zygote, or it failed: exec this one */
	pid = zvm_jail_spawn(&x, &s->pidfd);
	if (pid < 0) {
		rc = pid;
		snprintf(err, errlen, "starting %s in a new pid namespace: %s", p->worker_path, strerror(-rc));
		goto out_close;
	}
	close(sv[1]);
	s->pid = pid;
	s->ctl = sv[0];
	s->state = ZVM_SLOT_WARMING;
	return 0;

out_close:
	close(sv[0]);
	close(sv[1]);
	return rc;
}

int zvm_pool_on_ctl(struct zvm_pool *p, struct zvm_slot *s)
{
	struct zvm_zygote_forked f;
	int fd = -1, flags = 0;
	unsigned nfd = 0;
	ssize_t n = zvm_recvmsg_fds(s->ctl, &f, sizeof(f), &fd, 1, &nfd, MSG_DONTWAIT, &flags);

	if (n == -EINTR || n == -EAGAIN)
		return 0;
	if (n == 1 && f.tag == ZVM_CTL_READY && s->state == ZVM_SLOT_WARMING && s->pidfd >= 0 && !nfd) {
		s->state = ZVM_SLOT_WARM;
		p->warm++;
		return 1;
	}
	/* the zygote's word on a worker it was asked for: first, once */
	if (n == (ssize_t)sizeof(f) && f.tag == ZVM_CTL_FORKED && s->state == ZVM_SLOT_WARMING && s->pid == 0 &&
	    s->pidfd < 0) {
		if (f.err == 0 && nfd == 1 && f.pid > 0) {
			s->pid = f.pid;
			s->pidfd = fd;
			return 2;
		}
		if (nfd)
			close(fd);
		p->zygote_pause = ZVM_ZYGOTE_PAUSE; /* it could not fork: exec for a while */
		return f.err > 0 ? -f.err : -EPROTO;
	}
	if (nfd)
		close(fd);
	return -EPROTO; /* closed or nonsense: the worker failed */
}

struct zvm_slot *zvm_pool_take_warm(struct zvm_pool *p)
{
	for (unsigned i = 0; i < p->cfg.size; i++)
		if (p->slot[i].state == ZVM_SLOT_WARM)
			return &p->slot[i];
	return NULL;
}

static int send_fds(int sock, char byte, const int *fds, unsigned n)
{
	ssize_t sent = zvm_sendmsg_fds(sock, &byte, 1, fds, n, MSG_NOSIGNAL);

	return sent == 1 ? 0 : sent < 0 ? (int)sent : -EIO;
}

int zvm_pool_handout(struct zvm_pool *p, struct zvm_slot *s, const struct zvm_manifest *m,
		     int image_fd, const int *channel_fds, unsigned tpl_mode, const struct sfi_template *tpl, int tpl_fd)
{
	int fds[ZVM_MAX_CHANNELS + 2];
	unsigned n = m->nchannels + 1;
	int rc;

	rc = zvm_window_put_job(&s->sh->job, m);
	if (rc < 0)
		return rc;
	if (tpl_mode == ZVM_TPL_USE)
		s->sh->tpl = *tpl;
	__atomic_store_n(&s->sh->tpl_mode, tpl_mode, __ATOMIC_RELEASE);
	if (tpl_mode != ZVM_TPL_NONE)
		fds[n++] = tpl_fd;
	for (unsigned i = 0; i < m->nchannels; i++) {
		SHA256_Init(&s->sh->stats[i].digest);
		fds[i + 1] = channel_fds[i];
	}
	fds[0] = image_fd;
	rc = send_fds(s->ctl, ZVM_CTL_JOB, fds, n);
	if (rc < 0)
		return rc;
	s->state = ZVM_SLOT_BUSY;
	s->started = now_s();
	p->warm--;
	p->busy++;
	return 0;
}

void zvm_pool_kill(struct zvm_slot *s)
{
	if (s->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
}

int zvm_pool_reap(struct zvm_pool *p, struct zvm_slot *s, const struct zvm_manifest *m,
		  bool timed_out, struct zvm_report *rep, struct zvm_cg_usage *usage)
{
	struct rusage ru;
	int status = 0;
	double cpu = m ? zvm_cell_cpu_limit(m) : 0; /* the worker's, from the same manifest */

	memset(&ru, 0, sizeof(ru));
	/* pid 0: asked of the zygote, never forked; nothing to wait for */
	while (s->pid > 0 && wait4(s->pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	if (rep && m) {
		rep->wall_s = now_s() - s->started;
		zvm_report_fill(rep, &s->sh->result, s->sh->stats, m, status, &ru, timed_out, cpu);
	}
	if (s->has_cg && usage)
		zvm_cg_read_usage(&s->cg, usage);
	if (s->state == ZVM_SLOT_WARM)
		p->warm--;
	if (s->state == ZVM_SLOT_BUSY)
		p->busy--;
	close_fd(&s->pidfd);
	close_fd(&s->ctl);
	s->state = ZVM_SLOT_EMPTY;
	s->pid = 0;
	s->job = NULL;
	return 0;
}

void zvm_pool_destroy(struct zvm_pool *p)
{
	/* The zygote first: once it has answered what was queued and ended,
	 * every worker it forked has its pid on its slot's socket, so none is
	 * left running in a cgroup about to be removed. */
	zygote_stop(p);
	for (unsigned i = 0; i < p->cfg.size; i++) {
		struct zvm_slot *s = &p->slot[i];
		if (s->state == ZVM_SLOT_WARMING && s->pidfd < 0 && s->ctl >= 0)
			zvm_pool_on_ctl(p, s);
		if (s->state != ZVM_SLOT_EMPTY) {
			zvm_pool_kill(s);
			zvm_pool_reap(p, s, NULL, false, NULL, NULL);
		}
		close_cg_procs(s);
		if (s->has_cg)
			zvm_cg_destroy(&s->cg);
		s->has_cg = false;
		if (s->sh)
			munmap(s->sh, sizeof(*s->sh));
		close_fd(&s->window);
	}
	free(p->slot);
	p->slot = NULL;
	close_fd(&p->worker_prog);
}
