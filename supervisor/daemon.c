/*
 * daemon.c — zvmd's event loop: clients in, jobs to warm workers, reports
 * out, workers replaced. Nothing here blocks on a worker: a worker's end is
 * an event (its pidfd becomes readable), and so is its wall-time deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/resource.h>
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

#include "supervisor/daemon-internal.h"

double zvmd_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned refill(struct zvmd *d, unsigned max);

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
	/* the replacement worker waits for an idle moment */
	zvm_loop_wake_idle(d->loop);
	zvmd_dispatch(d);
	if (zvmd_drained(d))
		zvm_loop_stop(d->loop);
}

bool zvmd_drained(const struct zvmd *d)
{
	return d->draining && d->pool.busy == 0 && d->queued == 0 && d->validating == 0 && !d->maps;
}

static void on_worker_exit(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	struct zvm_slot *s = data;
	struct zvmd *d = zvm_pool_owner(s);
	struct zvmd_job *j = s->job;
	struct zvm_cg_usage usage = { 0 };
	struct zvmd_reply_extra x;

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
	if (j->req.tpl_op == ZVM_TPL_MAKE || j->req.tpl_op == ZVM_TPL_MAKE_GLOBAL)
		zvmd_template_made(j, &s->sh->tpl);
	j->slot = NULL;
	j->phase = J_DONE; /* nothing left to dequeue or kill */
	x = (struct zvmd_reply_extra){ .queue_s = j->handed_out - j->received, .handout_s = j->handout_s,
				       .cgroup_peak = usage.memory_peak, .oom = usage.oom };
	if (j->rep.state == ZVM_STATE_OK)
		d->stats.ok++;
	else
		d->stats.failed++;
	if (j->map) {
		zvmd_map_node_ended(j, &x); /* its report goes with its map's; the node is freed there */
		slot_reaped(d, s);
		return;
	}
	zvmd_send_report(j->conn, &j->rep, &x);
	zvmd_job_free(j);
	slot_reaped(d, s);
}

static void on_worker_ctl(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	struct zvm_slot *s = data;
	struct zvmd *d = zvm_pool_owner(s);
	int rc = zvm_pool_on_ctl(&d->pool, s);

	if (rc == 1) {
		zvmd_dispatch(d);
	} else if (rc == 2) {
		zvm_loop_add(l, s->pidfd, on_worker_exit, s); /* the zygote forked it */
	} else if (rc < 0 && s->pidfd < 0) {
		/* asked of the zygote, never forked: nothing to reap */
		LOG("worker %u: the zygote did not fork it: %s", s->index, strerror(-rc));
		zvm_loop_del(l, fd);
		zvm_pool_reap(&d->pool, s, NULL, false, NULL, NULL);
		slot_reaped(d, s);
	} else if (rc < 0) {
		/* The worker closed its end: its exit (pidfd) will follow. */
		zvm_loop_del(l, fd);
	}
}

/* Idle work, one step per call so requests are never kept waiting long:
 * start one validator helper or one replacement worker. */
static bool idle_chores(struct zvm_loop *l, void *data)
{
	struct zvmd *d = data;

	(void)l;
	/* draining: no new validators, but workers still for what is queued */
	if (d->draining)
		return (d->queued || d->maps) && refill(d, 1) > 0;
	if (zvmd_validators_refill(d))
		return true;
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
		if (s->pidfd >= 0) /* else the zygote's answer brings it */
			zvm_loop_add(d->loop, s->pidfd, on_worker_exit, s);
		zvm_loop_add(d->loop, s->ctl, on_worker_ctl, s);
	}
	return tried;
}

/* ---- jobs ------------------------------------------------------------- */

void zvmd_apply_limits(const struct zvmd *d, struct zvm_manifest *m)
{
	const struct zvmd_limits *L = &d->cfg.limits;

	if (!(m->given & ZVM_GIVEN_MEMORY) || m->memory == 0)
		m->memory = L->default_memory;
	if (m->memory > L->max_memory)
		m->memory = L->max_memory;
	if (!(m->given & ZVM_GIVEN_TIMEOUT) || m->timeout <= 0)
		m->timeout = L->default_timeout;
	if (m->timeout > L->max_timeout)
		m->timeout = L->max_timeout;
	if (!(m->given & ZVM_GIVEN_CPU_TIME) || m->cpu_time <= 0)
		m->cpu_time = L->default_cpu_time < m->timeout ? L->default_cpu_time : m->timeout;
	if (m->cpu_time > L->max_cpu_time)
		m->cpu_time = L->max_cpu_time;
	/* decided now: what the worker reads from the window is what applies */
	m->given |= ZVM_GIVEN_MEMORY | ZVM_GIVEN_TIMEOUT | ZVM_GIVEN_CPU_TIME;
}

