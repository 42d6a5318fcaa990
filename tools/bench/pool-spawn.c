/*
 * pool-spawn.c — what starting one pool worker costs zvmd (needs root).
 *   pool-spawn N [RSS_MIB [WORKER]]
 * Spawns, waits ready, kills and reaps a worker N times through the pool
 * API, in one slot. Prints "spawn_p50 spawn_p90 ready_p50 ready_p90" in
 * ms: spawn is the time zvm_pool_spawn keeps the caller (zvmd's event
 * loop), ready the time until the worker says it is jailed and waiting.
 * RSS_MIB of touched heap stand in for a busy daemon's memory (queued
 * jobs, image cache), which a forked worker would have to copy. WORKER
 * is the zvm-worker program (default: ../../bin/zvm-worker from here).
 * With POOL_SPAWN_ZYGOTE=1 in the environment the workers are forked by
 * zvmd's zygote (docs/zvmd.md), else exec'd one by one.
 */
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/jail.h"
#include "supervisor/pool.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct zvm_pool_config pc = { .size = 1, .uid_base = 2100000000u, .gid_base = 2100000000u,
				      .cgroup_parent = "zvm-bench",
				      .cg = { .pids_max = 1, .memory_max = 256u << 20, .cpu_weight = 100 },
				      .deny_sockets_bpf = true };
	static struct zvm_pool p;
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 200;
	size_t rss = argc > 2 ? (size_t)atoi(argv[2]) << 20 : 0;
	double *sp = calloc(n, sizeof(double)), *rd = calloc(n, sizeof(double));
	char err[512], self[4096], worker[4200];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int rc;

	self[len > 0 ? len : 0] = '\0';
	snprintf(worker, sizeof(worker), "%s/../../bin/zvm-worker", dirname(self));
	pc.worker_path = argc > 3 ? argv[3] : worker;
	pc.zygote = getenv("POOL_SPAWN_ZYGOTE") && strcmp(getenv("POOL_SPAWN_ZYGOTE"), "1") == 0;

	if (rss) {
		char *h = malloc(rss);
		if (h)
			memset(h, 1, rss);
	}
	if ((rc = zvm_jail_shared_ns(pc.shared_ns)) < 0 || zvm_pool_init(&p, &pc, err, sizeof(err)) < 0) {
		fprintf(stderr, "pool-spawn: setting up: %s\n", rc < 0 ? strerror(-rc) : err);
		return 1;
	}
	for (unsigned i = 0; i < n; i++) {
		struct zvm_slot *s = &p.slot[0];
		double t0 = now();
		struct pollfd pf;

		if (zvm_pool_spawn(&p, s, err, sizeof(err)) < 0) {
			fprintf(stderr, "pool-spawn: %s\n", err);
			return 1;
		}
		sp[i] = now() - t0;
		/* a forked worker's pid comes first (2), then ready (1) */
		do {
			pf = (struct pollfd){ .fd = s->ctl, .events = POLLIN };
			while (poll(&pf, 1, 5000) < 0)
				;
		} while ((rc = zvm_pool_on_ctl(&p, s)) == 2 || rc == 0);
		if (rc != 1) {
			fprintf(stderr, "pool-spawn: the worker failed: %s\n", s->sh->result.message);
			return 1;
		}
		rd[i] = now() - t0;
		zvm_pool_kill(s);
		zvm_pool_reap(&p, s, NULL, false, NULL, NULL);
	}
	qsort(sp, n, sizeof(double), cmp);
	qsort(rd, n, sizeof(double), cmp);
	printf("%.3f %.3f %.3f %.3f\n", sp[n / 2] * 1e3, sp[n * 9 / 10] * 1e3, rd[n / 2] * 1e3, rd[n * 9 / 10] * 1e3);
	zvm_pool_destroy(&p);
	return 0;
}
