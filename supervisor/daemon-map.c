/*
 * daemon-map.c — system maps in zvmd (docs/zvmd.md, "Maps"; the messages
 * in docs/protocol.md): a MAP header, then its NODEs, each a job by digest
 * with the fds its client opened and the earlier nodes it reads from. Only
 * when the whole map has arrived does anything run: every node becomes a
 * record of its own, started on the pool once the nodes it reads from have
 * ended, so a map may have any number of nodes over a pool of any size.
 *
 * Fair to other tenants: a map has at most one node in the run queue at a
 * time; when that node gets a worker the next ready one joins the tail, so
 * a map of a thousand nodes takes turns with single jobs instead of
 * filling the queue. Reports go out as nodes end, through an output buffer
 * of the map's own, so a client that reads slowly never loses one and
 * never blocks zvmd. A failed node's readers get /dev/null in place of its
 * edge: end of file, never a half-written spool (zvmd never touches the
 * client's files); so do the readers of a node whose write to one of its
 * edges reached that channel's limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "supervisor/daemon-internal.h"

struct zvmd_map {
	struct zvmd *d;
	struct zvmd_map *prev, *next;    /* d->maps */
	struct zvmd_job *owner;          /* the client's connection; NULL once gone */
	struct zvmd_tenant *tenant;      /* counts our n nodes in map_nodes */
	unsigned n, received, ended, running;
	struct zvmd_job **node;          /* [n]; NULL once a node is freed */
	struct zvmd_fifo ready;          /* nodes whose inputs have all ended */
	struct zvmd_job *queued;         /* our one node in the run queue */
	double arrived, timeout;         /* the MAP header's time; the whole map's wall limit */
	int timer_fd;
	bool timed_out;
	uint8_t *out;                    /* reports not yet written to the client */
	size_t out_len, out_cap;
	bool watching_out;               /* the connection is watched for EPOLLOUT */
};

/* ---- the client's side: reports out without blocking -------------------- */

static void map_free(struct zvmd_map *mp);
static void map_finish(struct zvmd_map *mp);

static void on_owner_io(struct zvm_loop *l, int fd, unsigned ev, void *data);

static void watch_owner(struct zvmd_map *mp, bool out)
{
	struct zvmd *d = mp->d;

	if (!mp->owner || mp->watching_out == out)
		return;
	zvm_loop_del(d->loop, mp->owner->conn);
	zvm_loop_watch(d->loop, mp->owner->conn, out ? EPOLLOUT : 0, on_owner_io, mp->owner);
	mp->watching_out = out;
}

/* Writes what the socket takes now; the rest when it is writable again. */
static void flush_out(struct zvmd_map *mp)
{
	while (mp->owner && mp->out_len) {
		ssize_t n = send(mp->owner->conn, mp->out, mp->out_len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			watch_owner(mp, true);
			return;
		}
		if (n < 0) {
			mp->out_len = 0; /* the client is gone; its hangup event ends the map */
			return;
		}
		memmove(mp->out, mp->out + n, mp->out_len - (size_t)n);
		mp->out_len -= (size_t)n;
	}
	watch_owner(mp, false);
	if (mp->owner && !mp->out_len && mp->ended == mp->n)
		map_finish(mp);
}

static void send_report(struct zvmd_map *mp, struct zvmd_job *j, const struct zvmd_reply_extra *x)
{
	struct zvm_msg m;

	if (!mp->owner)
		return;
	j->rep.map_node = j->map_index + 1;
	if (zvmd_encode_report(&m, &j->rep, x) == 0) {
		if (mp->out_len + m.len > mp->out_cap) {
			size_t cap = (mp->out_len + m.len) * 2;
			uint8_t *p = realloc(mp->out, cap);
			if (!p) {
				/* cannot keep the report: end the map (its hangup event
				 * follows) rather than go on with one lost */
				LOG("out of memory for a map's reports (uid %u)", (unsigned)mp->owner->uid);
				shutdown(mp->owner->conn, SHUT_RDWR);
				zvm_msg_free(&m);
				return;
			}
			mp->out = p;
			mp->out_cap = cap;
		}
		memcpy(mp->out + mp->out_len, m.buf, m.len);
		mp->out_len += m.len;
	}
	zvm_msg_free(&m);
}

