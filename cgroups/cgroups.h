/*
 * cgroups.h — one cgroup per cell, on cgroup v2 or v1 (detected at start).
 *
 * The supervisor (root) creates a cell's cgroup before the worker is
 * released, sets its limits, moves the worker in, reads the peak memory and
 * OOM flag at the end and removes the cgroup. On v2 it can also attach
 * cgroup-BPF programs that deny socket creation and device access.
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

/* Creates the cell's cgroup(s) under `parent` (a relative path inside each
 * hierarchy, e.g. "zvm") and applies the limits. */
int zvm_cg_create(const struct zvm_cg_host *host, const char *parent, const char *name,
		  const struct zvm_cg_limits *lim, struct zvm_cg_cell *cell, char *err, size_t errlen);
/* Moves a process in (writes cgroup.procs / tasks). */
int zvm_cg_attach(const struct zvm_cg_cell *cell, pid_t pid);
/* On v2: attach BPF programs denying socket creation and device access. */
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

/* Kills what is left inside and removes the cgroup(s); idempotent. */
int zvm_cg_destroy(struct zvm_cg_cell *cell);

#endif
