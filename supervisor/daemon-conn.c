/*
 * daemon-conn.c — zvmd's clients: accepting with per-uid limits, reading a
 * request without ever blocking, and getting its image checked by a
 * validator helper. Nothing here waits for a client or for a helper: every
 * byte and every reply is an event, and every phase has a deadline that a
 * sweep enforces whatever the client does.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/daemon-internal.h"

/* ---- tenants: what one uid holds --------------------------------------- */

static struct zvmd_tenant *tenant_get(struct zvmd *d, uid_t uid)
{
	struct zvmd_tenant *t;

	for (t = d->tenants; t; t = t->next)
		if (t->uid == uid)
			return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->uid = uid;
	t->next = d->tenants;
	d->tenants = t;
	return t;
}

void zvmd_tenant_put(struct zvmd *d, struct zvmd_tenant *t)
{
	struct zvmd_tenant **p;

	if (t->connections || t->pending || t->map_nodes)
		return;
	for (p = &d->tenants; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			free(t);
			return;
		}
}

void zvmd_set_pending(struct zvmd_job *j, bool on)
{
	if (j->pending == on)
		return;
	j->pending = on;
	if (on)
		j->tenant->pending++;
	else
		j->tenant->pending--;
}

/* ---- a job's record ---------------------------------------------------- */

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_request_fds(struct zvmd_job *j)
{
	zvm_submit_close_fds(&j->req);
	for (unsigned i = 0; i < j->nfds; i++)
		close(j->fds[i]);
	j->nfds = 0;
}

void zvmd_job_free(struct zvmd_job *j)
{
	struct zvmd *d = j->d;

	if (j->map)
		zvmd_map_drop(j->map); /* the connection of a map: it stops */
	if (j->phase == J_QUEUED)
		zvmd_dequeue(d, j);
	if (j->phase == J_WAIT_VALIDATOR)
		zvmd_fifo_remove(&d->vwait, j);
	if (j->phase == J_WAIT_VALIDATOR || j->phase == J_VALIDATING)
		d->validating--;
	if (j->vh) {
		zvm_loop_del(d->loop, j->vh->sock);
		zvm_loop_del(d->loop, j->vh->pidfd);
		zvm_vh_reap(j->vh);
		zvm_loop_wake_idle(d->loop); /* a new helper in an idle moment */
	}
	close_request_fds(j);
	close_fd(&j->image_fd);
	close_fd(&j->tpl_fd);
	close_fd(&j->tpl_image_fd);
	zvm_submit_free(&j->req);
	if (j->payload)
		d->buffered -= j->plen;
	free(j->payload);
	if (j->conn >= 0) {
		zvm_loop_del(d->loop, j->conn);
		close(j->conn);
		d->connections--;
	}
	if (j->prev_all)
		j->prev_all->next_all = j->next_all;
	else
		d->all = j->next_all;
	if (j->next_all)
		j->next_all->prev_all = j->prev_all;
	if (j->tenant) {
		zvmd_set_pending(j, false);
		j->tenant->connections--;
		zvmd_tenant_put(d, j->tenant);
	}
	free(j);
}

void zvmd_reply_error(struct zvmd_job *j, int code, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	zvmd_send_error(j->conn, code, text);
	zvmd_job_free(j);
}

/* ---- validator helpers ------------------------------------------------- */

static void on_vh_sock(struct zvm_loop *l, int fd, unsigned ev, void *data);
static void on_vh_exit(struct zvm_loop *l, int fd, unsigned ev, void *data);
static void job_has_image(struct zvmd_job *j);

static void helper_reap(struct zvmd *d, struct zvm_vhelper *h)
{
	zvm_loop_del(d->loop, h->sock);
	zvm_loop_del(d->loop, h->pidfd);
	zvm_vh_reap(h);
	zvm_loop_wake_idle(d->loop); /* a fresh one in an idle moment */
}

/* An idle helper for uid: one already bound to it, else a fresh one. When
 * only helpers bound to other uids are idle, one of them is let go so a
 * fresh one can start (a helper never serves two uids). */
static struct zvm_vhelper *idle_helper(struct zvmd *d, uid_t uid)
{
	struct zvm_vhelper *fresh = NULL, *other = NULL;

