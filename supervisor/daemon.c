/*
 * daemon.c — zvmd's event loop: clients in, jobs to warm workers, reports
 * out, workers replaced. Nothing here blocks on a worker: a worker's end is
 * an event (its pidfd becomes readable), and so is its wall-time deadline.
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/daemon-proto.h"
#include "supervisor/daemon.h"
#include "supervisor/protocol.h"

struct zvmd_job {
	struct zvmd *d;
	int conn;
	struct zvmd_request req;
	struct zvm_image_entry *img;
	struct zvm_slot *slot;
	int timer_fd;
	bool timed_out;
	double received, handed_out, handout_s;
	struct zvmd_job *next;
	struct zvm_report rep;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define LOG(...) (fprintf(stderr, "zvmd: " __VA_ARGS__), fputc('\n', stderr))

static void close_request_fds(struct zvmd_request *r)
{
	if (r->image_fd >= 0)
		close(r->image_fd);
	r->image_fd = -1;
	for (unsigned i = 0; i < ZVM_MAX_CHANNELS; i++) {
		if (r->channel_fds[i] >= 0)
			close(r->channel_fds[i]);
		r->channel_fds[i] = -1;
	}
}

static void job_free(struct zvmd_job *j)
{
	close_request_fds(&j->req);
	zvm_manifest_free(&j->req.m);
	if (j->conn >= 0) {
		close(j->conn);
		j->d->connections--;
	}
	free(j);
}

static unsigned refill(struct zvmd *d, unsigned max);
static void dispatch(struct zvmd *d);

/* ---- workers ----------------------------------------------------------- */

static void on_worker_exit(struct zvm_loop *l, int fd, unsigned ev, void *data);
static void on_worker_ctl(struct zvm_loop *l, int fd, unsigned ev, void *data);

static void on_deadline(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	struct zvmd_job *j = data;

	zvm_loop_timer_cancel(l, fd);
	j->timer_fd = -1;
	j->timed_out = true;
	if (j->slot)
		zvm_pool_kill(j->slot);
}

static void slot_reaped(struct zvmd *d, struct zvm_slot *s)
{
	(void)s;
	/* cgroup removal and the replacement worker wait for an idle moment */
	zvm_loop_wake_idle(d->loop);
	dispatch(d);
	if (d->draining && d->pool.busy == 0 && d->queued == 0)
		zvm_loop_stop(d->loop);
}

static void on_worker_exit(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	struct zvm_slot *s = data;
	struct zvmd *d = zvm_pool_owner(s);
	struct zvmd_job *j = s->job;
	struct zvm_cg_usage usage = { 0 };

	zvm_loop_del(l, s->pidfd);
	if (s->ctl >= 0)
		zvm_loop_del(l, s->ctl);
	if (!j) {
		/* A warm or warming worker died before any job: replace it. */
		if (s->state == ZVM_SLOT_WARMING)
			LOG("worker %u failed while warming: %s", s->index,
			    s->sh->result.message[0] ? s->sh->result.message : "no message");
		zvm_pool_reap(&d->pool, s, NULL, false, NULL, NULL);
		slot_reaped(d, s);
		return;
	}
	zvm_loop_timer_cancel(l, j->timer_fd);
	j->timer_fd = -1;
	zvm_pool_reap(&d->pool, s, &j->req.m, j->timed_out, &j->rep, &usage);
	{
		struct zvmd_reply_extra x = { .queue_s = j->handed_out - j->received,
					      .handout_s = j->handout_s, .cgroup_peak = usage.memory_peak,
					      .oom = usage.oom };
		if (j->rep.state == ZVM_STATE_OK)
			d->stats.ok++;
		else
			d->stats.failed++;
		zvmd_send_report(j->conn, &j->rep, &x);
	}
	job_free(j);
	slot_reaped(d, s);
}

static void on_worker_ctl(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	struct zvm_slot *s = data;
	struct zvmd *d = zvm_pool_owner(s);
	int rc = zvm_pool_on_ctl(&d->pool, s);

	if (rc == 1) {
		dispatch(d);
	} else if (rc < 0) {
		/* The worker closed its end: its exit (pidfd) will follow. */
		zvm_loop_del(l, fd);
	}
}

/* Idle work, one step per call so requests are never kept waiting long:
 * remove a finished cell's cgroup, or start one replacement worker. */
