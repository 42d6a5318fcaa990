/* The caller's side of a compile: namespaces, maps, the cgroup, the wall
 * limit, the compiler's output, the verdict. */
#include "compile/compile-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define JAIL_ID 1000

void zc_limits_default(struct zc_limits *l)
{
	*l = (struct zc_limits){
		.wall_ms = 10000,
		.cpu_ms = 5000,
		.memory = 512ull << 20,
		.output_bytes = 64 * 1024,
		.file_bytes = 64ull << 20,
		.src_bytes = 4ull << 20,
		.pids = 32,
		.nofile = 128,
		.uid = 65534,
		.gid = 65534,
	};
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_proc(pid_t pid, const char *name, const char *text)
{
	char p[64];
	int fd, rc = 0;
	ssize_t n = strlen(text);

	snprintf(p, sizeof(p), "/proc/%d/%s", pid, name);
	if ((fd = open(p, O_WRONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (write(fd, text, n) != n)
		rc = -errno;
	close(fd);
	return rc;
}

/* A stream of the compiler's, kept up to cap bytes. */
struct stream {
	int fd;
	char *buf;
	size_t len, cap;
	bool over;
};

static int drain(struct stream *s)
{
	char tmp[65536];
	ssize_t r = read(s->fd, tmp, sizeof(tmp));

	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -errno;
	if (r == 0)
		return 0;
	size_t keep = s->len < s->cap ? s->cap - s->len : 0;
	if ((size_t)r > keep)
		s->over = true;
	if (keep > (size_t)r)
		keep = r;
	memcpy(s->buf + s->len, tmp, keep);
	s->len += keep;
	return 1;
}

/* When zvm-cc exits non-zero, which limit (if any) its children met:
 * gcc and zvm-cc name the signal that ended cc1, as or ld (strsignal). A
 * source can print these words itself (#error), and so choose the label of
 * its own failed compile: nothing more. */
static enum zc_status failed_why(const struct zc_result *r, const struct zc_limits *l)
{
	static const struct {
		const char *text;
		enum zc_status st;
	} words[] = {
		{ "CPU time limit exceeded", ZC_TIMEOUT },   /* SIGXCPU: RLIMIT_CPU */
		{ "out of memory", ZC_MEMORY },              /* cc1 under RLIMIT_AS */
		{ "memory exhausted", ZC_MEMORY },           /* "virtual memory exhausted" */
		{ "Cannot allocate memory", ZC_MEMORY },     /* as, ld */
		{ "File size limit exceeded", ZC_OUTPUT },   /* SIGXFSZ: RLIMIT_FSIZE */
		{ "No space left on device", ZC_OUTPUT },    /* /tmp or /out full */
	};

	if (r->cpu_ms >= l->cpu_ms)
		return ZC_TIMEOUT;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (r->err && memmem(r->err, r->err_len, words[i].text, strlen(words[i].text)))
			return words[i].st;
	return ZC_ERROR;
}

static int clone_jail(void)
{
	return syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC |
					  CLONE_NEWUTS | CLONE_NEWCGROUP | SIGCHLD,
		       NULL, NULL, NULL, NULL);
}

static void userns_hint(int err, char *msg, size_t msglen)
{
	char v[32] = "?";
	FILE *f = fopen("/proc/sys/user/max_user_namespaces", "re");

	if (f) {
		if (fgets(v, sizeof(v), f))
			v[strcspn(v, "\n")] = '\0';
		fclose(f);
	}
	snprintf(msg, msglen,
		 "cannot create the jail's namespaces (clone: %s): unprivileged user namespaces are off on this host "
		 "(user.max_user_namespaces = %s; kernel.unprivileged_userns_clone or an AppArmor/SELinux rule may forbid them)",
		 strerror(err), v);
}

int zc_run(const struct zc_limits *l, const struct zc_toolchain *t, const struct zc_sources *s,
	   const char *out_path, struct zc_result *r, char *msg, size_t msglen)
{
	struct zc_cgroup cg = { { 0 } };
	struct zc_cgroup_stats cst;
	struct zc_report rep = { 0 };
	struct stream so = { .fd = -1 }, se = { .fd = -1 };
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, pr[2] = { -1, -1 }, ps[2] = { -1, -1 };
	int outfd = -1, ws = 0, rc;
	size_t rep_len = 0;
	bool root = geteuid() == 0, killed = false, timed_out = false;
	uint64_t start = now_ms(), deadline = start + l->wall_ms;
	struct rusage ru = { 0 };
	char *tmp = NULL, map[64];
	pid_t pid;

	memset(r, 0, sizeof(*r));
	msg[0] = '\0';
	if (asprintf(&tmp, "%s.XXXXXX", out_path) < 0)
		return -ENOMEM;
	if ((outfd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		rc = -errno;
		snprintf(msg, msglen, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return rc;
	}
	{
		mode_t um = umask(0);
		umask(um);
		fchmod(outfd, 0666 & ~um); /* as a plain create would */
	}
	so.cap = se.cap = l->output_bytes;
	so.buf = malloc(so.cap + 1);
	se.buf = malloc(se.cap + 1);
	if (!so.buf || !se.buf) {
		rc = -ENOMEM;
		goto out_free;
	}
	if ((rc = zc_cgroup_create(&cg, l, msg, msglen)) < 0)
		goto out_free;
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0 || pipe2(pr, O_CLOEXEC) < 0 ||
	    pipe2(ps, O_CLOEXEC) < 0) {
		rc = -errno;
		snprintf(msg, msglen, "pipe: %s", strerror(errno));
		goto out_pipes;
	}
	pid = clone_jail();
	if (pid < 0) {
		rc = -errno;
		userns_hint(errno, msg, msglen);
		goto out_pipes;
	}
	if (pid == 0) {
		char c;
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		/* the caller's stdio is not the jail's: stdout is the report's */
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(2);
		close(null);
		close(po[0]);
		close(pe[0]);
		close(pr[0]);
		close(ps[1]);
		/* the caller has written the maps (or gave up: EOF) */
		if (read(ps[0], &c, 1) != 1)
			_exit(2);
		close(ps[0]);
		zc_jail_init(l, t, s, outfd, po[1], pe[1], pr[1], root);
	}
	close(po[1]);
	close(pe[1]);
	close(pr[1]);
	close(ps[0]);
	po[1] = pe[1] = pr[1] = ps[0] = -1;
	/* inside, JAIL_ID is the caller's uid, or for a root caller an
	 * unprivileged one: the jail never holds host root */
	snprintf(map, sizeof(map), "%d %u 1\n", JAIL_ID, root ? (unsigned)l->uid : (unsigned)geteuid());
	rc = write_proc(pid, "uid_map", map);
	if (rc == 0 && !root)
		rc = write_proc(pid, "setgroups", "deny");
	snprintf(map, sizeof(map), "%d %u 1\n", JAIL_ID, root ? (unsigned)l->gid : (unsigned)getegid());
	if (rc == 0)
		rc = write_proc(pid, "gid_map", map);
	if (rc < 0)
		snprintf(msg, msglen, "writing the jail's uid/gid maps: %s", strerror(-rc));
	else if ((rc = zc_cgroup_enter(&cg, pid)) < 0)
		snprintf(msg, msglen, "%s/cgroup.procs: %s", cg.path, strerror(-rc));
	if (rc < 0 || write(ps[1], "g", 1) != 1) {
		if (rc == 0) {
			rc = -EIO;
			snprintf(msg, msglen, "the jail ended before it started");
		}
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out_pipes;
	}
	close(ps[1]);
	ps[1] = -1;
	so.fd = po[0];
	se.fd = pe[0];
	po[0] = pe[0] = -1; /* the streams own them now */

	for (;;) {
		struct pollfd pf[3] = { { so.fd, POLLIN, 0 }, { se.fd, POLLIN, 0 }, { pr[0], POLLIN, 0 } };
		uint64_t now = now_ms();
		int wait;

		if (so.fd < 0 && se.fd < 0 && pr[0] < 0)
			break;
		if (!killed && now >= deadline) {
			kill(pid, SIGKILL); /* pid 1: the whole namespace goes */
			killed = timed_out = true;
		}
		wait = killed ? 1000 : (int)(deadline - now);
		if (poll(pf, 3, wait) < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		if (pf[0].revents && (rc = drain(&so)) <= 0) {
			close(so.fd);
			so.fd = -1;
		}
		if (pf[1].revents && (rc = drain(&se)) <= 0) {
			close(se.fd);
			se.fd = -1;
		}
		if (pf[2].revents) {
			ssize_t n = read(pr[0], (char *)&rep + rep_len, sizeof(rep) - rep_len);
			if (n > 0)
				rep_len += n;
			if (n <= 0 || rep_len == sizeof(rep)) {
				close(pr[0]);
				pr[0] = -1;
			}
		}
		if (!killed && (so.over || se.over)) {
			kill(pid, SIGKILL);
			killed = true;
		}
	}
	rc = 0;
	while (wait4(pid, &ws, 0, &ru) < 0 && errno == EINTR)
		;
	r->wall_ms = now_ms() - start;
	zc_cgroup_read(&cg, &cst);
	r->cgroup = cg.path[0] != '\0';
	r->cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
	r->memory_bytes = (uint64_t)ru.ru_maxrss * 1024;
	if (r->cgroup) {
		if (cst.cpu_us)
			r->cpu_ms = cst.cpu_us / 1000;
		if (cst.memory_peak)
			r->memory_bytes = cst.memory_peak;
	}
	r->out = so.buf;
	r->out_len = so.len;
	r->err = se.buf;
	r->err_len = se.len;
	so.buf = se.buf = NULL;
	r->truncated = so.over || se.over;
	r->exit_code = -1;
	if (!killed && rep_len == sizeof(rep) && rep.kind == 'E') {
		rc = rep.err ? -rep.err : -EIO;
		snprintf(msg, msglen, "jail: %s", rep.msg);
		zc_result_free(r);
		goto out_cgroup;
	}
	if (timed_out) {
		r->status = ZC_TIMEOUT;
		r->signal = SIGKILL;
	} else if (killed) {
		r->status = ZC_OUTPUT;
		r->signal = SIGKILL;
	} else if (rep_len != sizeof(rep)) {
		rc = -EIO;
		snprintf(msg, msglen, "the jail's init ended without a report (wait status 0x%x)", ws);
		zc_result_free(r);
		goto out_cgroup;
	} else if (WIFSIGNALED(rep.wstatus)) {
		int sig = WTERMSIG(rep.wstatus);
		r->signal = sig;
		r->status = sig == SIGXCPU || sig == SIGKILL ? ZC_TIMEOUT : sig == SIGXFSZ ? ZC_OUTPUT : ZC_ERROR;
		if (cst.oom)
			r->status = ZC_MEMORY;
	} else {
		r->exit_code = WEXITSTATUS(rep.wstatus);
		if (r->exit_code == 0 && rep.validated && !(WIFEXITED(rep.vstatus) && WEXITSTATUS(rep.vstatus) == 0)) {
			/* the validator refused the image (its rule on stderr) */
			r->exit_code = WIFEXITED(rep.vstatus) ? WEXITSTATUS(rep.vstatus) : -1;
			r->signal = WIFSIGNALED(rep.vstatus) ? WTERMSIG(rep.vstatus) : 0;
			r->status = ZC_ERROR;
		} else if (r->exit_code == 0 && rep.copy_err == 0)
			r->status = ZC_OK;
		else if (r->exit_code == 0)
			r->status = rep.copy_err == -EFBIG ? ZC_OUTPUT : ZC_ERROR;
		else
			r->status = cst.oom ? ZC_MEMORY : failed_why(r, l);
	}
	if (r->status == ZC_OK && rename(tmp, out_path) < 0) {
		rc = -errno;
		snprintf(msg, msglen, "%s: %s", out_path, strerror(errno));
		zc_result_free(r);
	}
out_cgroup:
	zc_cgroup_destroy(&cg);
	goto out_close;
out_pipes:
	zc_cgroup_destroy(&cg);
out_close:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
		if (pr[i] >= 0)
			close(pr[i]);
		if (ps[i] >= 0)
			close(ps[i]);
	}
out_free:
	if (so.fd >= 0)
		close(so.fd);
	if (se.fd >= 0)
		close(se.fd);
	free(so.buf);
	free(se.buf);
	close(outfd);
	if (rc < 0 || r->status != ZC_OK) {
		unlink(tmp);
		if (rc == 0)
			unlink(out_path); /* no stale image under the name of a failed compile */
	}
	free(tmp);
	return rc;
}