static void on_owner_io(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	struct zvmd_job *owner = data;
	struct zvmd_map *mp = owner->map;

	if (ev & (EPOLLHUP | EPOLLERR)) {
		zvmd_on_hangup(l, fd, ev, data);
		return;
	}
	if (mp)
		flush_out(mp);
}

/* ---- nodes ------------------------------------------------------------- */

static void node_free(struct zvmd_map *mp, struct zvmd_job *j)
{
	struct zvmd *d = mp->d;

	if (j->phase == J_QUEUED)
		zvmd_dequeue(d, j);
	if (mp->queued == j)
		mp->queued = NULL;
	if (j->phase == J_WAITING)
		zvmd_fifo_remove(&mp->ready, j);
	mp->node[j->map_index] = NULL;
	mp->tenant->map_fds -= j->held_fds;
	d->map_fds -= j->held_fds;
	zvm_submit_close_fds(&j->req);
	if (j->image_fd >= 0)
		close(j->image_fd);
	zvm_submit_free(&j->req);
	free(j->deps);
	free(j);
}

/* Our next ready node into the run queue, if none of ours is there. */
static void feed(struct zvmd_map *mp)
{
	struct zvmd *d = mp->d;
	struct zvmd_job *j = mp->ready.head;

	if (mp->queued || !j || !mp->owner || mp->timed_out)
		return;
	zvmd_fifo_remove(&mp->ready, j);
	j->phase = J_QUEUED;
	zvmd_fifo_push(&d->run_queue, j);
	d->queued++;
	mp->queued = j;
}

void zvmd_map_node_started(struct zvmd_job *j)
{
	struct zvmd_map *mp = j->map;

	if (mp->queued == j)
		mp->queued = NULL;
	mp->running++;
	feed(mp);
}

/* A node that ends without running (the map's wall limit passed first). */
static void end_unstarted(struct zvmd_map *mp, struct zvmd_job *j, const char *why)
{
	struct zvmd_reply_extra x = { 0 };

	j->rep.state = ZVM_STATE_TIMEOUT;
	snprintf(j->rep.message, sizeof(j->rep.message), "%s", why);
	send_report(mp, j, &x);
	mp->d->stats.failed++;
	node_free(mp, j);
	mp->ended++;
}

void zvmd_map_node_ended(struct zvmd_job *j, const struct zvmd_reply_extra *x)
{
	struct zvmd_map *mp = j->map;
	bool failed = j->rep.state != ZVM_STATE_OK || j->rep.exit_code != 0;

	/* an edge cut short by its write limit (the client's share of its
	 * spool cap) fails its writer for every reader, as locally */
	for (unsigned k = 0; k < j->ndeps && !failed; k++)
		if (j->deps[k].from < j->rep.nchannels && j->rep.ch[j->deps[k].from].limit_hit)
			failed = true;
	mp->running--;
	if (mp->timed_out && j->rep.state == ZVM_STATE_TIMEOUT)
		snprintf(j->rep.message, sizeof(j->rep.message), "the map's wall limit (%g s) ended it", mp->timeout);
	send_report(mp, j, x);
	for (unsigned k = 0; k < j->ndeps; k++) {
		struct zvmd_job *dst = mp->node[j->deps[k].node];
		int *fd;
		if (!dst)
			continue;
		fd = &dst->req.channel_fds[j->deps[k].channel];
		if (failed) {
			/* what it wrote is not what it meant to send: end of file */
			if (*fd >= 0)
				close(*fd);
			*fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		}
		if (--dst->unmet == 0 && dst->phase == J_WAITING)
			zvmd_fifo_push(&mp->ready, dst);
	}
	node_free(mp, j);
	mp->ended++;
	if (!mp->owner) {
		if (!mp->running)
			map_free(mp); /* the client went away: the last running node is gone */
		return;
	}
	feed(mp);
	flush_out(mp); /* ends the map once everything is written */
}

