/*
 * pool.h — the warm pool: N slots, each holding at most one worker that
 * is jailed and waiting for a job. A worker serves one job and dies; its
 * slot is refilled off the request path.
 *
 * A worker is the program zvm-worker, exec'd in a new pid namespace: it
 * holds its own slot's window (a memfd the pool maps once per slot), its
 * control socket, the shared namespaces and its cgroup's cgroup.procs,
 * and nothing else of the supervisor (worker.h lists the descriptors).
 */
#ifndef ZVM_POOL_H
#define ZVM_POOL_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroups/cgroups.h"
#include "supervisor/worker.h"

enum zvm_slot_state { ZVM_SLOT_EMPTY, ZVM_SLOT_WARMING, ZVM_SLOT_WARM, ZVM_SLOT_BUSY };

struct zvm_pool_config {
	unsigned size;
	uid_t uid_base;          /* slot i runs as uid_base + i (and gid_base + i) */
	gid_t gid_base;
	const char *cgroup_parent; /* relative path in each hierarchy, e.g. "zvm" */
	struct zvm_cg_limits cg;   /* each slot cgroup's limits, set once at its creation
				    * (memory: a backstop for every job; a job's own
				    * limit is the cell's) */
	bool deny_sockets_bpf;     /* attach the cgroup-BPF programs where possible */
	int shared_ns[4];          /* net, ipc, uts, mnt for every worker (zvm_jail_shared_ns) */
	const char *worker_path;   /* the zvm-worker program; NULL: zvm-worker next to
				    * this executable (the directory of /proc/self/exe) */
	bool zygote;               /* fork workers from the zygote (worker.h) */
};

struct zvm_pool;

struct zvm_slot {
	struct zvm_pool *pool;
	unsigned index;
	enum zvm_slot_state state;
	pid_t pid;
	int pidfd, ctl;            /* -1 when closed */
	struct zvm_slot_shared *sh; /* the pool's mapping of the window */
	int window;                /* the window's memfd, handed to this slot's workers only */
	struct zvm_cg_cell cg;
	bool has_cg;
	int cg_procs[4];           /* cgroup.procs of cg, opened once, for the worker; -1 each */
	double started;            /* when the job was handed out */
	void *job;                 /* the daemon's job record while busy */
};

struct zvm_pool {
	struct zvm_pool_config cfg;
	struct zvm_cg_host host;
	struct zvm_slot *slot;
	int worker_prog;           /* O_PATH fd of zvm-worker, opened at init */
	char worker_path[4096];
	unsigned warm, busy;
	void *owner;               /* the daemon, for event callbacks */
	/* the zygote (worker.h): its socket, pid and pidfd, -1/0 when not
	 * running; forks since it started (it is replaced every
	 * ZVM_ZYGOTE_FORKS, so workers do not share one layout for long) */
	int zygote_sock, zygote_pidfd;
	pid_t zygote_pid;
	unsigned zygote_forks;
	unsigned zygote_pause;     /* spawns left to exec after a zygote failure */
};
#define ZVM_ZYGOTE_FORKS 1024
#define ZVM_ZYGOTE_PAUSE 64

static inline void *zvm_pool_owner(const struct zvm_slot *s)
{
	return s->pool->owner;
}

/* Detects the cgroup hierarchies, creates the slots' windows and opens
 * the worker program (an error names its path if it is missing). No
 * cgroup and no worker exists yet. Runs in zvmd, as root. */
int zvm_pool_init(struct zvm_pool *p, const struct zvm_pool_config *cfg, char *err, size_t errlen);
/* Starts a worker in an empty slot. In zvmd: creates the slot's cgroup
 * the first time (limits, BPF programs, its cgroup.procs opened), starts
 * a new accounting period, clears the window and execs zvm-worker in a
 * new pid namespace (zvm_jail_spawn). In the worker: it joins the cgroup,
 * jails itself and loads the pool-stage seccomp filter. The slot is
 * WARMING until the worker says ready (zvm_pool_on_ctl). A worker asked
 * of the zygote has no pid yet (pidfd -1) when this returns: only its
 * control socket is to be watched. 0 or -errno. */
int zvm_pool_spawn(struct zvm_pool *p, struct zvm_slot *s, char *err, size_t errlen);
/* A WARMING slot's control fd is readable: READY makes it WARM. Returns 1
 * when the slot became warm, 2 when the zygote's answer gave the worker's
 * pid and pidfd (watch it now), 0 if nothing changed, -errno if the worker
 * failed (the slot must then be reaped: at once if it has no pidfd,
 * nothing was forked). */
int zvm_pool_on_ctl(struct zvm_pool *p, struct zvm_slot *s);
/* A warm slot, or NULL. */
struct zvm_slot *zvm_pool_take_warm(struct zvm_pool *p);
/* Writes the job into the window (zvm_window_put_job: m with its limits
 * decided, m->program the cell's argv[0]), sends the image and channel fds;
 * the slot becomes BUSY. Templates (docs/zvmd.md): tpl_mode ZVM_TPL_MAKE
 * sends tpl_fd for the keep request to fill; ZVM_TPL_USE writes tpl into
 * the window and sends tpl_fd, its sealed memory; ZVM_TPL_NONE neither. */
int zvm_pool_handout(struct zvm_pool *p, struct zvm_slot *s, const struct zvm_manifest *m,
		     int image_fd, const int *channel_fds, unsigned tpl_mode, const struct sfi_template *tpl, int tpl_fd);
/* Reaps an exited (or killed) worker (wait4 on its pid, in zvmd), fills
 * the report and reads the cgroup's usage (rep and usage may be NULL);
 * the slot is EMPTY again, its cgroup and window kept for the next
 * worker, which zvmd starts in an idle moment. */
struct zvm_cg_usage;
int zvm_pool_reap(struct zvm_pool *p, struct zvm_slot *s, const struct zvm_manifest *m,
		  bool timed_out, struct zvm_report *rep, struct zvm_cg_usage *usage);
/* SIGKILL through the pidfd; the exit is then seen on the pidfd. */
void zvm_pool_kill(struct zvm_slot *s);
/* Kills and reaps every worker, removes the slots' cgroups, unmaps and
 * closes the windows. At zvmd's exit. */
void zvm_pool_destroy(struct zvm_pool *p);

#endif
