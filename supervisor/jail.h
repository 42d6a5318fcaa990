/*
 * jail.h — the kernel wall around a worker, built before any job arrives.
 *
 * zvm_jail_spawn runs in the supervisor (root): it starts the worker in a
 * new pid namespace and has it exec the worker program (zvm-worker) at
 * once, so the worker begins in a fresh address space holding nothing of
 * the supervisor's memory, with only the descriptors it is handed. The
 * worker, still root, then moves itself into its slot's cgroup (through
 * the cgroup.procs descriptors it was given) and calls zvm_jail_enter:
 * the shared net, ipc, uts and mount namespaces (empty read-only root),
 * its own cgroup namespace, own uid, no capabilities, no_new_privs.
 * Privilege only shrinks from there.
 */
#ifndef ZVM_JAIL_H
#define ZVM_JAIL_H

#include <stddef.h>
#include <sys/types.h>

struct zvm_jail {
	uid_t uid;            /* unprivileged uid of this pool slot */
	gid_t gid;
	const char *hostname; /* in the new uts namespace */
	int shared_ns[4];     /* net, ipc, uts, mount namespaces to join, or -1 each */
	int cgroup_procs[4];  /* open cgroup.procs files of the slot's cgroup(s), or -1 each */
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
};

/* Starts a worker in a new pid namespace (clone with CLONE_VM|CLONE_VFORK:
 * no copy of the supervisor's page tables; the caller waits only until the
 * child has exec'd). Returns the worker's pid (its pidfd in *pidfd), or
 * -errno, the exec's own error if the program could not be started. */
pid_t zvm_jail_spawn(const struct zvm_jail_exec *x, int *pidfd);

/* In the worker: cgroup namespace, empty read-only tmpfs root, hostname,
 * uid/gid, capabilities and bounding set cleared, no_new_privs. Returns 0
 * or -errno with a message naming the step that failed. */
int zvm_jail_enter(const struct zvm_jail *j, char *err, size_t errlen);

#endif