/* ---- the map's life ------------------------------------------------------ */

static void on_map_deadline(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	struct zvmd_map *mp = data;
	char why[160];

	zvm_loop_timer_cancel(l, fd);
	mp->timer_fd = -1;
	mp->timed_out = true;
	snprintf(why, sizeof(why), "not started: the map's wall limit (%g s) passed first", mp->timeout);
	for (unsigned i = 0; i < mp->n; i++) {
		struct zvmd_job *j = mp->node[i];
		if (!j)
			continue;
		if (j->phase == J_RUNNING) {
			j->timed_out = true;
			zvm_pool_kill(j->slot); /* its end is reported as a timeout */
		} else {
			end_unstarted(mp, j, why);
		}
	}
	flush_out(mp);
}

static void map_start(struct zvmd_map *mp)
{
	struct zvmd *d = mp->d;
	struct zvmd_job *owner = mp->owner;

	/* from here the connection is only written to, and watched for the
	 * client going away */
	owner->phase = J_DONE;
	zvm_loop_del(d->loop, owner->conn);
	zvm_loop_watch(d->loop, owner->conn, 0, on_owner_io, owner);
	mp->timer_fd = zvm_loop_timer(d->loop, mp->timeout, on_map_deadline, mp);
	for (unsigned i = 0; i < mp->n; i++) {
		struct zvmd_job *j = mp->node[i];
		j->received = mp->arrived; /* queue_s: from the map's arrival to the node's worker */
		if (j->unmet == 0)
			zvmd_fifo_push(&mp->ready, j);
	}
	d->stats.jobs += mp->n;
	feed(mp);
	zvmd_dispatch(d);
}

static void map_free(struct zvmd_map *mp)
{
	struct zvmd *d = mp->d;

	for (unsigned i = 0; i < mp->n; i++)
		if (mp->node[i])
			node_free(mp, mp->node[i]);
	if (mp->timer_fd >= 0)
		zvm_loop_timer_cancel(d->loop, mp->timer_fd);
	if (mp->prev)
		mp->prev->next = mp->next;
	else
		d->maps = mp->next;
	if (mp->next)
		mp->next->prev = mp->prev;
	mp->tenant->map_nodes -= mp->n;
	zvmd_tenant_put(d, mp->tenant);
	free(mp->node);
	free(mp->out);
	free(mp);
	if (zvmd_drained(d))
		zvm_loop_stop(d->loop);
}

/* Every node reported and written: the connection closes, the map goes. */
static void map_finish(struct zvmd_map *mp)
{
	struct zvmd_job *owner = mp->owner;

	owner->map = NULL;
	mp->owner = NULL;
	zvmd_job_free(owner);
	map_free(mp);
}

void zvmd_map_drop(struct zvmd_map *mp)
{
	mp->owner->map = NULL;
	mp->owner = NULL;
	for (unsigned i = 0; i < mp->n; i++) {
		struct zvmd_job *j = mp->node[i];
		if (!j)
			continue;
		if (j->phase == J_RUNNING)
			zvm_pool_kill(j->slot); /* freed when its worker's end is seen */
		else
			node_free(mp, j);
	}
	if (!mp->running)
		map_free(mp);
}

void zvmd_maps_free(struct zvmd *d)
{
	while (d->maps) {
		struct zvmd_map *mp = d->maps;
		if (mp->owner) {
			mp->owner->map = NULL;
			mp->owner = NULL;
		}
		for (unsigned i = 0; i < mp->n; i++)
			if (mp->node[i] && mp->node[i]->slot)
				mp->node[i]->slot->job = NULL; /* the pool's end kills the worker */
		map_free(mp);
	}
}

