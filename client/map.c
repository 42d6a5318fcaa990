/*
 * map.c — a system map run on zvmd's warm pool (zvm_client_map,
 * zvm-client.h): `zvm map --socket` and zvm serve's POST /v1/maps. This
 * client does what zvmd must not: it takes the parsed map, uploads each
 * image once (or takes the caller's digests), opens every node's files and spools (the same manifests and spool
 * layout as the local runner) and passes them as fds, one NODE message per
 * cell (replicas are cells of their own) in run order. zvmd schedules the
 * cells and sends a report per cell as each ends; the replicas are
 * settled, outputs copied in node order and the report made here, as the
 * local runner does. Nothing runs until the whole map has reached zvmd:
 * a map that cannot be sent whole runs no cell at all. Nothing here is
 * static: several threads of a service may each run a map.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channels/channels.h"
#include "protocol/protocol.h"
#include "client/zvm-client.h"

struct image {
	const char *path;
	uint8_t digest[32];
	int status;                 /* 0: uploaded; else the upload's exit status */
	struct zvm_report *rep;     /* why not */
};

/* A node's output, written unnamed until its cell has ended: a map zvmd
 * refuses, stops or never gets to leaves the user's files as they were. */
struct pending {
	int fd;                     /* O_TMPFILE in the output's directory */
	char *path;                 /* where it goes once the cell has ended */
	unsigned cell;
};

struct run {
	const struct zvm_map *m;
	struct map_result *res;
	const struct zvm_client_map *o;
	const char *cmd;            /* messages on stderr with this prefix; NULL: none */
	char *why;                  /* the first message, for the caller */
	size_t whylen;
	uint64_t edge_bytes;        /* each spooled edge's share of o->spool_bytes; 0: no cap */
	char spool[4096];
	struct image *img;          /* per node: its image's entry (shared by nodes of one path) */
	struct image **node_img;
	unsigned *first;            /* per node: its first replica's cell index; -1u: not sent */
	unsigned (*out_chan)[ZVM_MAX_CHANNELS]; /* per node: the channel of its k-th out edge */
	struct pending *pend;       /* outputs not yet in place */
	unsigned npend, cappend;
	unsigned ncells;
	struct zvm_report **rep;    /* per cell, as zvmd reports it */
	unsigned *got;              /* per node: replicas reported */
	bool *done;
};

/* only with job->signals: a command's, one map per process */
static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