	for (unsigned i = 0; i < d->cfg.validators; i++) {
		struct zvm_vhelper *h = &d->vh[i];
		if (h->state != ZVM_VH_IDLE || h->job)
			continue;
		if (h->bound && h->uid == uid)
			return h;
		if (!h->bound)
			fresh = h;
		else
			other = h;
	}
	if (!fresh && other)
		helper_reap(d, other);
	return fresh;
}

static void start_validation(struct zvmd *d, struct zvmd_job *j, struct zvm_vhelper *h)
{
	int rc = zvm_vh_start(h, j->req.image_fd, j->req.m.deterministic);

	close_fd(&j->req.image_fd); /* the helper has its own copy now */
	h->job = j;
	j->vh = h;
	j->phase = J_VALIDATING;
	j->deadline = zvmd_now() + d->cfg.validate_timeout;
	zvmd_arm_sweep(d, j->deadline);
	if (rc < 0) {
		j->rep.state = ZVM_STATE_INTERNAL_ERROR;
		snprintf(j->rep.message, sizeof(j->rep.message), "handing the image to a validator helper: %s",
			 strerror(-rc));
		zvmd_reply_failed(j);
	}
}

static void pump_validators(struct zvmd *d)
{
	struct zvm_vhelper *h;

	for (struct zvmd_job *j = d->vwait.head, *next; j; j = next) {
		next = j->next;
		if (!(h = idle_helper(d, j->uid)))
			continue;
		zvmd_fifo_remove(&d->vwait, j);
		j->next = NULL;
		start_validation(d, j, h);
	}
}

/* Idle work: keep every helper slot filled with a started helper. */
bool zvmd_validators_refill(struct zvmd *d)
{
	char err[512];

	for (unsigned i = 0; i < d->cfg.validators; i++) {
		struct zvm_vhelper *h = &d->vh[i];
		uid_t uid = d->cfg.validator_uid ? d->cfg.validator_uid : d->cfg.uid_base - 1;
		if (h->state != ZVM_VH_EMPTY)
			continue;
		if (zvm_vh_spawn(h, d->validator_path, uid, uid, err, sizeof(err)) < 0) {
			LOG("validator helper: %s", err);
			return false;
		}
		zvm_loop_add(d->loop, h->sock, on_vh_sock, h);
		zvm_loop_add(d->loop, h->pidfd, on_vh_exit, h);
		pump_validators(d);
		return true;
	}
	return false;
}

/* The job is done with its helper: a healthy one (keep) waits for the
 * same uid's next image, any other is ended. */
static void helper_release(struct zvmd_job *j, bool keep)
{
	struct zvmd *d = j->d;
	struct zvm_vhelper *h = j->vh;

	j->vh = NULL;
	j->phase = J_DONE; /* no longer counted as validating */
	d->validating--;
	h->job = NULL;
	if (!keep) {
		helper_reap(d, h);
		return;
	}
	if (h->memfd >= 0)
		close(h->memfd);
	h->memfd = -1;
	h->state = ZVM_VH_IDLE;
	h->bound = true;
	h->uid = j->uid;
	pump_validators(d);
}