/* ---- the messages -------------------------------------------------------- */

static void got_header(struct zvmd_job *j, const uint8_t *p, size_t len)
{
	struct zvmd *d = j->d;
	struct zvmd_tenant *t = j->tenant;
	struct zvm_map_request r;
	struct zvmd_map *mp;
	char err[256] = "";

	if (zvm_proto_decode_map(p, len, &r, err, sizeof(err)) < 0) {
		zvmd_reply_error(j, ZVM_ERR_MALFORMED, "MAP: %s", err);
		return;
	}
	if (!zvmd_admit(j, true))
		return;
	if (r.nodes > d->cfg.map_nodes) {
		zvmd_reply_error(j, ZVM_ERR_LIMIT, "a map of %u nodes (replicas counted); at most %u (map_nodes)", r.nodes,
				 d->cfg.map_nodes);
		return;
	}
	if (t->map_nodes + r.nodes > d->cfg.uid_map_nodes) {
		zvmd_reply_error(j, ZVM_ERR_LIMIT, "uid %u has maps of %u nodes running; %u more is above uid_map_nodes = %u",
				 (unsigned)j->uid, t->map_nodes, r.nodes, d->cfg.uid_map_nodes);
		return;
	}
	mp = calloc(1, sizeof(*mp));
	if (mp)
		mp->node = calloc(r.nodes, sizeof(*mp->node));
	if (!mp || !mp->node) {
		free(mp);
		zvmd_reply_error(j, ZVM_ERR_INTERNAL, "out of memory for a map of %u nodes", r.nodes);
		return;
	}
	mp->d = d;
	mp->owner = j;
	mp->tenant = t;
	mp->n = r.nodes;
	mp->arrived = zvmd_now();
	mp->timeout = r.timeout > 0 && r.timeout < d->cfg.map_timeout ? r.timeout : d->cfg.map_timeout;
	mp->timer_fd = -1;
	t->map_nodes += r.nodes;
	mp->next = d->maps;
	if (d->maps)
		d->maps->prev = mp;
	d->maps = mp;
	j->map = mp;
	j->kind = ZVMD_REQ_MAP;
	zvmd_set_pending(j, true);
	/* the nodes must follow within request_timeout of the header */
	j->phase = J_READING;
	j->deadline = mp->arrived + d->cfg.request_timeout;
	zvmd_arm_sweep(d, j->deadline);
}

