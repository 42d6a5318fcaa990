/*
 * map-run.c — a map's nodes run locally, one one-shot cell (zvm_run) at a
 * time, in dependency order. Every edge is a spool file: the source's
 * /dev/out/<dst> is written in full before the destination, which reads it
 * as /dev/in/<src>, starts; so no cell ever waits on another and any
 * number of nodes runs. A node that fails (any state but ok, or a non-zero
 * exit code) leaves its edges empty: its destinations see end of file at
 * once, never half of what it meant to send. Replicas run on the same inputs
 * with their outputs in the spool, and are compared by the digests of
 * their channels.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "channels/channels.h"
#include "tools/zvm/job.h"
#include "tools/zvm/map.h"

/* A node's channel uris as run, replica by replica, for the majority's copy. */
struct runs {
	struct zvm_manifest man[ZVM_MAP_MAX_REPLICATE];
	struct zvm_report *rep[ZVM_MAP_MAX_REPLICATE];
};

/* One run of a map, as its runners see it. */
struct run_ctx {
	const struct zvm_map *m;
	struct map_result *res;
	const struct map_run_options *o;
	char spool[4096];
	uint64_t edge_bytes;        /* each spooled edge's share; 0: no cap */
	int (*fd)[2][ZVM_MAP_MAX_CHANNELS]; /* per node: its in and out pipe ends (-1: none) */
};

static int run_node(const struct run_ctx *x, unsigned i)
{
	const struct zvm_map *m = x->m;
	const char *spool = x->spool;
	const struct zvm_map_node *nd = &m->node[i];
	struct map_result *r = &x->res[i];
	char out_uri[4200], err_uri[4200];
	struct zvm_run_options o = { .use_cache = x->o->use_cache, .argv0 = nd->argv0 };
	static struct runs rs;
	unsigned nrep = nd->replicate;
	int rc = 0;

	zvm_map_stdio_path(out_uri, sizeof(out_uri), spool, i, false);
	zvm_map_stdio_path(err_uri, sizeof(err_uri), spool, i, true);
	for (unsigned k = 0; k < nrep; k++) {
		struct zvm_map_io io = { .spool = spool, .stdout_uri = out_uri, .stderr_uri = err_uri, .replica = k,
					 .in_fd = x->fd[i][0], .out_fd = x->fd[i][1], .edge_bytes = x->edge_bytes };
		char msg[512];

		rs.rep[k] = calloc(1, sizeof(struct zvm_report));
		if (!rs.rep[k]) {
			rc = -ENOMEM;
			break;
		}
		if (zvm_map_manifest(m, i, &io, &rs.man[k], msg, sizeof(msg)) < 0) {
			rs.rep[k]->state = ZVM_STATE_LOAD_ERROR;
			snprintf(rs.rep[k]->message, sizeof(rs.rep[k]->message), "%s", msg);
			memset(&rs.man[k], 0, sizeof(rs.man[k]));
			continue;
		}
		rc = zvm_run(&rs.man[k], &o, rs.rep[k]);
		if (rc < 0) {
			if (!rs.rep[k]->message[0])
				snprintf(rs.rep[k]->message, sizeof(rs.rep[k]->message), "%s", strerror(-rc));
			rs.rep[k]->state = ZVM_STATE_INTERNAL_ERROR;
			rc = 0;
		}
	}
	if (rc == 0) {
		zvm_map_settle(r, rs.man, rs.rep, nrep);
		if (!nd->stream)
			zvm_map_check_spool(r, x->edge_bytes);
	}
	for (unsigned k = 0; k < nrep; k++) {
		free(rs.rep[k]);
		rs.rep[k] = NULL;
		zvm_manifest_free(&rs.man[k]);
		memset(&rs.man[k], 0, sizeof(rs.man[k]));
	}
	return rc;
}