/* A message: the caller's why[] (the first only) and stderr. */
__attribute__((format(printf, 2, 3)))
static void say(struct run *r, const char *fmt, ...)
{
	char text[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (r->whylen && !r->why[0])
		snprintf(r->why, r->whylen, "%s", text);
	if (r->cmd)
		fprintf(stderr, "%s: %s\n", r->cmd, text);
}

/* The devices node i is given as descriptors, or NULL. */
static const int *dev_fds(const struct run *r, unsigned i)
{
	return r->o->dev_fd ? &r->o->dev_fd[(size_t)i * ZVM_MAP_NDEV] : NULL;
}

static void io_for(const struct run *r, unsigned i, unsigned replica, struct zvm_map_io *io, char *out_uri,
		   char *err_uri, size_t len)
{
	zvm_map_stdio_path(out_uri, len, r->spool, i, false);
	zvm_map_stdio_path(err_uri, len, r->spool, i, true);
	*io = (struct zvm_map_io){ .spool = r->spool, .stdout_uri = out_uri, .stderr_uri = err_uri, .replica = replica,
				   .edge_bytes = r->edge_bytes, .dev_fd = dev_fds(r, i) };
}

/* Each distinct image once: zvmd validates it and keeps it for our uid.
 * Or the caller's digests, one per group: nothing to upload. */
static int upload_images(struct run *r, const char *sock)
{
	const struct zvm_map *m = r->m;

	for (unsigned i = 0; i < m->nnodes; i++) {
		struct image *im = NULL;
		if (r->o->digest) {
			im = &r->img[i];
			im->path = m->node[i].program;
			memcpy(im->digest, r->o->digest[m->node[i].group], 32);
			r->node_img[i] = im;
			continue;
		}
		for (unsigned k = 0; k < i && !im; k++)
			if (!strcmp(m->node[k].program, m->node[i].program))
				im = r->node_img[k];
		if (!im) {
			im = &r->img[i];
			im->path = m->node[i].program;
			if (!(im->rep = calloc(1, sizeof(*im->rep))))
				return -ENOMEM;
			im->status = zvm_client_upload(sock, r->cmd, im->path, im->digest, im->rep);
			if (im->status < 0) {
				/* zvmd is busy, unreachable or refusing: no map at all
				 * (a refusal was printed as it came) */
				if (strstr(im->rep->message, "refused to take")) {
					const char *cmd = r->cmd;
					r->cmd = NULL;
					say(r, "%s", im->rep->message);
					r->cmd = cmd;
				} else {
					say(r, "%s", im->rep->message);
				}
				return -im->status;
			}
		}
		r->node_img[i] = im;
	}
	return 0;
}

/* A node whose image zvmd did not take runs nowhere: its report is the
 * upload's, and its edges exist, empty, for the nodes that read them. */
static void fail_unsent(struct run *r, unsigned i)
{
	const struct zvm_map *m = r->m;
	struct map_result *res = &r->res[i];
	struct zvm_manifest *man = calloc(1, sizeof(*man));
	struct zvm_report *rep = r->node_img[i]->rep;
	char out_uri[4200], err_uri[4200], err[512];
	struct zvm_map_io io;

	io_for(r, i, 0, &io, out_uri, err_uri, sizeof(out_uri));
	memset(res, 0, sizeof(*res));
	if (man && zvm_map_manifest(m, i, &io, man, err, sizeof(err)) < 0)
		memset(man, 0, sizeof(*man));
	if (man) {
		zvm_map_settle(res, man, &rep, 1);
		zvm_manifest_free(man);
		free(man);
	} else {
		res->rep = *rep;
		res->finished = true;
	}
	zvm_map_edges_exist(m, i, r->spool, true);
	r->done[i] = true;
}

/* Output channel c of cell `cell`, a file outside the spool, becomes an
 * unnamed file in the same directory (same file system, so it can be
 * linked into place), given to the channel as fd:N. Where the file system
 * has no O_TMPFILE the path is opened as it was (created when sent). */
static int defer_output(struct run *r, struct zvm_manifest *man, unsigned c, unsigned cell)
{
	struct zvm_channel_decl *d = &man->channels[c];
	char dir[4200], uri[32], *slash;
	struct pending *p;
	int fd;

	if (!d->max_writes || !strcmp(d->uri, "/dev/null") || !strncmp(d->uri, r->spool, strlen(r->spool)) ||
	    !strncmp(d->uri, "fd:", 3) || !strncmp(d->uri, "/proc/self/fd/", 14))
		return 0; /* the caller's descriptors are written in place */
	snprintf(dir, sizeof(dir), "%s", d->uri);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if ((fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644)) < 0)
		return errno == ENOENT || errno == ENOTDIR ? -errno : 0; /* no O_TMPFILE here: the old way */
	if (r->npend == r->cappend) {
		unsigned cap = r->cappend ? 2 * r->cappend : 64;
		struct pending *np = realloc(r->pend, cap * sizeof(*np));
		if (!np) {
			close(fd);
			return -ENOMEM;
		}
		r->pend = np;
		r->cappend = cap;
	}
	p = &r->pend[r->npend];
	if (!(p->path = strdup(d->uri))) {
		close(fd);
		return -ENOMEM;
	}
	p->fd = fd;
	p->cell = cell;
	r->npend++;
	snprintf(uri, sizeof(uri), "fd:%d", fd);
	free(d->uri);
	return (d->uri = strdup(uri)) ? 0 : -ENOMEM;
}

/* A cell has ended: its outputs take their names (replacing what was
 * there), as if it had written them in place. */