static void validation_failed(struct zvmd_job *j, enum zvm_state state, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void validation_failed(struct zvmd_job *j, enum zvm_state state, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(j->rep.message, sizeof(j->rep.message), fmt, ap);
	va_end(ap);
	j->rep.state = state;
	/* a verdict is a helper doing its work; anything else ends it */
	helper_release(j, state == ZVM_STATE_VALIDATION_FAILED);
	zvmd_reply_failed(j);
}

static void on_vh_sock(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	struct zvm_vhelper *h = data;
	struct zvmd_job *j = h->job;
	struct zvmd *d;
	struct zvm_vh_reply r;
	struct sfi_options opt;
	int kind;

	if (!j) {
		/* an idle helper has nothing to say: it broke; the idle chores
		 * start another */
		zvm_loop_del(l, h->sock);
		zvm_loop_del(l, h->pidfd);
		zvm_vh_reap(h);
		zvm_loop_wake_idle(l);
		return;
	}
	d = j->d;
	kind = zvm_vh_read(h, &r);
	if (kind == 0)
		return;
	if (kind < 0) {
		validation_failed(j, ZVM_STATE_LOAD_ERROR, "the validator helper %s while checking this image",
				  kind == -ECONNRESET ? "died" : "broke the protocol");
		return;
	}
	if (kind == ZVM_VH_ERROR) {
		validation_failed(j, ZVM_STATE_LOAD_ERROR, "%s", r.message[0] ? r.message : "the image was refused");
		return;
	}
	opt.deterministic = j->req.m.deterministic;
	if (kind == ZVM_VH_HASHED) {
		struct zvm_image_entry *e = zvm_images_find(&d->images, j->uid, h->sha256, &opt);
		memcpy(j->sha256, h->sha256, 32);
		j->image_size = h->size;
		if (e) {
			/* this uid ran it before under these rules: no validation */
			j->image_fd = zvm_images_take(e);
			j->rep.validation_cached = true;
			helper_release(j, zvm_vh_continue(h, false) == 0);
			if (j->image_fd < 0) {
				j->rep.state = ZVM_STATE_INTERNAL_ERROR;
				snprintf(j->rep.message, sizeof(j->rep.message), "image: %s", strerror(-j->image_fd));
				zvmd_reply_failed(j);
				return;
			}
			job_has_image(j);
			return;
		}
		if (zvm_vh_continue(h, true) < 0)
			validation_failed(j, ZVM_STATE_LOAD_ERROR, "the validator helper went away");
		return;
	}
	/* RESULT */
	j->rep.validate_s = r.validate_s;
	if (r.rc == 1) {
		zvm_vh_verdict(&r, &j->rep.verdict);
		validation_failed(j, ZVM_STATE_VALIDATION_FAILED, "validation failed");
		j = NULL;
		return;
	}
	j->image_fd = h->memfd;
	h->memfd = -1;
	helper_release(j, true);
	if (zvm_images_add(&d->images, j->uid, j->sha256, j->image_fd, j->image_size, &opt) == -EFBIG) {
		/* a job runs from its own copy; an upload is only worth its keeping */
		if (j->kind == ZVMD_REQ_UPLOAD) {
			zvmd_reply_error(j, ZVM_ERR_LIMIT, "the image (%llu bytes) is larger than the cache keeps for one uid "
				    "(uid_cache_bytes = %llu, image_cache_bytes = %llu); submit it with its fd instead",
				    (unsigned long long)j->image_size, (unsigned long long)d->cfg.uid_cache_bytes,
				    (unsigned long long)d->cfg.image_cache_bytes);
			return;
		}
	}
	job_has_image(j);
}

static void on_vh_exit(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	struct zvm_vhelper *h = data;
	struct zvmd_job *j = h->job;

	if (j) {
		/* whatever it sent before dying is read first */
		on_vh_sock(l, h->sock, EPOLLIN, h);
		if (h->job == j && j->vh == h)
			validation_failed(j, ZVM_STATE_LOAD_ERROR, "the validator helper died while checking this image");
		return;
	}
	zvm_loop_del(l, h->sock);
	zvm_loop_del(l, h->pidfd);
	zvm_vh_reap(h);
	zvm_loop_wake_idle(l);
}

/* ---- a request, whole ---------------------------------------------------- */

/* The job owns its image now: an upload is answered, a submit queued. */
static void job_has_image(struct zvmd_job *j)
{
	struct zvmd *d = j->d;

	if (j->kind == ZVMD_REQ_UPLOAD) {
		zvmd_send_digest(j->conn, j->sha256);
		zvmd_job_free(j);
		return;
	}
	zvmd_enqueue(d, j);
}

/* The cheap refusals, before anything expensive starts for a request that
 * could not be queued: zvmd draining, the uid's waiting jobs, and (for a
 * request that joins the run queue) the queue itself. On a refusal j is
 * answered and freed, and false returned. */
bool zvmd_admit(struct zvmd_job *j, bool queues)
{
	struct zvmd *d = j->d;
	struct zvmd_tenant *t = j->tenant;

	if (d->draining) {
		zvmd_reply_error(j, ZVM_ERR_BUSY, "zvmd is shutting down");
		return false;
	}
	if (t->pending >= d->cfg.uid_queued) {
		zvmd_reply_error(j, ZVM_ERR_LIMIT, "uid %u already has %u jobs waiting (uid_queued = %u)", (unsigned)j->uid,
			    t->pending, d->cfg.uid_queued);
		return false;
	}
	/* Jobs not yet on a worker (validating or queued) may number the idle
	 * workers plus queue_max: pool_size + queue_max jobs sent at once are
	 * all taken, however slowly they validate. */
	unsigned idle = d->pool.cfg.size > d->pool.busy ? d->pool.cfg.size - d->pool.busy : 0;
	if (queues && d->queued + d->validating >= d->cfg.queue_max + idle) {
		d->stats.busy_rejected++;
		zvmd_reply_error(j, ZVM_ERR_BUSY, "the queue is full (%u jobs waiting, queue_max %u); try again later",
			    d->queued + d->validating - idle, d->cfg.queue_max);
		return false;
	}
	return true;
}

static void got_request(struct zvmd_job *j)
{
	struct zvmd *d = j->d;
	char err[512] = "";
	int kind;

	if (j->map || j->type == ZVM_MSG_MAP) {
		zvmd_map_message(j); /* a map's header, or one of its nodes */
		return;
	}
	kind = zvmd_decode_request(j->type, j->payload, j->plen, j->fds, j->nfds, &j->req, err, sizeof(err));

	j->nfds = 0; /* given to the request or closed */
	free(j->payload);
	j->payload = NULL;
	d->buffered -= j->plen;
	j->phase = J_DONE; /* read: the request deadline no longer applies */
	if (kind < 0) {
		zvmd_reply_error(j, ZVM_ERR_MALFORMED, "%s", err[0] ? err : strerror(-kind));
		return;
	}
	j->kind = kind;
	if (kind == ZVMD_REQ_STATUS) {
		zvmd_send_status(j->conn, d);
		zvmd_job_free(j);
		return;
	}
	if (!zvmd_admit(j, kind == ZVMD_REQ_SUBMIT))
		return;
	zvmd_set_pending(j, true);
	if (kind == ZVMD_REQ_SUBMIT)
		d->stats.jobs++;
	zvmd_apply_limits(d, &j->req.m);
	/* From here the connection is only watched for the client going away. */
	zvm_loop_del(d->loop, j->conn);
	zvm_loop_watch(d->loop, j->conn, 0, zvmd_on_hangup, j);
	if (j->req.tpl_op != ZVM_TPL_NONE) {
		if (!zvmd_template_request(j))
			return;
		if (j->req.tpl_op == ZVM_TPL_USE) {
			job_has_image(j); /* the template's image, checked when it was made */
			return;
		}
	}
	if (j->req.by_digest) {
		struct sfi_options opt = { .deterministic = j->req.m.deterministic };
		struct zvm_image_entry *e = zvm_images_find(&d->images, j->uid, j->req.digest, &opt);
		if (!e) {
			zvmd_reply_error(j, ZVM_ERR_NOT_FOUND,
				    "no image with that digest was validated for uid %u%s; upload it first",
				    (unsigned)j->uid, opt.deterministic ? " under the deterministic rules" : "");
			return;
		}
		j->image_fd = zvm_images_take(e);
		j->image_size = e->size;
		memcpy(j->sha256, e->sha256, 32);
		j->rep.validation_cached = true;
		if (j->image_fd < 0) {
			zvmd_reply_error(j, ZVM_ERR_INTERNAL, "image: %s", strerror(-j->image_fd));
			return;
		}
		job_has_image(j);
		return;
	}
	d->validating++;
	j->phase = J_WAIT_VALIDATOR;
	j->deadline = zvmd_now() + d->cfg.validate_timeout;
	zvmd_arm_sweep(d, j->deadline);
	zvmd_fifo_push(&d->vwait, j);
	pump_validators(d);
}

/* ---- reading, never blocking -------------------------------------------- */

static void on_readable(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	struct zvmd_job *j = data;
	char err[256] = "";

	for (;;) {
		void *at = j->hgot < sizeof(j->hdr) ? (void *)(j->hdr + j->hgot) : (void *)(j->payload + j->pgot);
		size_t want = j->hgot < sizeof(j->hdr) ? sizeof(j->hdr) - j->hgot : j->plen - j->pgot;
		/* fds may come with any of the bytes; more than a job can use are closed */
		ssize_t n = zvm_recvmsg_fds(fd, at, want, j->fds, ZVM_PROTO_MAX_FDS, &j->nfds, MSG_DONTWAIT, NULL);

		if (n == -EAGAIN)
			return;
		if (n <= 0) {
			/* gone: quietly if it sent nothing, else it said too little */
			if (j->hgot > 0 && n == 0)
				zvmd_send_error(fd, ZVM_ERR_MALFORMED, "connection closed mid-message");
			zvmd_job_free(j);
			return;
		}
		if (j->hgot < sizeof(j->hdr)) {
			int plen;
			j->hgot += (size_t)n;
			if (j->hgot < sizeof(j->hdr))
				continue;
			plen = zvm_proto_check_header(j->hdr, sizeof(j->hdr), &j->type, err, sizeof(err));
			if (plen < 0) {
				zvmd_reply_error(j, plen == -EMSGSIZE ? ZVM_ERR_OVERSIZED : plen == -EPROTONOSUPPORT ? ZVM_ERR_VERSION : ZVM_ERR_MALFORMED,
					    "%s", err);
				return;
			}
			/* Buffers of requests still arriving are bounded all
			 * together, not only one by one: many uids' slow clients
			 * cannot make zvmd hold max_connections MiB. */
			if (j->d->buffered + (size_t)plen > ZVMD_MAX_BUFFERED) {
				zvmd_reply_error(j, ZVM_ERR_LIMIT, "zvmd is holding %zu bytes of requests still arriving; try again later",
					    j->d->buffered);
				return;
			}
			j->plen = (size_t)plen;
			j->payload = malloc(j->plen + 1);
			if (j->payload)
				j->d->buffered += j->plen;
			if (!j->payload) {
				zvmd_reply_error(j, ZVM_ERR_INTERNAL, "out of memory");
				return;
			}
		} else {
			j->pgot += (size_t)n;
		}
		if (j->pgot == j->plen) {
			got_request(j);
			return;
		}
	}
}

/* A client that is gone while its job waits or runs: its work stops. */
void zvmd_on_hangup(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	struct zvmd_job *j = data;

	zvm_loop_del(l, fd);
	if (j->phase == J_RUNNING) {
		zvm_pool_kill(j->slot); /* its exit event frees the job */
		return;
	}
	zvmd_job_free(j);
}

/* ---- accepting ------------------------------------------------------------ */

static int peer_allowed(struct zvmd *d, int conn, struct ucred *cred, char *why, size_t whylen)
{
	socklen_t len = sizeof(*cred);
	gid_t groups[1024];

	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, cred, &len) < 0) {
		snprintf(why, whylen, "reading the peer's credentials: %s", strerror(errno));
		return -errno;
	}
	if (cred->uid == 0 || !d->restrict_group || cred->gid == d->allowed_gid)
		return 0;
	/* The peer's supplementary groups as the kernel has them: no lookup
	 * in the group database, which needs files (and fds) zvmd may not have. */
	len = sizeof(groups);
	if (getsockopt(conn, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0) {
		snprintf(why, whylen, "reading the peer's groups: %s", strerror(errno));
		return -errno;
	}
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == d->allowed_gid)
			return 0;
	snprintf(why, whylen, "permission denied: uid %u is not in the allowed group", (unsigned)cred->uid);
	return -EPERM;
}

