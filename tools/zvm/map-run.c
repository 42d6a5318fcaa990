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
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "channels/channels.h"
#include "tools/zvm/job.h"
#include "tools/zvm/map.h"

static int copy_fd(int in, int out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -errno;
			off += w;
		}
	}
	return 0;
}

static int copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out, rc;

	if (in < 0)
		return -errno;
	if ((out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	rc = copy_fd(in, out);
	close(in);
	close(out);
	return rc;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

static bool digests_equal(const struct zvm_report *a, const struct zvm_report *b, const char **what)
{
	if (a->state != b->state || a->exit_code != b->exit_code || a->nchannels != b->nchannels) {
		*what = "exit status";
		return false;
	}
	for (unsigned c = 0; c < a->nchannels; c++)
		if (memcmp(a->ch[c].sha256, b->ch[c].sha256, 32)) {
			*what = a->ch[c].alias;
			return false;
		}
	return true;
}

/* A node's channel uris as run, replica by replica, for the majority's copy. */
struct runs {
	struct zvm_manifest man[ZVM_MAP_MAX_REPLICATE];
	struct zvm_report *rep[ZVM_MAP_MAX_REPLICATE];
};

static void brief(struct map_result *r, struct zvm_manifest *man)
{
	static struct zvm_job j;

	if (r->rep.state == ZVM_STATE_OK) {
		/* a node's own exit code decides the map's status: say whose */
		if (r->rep.exit_code)
			snprintf(r->brief, sizeof(r->brief), "exit code %d", r->rep.exit_code);
		return;
	}
	memset(&j, 0, sizeof(j));
	j.cmd = "zvm map";
	j.m = *man; /* borrowed for the limits, not freed here */
	j.limits_exact = true;
	zvm_report_brief(r->brief, sizeof(r->brief), &j, &r->rep);
}

static int run_node(const struct zvm_map *m, unsigned i, const char *spool, struct map_result *res,
		    bool use_cache)
{
	const struct zvm_map_node *nd = &m->node[i];
	struct map_result *r = &res[i];
	char out_uri[4200], err_uri[4200];
	struct zvm_run_options o = { .use_cache = use_cache, .argv0 = nd->argv0 };
	static struct runs rs;
	unsigned keep = 0, nrep = nd->replicate;
	int rc = 0;

	snprintf(out_uri, sizeof(out_uri), "%s/node-%u-stdout", spool, i);
	snprintf(err_uri, sizeof(err_uri), "%s/node-%u-stderr", spool, i);
	for (unsigned k = 0; k < nrep; k++) {
		struct zvm_map_io io = { .spool = spool, .stdout_uri = out_uri, .stderr_uri = err_uri, .replica = k };
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
		/* the one kept: the first that agrees with a majority, else the first */
		const char *what = NULL;
		unsigned best = 0;

		for (unsigned k = 0; k < nrep; k++) {
			unsigned agree = 1;
			const char *w;
			for (unsigned l = 0; l < nrep; l++)
				if (l != k && digests_equal(rs.rep[k], rs.rep[l], &w))
					agree++;
				else if (l != k && !what)
					what = w;
			if (agree > best) {
				best = agree;
				keep = k;
			}
		}
		r->rep = *rs.rep[keep];
		r->agree = best;
		r->mismatch = best < nrep;
		if (r->mismatch)
			snprintf(r->mismatch_what, sizeof(r->mismatch_what), "%s", what ? what : "?");
		/* the majority's outputs in place of the first replica's */
		if (keep && rs.man[keep].program)
			for (unsigned c = 0; c < rs.man[0].nchannels; c++)
				if (rs.man[0].channels[c].max_writes && strcmp(rs.man[0].channels[c].uri, "/dev/null"))
					copy_file(rs.man[keep].channels[c].uri, rs.man[0].channels[c].uri);
		brief(r, &rs.man[0]);
		if (r->mismatch)
			snprintf(r->brief, sizeof(r->brief), "replica mismatch on %s (%u of %u replicas agree)",
				 r->mismatch_what, r->agree, nrep);
	}
	for (unsigned k = 0; k < nrep; k++) {
		free(rs.rep[k]);
		rs.rep[k] = NULL;
		zvm_manifest_free(&rs.man[k]);
		memset(&rs.man[k], 0, sizeof(rs.man[k]));
	}
	return rc;
}

/* Every edge out of node i exists for its destination; a failed node's
 * is empty. */
static void close_edges(const struct zvm_map *m, unsigned i, const char *spool, const struct map_result *r)
{
	bool failed = !r->finished || r->rep.state != ZVM_STATE_OK || r->rep.exit_code;
	char path[4200];

	for (unsigned k = 0; k < m->node[i].nout; k++) {
		int fd;
		zvm_map_edge_path(path, sizeof(path), spool, i, m->node[i].out[k], 0);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (failed ? O_TRUNC : 0), 0600);
		if (fd >= 0)
			close(fd);
	}
}

/* A node's stdout and stderr without a path, whole, onto ours. */
static void flush_output(const struct zvm_map *m, unsigned i, const char *spool)
{
	static const unsigned dev[2] = { ZVM_MAP_STDOUT, ZVM_MAP_STDERR };
	char path[4200];

	for (unsigned k = 0; k < 2; k++) {
		int fd;
		if (!m->node[i].listed[dev[k]] || m->node[i].dev_path[dev[k]])
			continue;
		snprintf(path, sizeof(path), "%s/node-%u-%s", spool, i, k ? "stderr" : "stdout");
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		fflush(k ? stderr : stdout);
		copy_fd(fd, k ? 2 : 1);
		close(fd);
	}
}

struct map_result *zvm_map_results_alloc(unsigned n)
{
	size_t size = sizeof(struct map_result) * (n ? n : 1);
	/* shared: each node's runner is a child process that fills its own */
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void zvm_map_results_free(struct map_result *r, unsigned n)
{
	if (r)
		munmap(r, sizeof(struct map_result) * (n ? n : 1));
}

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

/* The runner of one node: its own process group, so that stopping the map
 * takes its cell too. */
static pid_t start_node(const struct zvm_map *m, unsigned i, const char *spool, struct map_result *res,
			bool use_cache)
{
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) < 0)
		return -errno;
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		setpgid(0, 0);
		if (run_node(m, i, spool, res, use_cache) == 0)
			res[i].finished = true;
		_exit(0);
	}
	setpgid(pid, pid); /* as the child does: no window where a kill misses it */
	return pid;
}

