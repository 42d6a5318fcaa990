/* The jail's inside, run by its pid 1 (a fork of zvm-compile, not an exec):
 * an empty tmpfs root holding read-only binds of the toolchain, the
 * sources on a read-only tmpfs, /tmp and /out on bounded ones; then the
 * compiler as a child without capabilities under rlimits. Any failure is
 * reported to the caller in a zc_report and ends the jail. */
#include "compile/compile-internal.h"

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define JAIL_ID 1000 /* the compiler's uid and gid inside: not 0, so exec keeps no capability */

static int report_fd = -1;

static void fail(int err, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
static void fail(int err, const char *fmt, ...)
{
	struct zc_report r = { .kind = 'E', .err = err };
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(r.msg, sizeof(r.msg), fmt, ap);
	va_end(ap);
	n = strlen(r.msg);
	snprintf(r.msg + n, sizeof(r.msg) - n, ": %s", strerror(err));
	if (report_fd < 0) { /* the compiler's child, before exec: on its stderr */
		dprintf(2, "zvm-compile: jail: %s\n", r.msg);
		_exit(127);
	}
	if (write(report_fd, &r, sizeof(r)) < 0)
		_exit(3);
	_exit(2);
}

static void write_all(int fd, const char *p, size_t n, const char *what)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			fail(w < 0 ? errno : EIO, "writing %s", what);
		p += w;
		n -= w;
	}
}

/* mkdir -p of path's parents (and of path itself when dir) */
static void mkdirs(const char *path, bool dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				fail(errno, "mkdir %s", p);
			*s = '/';
		}
	if (dir && mkdir(p, 0755) < 0 && errno != EEXIST)
		fail(errno, "mkdir %s", p);
}

/* read-only, keeping the flags a less privileged mount may not clear
 * (the kernel refuses a remount that drops a locked nosuid/nodev/noexec) */
static void remount_ro(const char *path, bool dev)
{
	struct statvfs sv;
	unsigned long f = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | (dev ? 0 : MS_NODEV);

	if (statvfs(path, &sv) < 0)
		fail(errno, "statvfs %s", path);
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	if (mount(NULL, path, NULL, f, NULL) < 0)
		fail(errno, "remount %s read-only", path);
}

static void bind_ro(const char *host, const char *jail, bool dir, bool dev)
{
	char src[PATH_MAX + 16];

	snprintf(src, sizeof(src), "/oldroot%s", host);
	mkdirs(jail, dir);
	if (!dir) {
		int fd = open(jail, O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
		if (fd < 0)
			fail(errno, "mountpoint %s", jail);
		close(fd);
	}
	if (mount(src, jail, NULL, MS_BIND, NULL) < 0)
		fail(errno, "bind %s at %s", host, jail);
	remount_ro(jail, dev);
}

static void tmpfs(const char *path, uint64_t size, const char *mode)
{
	char opt[64];

	snprintf(opt, sizeof(opt), "size=%llu,nr_inodes=8192,mode=%s", (unsigned long long)size, mode);
	mkdirs(path, true);
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, opt) < 0)
		fail(errno, "tmpfs at %s", path);
}