static void refuse(int conn, int code, const char *text)
{
	fcntl(conn, F_SETFL, O_NONBLOCK);
	zvmd_send_error(conn, code, text);
	close(conn);
}

void zvmd_on_accept(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	struct zvmd *d = data;

	for (int k = 0; k < 64; k++) {
		int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		struct zvmd_tenant *t;
		struct zvmd_job *j;
		struct ucred cred;
		char why[256];

		if (conn < 0 && (errno == EMFILE || errno == ENFILE) && d->reserve_fd >= 0) {
			/* Out of fds: use the reserve to take the connection and
			 * say so, instead of spinning on a listener that stays readable. */
			close(d->reserve_fd);
			conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
			if (conn >= 0)
				refuse(conn, ZVM_ERR_LIMIT, "zvmd is out of file descriptors; try again later");
			d->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			LOG("out of file descriptors with %u connections", d->connections);
			return;
		}
		if (conn < 0)
			return;
		if (peer_allowed(d, conn, &cred, why, sizeof(why)) < 0) {
			refuse(conn, ZVM_ERR_PERMISSION, why);
			continue;
		}
		if (d->connections >= d->cfg.max_connections) {
			snprintf(why, sizeof(why), "zvmd has %u connections open (max_connections)", d->connections);
			refuse(conn, ZVM_ERR_LIMIT, why);
			continue;
		}
		t = tenant_get(d, cred.uid);
		if (t && t->connections >= d->cfg.uid_connections) {
			snprintf(why, sizeof(why), "uid %u has %u connections open (uid_connections = %u)",
				 (unsigned)cred.uid, t->connections, d->cfg.uid_connections);
			refuse(conn, ZVM_ERR_LIMIT, why);
			continue;
		}
		j = t ? calloc(1, sizeof(*j)) : NULL;
		if (!j) {
			refuse(conn, ZVM_ERR_INTERNAL, "out of memory");
			if (t)
				zvmd_tenant_put(d, t);
			continue;
		}
		j->d = d;
		j->conn = conn;
		j->uid = cred.uid;
		j->tenant = t;
		t->connections++;
		d->connections++;
		j->timer_fd = j->image_fd = j->tpl_fd = j->tpl_image_fd = -1;
		zvm_submit_init(&j->req); /* no descriptors yet */
		j->received = zvmd_now();
		j->deadline = j->received + d->cfg.request_timeout;
		j->next_all = d->all;
		if (d->all)
			d->all->prev_all = j;
		d->all = j;
		if (zvm_loop_add(l, conn, on_readable, j) < 0) {
			zvmd_job_free(j);
			continue;
		}
		zvmd_arm_sweep(d, j->deadline);
	}
}

