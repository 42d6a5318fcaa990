/*
 * zygote.c — `zvm-worker zygote`: forks zvmd's workers (worker.h).
 *
 * An exec'd worker spends most of its start in the dynamic loader, the C
 * library's CPU probing (cpuid, which traps to the hypervisor in a VM) and
 * libseccomp compiling two filters. The zygote does all of that once; each
 * worker is then a fork of it that does only what is its own: its
 * descriptors, cgroup, jail and filters. The zygote holds nothing of any
 * job (it is exec'd, not forked from zvmd, and zvmd sends it no job), so a
 * worker inherits nothing another worker could have left.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "protocol/protocol.h"
#include "seccomp-policy/seccomp-policy.h"
#include "supervisor/jail.h"
#include "supervisor/worker.h"

static char *title; /* the zygote's argv[1], for ps */

/* In the forked child: descriptors 3.. as an exec'd worker has them
 * (worker.h), the go pipe at 13, nothing else open, then the worker's start. */
__attribute__((noreturn))
static void child(const struct zvm_zygote_req *rq, const int *fds, int go)
{
	int w[ZVM_WORKER_NFDS + 1];
	unsigned k = 0;
	char ns[5];

	/* back to the places worker.h gives them (ctl, window, the present ns,
	 * cgroup.procs), the go pipe after them */
	for (unsigned i = 0; i <= ZVM_WORKER_NFDS; i++)
		w[i] = -1;
	w[ZVM_WORKER_FD_CTL - 3] = fds[k++];
	w[ZVM_WORKER_FD_WINDOW - 3] = fds[k++];
	for (int i = 0; i < 4; i++)
		if (rq->ns[i] == '1')
			w[ZVM_WORKER_FD_NS - 3 + i] = fds[k++];
	for (unsigned i = 0; i < rq->ncg; i++)
		w[ZVM_WORKER_FD_CGROUP - 3 + i] = fds[k++];
	w[ZVM_WORKER_FD_READY_AFTER - 3] = go;
	if (zvm_jail_place_fds(w, ZVM_WORKER_NFDS + 1, -1) < 0) /* fd 3, the zygote's socket, is replaced */
		_exit(127);
	prctl(PR_SET_NAME, "zvm-worker", 0, 0, 0);
	if (title) {
		/* ps shows "zvm-worker s=SLOT" (argv[1]'s own bytes, at most its length) */
		size_t room = strlen(title);
		char t[16];
		snprintf(t, sizeof(t), "s=%u", rq->slot);
		memset(title, 0, room);
		memcpy(title, t, strlen(t) < room ? strlen(t) : room);
	}
	memcpy(ns, rq->ns, 4);
	ns[4] = '\0';
	zvm_worker_start(rq->uid, rq->gid, ns, rq->ncg, ZVM_WORKER_FD_READY_AFTER);
	_exit(127);
}

/* One request: checked (it comes from zvmd, but a count that disagrees
 * with the fds would put the wrong file at a worker's descriptor), forked,
 * and answered on the worker's control socket (fds[0]) before the child
 * may say it is ready. */
static void serve(const struct zvm_zygote_req *rq, const int *fds, unsigned nfds)
{
	struct zvm_zygote_forked f = { .tag = ZVM_CTL_FORKED };
	/* no exit_signal with CLONE_PARENT: the child takes the zygote's own,
	 * SIGCHLD (zvm_jail_spawn), which is what lets zvmd's wait4 reap it */
	struct clone_args ca = { .flags = CLONE_PARENT | CLONE_NEWPID | CLONE_PIDFD };
	unsigned want = 2 + rq->ncg;
	int pidfd = -1, go[2] = { -1, -1 };
	long pid;

	for (int i = 0; i < 4; i++)
		want += rq->ns[i] == '1';
	for (int i = 0; i < 4; i++)
		if (rq->ns[i] != '0' && rq->ns[i] != '1')
			want = ~0u;
	if (nfds == 0)
		return; /* nowhere to answer: zvmd sees its socket's other end close */
	if (rq->ncg > 4 || want != nfds || rq->uid == 0 || rq->gid == 0) {
		f.err = EPROTO;
	} else if (pipe2(go, O_CLOEXEC) < 0) {
		f.err = errno;
	} else {
		ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
		pid = syscall(SYS_clone3, &ca, sizeof(ca));
		if (pid == 0) {
			close(go[1]);
			child(rq, fds, go[0]); /* serve checked the count */
		}
		if (pid < 0)
			f.err = errno;
		else
			f.pid = (int32_t)pid;
		close(go[0]);
	}
	zvm_sendmsg_fds(fds[0], &f, sizeof(f), &pidfd, pidfd >= 0 ? 1 : 0, MSG_NOSIGNAL);
	if (go[1] >= 0) {
		/* zvmd has the pid now: the child may go on (a byte, or end of file) */
		if (write(go[1], "g", 1) < 0) { /* the child reads end of file instead, and fails */ }
		close(go[1]);
	}
	if (pidfd >= 0)
		close(pidfd);
}

void zvm_zygote_main(int sock, char *argv1)
{
	title = argv1;
	prctl(PR_SET_NAME, "zvm-zygote", 0, 0, 0); /* not a worker, for ps and tests */
	/* what every worker would otherwise compile for itself */
	if (zvm_seccomp_prepare_cell_stage() < 0 || zvm_seccomp_prepare_pool_stage() < 0)
		_exit(1);
	for (;;) {
		struct zvm_zygote_req rq;
		int fds[ZVM_ZYGOTE_MAX_FDS], flags = 0;
		unsigned nfds = 0;
		ssize_t n = zvm_recvmsg_fds(sock, &rq, sizeof(rq), fds, ZVM_ZYGOTE_MAX_FDS, &nfds, 0, &flags);

		if (n == 0 || (n < 0 && n != -EINTR && n != -EAGAIN))
			_exit(0); /* zvmd closed its end, or is gone */
		if (n == (ssize_t)sizeof(rq) && !(flags & (MSG_TRUNC | MSG_CTRUNC)))
			serve(&rq, fds, nfds);
		/* else: nothing forked; closing what came ends the slot's socket */
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
	}
}
