/*
 * jail.h — the kernel wall around a worker, built before any job arrives.
 *
 * In zvmd (root), once at start: zvm_jail_shared_ns creates the net, ipc,
 * uts and mount namespaces every worker joins. Per worker, when a slot is
 * refilled (supervisor/pool.c): zvm_jail_spawn starts it as pid 1 of a new
 * pid namespace and has it exec zvm-worker at once, so it begins in a
 * fresh address space holding nothing of zvmd's memory, with only the
 * descriptors it is handed (supervisor/worker.h). In the worker, still
 * root (supervisor/worker.c): zvm_jail_join_cgroup moves it into its
 * slot's cgroup through the cgroup.procs descriptors zvmd opened, then
 * zvm_jail_enter joins the shared namespaces (empty read-only root),
 * creates its own cgroup namespace, takes the slot's uid and gid, drops
 * every capability and sets no_new_privs; the pool-stage seccomp filter
 * follows (seccomp-policy.h). Privilege only shrinks from there. zvmd
 * kills and reaps the worker through its pidfd; nothing here undoes a
 * jail, the worker's death does.
 */
#ifndef ZVM_JAIL_H
#define ZVM_JAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct zvm_jail {
	uid_t uid;            /* unprivileged uid of this pool slot */
	gid_t gid;
	const char *hostname; /* set in the (shared) uts namespace */
	int shared_ns[4];     /* net, ipc, uts, mount namespaces to join; -1: a new
			       * one of the worker's own (for the mount namespace,
			       * with an empty root); never zvmd's */
	int cgroup_procs[4];  /* open cgroup.procs files of the slot's cgroup(s), or -1 each */
	int ready_after;      /* a worker forked by the zygote: a pipe to read one byte
			       * from before it says ready (worker.h), or -1 */
};

/* Into the slot's cgroup(s): writes "0" (this process) to each open
 * cgroup.procs in j->cgroup_procs and closes it. Runs in the worker,
 * before zvm_jail_enter. Returns 0 or -errno. */
int zvm_jail_join_cgroup(const struct zvm_jail *j);

/* Creates one empty network namespace (no interface but a down lo), one
 * IPC, one UTS and one mount namespace whose root is an empty read-only
 * tmpfs, and returns fds for them in fds[0..3]. Workers join these instead
 * of creating their own: a new network namespace costs about 0.5 ms and a
 * mount namespace's teardown waits on RCU at every worker's exit, while
 * cells can neither create sockets, use IPC nor write that root, so
 * sharing empty ones isolates them from the host just as well. Runs in zvmd. */
int zvm_jail_shared_ns(int fds[4]);

/* What the new worker execs: path is an open (O_PATH) fd of the program;
 * fds[i] becomes the worker's descriptor 3 + i (-1: left closed); every
 * other descriptor is closed, the environment is empty. */
struct zvm_jail_exec {
	int program;
	char *const *argv;
	const int *fds;
	unsigned nfds;
	bool same_pid_ns;          /* the zygote: in zvmd's pid namespace, so that
				    * it may fork with CLONE_PARENT (not as an init) */
};

/* Puts fds[i] at descriptor 3 + i (fds[i] < 0: 3 + i left closed) and keep,
 * if not negative, at 3 + nfds with close-on-exec; closes 0, 1, 2 and every
 * other descriptor. Only system calls (it runs in zvm_jail_spawn's child,
 * on the parent's memory). nfds at most 16. 0 or -errno. */
int zvm_jail_place_fds(const int *fds, unsigned nfds, int keep);

/* Starts a worker in a new pid namespace (clone with CLONE_VM|CLONE_VFORK:
 * no copy of the supervisor's page tables; the caller waits only until the
 * child has exec'd). Returns the worker's pid (its pidfd in *pidfd), or
 * -errno, the exec's own error if the program could not be started. */
pid_t zvm_jail_spawn(const struct zvm_jail_exec *x, int *pidfd);

/* In the worker: cgroup namespace, empty read-only tmpfs root, hostname,
 * uid/gid, capabilities and bounding set cleared, no_new_privs. Returns 0
 * or -errno with a message naming the step that failed. */
int zvm_jail_enter(const struct zvm_jail *j, char *err, size_t errlen);

/* One of zvmd's programs (zvm-worker, zvm-validator): `configured` if
 * set, else `name` beside zvmd's own executable. Opened once (O_PATH) and
 * checked executable, so every start runs the same file even if the path
 * is replaced while zvmd runs. Returns the fd (at least min_fd) and the
 * path in path[], or -errno with a message naming `what` and the path. */
int zvm_open_program(const char *configured, const char *name, int min_fd, const char *what,
		     char *path, size_t pathlen, char *err, size_t errlen);

#endif