static bool ready(const struct zvm_map *m, unsigned i, const bool *done)
{
	for (unsigned k = 0; k < m->node[i].nin; k++)
		if (!done[m->node[i].in[k]])
			return false;
	return true;
}

int zvm_map_run(const struct zvm_map *m, struct map_result *res, bool use_cache, unsigned jobs)
{
	const char *tmp = getenv("TMPDIR");
	struct sigaction sa = { .sa_handler = on_stop }, old[3];
	static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	char spool[4096];
	bool *done = calloc(m->nnodes + 1, sizeof(bool)), *started = calloc(m->nnodes + 1, sizeof(bool));
	pid_t *pid = calloc(m->nnodes + 1, sizeof(pid_t));
	unsigned next = 0, running = 0, finished = 0;
	int rc = 0;

	if (!done || !started || !pid) {
		rc = -ENOMEM;
		goto out_free;
	}
	snprintf(spool, sizeof(spool), "%s/zvm-map-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(spool)) {
		rc = -errno;
		fprintf(stderr, "zvm map: spool %s: %s\n", spool, strerror(errno));
		goto out_free;
	}
	/* no SA_RESTART: a signal ends the wait below, and the map stops */
	for (int k = 0; k < 3; k++)
		sigaction(sigs[k], &sa, &old[k]);
	while (finished < m->nnodes && !stop_sig) {
		int st;
		pid_t p;

		/* start what is ready, in run order, up to jobs at once */
		for (unsigned k = 0; k < m->nnodes && running < jobs && rc == 0; k++) {
			unsigned i = m->order[k];
			if (started[i] || !ready(m, i, done))
				continue;
			memset(&res[i], 0, sizeof(res[i]));
			if ((pid[i] = start_node(m, i, spool, res, use_cache)) < 0) {
				rc = pid[i];
				break;
			}
			started[i] = true;
			running++;
		}
		if (rc < 0 || !running)
			break;
		if ((p = waitpid(-1, &st, 0)) < 0)
			continue; /* EINTR: stop_sig is checked above */
		for (unsigned i = 0; i < m->nnodes; i++) {
			if (!started[i] || done[i] || pid[i] != p)
				continue;
			if (!res[i].finished) {
				res[i].rep.state = ZVM_STATE_INTERNAL_ERROR;
				snprintf(res[i].rep.message, sizeof(res[i].rep.message),
					 "the node's runner ended without a result (status %d)", st);
				snprintf(res[i].brief, sizeof(res[i].brief), "internal error: %s", res[i].rep.message);
			}
			close_edges(m, i, spool, &res[i]);
			done[i] = true;
			running--;
			finished++;
		}
		/* outputs in node order: each node's once all before it are out */
		while (next < m->nnodes && done[next])
			flush_output(m, next++, spool);
	}
	if (stop_sig || rc < 0) {
		/* stopped: every runner and its cell go, then the spool */
		for (unsigned i = 0; i < m->nnodes; i++)
			if (started[i] && !done[i])
				kill(-pid[i], SIGKILL);
		for (unsigned i = 0; i < m->nnodes; i++)
			if (started[i] && !done[i])
				while (waitpid(pid[i], NULL, 0) < 0 && errno == EINTR)
					;
	}
	if (rc < 0)
		fprintf(stderr, "zvm map: %s\n", strerror(-rc));
	nftw(spool, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	for (int k = 0; k < 3; k++)
		sigaction(sigs[k], &old[k], NULL);
	if (stop_sig) {
		/* end as the signal would have ended us */
		signal(stop_sig, SIG_DFL);
		raise(stop_sig);
	}
out_free:
	free(done);
	free(started);
	free(pid);
	return rc;
}
