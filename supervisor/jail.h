/*
 * jail.h — the kernel wall around a worker, built before any job arrives.
 *
 * zvm_jail_spawn runs in the supervisor (root): it creates the worker with
 * clone3 in fresh pid, net, mount, ipc and uts namespaces, and returns a
 * pidfd. zvm_jail_enter runs in the new worker, as its first act after the
 * supervisor has moved it into its cgroup: empty root, own uid, no
 * capabilities, no_new_privs. Privilege only shrinks from there.
 */
#ifndef ZVM_JAIL_H
#define ZVM_JAIL_H

#include <stddef.h>
#include <sys/types.h>

#include "cgroups/cgroups.h"

struct zvm_jail {
	uid_t uid;            /* unprivileged uid of this pool slot */
	gid_t gid;
	const char *hostname; /* in the new uts namespace */
	int shared_ns[4];     /* net, ipc, uts, mount namespaces to join, or -1 each */
	const struct zvm_cg_cell *cgroup; /* the slot's cgroup to join first, or NULL */
};

/* Creates one empty network namespace (no interface but a down lo), one
 * IPC, one UTS and one mount namespace whose root is an empty read-only
 * tmpfs, and returns fds for them in fds[0..3]. Workers join these instead
 * of creating their own: a new network namespace costs about 0.5 ms and a
 * mount namespace's teardown waits on RCU at every worker's exit, while
 * cells can neither create sockets, use IPC nor write that root, so
 * sharing empty ones isolates them from the host just as well. Runs in zvmd. */
int zvm_jail_shared_ns(int fds[4]);

/* Forks a worker in a new pid namespace. Returns the pid in the parent (and the
 * pidfd in *pidfd), 0 in the child, or -errno. */
pid_t zvm_jail_spawn(int *pidfd);

/* In the worker: cgroup namespace, empty read-only tmpfs root, hostname,
 * uid/gid, capabilities and bounding set cleared, no_new_privs. Returns 0
 * or -errno with a message naming the step that failed. */
int zvm_jail_enter(const struct zvm_jail *j, char *err, size_t errlen);

#endif
