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

struct zvm_jail {
	uid_t uid;            /* unprivileged uid of this pool slot */
	gid_t gid;
	const char *hostname; /* in the new uts namespace */
};

/* Forks a worker in new namespaces. Returns the pid in the parent (and the
 * pidfd in *pidfd), 0 in the child, or -errno. */
pid_t zvm_jail_spawn(int *pidfd);

/* In the worker: cgroup namespace, empty read-only tmpfs root, hostname,
 * uid/gid, capabilities and bounding set cleared, no_new_privs. Returns 0
 * or -errno with a message naming the step that failed. */
int zvm_jail_enter(const struct zvm_jail *j, char *err, size_t errlen);

#endif