static void start_job(struct zvmd *d, struct zvmd_job *j, struct zvm_slot *s)
{
	int rc;

	j->slot = s;
	j->phase = J_RUNNING;
	zvmd_set_pending(j, false); /* running is not waiting */
	s->job = j;
	j->handed_out = zvmd_now();
	if (j->req.tpl_op == ZVM_TPL_MAKE || j->req.tpl_op == ZVM_TPL_MAKE_GLOBAL)
		j->tpl_image_fd = fcntl(j->image_fd, F_DUPFD_CLOEXEC, 0); /* the template's, if it is kept */
	rc = zvm_pool_handout(&d->pool, s, &j->req.m, j->image_fd, j->req.channel_fds,
			      j->req.tpl_op == ZVM_TPL_MAKE_GLOBAL ? ZVM_TPL_MAKE : j->req.tpl_op, &j->tpl_state, j->tpl_fd);
	j->handout_s = zvmd_now() - j->handed_out;
	if (j->req.tpl_op == ZVM_TPL_USE) {
		close(j->tpl_fd);
		j->tpl_fd = -1;
	}
	/* The worker has its own copies now (or none, if the hand-out failed). */
	close(j->image_fd);
	j->image_fd = -1;
	for (unsigned i = 0; i < ZVM_MAX_CHANNELS; i++)
		if (j->req.channel_fds[i] >= 0) {
			close(j->req.channel_fds[i]);
			j->req.channel_fds[i] = -1;
		}
	if (rc < 0) {
		LOG("hand-out to worker %u: %s", s->index, strerror(-rc));
		zvm_pool_kill(s);
		return; /* its exit event reports an internal error to the client */
	}
	j->timer_fd = zvm_loop_timer(d->loop, j->req.m.timeout, on_deadline, j);
}

void zvmd_dispatch(struct zvmd *d)
{
	while (d->run_queue.head) {
		struct zvm_slot *s = zvm_pool_take_warm(&d->pool);
		struct zvmd_job *j = d->run_queue.head;
		if (!s)
			return;
		zvmd_dequeue(d, j);
		start_job(d, j, s);
		if (j->map)
			zvmd_map_node_started(j); /* its map's next node joins the queue's tail */
	}
}

void zvmd_fifo_push(struct zvmd_fifo *q, struct zvmd_job *j)
{
	j->next = NULL;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
}

bool zvmd_fifo_remove(struct zvmd_fifo *q, struct zvmd_job *j)
{
	struct zvmd_job **p, *prev = NULL;

	for (p = &q->head; *p; prev = *p, p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			if (q->tail == j)
				q->tail = prev;
			j->next = NULL;
			return true;
		}
	return false;
}

void zvmd_enqueue(struct zvmd *d, struct zvmd_job *j)
{
	j->phase = J_QUEUED;
	zvmd_fifo_push(&d->run_queue, j);
	d->queued++;
	zvmd_dispatch(d);
}

void zvmd_dequeue(struct zvmd *d, struct zvmd_job *j)
{
	if (zvmd_fifo_remove(&d->run_queue, j)) {
		d->queued--;
		j->phase = J_DONE;
	}
}

/* A job that ends before any worker: its report now, then it is freed. */
void zvmd_reply_failed(struct zvmd_job *j)
{
	struct zvmd_reply_extra x = { 0 };

	zvmd_send_report(j->conn, &j->rep, &x);
	j->d->stats.failed++;
	zvmd_job_free(j);
}

/* ---- signals and start-up --------------------------------------------- */