static void publish(struct run *r, unsigned cell)
{
	for (unsigned k = 0; k < r->npend; k++) {
		struct pending *p = &r->pend[k];
		char proc[64], tmp[4300];
		if (p->fd < 0 || p->cell != cell)
			continue;
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", p->fd);
		snprintf(tmp, sizeof(tmp), "%s.zvm-%d", p->path, (int)getpid());
		if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) < 0 || rename(tmp, p->path) < 0) {
			say(r, "%s: %s", p->path, strerror(errno));
			unlink(tmp);
		}
		close(p->fd);
		p->fd = -1;
	}
}

/* A writable device's channel (not an edge, not discarded) at most
 * output_bytes: what a service returns is bounded in the cell. */
static void cap_outputs(const struct run *r, struct zvm_manifest *man)
{
	for (unsigned c = 0; r->o->output_bytes && c < man->nchannels; c++) {
		struct zvm_channel_decl *d = &man->channels[c];
		if (d->max_writes && strncmp(d->alias, "/dev/out/", 9) && strcmp(d->uri, "/dev/null") &&
		    d->max_write_bytes > r->o->output_bytes)
			d->max_write_bytes = r->o->output_bytes;
	}
}

/* The buffers of one cell as sent: large, so on the heap (no statics: a
 * service runs maps on several threads). */
struct cell_buf {
	struct zvm_channel ch[ZVM_MAX_CHANNELS];
	struct zvm_channel_stats stats[ZVM_MAX_CHANNELS];
	struct zvm_submit s;
};

/* One cell as a NODE: the manifest as the local runner would run it, its
 * channels opened here, and which of them are edges from earlier cells. */
static int send_cell(struct run *r, int sock, unsigned i, unsigned replica)
{
	const struct zvm_map *m = r->m;
	const struct zvm_map_node *nd = &m->node[i];
	struct cell_buf *b = malloc(sizeof(*b));
	struct zvm_submit *s;
	char out_uri[4200], err_uri[4200], err[1024];
	int fds[ZVM_MAX_CHANNELS];
	struct zvm_map_io io;
	struct zvm_msg msg;
	unsigned in = 0, out = 0, src;
	int rc;

	if (!b) {
		say(r, "node %s: out of memory (nothing was run)", nd->name);
		return 127;
	}
	s = &b->s;
	io_for(r, i, replica, &io, out_uri, err_uri, sizeof(out_uri));
	zvm_submit_init(s);
	if (zvm_map_manifest(m, i, &io, &s->m, err, sizeof(err)) < 0) {
		say(r, "%s", err);
		free(b);
		return 125;
	}
	cap_outputs(r, &s->m);
	for (unsigned c = 0; c < s->m.nchannels; c++)
		if ((rc = defer_output(r, &s->m, c, r->first[i] + replica)) < 0) {
			say(r, "node %s: %s: %s (nothing was run)", nd->name, s->m.channels[c].uri, strerror(-rc));
			zvm_manifest_free(&s->m);
			free(b);
			return 125;
		}
	if (zvm_channels_open(&s->m, b->ch, b->stats, err, sizeof(err)) < 0) {
		say(r, "node %s: %s (nothing was run)", nd->name, err);
		zvm_manifest_free(&s->m);
		free(b);
		return 125;
	}
	s->by_digest = true;
	memcpy(s->digest, r->node_img[i]->digest, 32);
	for (unsigned c = 0; c < s->m.nchannels; c++) {
		fds[c] = b->ch[c].fd;
		s->channel_fds[c] = (int)c;
		/* the /dev/in and /dev/out channels come in the order of nd->in and nd->out */
		if (!strncmp(s->m.channels[c].alias, "/dev/out/", 9) && out < nd->nout)
			r->out_chan[i][out++] = c;
		if (strncmp(s->m.channels[c].alias, "/dev/in/", 8) || in >= nd->nin)
			continue;
		src = nd->in[in++];
		if (r->first[src] == -1u)
			continue; /* its writer never ran: the edge exists, empty */
		for (unsigned k = 0; k < m->node[src].nout; k++)
			if (m->node[src].out[k] == i)
				s->inputs[s->ninputs++] = (struct zvm_submit_input){ c, r->first[src], r->out_chan[src][k] };
	}
	rc = zvm_proto_encode_node(&msg, s);
	if (rc == 0)
		rc = zvm_proto_send(sock, &msg, fds, s->m.nchannels);
	zvm_msg_free(&msg);
	for (unsigned c = 0; c < s->m.nchannels; c++)
		close(fds[c]);
	zvm_manifest_free(&s->m);
	free(b);
	if (rc < 0) {
		if (rc == -EPIPE || rc == -ECONNRESET)
			return -1; /* zvmd answered: read it */
		say(r, "sending node %s to zvmd: %s", nd->name,
		    rc == -ENAMETOOLONG ? "a channel alias is longer than 63 bytes" : strerror(-rc));
		return 125;
	}
	return 0;
}