int zvm_map_run_check(const struct zvm_map *m, const struct map_run_options *o, char *err, size_t errlen)
{
	uint64_t files = zvm_map_spool_files(m);

	for (unsigned i = 0; i < m->nnodes; i++)
		if (m->node[i].stream_head == i && m->node[i].stream_size > o->jobs) {
			snprintf(err, errlen, "node %s streams to %u nodes that must run at once with it (%u cells); "
				 "--jobs is %u", m->node[i].name, m->node[i].stream_size - 1, m->node[i].stream_size,
				 o->jobs);
			return -EINVAL;
		}
	if (files && o->spool_bytes != ZVM_NO_LIMIT && o->spool_bytes / files == 0) {
		snprintf(err, errlen, "--spool-bytes %llu is less than one byte for each of the map's %llu spooled "
			 "edge files", (unsigned long long)o->spool_bytes, (unsigned long long)files);
		return -EINVAL;
	}
	return 0;
}

/* Signals and SIGCHLD wake the loop through a pipe, so none is lost
 * between looking at the flags and waiting. */
static volatile sig_atomic_t stop_sig;
static int wake[2] = { -1, -1 };

static void on_signal(int sig)
{
	int e = errno;

	if (sig != SIGCHLD)
		stop_sig = sig;
	if (write(wake[1], "", 1) < 0) {
		/* full: the loop is awake already */
	}
	errno = e;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The runner of one node: its own process group, so that stopping the map
 * takes its cell too. It keeps of the set's pipes only its own ends. */
static pid_t start_node(struct run_ctx *x, unsigned i, const unsigned *set, unsigned nset)
{
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) < 0)
		return -errno;
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		/* a streamed destination that ends early: its source's writes
		 * fail with EPIPE instead of killing its cell */
		signal(SIGPIPE, SIG_IGN);
		close(wake[0]);
		close(wake[1]);
		setpgid(0, 0);
		for (unsigned s = 0; s < nset; s++)
			for (unsigned d = 0; set[s] != i && d < 2; d++)
				for (unsigned k = 0; k < ZVM_MAP_MAX_CHANNELS; k++)
					if (x->fd[set[s]][d][k] >= 0)
						close(x->fd[set[s]][d][k]);
		if (run_node(x, i) == 0)
			x->res[i].finished = true;
		_exit(0);
	}
	setpgid(pid, pid); /* as the child does: no window where a kill misses it */
	return pid;
}

/* The pipes of a streamed set: node j's out[k] is written into by j and
 * read by out[k], whose only input it is. */
static int make_pipes(struct run_ctx *x, const unsigned *set, unsigned nset)
{
	const struct zvm_map *m = x->m;

	for (unsigned s = 0; s < nset; s++) {
		const struct zvm_map_node *nd = &m->node[set[s]];
		for (unsigned k = 0; nd->stream && k < nd->nout; k++) {
			int p[2];
			if (pipe2(p, O_CLOEXEC) < 0)
				return -errno;
			x->fd[nd->out[k]][0][0] = p[0];
			x->fd[set[s]][1][k] = p[1];
		}
	}
	return 0;
}

static void close_pipes(struct run_ctx *x, const unsigned *set, unsigned nset)
{
	for (unsigned s = 0; s < nset; s++)
		for (unsigned d = 0; d < 2; d++)
			for (unsigned k = 0; k < ZVM_MAP_MAX_CHANNELS; k++)
				if (x->fd[set[s]][d][k] >= 0) {
					close(x->fd[set[s]][d][k]);
					x->fd[set[s]][d][k] = -1;
				}
}

static bool ready(const struct zvm_map *m, unsigned i, const bool *done)
{
	for (unsigned k = 0; k < m->node[i].nin; k++)
		if (!done[m->node[i].in[k]])
			return false;
	return true;
}

/* zvm map: 12 done, 4 running, 84 waiting — rewritten in place when a
 * count changes; shown[] is what the terminal shows (UINT_MAX: nothing). */