static bool idle_chores(struct zvm_loop *l, void *data)
{
	struct zvmd *d = data;

	(void)l;
	for (unsigned i = 0; i < d->pool.cfg.size; i++)
		if (d->pool.slot[i].state == ZVM_SLOT_REAPED) {
			zvm_pool_release(&d->pool, &d->pool.slot[i]);
			return true;
		}
	if (d->draining)
		return false;
	return refill(d, 1) > 0;
}

static void on_retry(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	zvm_loop_timer_cancel(l, fd);
	zvm_loop_wake_idle(l);
}

/* Starts up to max workers in empty slots; returns how many started. A
 * failure is logged and retried 100 ms later, not in a busy loop. */
static unsigned refill(struct zvmd *d, unsigned max)
{
	char err[512];
	unsigned tried = 0;

	for (unsigned i = 0; i < d->pool.cfg.size && tried < max; i++) {
		struct zvm_slot *s = &d->pool.slot[i];
		if (s->state != ZVM_SLOT_EMPTY)
			continue;
		tried++;
		err[0] = '\0';
		if (zvm_pool_spawn(&d->pool, s, err, sizeof(err)) < 0) {
			LOG("spawning worker %u: %s", i, err);
			if (s->pidfd >= 0)
				zvm_loop_add(d->loop, s->pidfd, on_worker_exit, s);
			zvm_loop_timer(d->loop, 0.1, on_retry, d);
			return 0;
		}
		zvm_loop_add(d->loop, s->pidfd, on_worker_exit, s);
		zvm_loop_add(d->loop, s->ctl, on_worker_ctl, s);
	}
	return tried;
}

/* ---- jobs ------------------------------------------------------------- */

static void apply_limits(const struct zvmd *d, struct zvm_manifest *m)
{
	const struct zvmd_limits *L = &d->cfg.limits;

	if (m->memory == 0)
		m->memory = L->default_memory;
	if (m->memory > L->max_memory)
		m->memory = L->max_memory;
	if (m->timeout <= 0)
		m->timeout = L->default_timeout;
	if (m->timeout > L->max_timeout)
		m->timeout = L->max_timeout;
	if (m->cpu_time <= 0)
		m->cpu_time = L->default_cpu_time < m->timeout ? L->default_cpu_time : m->timeout;
	if (m->cpu_time > L->max_cpu_time)
		m->cpu_time = L->max_cpu_time;
}

static void start_job(struct zvmd *d, struct zvmd_job *j, struct zvm_slot *s)
{
	int rc;

	j->slot = s;
	s->job = j;
	j->handed_out = now_s();
	rc = zvm_pool_handout(&d->pool, s, &j->req.m, j->req.program_name, j->img->memfd,
			      j->req.channel_fds);
	j->handout_s = now_s() - j->handed_out;
	/* The worker has its own copies now (or none, if the hand-out failed). */
	close_request_fds(&j->req);
	if (rc < 0) {
		LOG("hand-out to worker %u: %s", s->index, strerror(-rc));
		zvm_pool_kill(s);
		return; /* its exit event reports an internal error to the client */
	}
	j->timer_fd = zvm_loop_timer(d->loop, j->req.m.timeout, on_deadline, j);
}

static void dispatch(struct zvmd *d)
{
	while (d->queue_head) {
		struct zvm_slot *s = zvm_pool_take_warm(&d->pool);
		struct zvmd_job *j = d->queue_head;
		if (!s)
			return;
		d->queue_head = j->next;
		if (!d->queue_head)
			d->queue_tail = NULL;
		d->queued--;
		start_job(d, j, s);
	}
}

static void reply_now(struct zvmd_job *j)
{
	struct zvmd_reply_extra x = { 0 };

	zvmd_send_report(j->conn, &j->rep, &x);
	j->d->stats.failed++;
	job_free(j);
}

static void submit(struct zvmd *d, struct zvmd_job *j)
{
	struct sfi_options opt;
	char err[512] = "";
	int rc;

	apply_limits(d, &j->req.m);
	opt.deterministic = j->req.m.deterministic;
	if (j->req.by_digest) {
		j->img = zvm_images_find(&d->images, j->req.digest, &opt);
		if (!j->img) {
			zvmd_send_error(j->conn, ZVM_ERR_NOT_FOUND, "no validated image with that digest; upload it first");
			job_free(j);
			return;
		}
		j->rep.validation_cached = true;
	} else {
		rc = zvm_images_add_fd(&d->images, j->req.image_fd, &opt, &j->img, &j->rep.verdict,
				       &j->rep.validate_s, err, sizeof(err));
		if (rc == 1) {
			j->rep.state = ZVM_STATE_VALIDATION_FAILED;
			reply_now(j);
			return;
		}
		if (rc < 0) {
			j->rep.state = ZVM_STATE_LOAD_ERROR;
			snprintf(j->rep.message, sizeof(j->rep.message), "%s", err);
			reply_now(j);
			return;
		}
	}
	if (d->queued >= d->cfg.queue_max) {
		d->stats.busy_rejected++;
		zvmd_send_error(j->conn, ZVM_ERR_BUSY, "the queue is full; try again later");
		job_free(j);
		return;
	}
	j->next = NULL;
	if (d->queue_tail)
		d->queue_tail->next = j;
	else
		d->queue_head = j;
	d->queue_tail = j;
	d->queued++;
	dispatch(d);
}

