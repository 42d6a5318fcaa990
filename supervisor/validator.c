/*
 * validator.c — zvmd's side of the validator helpers (validator.h):
 * start one, hand it an image fd, read its replies without ever waiting.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "protocol/protocol.h"
#include "supervisor/validator.h"

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int zvm_vh_spawn(struct zvm_vhelper *h, const char *path, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	char name[] = "zvm-validator", u[16], g[16], *argv[] = { name, u, g, NULL }, *envp[] = { NULL };
	sigset_t none;
	int sv[2], rc;
	pid_t pid;

	memset(h, 0, sizeof(*h));
	h->pidfd = h->sock = h->memfd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	snprintf(u, sizeof(u), "%u", (unsigned)uid);
	snprintf(g, sizeof(g), "%u", (unsigned)gid);
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	/* fd 3 is the helper's end; everything else of zvmd's stays behind
	 * (all of zvmd's fds are close-on-exec), and so does its signal mask. */
	posix_spawn_file_actions_adddup2(&fa, sv[1], ZVM_VH_SOCKET_FD);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawn(&pid, path, &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(sv[1]);
	if (rc != 0) {
		close(sv[0]);
		snprintf(err, errlen, "starting %s: %s", path, strerror(rc));
		return -rc;
	}
	h->pid = pid;
	h->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (h->pidfd < 0) {
		rc = -errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(sv[0]);
		snprintf(err, errlen, "pidfd_open of the validator helper: %s", strerror(-rc));
		return rc;
	}
	fcntl(h->pidfd, F_SETFD, FD_CLOEXEC);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	h->sock = sv[0];
	h->state = ZVM_VH_IDLE;
	return 0;
}

int zvm_vh_start(struct zvm_vhelper *h, int image_fd, bool deterministic)
{
	struct zvm_vh_request req = { .deterministic = deterministic };
	ssize_t n = zvm_sendmsg_fds(h->sock, &req, sizeof(req), &image_fd, 1, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n != (ssize_t)sizeof(req))
		return n < 0 ? (int)n : -EIO;
	h->state = ZVM_VH_HASHING;
	return 0;
}

/* The sealed copy must be what the helper says: sealed against every
 * change, and of the size it reported. */
static int check_memfd(int fd, uint64_t size)
{
	int seals = fcntl(fd, F_GET_SEALS);
	struct stat st;

	if (seals < 0 || (seals & (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW)) != (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW))
		return -EPERM;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != size || size == 0 ||
	    size > SFI_MAX_IMAGE_SIZE)
		return -EPROTO;
	return 0;
}

int zvm_vh_read(struct zvm_vhelper *h, struct zvm_vh_reply *r)
{
	int fd = -1, rc, flags = 0;
	unsigned nfds = 0;
	ssize_t n;

	/* one fd at most is taken (the rest closed), even from an empty
	 * record, or it would leak */
	n = zvm_recvmsg_fds(h->sock, r, sizeof(*r), &fd, 1, &nfds, MSG_DONTWAIT, &flags);
	if (n == -EAGAIN)
		return 0;
	if (n != (ssize_t)sizeof(*r) || (flags & (MSG_TRUNC | MSG_CTRUNC))) {
		if (fd >= 0)
			close(fd);
		return n == 0 ? -ECONNRESET : -EPROTO;
	}
	r->rule[sizeof(r->rule) - 1] = r->disasm[sizeof(r->disasm) - 1] = r->message[sizeof(r->message) - 1] = '\0';
	if (r->kind == ZVM_VH_HASHED && h->state == ZVM_VH_HASHING) {
		if (fd < 0 || (rc = check_memfd(fd, r->size)) < 0) {
			if (fd >= 0)
				close(fd);
			return -EPROTO;
		}
		h->memfd = fd;
		memcpy(h->sha256, r->sha256, 32);
		h->size = r->size;
		return ZVM_VH_HASHED;
	}
	if (fd >= 0)
		close(fd);
	if (r->kind == ZVM_VH_RESULT && h->state == ZVM_VH_VALIDATING && (r->rc == 0 || r->rc == 1))
		return ZVM_VH_RESULT;
	if (r->kind == ZVM_VH_ERROR && r->rc < 0)
		return ZVM_VH_ERROR;
	return -EPROTO;
}

int zvm_vh_continue(struct zvm_vhelper *h, bool validate)
{
	char go = validate ? 'V' : 'Q';

	if (send(h->sock, &go, 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1)
		return -errno;
	h->state = ZVM_VH_VALIDATING;
	return 0;
}

void zvm_vh_verdict(const struct zvm_vh_reply *r, struct sfi_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->valid = r->rc == 0;
	v->rule = "unknown-rule";
	v->reason = "the validator helper named a rule this zvmd does not know";
	for (size_t i = 0; i < sfi_rule_count(); i++)
		if (!strcmp(sfi_rule_at(i)->name, r->rule)) {
			v->rule = sfi_rule_at(i)->name;
			v->reason = sfi_rule_at(i)->reason;
		}
	v->offset = r->offset;
	v->address = r->address;
	v->nbytes = r->nbytes <= sizeof(v->bytes) ? r->nbytes : sizeof(v->bytes);
	memcpy(v->bytes, r->bytes, v->nbytes);
	snprintf(v->disasm, sizeof(v->disasm), "%s", r->disasm);
	v->instructions = r->instructions;
}

void zvm_vh_reap(struct zvm_vhelper *h)
{
	if (h->pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, h->pidfd, SIGKILL, NULL, 0);
		while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	close_fd(&h->pidfd);
	close_fd(&h->sock);
	close_fd(&h->memfd);
	h->state = ZVM_VH_EMPTY;
	h->job = NULL;
}
