/*
 * cgroups.h — one cgroup per pool slot, on cgroup v2 or v1.
 *
 * Who does what, today (supervisor/pool.c): zvmd (root) detects the
 * hierarchies once, in zvm_pool_init. The first time a slot is filled
 * (zvm_pool_spawn) zvmd creates the slot's cgroup with the pool's limits
 * (zvm_cg_create: pids.max 1, a memory backstop of max_memory + 64 MiB;
 * a job's own memory limit is the cell's, not the cgroup's), attaches the
 * cgroup-BPF programs denying sockets and devices on v2, and opens its
 * cgroup.procs files. zvmd never moves a process: each worker, still root
 * in its new pid namespace, writes itself into those files before it
 * jails itself (zvm_jail_join_cgroup in supervisor/worker.c). The cgroup
 * outlives its workers: zvmd starts a new accounting period before each
 * worker (zvm_cg_new_period), reads the peak memory and OOM flag after
 * reaping one (zvm_cg_read_usage), and removes the cgroup when the pool
 * is destroyed at zvmd's exit (zvm_cg_destroy). `zvm run` uses no cgroup.
 * Error contract: >= 0 or -errno, with a message for the caller where given.
 */
#ifndef ZVM_CGROUPS_H
#define ZVM_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum zvm_cg_mode { ZVM_CG_NONE = 0, ZVM_CG_V1, ZVM_CG_V2 };

struct zvm_cg_host {
	enum zvm_cg_mode mode;
	/* v2: the unified mount and whether memory/pids/cpu are delegated there */
	char v2_root[256];
	bool v2_memory, v2_pids, v2_cpu;
	/* v1: the mount of each controller, "" if absent */
	char v1_memory[256], v1_pids[256], v1_cpu[256];
	bool bpf_possible;     /* a cgroup v2 hierarchy exists (even without controllers) */
};

/* Looks at /proc/self/mountinfo (or the given file, for tests) and fills
 * host. Pure apart from reading that file. Prefers v2 when it has the
 * memory controller, else v1 controllers where mounted. */
int zvm_cg_detect(struct zvm_cg_host *host, const char *mountinfo_path);

struct zvm_cg_limits {
	uint64_t memory_max;   /* bytes, 0 = none */
	uint64_t pids_max;     /* 0 = none */
	uint32_t cpu_weight;   /* 1..10000 (v2) mapped to shares on v1; 0 = default */
	double cpu_quota;      /* CPUs, e.g. 1.0; 0 = none */
};

struct zvm_cg_cell {
	const struct zvm_cg_host *host;
	char name[64];         /* e.g. "zvm-cell-1234" under the parent */
	char path_v2[512];     /* "" if none */
	char path_memory[512], path_pids[512], path_cpu[512]; /* v1 */
	int bpf_links[4];      /* fds of attached BPF programs, -1 if none */
	uint64_t oom_base;     /* OOM kills before the current period */
};

/* Creates the slot's cgroup(s) under `parent` (a relative path inside each
 * hierarchy, e.g. "zvm") and applies the limits. Runs in zvmd. */
int zvm_cg_create(const struct zvm_cg_host *host, const char *parent, const char *name,
		  const struct zvm_cg_limits *lim, struct zvm_cg_cell *cell, char *err, size_t errlen);
/* Moves a process in (writes its pid to cgroup.procs). zvmd does not use
 * it (workers join by themselves, above); tests/integration/cgroup-probe
 * does. */
int zvm_cg_attach(const struct zvm_cg_cell *cell, pid_t pid);
/* On v2: attach BPF programs denying socket creation and device access.
 * Runs in zvmd, once per slot cgroup; they stay attached until destroy. */
int zvm_cg_deny_sockets_and_devices(struct zvm_cg_cell *cell, char *err, size_t errlen);

struct zvm_cg_usage {
	uint64_t memory_peak;  /* bytes (memory.peak on v2 where available, max_usage_in_bytes on v1) */
	bool oom;              /* the memory limit killed something */
	uint64_t cpu_usec;
};
int zvm_cg_read_usage(const struct zvm_cg_cell *cell, struct zvm_cg_usage *u);
/* Starts a new accounting period in a reused group: resets the memory peak
 * where the kernel allows it and remembers the OOM count, so the next
 * zvm_cg_read_usage reports this period only. */
int zvm_cg_new_period(struct zvm_cg_cell *cell);

/* Kills what is left inside and removes the cgroup(s); idempotent. Runs
 * in zvmd (zvm_pool_destroy), and on a failed slot setup. */
int zvm_cg_destroy(struct zvm_cg_cell *cell);

#endif