/* ---- clients ---------------------------------------------------------- */

static bool peer_allowed(struct zvmd *d, int conn)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t groups[256];
	int ngroups = 256;

	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	if (cred.uid == 0 || !d->restrict_group || cred.gid == d->allowed_gid)
		return true;
	/* Supplementary groups of the peer's uid, as the group database says. */
	{
		struct passwd *pw = getpwuid(cred.uid);
		if (pw && getgrouplist(pw->pw_name, pw->pw_gid, groups, &ngroups) >= 0)
			for (int i = 0; i < ngroups; i++)
				if (groups[i] == d->allowed_gid)
					return true;
	}
	return false;
}

static void on_client(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	struct zvmd *d = data;
	struct zvmd_job *j;
	char err[512] = "";
	int kind;

	zvm_loop_del(l, fd);
	j = calloc(1, sizeof(*j));
	if (!j) {
		close(fd);
		d->connections--;
		return;
	}
	j->d = d;
	j->conn = fd;
	j->timer_fd = -1;
	j->received = now_s();
	j->req.image_fd = -1;
	for (unsigned i = 0; i < ZVM_MAX_CHANNELS; i++)
		j->req.channel_fds[i] = -1;
	kind = zvmd_read_request(fd, &j->req, err, sizeof(err));
	if (kind < 0) {
		if (kind != -ECONNRESET && kind != -EPIPE) {
			d->stats.malformed++;
			zvmd_send_error(fd, kind == -EMSGSIZE ? ZVM_ERR_OVERSIZED : kind == -EPROTONOSUPPORT ? ZVM_ERR_VERSION : ZVM_ERR_MALFORMED,
					err[0] ? err : strerror(-kind));
		}
		job_free(j);
		return;
	}
	if (kind == ZVMD_REQ_STATUS) {
		zvmd_send_status(fd, d);
		job_free(j);
		return;
	}
	if (kind == ZVMD_REQ_UPLOAD) {
		struct sfi_options opt = { .deterministic = j->req.m.deterministic };
		int rc = zvm_images_add_fd(&d->images, j->req.image_fd, &opt, &j->img, &j->rep.verdict,
					   &j->rep.validate_s, err, sizeof(err));
		if (rc == 0)
			zvmd_send_digest(fd, j->img->sha256);
		else if (rc == 1) {
			j->rep.state = ZVM_STATE_VALIDATION_FAILED;
			zvmd_send_report(fd, &j->rep, &(struct zvmd_reply_extra){ 0 });
		} else
			zvmd_send_error(fd, ZVM_ERR_MALFORMED, err);
		job_free(j);
		return;
	}
	if (d->draining) {
		zvmd_send_error(fd, ZVM_ERR_BUSY, "zvmd is shutting down");
		job_free(j);
		return;
	}
	d->stats.jobs++;
	submit(d, j);
}

static void on_accept(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	struct zvmd *d = data;
	struct timeval tv = { .tv_sec = 2 };
	int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

	if (conn < 0)
		return;
	d->connections++;
	if (!peer_allowed(d, conn)) {
		zvmd_send_error(conn, ZVM_ERR_PERMISSION, "permission denied: not in the allowed group");
		close(conn);
		d->connections--;
		return;
	}
	/* A client that stalls mid-message cannot hold the loop for long. */
	setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(conn, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (zvm_loop_add(l, conn, on_client, d) < 0) {
		close(conn);
		d->connections--;
	}
}

/* ---- signals and start-up --------------------------------------------- */

static void on_signal(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	struct zvmd *d = data;
	struct signalfd_siginfo si;
	char err[512];

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP && d->config_path) {
			struct zvmd_config c = d->cfg;
			if (zvmd_config_load(&c, d->config_path, err, sizeof(err)) < 0) {
				LOG("reload refused: %s", err);
			} else {
				d->cfg.limits = c.limits;
				d->cfg.queue_max = c.queue_max;
				LOG("limits reloaded from %s", d->config_path);
			}
		} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			LOG("draining: %u busy, %u queued", d->pool.busy, d->queued);
			d->draining = true;
			if (d->listen_fd >= 0) {
				zvm_loop_del(l, d->listen_fd);
				close(d->listen_fd);
				d->listen_fd = -1;
				unlink(d->cfg.socket_path);
			}
		}
	}
	if (d->draining && d->pool.busy == 0 && d->queued == 0)
		zvm_loop_stop(l);
}