/* Node i's replicas have all ended: settled as the local runner does. */
static void settle(struct run *r, unsigned i)
{
	const struct zvm_map *m = r->m;
	struct zvm_manifest *man = calloc(ZVM_MAP_MAX_REPLICATE, sizeof(*man));
	char out_uri[4200], err_uri[4200], err[512];
	unsigned nrep = m->node[i].replicate;

	if (!man) {
		/* the first replica's report as it came, unsettled */
		r->res[i].rep = *r->rep[r->first[i]];
		r->res[i].finished = true;
		r->done[i] = true;
		return;
	}
	for (unsigned k = 0; k < nrep; k++) {
		struct zvm_map_io io;
		io_for(r, i, k, &io, out_uri, err_uri, sizeof(out_uri));
		if (zvm_map_manifest(m, i, &io, &man[k], err, sizeof(err)) < 0)
			memset(&man[k], 0, sizeof(man[k]));
	}
	zvm_map_settle(&r->res[i], man, &r->rep[r->first[i]], nrep);
	zvm_map_check_spool(&r->res[i], r->edge_bytes);
	/* zvmd's words for the map's wall limit (daemon-map.c) */
	if (r->res[i].rep.state == ZVM_STATE_TIMEOUT && strstr(r->res[i].rep.message, "the map's wall limit")) {
		r->res[i].map_timeout = true;
		/* zvmd's words, not a guess at the node's own limit */
		snprintf(r->res[i].brief, sizeof(r->res[i].brief), "timeout: %s", r->res[i].rep.message);
	}
	for (unsigned k = 0; k < nrep; k++)
		zvm_manifest_free(&man[k]);
	free(man);
	r->done[i] = true;
}

/* Node i's stdout and stderr listed without a path, to the caller. */
static void emit(struct run *r, unsigned i)
{
	const struct zvm_map_node *nd = &r->m->node[i];
	char path[4200];
	int fd[2] = { -1, -1 };

	if (!r->o->output)
		return;
	for (unsigned k = 0; k < 2; k++) {
		unsigned d = k ? ZVM_MAP_STDERR : ZVM_MAP_STDOUT;
		if (!nd->listed[d] || nd->dev_path[d] || (dev_fds(r, i) && dev_fds(r, i)[d] >= 0))
			continue;
		zvm_map_stdio_path(path, sizeof(path), r->spool, i, k);
		fd[k] = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd[0] >= 0 || fd[1] >= 0)
		r->o->output(r->o->arg, i, fd[0], fd[1]);
	for (unsigned k = 0; k < 2; k++)
		if (fd[k] >= 0)
			close(fd[k]);
}

/* "zvm map: 12 of 100 cells done" on a terminal, rewritten in place (zvmd
 * says when cells end, not when they start). */
static void progress(const struct run *r, unsigned done, bool erase)
{
	if (!r->o->progress)
		return;
	if (erase)
		fputs("\r\033[K", stderr);
	else
		fprintf(stderr, "\r%s: %u of %u cells done\033[K", r->cmd ? r->cmd : "zvm map", done, r->ncells);
}

/* Reads zvmd's reports, one per cell, in the order cells end. Returns 0
 * or an exit status (the map stopped: zvmd refused it or went away). */