static void got_node(struct zvmd_job *j, const uint8_t *p, size_t len, int *fds, unsigned nfds)
{
	struct zvmd_map *mp = j->map;
	struct zvmd *d = j->d;
	unsigned index = mp->received;
	struct zvmd_job *nd;
	struct zvm_image_entry *e;
	struct sfi_options opt;
	char err[512] = "";
	unsigned need;
	int rc;

	if (j->type != ZVM_MSG_NODE) {
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
		zvmd_reply_error(j, ZVM_ERR_MALFORMED, "node %u of %u: expected a NODE message, not type 0x%x", index,
				 mp->n, j->type);
		return;
	}
	nd = calloc(1, sizeof(*nd));
	if (!nd) {
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
		zvmd_reply_error(j, ZVM_ERR_INTERNAL, "out of memory");
		return;
	}
	nd->d = d;
	nd->conn = nd->timer_fd = nd->image_fd = nd->tpl_fd = nd->tpl_image_fd = -1;
	nd->uid = j->uid;
	nd->phase = J_WAITING;
	nd->map = mp;
	nd->map_index = index;
	rc = zvm_proto_decode_node(p, len, nfds, &nd->req, err, sizeof(err));
	if (rc < 0)
		zvm_submit_init(&nd->req); /* fd indexes, not fds: nothing to close */
	mp->node[index] = nd; /* freed with the map from here on */
	mp->received++;
	if (rc < 0) {
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
		zvmd_reply_error(j, ZVM_ERR_MALFORMED, "node %u: %s", index, err);
		return;
	}
	/* fds are what a map holds longest: bounded per uid and for all. A
	 * node holds one per channel once taken (channels naming one passed
	 * fd get copies of it) and its image's memfd, whatever it passed. */
	need = nd->req.m.nchannels + 1;
	if (mp->tenant->map_fds + need > d->cfg.uid_map_fds || d->map_fds + need > d->map_fds_max) {
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
		/* the request still holds fd indexes, not fds: node_free must
		 * not close zvmd's 0, 1, 2 for them */
		zvm_submit_free(&nd->req);
		zvm_submit_init(&nd->req);
		zvmd_reply_error(j, ZVM_ERR_LIMIT, "node %u: uid %u's maps hold %u channel fds (uid_map_fds = %u; "
				 "zvmd's maps %u of %u)", index, (unsigned)j->uid, mp->tenant->map_fds, d->cfg.uid_map_fds,
				 d->map_fds, d->map_fds_max);
		return;
	}
	nd->held_fds = need; /* counted until the node is freed */
	mp->tenant->map_fds += need;
	d->map_fds += need;
	if ((rc = zvm_submit_take_fds(&nd->req, fds, nfds)) < 0) {
		zvmd_reply_error(j, ZVM_ERR_MALFORMED, "node %u: taking the passed fds: %s", index, strerror(-rc));
		return;
	}
	for (unsigned i = 0; i < nd->req.ninputs; i++) {
		const struct zvm_submit_input *in = &nd->req.inputs[i];
		struct zvmd_job *src;
		struct zvmd_dep *deps;
		if (in->node >= index) {
			zvmd_reply_error(j, ZVM_ERR_MALFORMED, "node %u: input %u names node %u: a node reads only earlier nodes",
					 index, i, in->node);
			return;
		}
		src = mp->node[in->node];
		if (!(deps = realloc(src->deps, (src->ndeps + 1) * sizeof(*deps)))) {
			zvmd_reply_error(j, ZVM_ERR_INTERNAL, "out of memory");
			return;
		}
		deps[src->ndeps++] = (struct zvmd_dep){ index, in->channel, in->from };
		src->deps = deps;
		nd->unmet++;
	}
	opt.deterministic = nd->req.m.deterministic;
	if (!(e = zvm_images_find(&d->images, j->uid, nd->req.digest, &opt))) {
		zvmd_reply_error(j, ZVM_ERR_NOT_FOUND,
				 "node %u: no image with that digest was validated for uid %u%s; upload it first", index,
				 (unsigned)j->uid, opt.deterministic ? " under the deterministic rules" : "");
		return;
	}
	nd->image_fd = zvm_images_take(e);
	nd->image_size = e->size;
	memcpy(nd->sha256, e->sha256, 32);
	nd->rep.validation_cached = true;
	if (nd->image_fd < 0) {
		zvmd_reply_error(j, ZVM_ERR_INTERNAL, "node %u: image: %s", index, strerror(-nd->image_fd));
		return;
	}
	zvmd_apply_limits(d, &nd->req.m);
	if (mp->received == mp->n)
		map_start(mp);
}

void zvmd_map_message(struct zvmd_job *j)
{
	struct zvmd *d = j->d;
	uint8_t *p = j->payload;
	size_t len = j->plen;
	int fds[ZVM_PROTO_MAX_FDS];
	unsigned nfds = j->nfds;

	/* the message is ours now; the connection reads the next one afresh */
	memcpy(fds, j->fds, nfds * sizeof(int));
	j->nfds = 0;
	j->payload = NULL;
	d->buffered -= j->plen;
	j->hgot = j->pgot = j->plen = 0;
	if (!j->map) {
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]); /* a MAP carries no fds */
		got_header(j, p, len);
	} else {
		got_node(j, p, len, fds, nfds);
	}
	free(p);
}