static int listen_socket(struct zvmd *d, char *err, size_t errlen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	gid_t gid = 0;

	if (fd < 0)
		return -errno;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", d->cfg.socket_path);
	unlink(a.sun_path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 512) < 0) {
		snprintf(err, errlen, "%s: %s", a.sun_path, strerror(errno));
		close(fd);
		return -EADDRINUSE;
	}
	if (d->cfg.socket_group[0]) {
		struct group *g = getgrnam(d->cfg.socket_group);
		if (!g) {
			snprintf(err, errlen, "socket_group '%s': no such group", d->cfg.socket_group);
			close(fd);
			return -ENOENT;
		}
		gid = g->gr_gid;
	}
	if (chown(a.sun_path, 0, gid) < 0 || chmod(a.sun_path, d->cfg.socket_mode) < 0) {
		snprintf(err, errlen, "%s: %s", a.sun_path, strerror(errno));
		close(fd);
		return -EPERM;
	}
	d->listen_fd = fd;
	return 0;
}

int zvmd_start(struct zvmd *d, char *err, size_t errlen)
{
	struct zvm_pool_config pc = {
		.size = d->cfg.pool_size, .uid_base = d->cfg.uid_base, .gid_base = d->cfg.gid_base,
		.cgroup_parent = d->cfg.cgroup_parent,
		.cg = { .pids_max = 1, .memory_max = 0, .cpu_weight = 100 },
		.deny_sockets_bpf = d->cfg.deny_sockets_bpf };
	sigset_t mask;
	int rc;

	d->listen_fd = d->signal_fd = -1;
	d->stats.started = now_s();
	/* Workers are forked from here: let OpenSSL read its configuration now,
	 * once, instead of in each worker under the pool-stage filter. */
	{
		uint8_t digest[32];
		OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL);
		SHA256((const uint8_t *)"", 0, digest);
	}
	if (d->cfg.allowed_group[0]) {
		struct group *g = getgrnam(d->cfg.allowed_group);
		if (!g) {
			snprintf(err, errlen, "allowed_group '%s': no such group", d->cfg.allowed_group);
			return -ENOENT;
		}
		d->allowed_gid = g->gr_gid;
		d->restrict_group = true;
	}
	d->loop = zvm_loop_new();
	if (!d->loop)
		return -ENOMEM;
	if ((rc = zvm_images_init(&d->images, d->cfg.image_cache)) < 0)
		return rc;
	/* Memory per cell is the job's; the cgroup adds room for the trusted
	 * runtime around it. */
	pc.cg.memory_max = d->cfg.limits.max_memory + (64ull << 20);
	if ((rc = zvm_jail_shared_ns(pc.shared_ns)) < 0) {
		snprintf(err, errlen, "creating the cells' network, IPC, UTS and mount namespaces: %s", strerror(-rc));
		return rc;
	}
	if ((rc = zvm_pool_init(&d->pool, &pc, err, errlen)) < 0)
		return rc;
	d->pool.owner = d;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sigdelset(&mask, SIGCHLD); /* workers are watched through pidfds */
	signal(SIGPIPE, SIG_IGN);
	d->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->signal_fd < 0)
		return -errno;
	if ((rc = listen_socket(d, err, errlen)) < 0)
		return rc;
	zvm_loop_add(d->loop, d->signal_fd, on_signal, d);
	zvm_loop_add(d->loop, d->listen_fd, on_accept, d);
	refill(d, d->pool.cfg.size);
	zvm_loop_set_idle(d->loop, idle_chores, d);
	return 0;
}

int zvmd_run(struct zvmd *d)
{
	return zvm_loop_run(d->loop);
}

void zvmd_stop(struct zvmd *d)
{
	zvm_pool_destroy(&d->pool);
	zvm_images_free(&d->images);
	if (d->listen_fd >= 0) {
		close(d->listen_fd);
		unlink(d->cfg.socket_path);
	}
	zvm_loop_free(d->loop);
}