static int read_reports(struct run *r, int sock)
{
	const struct zvm_map *m = r->m;
	unsigned received = 0, next = 0;
	unsigned *cell_node = calloc(r->ncells + 1, sizeof(unsigned));
	struct zvm_report *rep = malloc(sizeof(*rep));
	int rc = 0;

	if (!cell_node || !rep) {
		say(r, "out of memory");
		rc = 127;
		goto out;
	}
	for (unsigned i = 0; i < m->nnodes; i++)
		for (unsigned k = 0; r->first[i] != -1u && k < m->node[i].replicate; k++)
			cell_node[r->first[i] + k] = i;
	while (received < r->ncells && !stop_sig) {
		struct pollfd p = { .fd = sock, .events = POLLIN };
		uint8_t *payload = NULL;
		size_t len;
		int type;
		unsigned cell;

		progress(r, received, false);
		/* a signal ends the wait: the map stops */
		if (poll(&p, 1, -1) < 0)
			continue;
		type = zvm_client_read_answer(sock, r->cmd, &payload, &len, r->why[0] ? NULL : r->why,
					      r->why[0] ? 0 : r->whylen);
		if (type < 0) {
			free(payload);
			if (type == -1)
				say(r, "zvmd ended the map after %u of %u cells had reported", received, r->ncells);
			rc = type == -1 ? 127 : zvm_client_refusal_status(type);
			goto out;
		}
		if (type != ZVM_MSG_REPORT) {
			say(r, "zvmd sent a message of type 0x%x where a report was due", type);
			free(payload);
			rc = 127;
			goto out;
		}
		if (zvm_proto_decode_report(payload, len, rep, NULL, 0) < 0 || rep->map_node == 0 ||
		    rep->map_node > r->ncells || r->rep[rep->map_node - 1]) {
			say(r, "zvmd sent a malformed or repeated report");
			free(payload);
			rc = 127;
			goto out;
		}
		free(payload);
		cell = rep->map_node - 1;
		r->rep[cell] = rep;
		if (!(rep = malloc(sizeof(*rep)))) {
			say(r, "out of memory");
			rc = 127;
			goto out;
		}
		received++;
		/* a cell that never started (the map's wall limit) wrote nothing */
		if (strncmp(r->rep[cell]->message, "not started", 11))
			publish(r, cell);
		if (++r->got[cell_node[cell]] == m->node[cell_node[cell]].replicate)
			settle(r, cell_node[cell]);
		/* outputs in node order: each node's once all before it are out */
		if (next < m->nnodes && r->done[next])
			progress(r, received, true);
		while (next < m->nnodes && r->done[next])
			emit(r, next++);
	}
	progress(r, received, true);
	while (next < m->nnodes && r->done[next])
		emit(r, next++);
out:
	free(rep);
	free(cell_node);
	return rc;
}

static int run_map(struct run *r, const char *sock_path)
{
	const struct zvm_map *m = r->m;
	struct zvm_map_request req = { .timeout = r->o->timeout };
	struct zvm_msg msg;
	int sock, rc;

	if ((rc = upload_images(r, sock_path)) != 0)
		return rc < 0 ? 127 : rc;
	/* cells, numbered in run order; a node zvmd would not take is no cell */
	for (unsigned k = 0; k < m->nnodes; k++) {
		unsigned i = m->order[k];
		if (r->node_img[i]->status) {
			r->first[i] = -1u;
			continue;
		}
		r->first[i] = r->ncells;
		r->ncells += m->node[i].replicate;
	}
	for (unsigned i = 0; i < m->nnodes; i++)
		if (r->first[i] == -1u)
			fail_unsent(r, i);
	if (!r->ncells)
		goto flush;
	if (!(r->rep = calloc(r->ncells, sizeof(*r->rep)))) {
		say(r, "out of memory");
		return 127;
	}
	if ((sock = zvm_client_connect(sock_path)) < 0) {
		say(r, "cannot reach zvmd at %s: %s", sock_path, strerror(-sock));
		return 125;
	}
	req.nodes = r->ncells;
	rc = zvm_proto_encode_map(&msg, &req);
	if (rc == 0)
		rc = zvm_proto_send(sock, &msg, NULL, 0);
	zvm_msg_free(&msg);
	for (unsigned k = 0; k < m->nnodes && rc == 0 && !stop_sig; k++) {
		unsigned i = m->order[k];
		for (unsigned rep = 0; r->first[i] != -1u && rep < m->node[i].replicate && rc == 0; rep++)
			rc = send_cell(r, sock, i, rep);
	}
	if (rc > 0 || stop_sig) {
		close(sock); /* zvmd drops a map that does not arrive whole: nothing ran */
		return rc > 0 ? rc : 0;
	}
	/* rc -1: zvmd stopped reading: its answer says why */
	rc = read_reports(r, sock);
	close(sock); /* when stopped: zvmd kills the map's cells */
	return rc;
flush:
	/* no cell at all: what the nodes that failed to upload left */
	for (unsigned i = 0; i < m->nnodes; i++)
		emit(r, i);
	return 0;
}

