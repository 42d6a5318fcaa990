/* zvm-compile's private parts: the cgroup, the jail's inside. */
#ifndef ZVM_COMPILE_INTERNAL_H
#define ZVM_COMPILE_INTERNAL_H

#include "compile/compile.h"

#include <limits.h>

struct zc_cgroup {
	char path[PATH_MAX]; /* empty: none */
};

struct zc_cgroup_stats {
	uint64_t memory_peak, cpu_us;
	bool oom;
};

/* Makes the compile's cgroup with memory.max and pids.max (none, returning
 * 0, when none is configured or detected). -errno with msg when --cgroup
 * names one that cannot be used. Runs in the caller. */
int zc_cgroup_create(struct zc_cgroup *cg, const struct zc_limits *l, char *msg, size_t msglen);
int zc_cgroup_enter(const struct zc_cgroup *cg, pid_t pid);
void zc_cgroup_read(const struct zc_cgroup *cg, struct zc_cgroup_stats *st);
void zc_cgroup_destroy(struct zc_cgroup *cg);

/* What the jail's init tells the caller, in one write. */
struct zc_report {
	char kind;     /* 'E': the jail could not be built (msg); 'R': the compiler ran */
	int err;       /* errno of 'E' */
	int wstatus;   /* zvm-cc's wait status */
	bool validated; /* zvm-cc succeeded and zvm validate ran */
	int vstatus;   /* its wait status */
	int copy_err;  /* 0, or -errno copying /out/prog.nexe out */
	char msg[512];
};

/* The jail's inside: run by its pid 1 after the caller wrote its maps.
 * Never returns. */
void zc_jail_init(const struct zc_limits *l, const struct zc_toolchain *t, const struct zc_sources *s, int outfd,
		  int out_w, int err_w, int report_w, bool drop_groups) __attribute__((noreturn));

#endif