static void progress(const struct map_run_options *o, unsigned *shown, unsigned done, unsigned running,
		     unsigned total)
{
	if (!o->progress || (shown[0] == done && shown[1] == running))
		return;
	fprintf(stderr, "\rzvm map: %u done, %u running, %u waiting\033[K", done, running, total - done - running);
	shown[0] = done;
	shown[1] = running;
}

static void progress_erase(const struct map_run_options *o, unsigned *shown)
{
	if (o->progress && shown[0] != UINT_MAX)
		fputs("\r\033[K", stderr);
	shown[0] = shown[1] = UINT_MAX;
}

/* The map's wall limit ended node i: killed while running, or never started. */
static void map_timed_out(struct map_result *r, const struct map_run_options *o, bool was_running, double ran)
{
	memset(r, 0, sizeof(*r));
	r->rep.state = ZVM_STATE_TIMEOUT;
	r->map_timeout = true;
	r->finished = true;
	if (was_running) {
		r->rep.wall_s = ran;
		snprintf(r->brief, sizeof(r->brief), "timeout: the map's wall limit (--timeout %g s) ended it after %.2f s",
			 o->timeout, ran);
	} else {
		snprintf(r->brief, sizeof(r->brief), "timeout: not started, the map's wall limit (--timeout %g s) ended the map",
			 o->timeout);
	}
}