int zvm_client_map(const char *sock, const char *cmd, const struct zvm_client_map *job, struct map_result *res,
		   char *why, size_t whylen)
{
	const struct zvm_map *m = job->map;
	const char *tmp = job->spool_dir ? job->spool_dir : getenv("TMPDIR");
	struct sigaction sa = { .sa_handler = on_stop }, old[3];
	static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	char none[1];
	struct run r = { .m = m, .res = res, .o = job, .cmd = cmd, .why = why ? why : none,
			 .whylen = why ? whylen : sizeof(none), .edge_bytes = zvm_map_edge_bytes(m, job->spool_bytes) };
	int rc, guard = -1;

	r.why[0] = '\0';
	/* a streamed edge would be a pipe of ours named in the manifest:
	 * through zvmd every edge is a spool file, the caller says so */
	for (unsigned i = 0; i < m->nnodes; i++)
		if (m->node[i].stream) {
			say(&r, "node %s streams its edges: through zvmd they are spooled (clear stream first)",
			    m->node[i].name);
			return 125;
		}
	r.img = calloc(m->nnodes, sizeof(*r.img));
	r.node_img = calloc(m->nnodes, sizeof(*r.node_img));
	r.first = calloc(m->nnodes, sizeof(*r.first));
	r.got = calloc(m->nnodes, sizeof(*r.got));
	r.done = calloc(m->nnodes, sizeof(*r.done));
	r.out_chan = calloc(m->nnodes, sizeof(*r.out_chan));
	if (!r.img || !r.node_img || !r.first || !r.got || !r.done || !r.out_chan) {
		say(&r, "out of memory");
		rc = 127;
		goto out;
	}
	snprintf(r.spool, sizeof(r.spool), "%s/zvm-map-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(r.spool)) {
		say(&r, "spool %s: %s", r.spool, strerror(errno));
		rc = 127;
		goto out;
	}
	if (job->signals) {
		/* a command: the spool goes however it ends; a service (threads:
		 * no fork) removes it itself below */
		guard = zvm_map_spool_guard(r.spool);
		/* no SA_RESTART: a signal ends the wait for reports, and the map stops */
		for (int k = 0; k < 3; k++)
			sigaction(sigs[k], &sa, &old[k]);
	}
	rc = run_map(&r, sock);
	zvm_map_spool_remove(r.spool);
	if (guard >= 0)
		close(guard);
	if (job->signals) {
		for (int k = 0; k < 3; k++)
			sigaction(sigs[k], &old[k], NULL);
		if (stop_sig) {
			/* end as the signal would have ended us */
			signal(stop_sig, SIG_DFL);
			raise(stop_sig);
		}
	}
out:
	for (unsigned i = 0; r.img && i < m->nnodes; i++)
		free(r.img[i].rep);
	for (unsigned c = 0; r.rep && c < r.ncells; c++)
		free(r.rep[c]);
	free(r.rep);
	free(r.img);
	free(r.node_img);
	free(r.first);
	free(r.got);
	free(r.done);
	free(r.out_chan);
	for (unsigned k = 0; k < r.npend; k++) {
		if (r.pend[k].fd >= 0)
			close(r.pend[k].fd); /* a cell that never ended: its output never existed */
		free(r.pend[k].path);
	}
	free(r.pend);
	return rc;
}
