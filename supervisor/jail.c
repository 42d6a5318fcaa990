/*
 * jail.c — namespaces, an empty root, an unprivileged uid, no capabilities.
 */
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <pthread.h>
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

/* The child of zvm_jail_spawn runs on this stack, in the supervisor's
 * memory (CLONE_VM), until its execveat; the supervisor is suspended
 * meanwhile (CLONE_VFORK) and single-threaded, so one stack serves all. */
static char spawn_stack[64 * 1024] __attribute__((aligned(64)));

struct spawn_args {
	const struct zvm_jail_exec *x;
	sigset_t mask;          /* the caller's, restored before the exec */
	volatile int err;       /* the exec's errno, read by the parent */
};

int zvm_jail_place_fds(const int *fds, unsigned nfds, int keep)
{
	unsigned top = 3 + nfds;
	int tmp[16], hi = -1;

	if (nfds > 16)
		return -EINVAL;
	/* Above every target first, so a source that sits on a target number
	 * is not overwritten before it is moved. */
	for (unsigned i = 0; i < nfds; i++)
		if (fds[i] >= 0 && (tmp[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, top + 1)) < 0)
			return -errno;
	if (keep >= 0 && (hi = fcntl(keep, F_DUPFD_CLOEXEC, top + 1)) < 0)
		return -errno;
	for (unsigned i = 0; i < nfds; i++)
		if (fds[i] >= 0 && dup2(tmp[i], 3 + i) < 0) /* dup2 clears CLOEXEC */
			return -errno;
	if (hi >= 0 && dup3(hi, top, O_CLOEXEC) < 0)
		return -errno;
	close_range(0, 2, 0);
	for (unsigned i = 0; i < nfds; i++)
		if (fds[i] < 0)
			close(3 + i);
	close_range(hi >= 0 ? top + 1 : top, ~0U, 0);
	return 0;
}

/* In the child: only system calls, nothing that takes a lock or touches
 * the supervisor's heap; the fd table is the child's own (no CLONE_FILES),
 * the signal handlers too (no CLONE_SIGHAND). */
static int spawn_child(void *arg)
{
	struct spawn_args *a = arg;
	const struct zvm_jail_exec *x = a->x;
	static char *const envp[] = { NULL };
	int rc;

	/* a handler must not run here, on the parent's memory */
	for (int sig = 1; sig < _NSIG; sig++) {
		struct sigaction sa;
		if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, NULL, &sa) == 0 &&
		    sa.sa_handler != SIG_IGN && sa.sa_handler != SIG_DFL) {
			sa.sa_handler = SIG_DFL;
			sa.sa_flags = 0;
			sigaction(sig, &sa, NULL);
		}
	}
	/* the program at 3 + nfds, close-on-exec, run from there */
	if ((rc = zvm_jail_place_fds(x->fds, x->nfds, x->program)) < 0) {
		a->err = -rc;
		_exit(127);
	}
	sigprocmask(SIG_SETMASK, &a->mask, NULL);
	syscall(SYS_execveat, 3 + x->nfds, "", x->argv, envp, AT_EMPTY_PATH);
	a->err = errno ? errno : EIO;
	_exit(127);
}

pid_t zvm_jail_spawn(const struct zvm_jail_exec *x, int *pidfd)
{
	struct spawn_args a = { .x = x, .err = 0 };
	sigset_t all;
	pid_t pid;
	int e;

	/* no signal may be delivered in the child before it has reset the
	 * handlers; blocked in the parent until the child has exec'd */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &a.mask);
	pid = clone(spawn_child, spawn_stack + sizeof(spawn_stack),
		    CLONE_VM | CLONE_VFORK | (x->same_pid_ns ? 0 : CLONE_NEWPID) | CLONE_PIDFD | SIGCHLD, &a, pidfd);
	e = errno;
	pthread_sigmask(SIG_SETMASK, &a.mask, NULL);
	if (pid < 0)
		return -e;
	if (a.err) {
		/* the child has exited already (CLONE_VFORK returned) */
		waitpid(pid, NULL, 0);
		close(*pidfd);
		*pidfd = -1;
		return -a.err;
	}
	return pid;
}

int zvm_jail_join_cgroup(const struct zvm_jail *j)
{
	int rc = 0;

	for (int i = 0; i < 4; i++) {
		if (j->cgroup_procs[i] < 0)
			continue;
		if (rc == 0 && write(j->cgroup_procs[i], "0", 1) != 1)
			rc = -errno;
		close(j->cgroup_procs[i]);
	}
	return rc;
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
	static const int own[3] = { CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS };

	for (int i = 0; i < 4; i++)
		if (j->shared_ns[i] >= 0)
			STEP(setns(j->shared_ns[i], 0) == 0, "joining the shared namespaces");
	/* Without a shared one, a namespace of its own: a worker never stays
	 * in zvmd's network, IPC or UTS namespace (sethostname below would
	 * rename the host). */
	for (int i = 0; i < 3; i++)
		if (j->shared_ns[i] < 0)
			STEP(unshare(own[i]) == 0, "a namespace of the worker's own");
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

int zvm_open_program(const char *configured, const char *name, int min_fd, const char *what,
		     char *path, size_t pathlen, char *err, size_t errlen)
{
	char self[4096];
	int fd, hi, e;

	if (configured && configured[0]) {
		snprintf(path, pathlen, "%s", configured);
	} else {
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0) {
			e = errno;
			snprintf(err, errlen, "finding %s: /proc/self/exe: %s", name, strerror(e));
			return -e;
		}
		self[n] = '\0';
		snprintf(path, pathlen, "%s/%s", dirname(self), name);
	}
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0 || faccessat(fd, "", X_OK, AT_EMPTY_PATH) < 0) {
		e = errno;
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(e));
		return -e;
	}
	if (fd >= min_fd)
		return fd;
	hi = fcntl(fd, F_DUPFD_CLOEXEC, min_fd);
	e = errno;
	close(fd);
	if (hi < 0) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(e));
		return -e;
	}
	return hi;
}