static void on_signal(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	struct zvmd *d = data;
	struct signalfd_siginfo si;
	char err[512];

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP && d->config_path) {
			/* The file as it is now, from the defaults (a key taken out
			 * goes back to its default), then the command line again. */
			struct zvmd_config c;
			zvmd_config_defaults(&c);
			if (zvmd_config_load(&c, d->config_path, err, sizeof(err)) < 0 ||
			    zvmd_config_parse(&c, d->flags, "command line", err, sizeof(err)) < 0) {
				LOG("reload refused: %s", err);
			} else {
				struct zvm_images_limits il = { d->cfg.image_cache, c.image_cache_bytes, c.uid_cache_bytes };
				d->cfg.limits = c.limits;
				d->cfg.queue_max = c.queue_max;
				d->cfg.max_connections = c.max_connections;
				d->cfg.uid_connections = c.uid_connections;
				d->cfg.uid_queued = c.uid_queued;
				d->cfg.request_timeout = c.request_timeout;
				d->cfg.validate_timeout = c.validate_timeout;
				d->cfg.map_nodes = c.map_nodes;
				d->cfg.uid_map_nodes = c.uid_map_nodes;
				d->cfg.uid_map_fds = c.uid_map_fds;
				d->cfg.map_timeout = c.map_timeout;
				d->cfg.templates_max = c.templates_max;
				d->cfg.uid_templates = c.uid_templates;
				d->cfg.image_cache_bytes = c.image_cache_bytes;
				d->cfg.uid_cache_bytes = c.uid_cache_bytes;
				zvm_images_set_limits(&d->images, &il);
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
	if (zvmd_drained(d))
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
		.deny_sockets_bpf = d->cfg.deny_sockets_bpf, .worker_path = d->cfg.worker_path,
		.zygote = d->cfg.zygote };
	sigset_t mask;
	int rc;

	d->listen_fd = d->signal_fd = d->sweep_fd = d->validator_fd = -1;
	d->stats.started = zvmd_now();
	/* One fd per connection, one per channel it passes: let zvmd have as
	 * many as the hard limit allows (the unit sets LimitNOFILE), and keep
	 * one in reserve to refuse connections with a message when they run out. */
	{
		struct rlimit rl;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		d->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		/* maps' waiting nodes hold their channels' fds: never more than
		 * half of what zvmd may open, all uids together */
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
			d->map_fds_max = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 30) ? 1u << 29
											   : (unsigned)(rl.rlim_cur / 2);
	}
	/* The validator helper, beside zvmd unless configured, kept open and
	 * run through /proc/self/fd as the workers' program is. (Above fd 9,
	 * so the helper's own fd 3 set up by posix_spawn cannot be it.) */
	{
		char path[sizeof(d->validator_path)];
		int fd = zvm_open_program(d->cfg.validator_path, "zvm-validator", 10, "the validator helper", path,
					  sizeof(path), err, errlen);
		if (fd < 0)
			return fd;
		d->validator_fd = fd;
		snprintf(d->validator_path, sizeof(d->validator_path), "/proc/self/fd/%d", fd);
	}
	d->vh = calloc(d->cfg.validators, sizeof(*d->vh));
	if (!d->vh)
		return -ENOMEM;
	for (unsigned i = 0; i < d->cfg.validators; i++)
		d->vh[i].pidfd = d->vh[i].sock = d->vh[i].memfd = -1;
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
	{
		struct zvm_images_limits il = { d->cfg.image_cache, d->cfg.image_cache_bytes, d->cfg.uid_cache_bytes };
		if ((rc = zvm_images_init(&d->images, &il)) < 0)
			return rc;
	}
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
	zvm_loop_add(d->loop, d->listen_fd, zvmd_on_accept, d);
	refill(d, d->pool.cfg.size);
	while (zvmd_validators_refill(d))
		;
	zvm_loop_set_idle(d->loop, idle_chores, d);
	return 0;
}

int zvmd_run(struct zvmd *d)
{
	return zvm_loop_run(d->loop);
}

void zvmd_stop(struct zvmd *d)
{
	while (d->all)
		zvmd_job_free(d->all);
	zvmd_maps_free(d);
	zvmd_templates_free(d);
	for (unsigned i = 0; d->vh && i < d->cfg.validators; i++)
		if (d->vh[i].state != ZVM_VH_EMPTY)
			zvm_vh_reap(&d->vh[i]);
	free(d->vh);
	if (d->validator_fd >= 0)
		close(d->validator_fd);
	while (d->tenants) {
		struct zvmd_tenant *t = d->tenants;
		d->tenants = t->next;
		free(t);
	}
	zvm_pool_destroy(&d->pool);
	zvm_images_free(&d->images);
	if (d->listen_fd >= 0) {
		close(d->listen_fd);
		unlink(d->cfg.socket_path);
	}
	zvm_loop_free(d->loop);
}
