/*
 * jail.c — namespaces, an empty root, an unprivileged uid, no capabilities.
 */
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervisor/jail.h"

pid_t zvm_jail_spawn(int *pidfd)
{
	struct clone_args args;
	long pid;

	memset(&args, 0, sizeof(args));
	args.flags = CLONE_NEWPID | CLONE_PIDFD;
	args.pidfd = (uint64_t)(uintptr_t)pidfd;
	args.exit_signal = SIGCHLD;
	/* clone3 without a stack behaves like fork: the child continues here. */
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0)
		return -errno;
	return (pid_t)pid;
}

#define STEP(cond, what)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			int e_ = errno;                                   \
			snprintf(err, errlen, "%s: %s", what, strerror(e_)); \
			return -e_;                                       \
		}                                                         \
	} while (0)

/* A fresh tmpfs becomes /, the host's root is detached: nothing of the
 * host's file system remains reachable. The tmpfs is then made read-only. */
static int empty_root(char *err, size_t errlen)
{
	STEP(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, "make mounts private");
	STEP(mount("zvm", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=16k,mode=0755") == 0,
	     "mount tmpfs");
	STEP(mkdir("/tmp/old", 0700) == 0, "mkdir old root");
	STEP(syscall(SYS_pivot_root, "/tmp", "/tmp/old") == 0, "pivot_root");
	STEP(chdir("/") == 0, "chdir /");
	STEP(umount2("/old", MNT_DETACH) == 0, "detach the host root");
	STEP(rmdir("/old") == 0, "rmdir old root");
	STEP(mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0,
	     "remount root read-only");
	return 0;
}

int zvm_jail_shared_ns(int fds[4])
{
	static const char *const names[4] = { "net", "ipc", "uts", "mnt" };
	int go[2], rc = 0;
	char path[64], b;
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* the holder: unshare, name the host, wait to be looked at */
		char err[128];
		if (unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS) < 0 || sethostname("zvm", 3) < 0 ||
		    empty_root(err, sizeof(err)) < 0)
			_exit(1);
		if (write(go[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(go[1]);
	if (read(go[0], &b, 1) != 1)
		rc = -ECHILD;
	for (int i = 0; i < 4; i++) {
		fds[i] = -1;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, names[i]);
		if (rc == 0 && (fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			rc = -errno;
	}
	/* the namespaces live on through the fds */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(go[0]);
	return rc;
}

int zvm_jail_enter(const struct zvm_jail *j, char *err, size_t errlen)
{
	int rc;

	/* net, ipc, uts, and the mount namespace whose root is the empty
	 * read-only tmpfs: joining it sets our root and cwd to that root */
	for (int i = 0; i < 4; i++)
		if (j->shared_ns[i] >= 0)
			STEP(setns(j->shared_ns[i], 0) == 0, "joining the shared namespaces");
	STEP(chdir("/") == 0, "chdir /");

	/* The worker's cgroup becomes the root of what it could ever see. */
	STEP(unshare(CLONE_NEWCGROUP) == 0, "cgroup namespace");
	if (j->shared_ns[3] < 0) {
		/* no shared mount namespace: build the empty root here */
		STEP(unshare(CLONE_NEWNS) == 0, "mount namespace");
		rc = empty_root(err, errlen);
		if (rc < 0)
			return rc;
	}
	STEP(sethostname(j->hostname, strlen(j->hostname)) == 0, "sethostname");
	/* Drop supplementary groups, change ids, clear every capability set
	 * and the bounding set, in the order libcap-ng knows to be safe. */
	capng_clear(CAPNG_SELECT_BOTH);
	rc = capng_change_id((int)j->uid, (int)j->gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
	if (rc != 0) {
		snprintf(err, errlen, "dropping to uid %u gid %u and clearing capabilities: libcap-ng error %d",
			 (unsigned)j->uid, (unsigned)j->gid, rc);
		return -EPERM;
	}
	STEP(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == 0, "clear ambient capabilities");
	STEP(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "no_new_privs");
	STEP(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0, "not dumpable");
	STEP(getuid() == j->uid && geteuid() == j->uid && getgid() == j->gid, "ids did not change");
	return 0;
}