int zvm_map_run(const struct zvm_map *m, struct map_result *res, const struct map_run_options *o)
{
	const char *tmp = getenv("TMPDIR");
	struct sigaction sa = { .sa_handler = on_signal }, old[4];
	static const int sigs[4] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD };
	struct run_ctx x = { .m = m, .res = res, .o = o, .edge_bytes = zvm_map_edge_bytes(m, o->spool_bytes) };
	bool *done = calloc(m->nnodes + 1, sizeof(bool)), *started = calloc(m->nnodes + 1, sizeof(bool));
	pid_t *pid = calloc(m->nnodes + 1, sizeof(pid_t));
	double *t_start = calloc(m->nnodes + 1, sizeof(double));
	unsigned *set = calloc(m->nnodes + 1, sizeof(unsigned));
	unsigned next = 0, running = 0, finished = 0, shown[2] = { UINT_MAX, UINT_MAX };
	double t0 = now_s();
	bool timed_out = false;
	int rc = 0, guard = -1;

	x.fd = calloc(m->nnodes + 1, sizeof(*x.fd));
	if (!done || !started || !pid || !t_start || !set || !x.fd) {
		rc = -ENOMEM;
		goto out_free;
	}
	memset(x.fd, 0xff, (m->nnodes + 1) * sizeof(*x.fd)); /* every end -1 */
	snprintf(x.spool, sizeof(x.spool), "%s/zvm-map-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(x.spool)) {
		rc = -errno;
		fprintf(stderr, "zvm map: spool %s: %s\n", x.spool, strerror(errno));
		goto out_free;
	}
	guard = zvm_map_spool_guard(x.spool);
	if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		rc = -errno;
		goto out_spool;
	}
	/* the handler wakes poll through the pipe; other calls go on */
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	for (int k = 0; k < 4; k++)
		sigaction(sigs[k], &sa, &old[k]);
	while (finished < m->nnodes && !stop_sig) {
		bool reaped = false;
		int st;
		pid_t p;

		/* start what is ready, in run order, up to jobs at once; a
		 * streamed set as a whole, and nothing after it until it fits */
		for (unsigned k = 0; k < m->nnodes && running < o->jobs && rc == 0; k++) {
			unsigned h = m->order[k], nset = 0;
			if (started[h] || m->node[h].stream_head != h || !ready(m, h, done))
				continue;
			if (running + m->node[h].stream_size > o->jobs)
				break;
			for (unsigned l = k; l < m->nnodes; l++)
				if (m->node[m->order[l]].stream_head == h)
					set[nset++] = m->order[l];
			if ((rc = make_pipes(&x, set, nset)) < 0) {
				close_pipes(&x, set, nset);
				break;
			}
			for (unsigned s = 0; s < nset && rc == 0; s++) {
				unsigned i = set[s];
				memset(&res[i], 0, sizeof(res[i]));
				if ((pid[i] = start_node(&x, i, set, nset)) < 0) {
					rc = pid[i];
					break;
				}
				started[i] = true;
				t_start[i] = now_s();
				running++;
			}
			close_pipes(&x, set, nset); /* the runners hold them now */
		}
		progress(o, shown, finished, running, m->nnodes);
		if (rc < 0 || !running)
			break;
		while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
			for (unsigned i = 0; i < m->nnodes; i++) {
				if (!started[i] || done[i] || pid[i] != p)
					continue;
				if (!res[i].finished) {
					res[i].rep.state = ZVM_STATE_INTERNAL_ERROR;
					snprintf(res[i].rep.message, sizeof(res[i].rep.message),
						 "the node's runner ended without a result (status %d)", st);
					snprintf(res[i].brief, sizeof(res[i].brief), "internal error: %s", res[i].rep.message);
				}
				/* a failed node's edges are empty for its destinations */
				zvm_map_edges_exist(m, i, x.spool, !res[i].finished || res[i].rep.state != ZVM_STATE_OK ||
								   res[i].rep.exit_code || res[i].spool_full);
				done[i] = true;
				running--;
				finished++;
			}
			reaped = true;
		}
		if (reaped) {
			/* outputs in node order: each node's once all before it are out */
			if (next < m->nnodes && done[next])
				progress_erase(o, shown);
			while (next < m->nnodes && done[next])
				zvm_map_flush_output(m, next++, x.spool);
			continue;
		}
		/* wait for a runner or a signal, until the map's limit */
		struct pollfd pfd = { .fd = wake[0], .events = POLLIN };
		int ms = -1;
		if (o->timeout > 0) {
			double left = t0 + o->timeout - now_s();
			if (left <= 0) {
				timed_out = true;
				break;
			}
			ms = left > 60 ? 60000 : (int)(left * 1000) + 1; /* looked at again after */
		}
		if (poll(&pfd, 1, ms) > 0) {
			char buf[64];
			while (read(wake[0], buf, sizeof(buf)) > 0)
				;
		}
	}
	progress_erase(o, shown);
	if (stop_sig || rc < 0 || timed_out) {
		/* stopped: every runner and its cell go, then the spool */
		for (unsigned i = 0; i < m->nnodes; i++)
			if (started[i] && !done[i])
				kill(-pid[i], SIGKILL);
		for (unsigned i = 0; i < m->nnodes; i++)
			if (started[i] && !done[i])
				while (waitpid(pid[i], NULL, 0) < 0 && errno == EINTR)
					;
	}
	if (timed_out) {
		double t = now_s();
		for (unsigned i = 0; i < m->nnodes; i++)
			if (!done[i])
				map_timed_out(&res[i], o, started[i], t - t_start[i]);
		/* the outputs of the nodes that ended, still in node order */
		for (; next < m->nnodes; next++)
			if (done[next])
				zvm_map_flush_output(m, next, x.spool);
	}
	if (rc < 0)
		fprintf(stderr, "zvm map: %s\n", strerror(-rc));
	for (int k = 0; k < 4; k++)
		sigaction(sigs[k], &old[k], NULL);
	close(wake[0]);
	close(wake[1]);
	wake[0] = wake[1] = -1;
out_spool:
	zvm_map_spool_remove(x.spool);
	if (guard >= 0)
		close(guard);
	if (stop_sig) {
		/* end as the signal would have ended us */
		signal(stop_sig, SIG_DFL);
		raise(stop_sig);
	}
out_free:
	free(done);
	free(started);
	free(pid);
	free(t_start);
	free(set);
	free(x.fd);
	return rc;
}
