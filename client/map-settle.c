/*
 * map-settle.c — what both runners of a map (one-shot cells,
 * tools/zvm/map-run.c; zvmd, map.c) do once a node's replicas have ended: compare them by
 * the digests of their channels, keep the majority's outputs, and say in
 * one line what went wrong; and a node's stdout and stderr without a path,
 * copied whole onto ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>

#include "channels/channels.h"
#include "client/zvm-client.h"

struct map_result *zvm_map_results_alloc(unsigned n)
{
	size_t size = sizeof(struct map_result) * (n ? n : 1);
	/* shared: each node's local runner is a child process that fills its own */
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void zvm_map_results_free(struct map_result *r, unsigned n)
{
	if (r)
		munmap(r, sizeof(struct map_result) * (n ? n : 1));
}

uint64_t zvm_map_edge_bytes(const struct zvm_map *m, uint64_t spool_bytes)
{
	uint64_t files = zvm_map_spool_files(m);

	if (spool_bytes == ZVM_NO_LIMIT || !files)
		return 0;
	return spool_bytes / files; /* static: the same share whatever runs first */
}

int zvm_map_copy_fd(int in, int out)
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
	rc = zvm_map_copy_fd(in, out);
	close(in);
	close(out);
	return rc;
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

static void brief(struct map_result *r, const struct zvm_manifest *man)
{
	if (r->rep.state == ZVM_STATE_OK) {
		/* a node's own exit code decides the map's status: say whose */
		if (r->rep.exit_code)
			snprintf(r->brief, sizeof(r->brief), "exit code %d", r->rep.exit_code);
		return;
	}
	zvm_client_report_brief(r->brief, sizeof(r->brief), man, !r->rep.from_daemon, &r->rep);
}

void zvm_map_settle(struct map_result *r, const struct zvm_manifest *man, struct zvm_report *const *rep, unsigned nrep)
{
	/* the one kept: the first that agrees with a majority, else the first */
	const char *what = NULL;
	unsigned best = 0, keep = 0;

	for (unsigned k = 0; k < nrep; k++) {
		unsigned agree = 1;
		const char *w;
		for (unsigned l = 0; l < nrep; l++)
			if (l != k && digests_equal(rep[k], rep[l], &w))
				agree++;
			else if (l != k && !what)
				what = w;
		if (agree > best) {
			best = agree;
			keep = k;
		}
	}
	r->rep = *rep[keep];
	r->agree = best;
	r->mismatch = best < nrep;
	if (r->mismatch)
		snprintf(r->mismatch_what, sizeof(r->mismatch_what), "%s", what ? what : "?");
	/* the majority's outputs in place of the first replica's */
	if (keep && man[keep].program)
		for (unsigned c = 0; c < man[0].nchannels; c++)
			if (man[0].channels[c].max_writes && strcmp(man[0].channels[c].uri, "/dev/null"))
				copy_file(man[keep].channels[c].uri, man[0].channels[c].uri);
	brief(r, &man[0]);
	if (r->mismatch)
		snprintf(r->brief, sizeof(r->brief), "replica mismatch on %s (%u of %u replicas agree)", r->mismatch_what,
			 r->agree, nrep);
	r->finished = true;
}

void zvm_map_check_spool(struct map_result *r, uint64_t edge_bytes)
{
	if (!edge_bytes)
		return;
	for (unsigned c = 0; c < r->rep.nchannels; c++)
		if (r->rep.ch[c].limit_hit && !strncmp(r->rep.ch[c].alias, "/dev/out/", 9)) {
			r->spool_full = true;
			snprintf(r->spool_edge, sizeof(r->spool_edge), "%s", r->rep.ch[c].alias);
			snprintf(r->brief, sizeof(r->brief), "spool limit on %s: its share of --spool-bytes is %llu bytes",
				 r->spool_edge, (unsigned long long)edge_bytes);
			return;
		}
}

void zvm_map_stdio_path(char *buf, size_t len, const char *spool, unsigned node, bool err)
{
	snprintf(buf, len, "%s/node-%u-%s", spool, node, err ? "stderr" : "stdout");
}

void zvm_map_edges_exist(const struct zvm_map *m, unsigned i, const char *spool, bool empty)
{
	char path[4200];

	for (unsigned k = 0; k < m->node[i].nout && !m->node[i].stream; k++) {
		int fd;
		zvm_map_edge_path(path, sizeof(path), spool, i, m->node[i].out[k], 0);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (empty ? O_TRUNC : 0), 0600);
		if (fd >= 0)
			close(fd);
	}
}

void zvm_map_flush_output(const struct zvm_map *m, unsigned i, const char *spool)
{
	static const unsigned dev[2] = { ZVM_MAP_STDOUT, ZVM_MAP_STDERR };
	char path[4200];

	for (unsigned k = 0; k < 2; k++) {
		int fd;
		if (!m->node[i].listed[dev[k]] || m->node[i].dev_path[dev[k]])
			continue;
		zvm_map_stdio_path(path, sizeof(path), spool, i, k);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		fflush(k ? stderr : stdout);
		zvm_map_copy_fd(fd, k ? 2 : 1);
		close(fd);
	}
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

void zvm_map_spool_remove(const char *spool)
{
	nftw(spool, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A child that outlives us only to remove the spool: it waits for the
 * end of a pipe whose other end only we hold, which comes however we end
 * (SIGKILL included). It holds nothing else of ours, so a reader of our
 * stdout sees its end when we end, not when the child does. */
int zvm_map_spool_guard(const char *spool)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		char c;
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		/* its own session: neither a ^C nor a kill of our group reaches it */
		setsid();
		if (null < 0 || dup2(p[0], 3) < 0)
			_exit(1);
		for (int fd = 0; fd < 3; fd++)
			dup2(null, fd);
		close_range(4, ~0u, 0);
		while (read(3, &c, 1) < 0 && errno == EINTR)
			;
		zvm_map_spool_remove(spool);
		_exit(0);
	}
	close(p[0]);
	return p[1];
}