static void write_sources(const struct zc_sources *s)
{
	tmpfs("/src", s->total + 64 * 1024 + (uint64_t)s->n * 4096, "0755");
	for (int i = 0; i < s->n; i++) {
		char p[PATH_MAX];
		int fd;

		snprintf(p, sizeof(p), "/src/%s", s->f[i].name);
		mkdirs(p, false);
		fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
		if (fd < 0)
			fail(errno, "writing source %s", s->f[i].name);
		write_all(fd, s->f[i].data, s->f[i].len, s->f[i].name);
		close(fd);
	}
	if (mount(NULL, "/src", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
		fail(errno, "remount /src read-only");
}

static void build_root(const struct zc_limits *l, const struct zc_toolchain *t, const struct zc_sources *s)
{
	int fd;

	/* no user namespace below this one: a nested one would give its
	 * creator every capability again (the sysctl is per user namespace,
	 * read through the host's /proc while it is still there) */
	if ((fd = open("/proc/sys/user/max_user_namespaces", O_WRONLY | O_CLOEXEC)) < 0 || write(fd, "0", 1) != 1)
		fail(errno, "user.max_user_namespaces = 0 in the jail");
	close(fd);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		fail(errno, "making mounts private");
	/* the new root: host paths stay reachable under /oldroot until the
	 * binds are made, then /oldroot goes */
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,nr_inodes=4096,mode=0755") < 0)
		fail(errno, "tmpfs for the root");
	if (mkdir("/tmp/oldroot", 0700) < 0)
		fail(errno, "mkdir oldroot");
	if (syscall(SYS_pivot_root, "/tmp", "/tmp/oldroot") < 0)
		fail(errno, "pivot_root");
	if (chdir("/") < 0)
		fail(errno, "chdir /");
	for (int i = 0; i < t->n; i++)
		bind_ro(t->b[i].host, t->b[i].jail, t->b[i].dir, false);
	bind_ro("/dev/null", "/dev/null", false, true); /* the only device */
	write_sources(s);
	tmpfs("/tmp", l->file_bytes * 4, "1777");
	tmpfs("/out", l->file_bytes + 64 * 1024, "0755");
	if (umount2("/oldroot", MNT_DETACH) < 0)
		fail(errno, "detaching the host's root");
	if (rmdir("/oldroot") < 0)
		fail(errno, "rmdir /oldroot");
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
		fail(errno, "remount / read-only");
	if (sethostname("zvm-compile", 11) < 0)
		fail(errno, "sethostname");
}

static void limit(int res, uint64_t soft, uint64_t hard, const char *name)
{
	struct rlimit r = { .rlim_cur = soft, .rlim_max = hard };

	if (setrlimit(res, &r) < 0)
		fail(errno, "setrlimit %s", name);
}

static void limits(const struct zc_limits *l);

static void exec_compiler(const struct zc_limits *l, const struct zc_sources *s, int out_w, int err_w)
{
	char *argv[4100];
	int n = 0, fd;
	char *const envp[] = { (char *)"PATH=/usr/bin:/bin", (char *)"TMPDIR=/tmp",
			       (char *)"ZVM_RUNTIME_DIR=/zvm/runtime", (char *)"LC_ALL=C", (char *)"HOME=/tmp", NULL };

	argv[n++] = (char *)"zvm-cc";
	argv[n++] = (char *)"-O2";
	argv[n++] = (char *)"-o";
	argv[n++] = (char *)"/out/prog.nexe";
	for (int i = 0; i < s->n && n < 4098; i++) {
		size_t k = strlen(s->f[i].name);
		if (k > 2 && !strcmp(s->f[i].name + k - 2, ".c"))
			argv[n++] = s->f[i].name;
	}
	argv[n] = NULL;
	if ((fd = open("/dev/null", O_RDONLY)) < 0 || dup2(fd, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
		fail(errno, "the compiler's stdio");
	if (syscall(SYS_close_range, 3, ~0U, 0) < 0)
		fail(errno, "close_range");
	limits(l);
	/* no capability in the namespace either, and none to gain */
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_apply(CAPNG_SELECT_BOTH) < 0)
		fail(EPERM, "dropping capabilities");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(errno, "no_new_privs");
	if (zc_seccomp_apply() < 0)
		fail(EINVAL, "loading the compiler's seccomp filter");
	if (chdir("/src") < 0)
		fail(errno, "chdir /src");
	execve("/zvm/bin/zvm-cc", argv, envp);
	fail(errno, "exec zvm-cc");
}

/* the limits of every process the jail runs (RLIMIT_NPROC counts per user
 * namespace: only the jail's own processes) */
static void limits(const struct zc_limits *l)
{
	uint64_t cpu_s = (l->cpu_ms + 999) / 1000;

	limit(RLIMIT_CPU, cpu_s ? cpu_s : 1, (cpu_s ? cpu_s : 1) + 1, "RLIMIT_CPU");
	limit(RLIMIT_AS, l->memory, l->memory, "RLIMIT_AS");
	limit(RLIMIT_FSIZE, l->file_bytes, l->file_bytes, "RLIMIT_FSIZE");
	limit(RLIMIT_NPROC, l->pids, l->pids, "RLIMIT_NPROC");
	limit(RLIMIT_NOFILE, l->nofile, l->nofile, "RLIMIT_NOFILE");
	limit(RLIMIT_CORE, 0, 0, "RLIMIT_CORE");
	limit(RLIMIT_MEMLOCK, 0, 0, "RLIMIT_MEMLOCK");
}

/* /out/prog.nexe to the caller's file, at most file_bytes */
static int copy_out(int outfd, uint64_t max)
{
	/* (non-blocking: a FIFO left there would not hold init up) */
	int fd = open("/out/prog.nexe", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	char buf[65536];
	ssize_t r;
	uint64_t total = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		if ((total += r) > max) {
			close(fd);
			return -EFBIG;
		}
		for (ssize_t o = 0; o < r;) {
			ssize_t w = write(outfd, buf + o, r - o);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				close(fd);
				return w < 0 ? -errno : -EIO;
			}
			o += w;
		}
	}
	close(fd);
	return r < 0 ? -errno : 0;
}

/* zvm validate on the image, as zvmd will: an asm() the rewriter let
 * through (raw bytes) is the compile's error, with the validator's rule and
 * offset on stderr. Its verdict goes to /tmp/validate.out, copied to the
 * compile's stderr only when it refuses. */
static int validate(const struct zc_limits *l, int err_w, int *vstatus)
{
	pid_t p = fork(), w;
	int ws = 0;

	if (p < 0)
		return -errno;
	if (p == 0) {
		char *const argv[] = { (char *)"zvm", (char *)"validate", (char *)"prog.nexe", NULL };
		char *const envp[] = { (char *)"PATH=/usr/bin:/bin", (char *)"LC_ALL=C", NULL };
		int fd;

		report_fd = -1;
		if ((fd = open("/tmp/validate.out", O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 || dup2(fd, 1) < 0 ||
		    dup2(err_w, 2) < 0 || chdir("/out") < 0)
			fail(errno, "the validator's stdio");
		syscall(SYS_close_range, 3, ~0U, 0);
		limits(l);
		execve("/zvm/bin/zvm-local", argv, envp);
		fail(errno, "exec the validator");
	}
	while ((w = waitpid(p, &ws, 0)) < 0 && errno == EINTR)
		;
	*vstatus = ws;
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
		int fd = open("/tmp/validate.out", O_RDONLY | O_CLOEXEC);
		char buf[65536];
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
		if (n > 0 && write(err_w, buf, n) < 0)
			n = -1;
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

void zc_jail_init(const struct zc_limits *l, const struct zc_toolchain *t, const struct zc_sources *s, int outfd,
		  int out_w, int err_w, int report_w, bool drop_groups)
{
	struct zc_report r = { .kind = 'R' };
	pid_t cc, p;
	int ws;

	report_fd = report_w;
	/* the caller's groups (a root caller's are root's) go first */
	if (drop_groups && setgroups(0, NULL) < 0)
		fail(errno, "setgroups");
	if (setresgid(JAIL_ID, JAIL_ID, JAIL_ID) < 0 || setresuid(JAIL_ID, JAIL_ID, JAIL_ID) < 0)
		fail(errno, "taking the jail's uid");
	/* the compiler runs as this uid too: it may not trace pid 1 or read
	 * its memory */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		fail(errno, "PR_SET_DUMPABLE");
	build_root(l, t, s);
	cc = fork();
	if (cc < 0)
		fail(errno, "fork");
	if (cc == 0) {
		close(outfd);
		close(report_w);
		report_fd = -1;
		exec_compiler(l, s, out_w, err_w);
	}
	close(out_w);
	/* pid 1 reaps everything, the orphans of gcc's children too, so
	 * their CPU time is in what the caller's wait4 sees */
	while ((p = waitpid(-1, &ws, 0)) != -1 || errno == EINTR)
		if (p == cc)
			r.wstatus = ws;
	if (WIFEXITED(r.wstatus) && WEXITSTATUS(r.wstatus) == 0) {
		r.validated = true;
		if (validate(l, err_w, &r.vstatus) < 0)
			fail(errno, "fork the validator");
		if (WIFEXITED(r.vstatus) && WEXITSTATUS(r.vstatus) == 0)
			r.copy_err = copy_out(outfd, l->file_bytes);
	}
	close(err_w);
	if (write(report_w, &r, sizeof(r)) != sizeof(r))
		_exit(3);
	_exit(0);
}