/* ---- deadlines ------------------------------------------------------------ */

static void on_sweep(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	struct zvmd *d = data;

	zvm_loop_timer_cancel(l, fd);
	d->sweep_fd = -1;
	zvmd_sweep(d);
}

/* One timer for every deadline: armed for the earliest. */
void zvmd_arm_sweep(struct zvmd *d, double deadline)
{
	double in;

	if (d->sweep_fd >= 0 && d->sweep_at <= deadline)
		return;
	if (d->sweep_fd >= 0)
		zvm_loop_timer_cancel(d->loop, d->sweep_fd);
	in = deadline - zvmd_now();
	d->sweep_fd = zvm_loop_timer(d->loop, in < 0.01 ? 0.01 : in, on_sweep, d);
	d->sweep_at = deadline;
}

/* Ends every request and validation past its deadline, and arms the timer
 * for the next. Linear in the connections, at most once per deadline. */
void zvmd_sweep(struct zvmd *d)
{
	double now = zvmd_now(), next = 0;
	struct zvmd_job *j, *nj;

	for (j = d->all; j; j = nj) {
		nj = j->next_all;
		if (j->phase == J_QUEUED || j->phase == J_RUNNING || j->phase == J_DONE)
			continue;
		if (now >= j->deadline) {
			if (j->phase == J_READING) {
				zvmd_reply_error(j, ZVM_ERR_TIMEOUT, "the request did not arrive within %g s (request_timeout)",
					    d->cfg.request_timeout);
			} else if (j->phase == J_VALIDATING) {
				validation_failed(j, ZVM_STATE_LOAD_ERROR,
						  "reading and validating the image took longer than %g s (validate_timeout)",
						  d->cfg.validate_timeout);
			} else {
				j->rep.state = ZVM_STATE_LOAD_ERROR;
				snprintf(j->rep.message, sizeof(j->rep.message),
					 "no validator helper was free within %g s (validate_timeout)", d->cfg.validate_timeout);
				zvmd_reply_failed(j);
			}
			continue;
		}
		if (!next || j->deadline < next)
			next = j->deadline;
	}
	if (next)
		zvmd_arm_sweep(d, next);
}
