/*
 * test_zrt_fs.c — ZRT's file system against the real thing: the same
 * random sequence of system calls (open with every flag, read, write,
 * pread/pwrite, lseek, ftruncate/truncate, mkdir, unlink/rmdir, rename and
 * RENAME_NOREPLACE, stat, getdents64, dup/dup3/fcntl, chdir/fchdir,
 * getcwd, readlink, chmod) runs on ZRT's in-memory tree (natively, fake
 * traps) and on the host kernel in a fresh directory under /dev/shm, and
 * every result must agree: the return value or errno, the bytes read, the
 * stat fields that do not depend on the host (type, permission bits, size
 * of regular files, link count), the directory listings.
 *
 * ZRT works in /w with / as its parent; the host in $tmp/w with $tmp as
 * its parent, so paths up to one ".." above w mean the same thing on both
 * sides. Permission checks are left out (the tests may run as root, who
 * bypasses them), so every mode keeps the owner's rwx bits.
 *
 * A mismatch prints the seed and the calls that led to it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <cmocka.h>

#include "zvm.h"
#include "zrt.h"
#include "zrt-support.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

static struct zvm_info info;
static struct zvm_channel_info ci[FAKE_CHANS];
static char host_tmp[64];

/* ---- a small deterministic generator ------------------------------------------ */

static uint64_t rng_state;
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
static unsigned pick(unsigned n) { return (unsigned)(rnd() % n); }

/* ---- the log of the calls of one sequence -------------------------------------- */

#define LOG_LINES 1024
static char log_lines[LOG_LINES][200];
static unsigned log_count;
static uint64_t cur_seed;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(log_lines[log_count % LOG_LINES], sizeof(log_lines[0]), fmt, ap);
	va_end(ap);
	log_count++;
}

static void dump_log(void)
{
	unsigned shown = getenv("ZRT_FS_VERBOSE") ? LOG_LINES : 40;
	unsigned first = log_count > shown ? log_count - shown : 0;
	fprintf(stderr, "seed %llu, calls %u..%u:\n", (unsigned long long)cur_seed, first, log_count - 1);
	for (unsigned i = first; i < log_count; i++)
		fprintf(stderr, "  %4u %s\n", i, log_lines[i % LOG_LINES]);
}

static unsigned mismatches;
#define AGREE(cond, ...)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			logf_(__VA_ARGS__);                               \
			dump_log();                                       \
			mismatches++;                                     \
			return -1;                                        \
		}                                                         \
	} while (0)

/* host result as the kernel's: value or -errno */
static long h(long r) { return r < 0 ? -errno : r; }

/* ---- the two worlds --------------------------------------------------------------- */

#define SLOTS 12
static long zfd[SLOTS], hfd[SLOTS]; /* -1: empty */

static char name255[260], name256[260], d_name256[300], name255_x[300];
static const char *const paths[] = {
	"a", "b", "c", "d", "d/e", "d/e/f", "d/x", "a/", "d/", "d/e/", ".", "..", "d/..", "d/./e",
	"d//e", "../w/a", "../w/d/e", "/w/a", "/w/d", "/w/d/e/f", "/w/b", "//w//c", "../q", "x/y",
	"", "d/e/..", "a/.", "./b", name255, name256, d_name256, name255_x, "/w/", "/w/d/",
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

static const char *host_path(const char *p, char *buf, size_t len)
{
	if (p[0] == '/') {
		snprintf(buf, len, "%s%s", host_tmp, p);
		return buf;
	}
	return p;
}

static const char *rpath(void) { return paths[pick(NPATHS)]; }

static int new_world(void)
{
	char w[80];
	int rc;

	fake_cell(&info, ci, 0, NULL, NULL, NULL, NULL);
	if ((rc = zrt_fs_init(&info)) < 0)
		return rc;
	if (zrt_sys_mkdirat(AT_FDCWD, "/w", 0755) || zrt_sys_chdir("/w"))
		return -1;
	snprintf(host_tmp, sizeof(host_tmp), "/dev/shm/zrt-fs-XXXXXX");
	if (!mkdtemp(host_tmp)) {
		snprintf(host_tmp, sizeof(host_tmp), "/tmp/zrt-fs-XXXXXX");
		if (!mkdtemp(host_tmp))
			return -1;
	}
	chmod(host_tmp, 0755); /* like ZRT's / */
	snprintf(w, sizeof(w), "%s/w", host_tmp);
	umask(022);
	if (mkdir(w, 0755) || chdir(w))
		return -1;
	for (int i = 0; i < SLOTS; i++)
		zfd[i] = hfd[i] = -1;
	return 0;
}

static void end_world(void)
{
	char cmd[128];

	for (int i = 0; i < SLOTS; i++)
		if (hfd[i] >= 0)
			close((int)hfd[i]);
	if (chdir("/") == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", host_tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", host_tmp);
	}
}

static int free_slot(void)
{
	for (int i = 0; i < SLOTS; i++)
		if (zfd[i] < 0)
			return i;
	return -1;
}

/* Either both calls made a descriptor (kept in a slot) or both failed alike. */
static int pair_fds(long z, long hh, const char *what)
{
	AGREE((z < 0) == (hh < 0) && (z >= 0 || z == hh), "%s: zrt %ld, host %ld", what, z, hh);
	if (z >= 0) {
		int s = free_slot();
		if (s < 0) {
			zrt_sys_close((int)z);
			close((int)hh);
		} else {
			zfd[s] = z;
			hfd[s] = hh;
		}
	}
	return 0;
}

static int stat_agree(long z, long hh, const struct stat *zs, const struct stat *hs, const char *what)
{
	AGREE(z == hh, "%s: zrt %ld, host %ld", what, z, hh);
	if (z < 0)
		return 0;
	AGREE(zs->st_mode == hs->st_mode, "%s: mode zrt %o, host %o", what, zs->st_mode, hs->st_mode);
	if (S_ISREG(zs->st_mode))
		AGREE(zs->st_size == hs->st_size, "%s: size zrt %lld, host %lld", what, (long long)zs->st_size,
		      (long long)hs->st_size);
	if (zs->st_ino != 1) /* ZRT's / holds dev and tmp too */
		AGREE(zs->st_nlink == hs->st_nlink, "%s: nlink zrt %lu, host %lu", what, (unsigned long)zs->st_nlink,
	      (unsigned long)hs->st_nlink);
	return 0;
}

/* The names and types in a directory, sorted, as one string. */
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static long listing(int zrt, int fd, char *out, size_t cap)
{
	static char buf[1 << 14];
	char *names[256];
	int count = 0;
	long n;

	for (;;) {
		n = zrt ? zrt_sys_getdents64(fd, buf, sizeof(buf)) : h(syscall(SYS_getdents64, fd, buf, sizeof(buf)));
		if (n <= 0)
			break;
		for (long at = 0; at < n;) {
			struct dirent64 *de = (struct dirent64 *)(buf + at);
			if (count < 256) {
				names[count] = malloc(strlen(de->d_name) + 4);
				sprintf(names[count], "%s:%d", de->d_name, de->d_type);
				count++;
			}
			at += de->d_reclen;
		}
	}
	qsort(names, (size_t)count, sizeof(names[0]), cmp_str);
	out[0] = '\0';
	for (int i = 0; i < count; i++) {
		if (strlen(out) + strlen(names[i]) + 2 < cap) {
			strcat(out, names[i]);
			strcat(out, " ");
		}
		free(names[i]);
	}
	return n;
}

/* ---- one random call on both sides ------------------------------------------------ */

static int one_call(void)
{
	static const int accs[] = { O_RDONLY, O_WRONLY, O_RDWR };
	static const int extra[] = { O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC, O_PATH };
	char hb1[128], hb2[128];
	unsigned char zbuf[256], hbuf[256], data[256];
	struct stat zs, hs;
	int s = (int)pick(SLOTS);
	long z, hh;
	int zf = (int)zfd[s], hf = (int)hfd[s];

	if (zf < 0) /* an unused slot: a descriptor that is not open */
		zf = hf = 900 + s;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)rnd();
	switch (pick(27)) {
	case 0:
	case 1:
	case 2: { /* openat */
		const char *p = rpath();
		int flags = accs[pick(3)], mode = pick(2) ? 0644 : 0755;
		for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
			if (pick(i < 2 ? 2 : 5) == 0)
				flags |= extra[i];
		int ds = (int)pick(SLOTS + 4);
		struct stat dst;
		/* not from the parent of w: its ".." differs */
		if (ds < SLOTS && zfd[ds] >= 0 && zrt_sys_fstat((int)zfd[ds], &dst) == 0 && dst.st_ino == 1)
			ds = SLOTS;
		int zd = ds < SLOTS && zfd[ds] >= 0 ? (int)zfd[ds] : AT_FDCWD;
		int hd = ds < SLOTS && zfd[ds] >= 0 ? (int)hfd[ds] : AT_FDCWD;
		z = zrt_sys_openat(zd, p, flags, mode);
		hh = h(openat(hd, host_path(p, hb1, sizeof(hb1)), flags, mode));
		logf_("openat(%s %d, \"%s\", %#o, %o) = zrt %ld, host %ld", zd == AT_FDCWD ? "cwd" : "slot",
		      zd == AT_FDCWD ? -1 : ds, p, flags, mode, z, hh);
		if (pair_fds(z, hh, "openat") < 0)
			return -1;
		if (z >= 0)
			for (int i = 0; i < SLOTS; i++)
				if (zfd[i] == z)
					logf_("  in slot %d", i);
		return 0;
	}
	case 3: /* close */
		z = zrt_sys_close(zf);
		hh = h(close(hf));
		logf_("close(slot %d) = zrt %ld, host %ld", s, z, hh);
		AGREE(z == hh, "close differs");
		if (z == 0)
			zfd[s] = hfd[s] = -1;
		return 0;
	case 4:
	case 5: { /* read */
		size_t n = pick(3) ? pick(40) : 300 % sizeof(zbuf);
		z = zrt_sys_read(zf, zbuf, n);
		hh = h(read(hf, hbuf, n));
		logf_("read(slot %d, %zu) = zrt %ld, host %ld", s, n, z, hh);
		AGREE(z == hh, "read differs");
		if (z > 0)
			AGREE(!memcmp(zbuf, hbuf, (size_t)z), "read: different bytes");
		return 0;
	}
	case 6:
	case 7: { /* write */
		size_t n = pick(50);
		z = zrt_sys_write(zf, data, n);
		hh = h(write(hf, data, n));
		logf_("write(slot %d, %zu) = zrt %ld, host %ld", s, n, z, hh);
		AGREE(z == hh, "write differs");
		return 0;
	}
	case 8: { /* pread / pwrite */
		int64_t off = pick(4) ? (int64_t)pick(200) : -(int64_t)pick(3);
		size_t n = pick(60);
		if (pick(2)) {
			z = zrt_sys_pread(zf, zbuf, n, off);
			hh = h(pread(hf, hbuf, n, off));
			logf_("pread(slot %d, %zu, %lld) = zrt %ld, host %ld", s, n, (long long)off, z, hh);
			AGREE(z == hh, "pread differs");
			if (z > 0)
				AGREE(!memcmp(zbuf, hbuf, (size_t)z), "pread: different bytes");
		} else {
			z = zrt_sys_pwrite(zf, data, n, off);
			hh = h(pwrite(hf, data, n, off));
			logf_("pwrite(slot %d, %zu, %lld) = zrt %ld, host %ld", s, n, (long long)off, z, hh);
			AGREE(z == hh, "pwrite differs");
		}
		return 0;
	}
	case 9: { /* lseek */
		int whence = (int)pick(4);
		int64_t off = (int64_t)pick(300) - 50;
		if (whence == 3)
			whence = 7; /* not a whence */
		z = zrt_sys_lseek(zf, off, whence);
		hh = h(lseek(hf, off, whence));
		logf_("lseek(slot %d, %lld, %d) = zrt %ld, host %ld", s, (long long)off, whence, z, hh);
		/* a directory's position is the file system's own cookie */
		struct stat st;
		if (whence == SEEK_CUR && fstat(hf, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
		AGREE(z == hh, "lseek differs");
		return 0;
	}
	case 10: { /* ftruncate / truncate */
		int64_t len = pick(5) ? (int64_t)pick(300) : -1;
		if (pick(2)) {
			z = zrt_sys_ftruncate(zf, len);
			hh = h(ftruncate(hf, len));
			logf_("ftruncate(slot %d, %lld) = zrt %ld, host %ld", s, (long long)len, z, hh);
		} else {
			const char *p = rpath();
			z = zrt_sys_truncate(p, len);
			hh = h(truncate(host_path(p, hb1, sizeof(hb1)), len));
			logf_("truncate(\"%s\", %lld) = zrt %ld, host %ld", p, (long long)len, z, hh);
		}
		AGREE(z == hh, "truncate differs");
		return 0;
	}
	case 11:
	case 12: { /* mkdirat */
		const char *p = rpath();
		int mode = pick(2) ? 0755 : 0700;
		z = zrt_sys_mkdirat(AT_FDCWD, p, mode);
		hh = h(mkdirat(AT_FDCWD, host_path(p, hb1, sizeof(hb1)), mode));
		logf_("mkdir(\"%s\", %o) = zrt %ld, host %ld", p, mode, z, hh);
		AGREE(z == hh, "mkdir differs");
		return 0;
	}
	case 13: { /* unlinkat */
		const char *p = rpath();
		int flags = pick(2) ? AT_REMOVEDIR : 0;
		z = zrt_sys_unlinkat(AT_FDCWD, p, flags);
		hh = h(unlinkat(AT_FDCWD, host_path(p, hb1, sizeof(hb1)), flags));
		logf_("unlinkat(\"%s\", %#x) = zrt %ld, host %ld", p, flags, z, hh);
		AGREE(z == hh, "unlinkat differs");
		return 0;
	}
	case 14:
	case 15: { /* renameat2 */
		const char *a = rpath(), *b = rpath();
		unsigned flags = pick(3) ? 0 : RENAME_NOREPLACE;
		z = zrt_sys_renameat2(AT_FDCWD, a, AT_FDCWD, b, flags);
		hh = h(syscall(SYS_renameat2, AT_FDCWD, host_path(a, hb1, sizeof(hb1)), AT_FDCWD,
			       host_path(b, hb2, sizeof(hb2)), flags));
		logf_("renameat2(\"%s\", \"%s\", %u) = zrt %ld, host %ld", a, b, flags, z, hh);
		AGREE(z == hh, "renameat2 differs");
		return 0;
	}
	case 16: { /* fstatat / fstat */
		if (pick(2)) {
			const char *p = rpath();
			int flags = pick(3) ? 0 : AT_SYMLINK_NOFOLLOW;
			if (!p[0] && pick(2))
				flags |= AT_EMPTY_PATH;
			z = zrt_sys_fstatat(AT_FDCWD, p, &zs, flags);
			hh = h(fstatat(AT_FDCWD, host_path(p, hb1, sizeof(hb1)), &hs, flags));
			logf_("fstatat(\"%s\", %#x) = zrt %ld, host %ld", p, flags, z, hh);
		} else {
			z = zrt_sys_fstat(zf, &zs);
			hh = h(fstat(hf, &hs));
			logf_("fstat(slot %d) = zrt %ld, host %ld", s, z, hh);
		}
		return stat_agree(z, hh, &zs, &hs, "stat");
	}
	case 17: { /* getdents64 from the start */
		static char zl[4096], hl[4096];
		if (zrt_sys_lseek(zf, 0, SEEK_SET) < 0 || lseek(hf, 0, SEEK_SET) < 0) {
			z = zrt_sys_getdents64(zf, zbuf, sizeof(zbuf));
			hh = h(syscall(SYS_getdents64, hf, hbuf, sizeof(hbuf)));
			logf_("getdents64(slot %d) = zrt %ld, host %ld", s, z, hh);
			AGREE((z < 0 && z == hh) || (z >= 0 && hh >= 0), "getdents64 differs");
			return 0;
		}
		/* the parent of w differs (ZRT's / holds dev and tmp) */
		if (zrt_sys_fstat(zf, &zs) == 0 && zs.st_ino == 1)
			return 0;
		z = listing(1, zf, zl, sizeof(zl));
		hh = listing(0, hf, hl, sizeof(hl));
		logf_("getdents64(slot %d) = zrt %ld [%s], host %ld [%s]", s, z, zl, hh, hl);
		AGREE(z == hh && !strcmp(zl, hl), "listing differs");
		return 0;
	}
	case 18: { /* dup, dup3, fcntl */
		int t = (int)pick(SLOTS), tz = zfd[t] >= 0 ? (int)zfd[t] : 700 + t, th = zfd[t] >= 0 ? (int)hfd[t] : 700 + t;
		switch (pick(5)) {
		case 0:
			z = zrt_sys_dup(zf);
			hh = h(dup(hf));
			logf_("dup(slot %d) = zrt %ld, host %ld", s, z, hh);
			if (pair_fds(z, hh, "dup") < 0)
				return -1;
			for (int i = 0; z >= 0 && i < SLOTS; i++)
				if (zfd[i] == z)
					logf_("  in slot %d", i);
			return 0;
		case 1: {
			int fl = pick(2) ? O_CLOEXEC : 0;
			if (tz == zf && hf != th) /* keep the two worlds' fd equalities alike */
				return 0;
			z = zrt_sys_dup3(zf, tz, fl);
			hh = h(dup3(hf, th, fl));
			logf_("dup3(slot %d, slot %d, %#x) = zrt %ld, host %ld", s, t, fl, z, hh);
			AGREE((z < 0) == (hh < 0) && (z >= 0 || z == hh), "dup3 differs");
			if (z >= 0 && zfd[t] < 0) {
				zfd[t] = z;
				hfd[t] = hh;
			}
			return 0;
		}
		case 2:
			z = zrt_sys_fcntl(zf, F_GETFL, 0);
			hh = h(fcntl(hf, F_GETFL));
			logf_("F_GETFL(slot %d) = zrt %#lx, host %#lx", s, z, hh);
			/* the kernel adds O_LARGEFILE */
			AGREE(z == (hh < 0 ? hh : hh & ~0x8000L), "F_GETFL differs");
			return 0;
		case 3: {
			int fl = pick(2) ? O_APPEND : 0;
			z = zrt_sys_fcntl(zf, F_SETFL, fl);
			hh = h(fcntl(hf, F_SETFL, fl));
			logf_("F_SETFL(slot %d, %#x) = zrt %ld, host %ld", s, fl, z, hh);
			AGREE(z == hh, "F_SETFL differs");
			return 0;
		}
		default:
			z = zrt_sys_fcntl(zf, F_GETFD, 0);
			hh = h(fcntl(hf, F_GETFD));
			logf_("F_GETFD(slot %d) = zrt %ld, host %ld", s, z, hh);
			AGREE(z == hh, "F_GETFD differs");
			return 0;
		}
	}
	case 19: { /* chdir / fchdir */
		static const char *const dirs[] = { "/w", "/w/d", "/w/d/e", "d", "e", "a", "d/..", "x" };
		if (pick(3)) {
			const char *p = dirs[pick(8)];
			z = zrt_sys_chdir(p);
			hh = h(chdir(host_path(p, hb1, sizeof(hb1))));
			logf_("chdir(\"%s\") = zrt %ld, host %ld", p, z, hh);
		} else {
			/* not to the parent of w, whose own parent differs */
			if (zrt_sys_fstat(zf, &zs) == 0 && zs.st_ino == 1)
				return 0;
			z = zrt_sys_fchdir(zf);
			hh = h(fchdir(hf));
			logf_("fchdir(slot %d) = zrt %ld, host %ld", s, z, hh);
		}
		AGREE(z == hh, "chdir differs");
		if (z == 0) { /* never climb above w: ".." would differ */
			char zc[256];
			long n = zrt_sys_getcwd(zc, sizeof(zc));
			if (n < 0 || strncmp(zc, "/w", 2) != 0) {
				logf_("cwd left /w: back to /w");
				zrt_sys_chdir("/w");
				snprintf(hb1, sizeof(hb1), "%s/w", host_tmp);
				if (chdir(hb1) != 0)
					return -1;
			}
		}
		return 0;
	}
	case 20: { /* getcwd */
		char zc[256], hc[256];
		z = zrt_sys_getcwd(zc, sizeof(zc));
		hh = syscall(SYS_getcwd, hc, sizeof(hc));
		hh = h(hh);
		logf_("getcwd = zrt %ld \"%s\", host %ld \"%s\"", z, z > 0 ? zc : "", hh, hh > 0 ? hc : "");
		if (z > 0 && hh > 0) {
			size_t tl = strlen(host_tmp);
			AGREE(!strncmp(hc, host_tmp, tl) && !strcmp(zc, hc + tl), "getcwd differs");
			AGREE(z == hh - (long)tl, "getcwd length differs");
		} else {
			AGREE(z == hh, "getcwd differs");
		}
		return 0;
	}
	case 21: { /* readlinkat */
		const char *p = rpath();
		char zl[64], hl[64];
		z = zrt_sys_readlinkat(AT_FDCWD, p, zl, sizeof(zl));
		hh = h(readlinkat(AT_FDCWD, host_path(p, hb1, sizeof(hb1)), hl, sizeof(hl)));
		logf_("readlinkat(\"%s\") = zrt %ld, host %ld", p, z, hh);
		AGREE(z == hh, "readlinkat differs");
		return 0;
	}
	case 22: { /* chmod, keeping the owner's bits */
		const char *p = rpath();
		int mode = 0700 | (int)pick(0100);
		if (pick(2)) {
			z = zrt_sys_fchmodat(AT_FDCWD, p, mode);
			hh = h(fchmodat(AT_FDCWD, host_path(p, hb1, sizeof(hb1)), (mode_t)mode, 0));
			logf_("chmod(\"%s\", %o) = zrt %ld, host %ld", p, mode, z, hh);
		} else {
			z = zrt_sys_fchmod(zf, mode);
			hh = h(fchmod(hf, (mode_t)mode));
			logf_("fchmod(slot %d, %o) = zrt %ld, host %ld", s, mode, z, hh);
		}
		AGREE(z == hh, "chmod differs");
		return 0;
	}
	case 23: { /* readv / writev */
		unsigned char z2[40], h2[40];
		size_t l1 = pick(20), l2 = pick(40);
		if (pick(2)) {
			struct iovec zi[2] = { { zbuf, l1 }, { z2, l2 } }, hi[2] = { { hbuf, l1 }, { h2, l2 } };
			z = zrt_sys_readv(zf, zi, 2);
			hh = h(readv(hf, hi, 2));
			logf_("readv(slot %d, %zu+%zu) = zrt %ld, host %ld", s, l1, l2, z, hh);
			AGREE(z == hh, "readv differs");
			if (z > 0) {
				AGREE(!memcmp(zbuf, hbuf, z < (long)l1 ? (size_t)z : l1), "readv: different bytes");
				if (z > (long)l1)
					AGREE(!memcmp(z2, h2, (size_t)z - l1), "readv: different bytes");
			}
		} else {
			struct iovec io[2] = { { data, l1 }, { data + 100, l2 } };
			z = zrt_sys_writev(zf, io, 2);
			hh = h(writev(hf, io, 2));
			logf_("writev(slot %d, %zu+%zu) = zrt %ld, host %ld", s, l1, l2, z, hh);
			AGREE(z == hh, "writev differs");
		}
		return 0;
	}
	case 24: { /* flags Linux refuses, fstat through AT_EMPTY_PATH */
		const char *p = rpath();
		switch (pick(4)) {
		case 0:
			z = zrt_sys_fstatat(AT_FDCWD, p, &zs, 0x4000000);
			hh = h(fstatat(AT_FDCWD, host_path(p, hb1, sizeof(hb1)), &hs, 0x4000000));
			logf_("fstatat(\"%s\", bad flag) = zrt %ld, host %ld", p, z, hh);
			break;
		case 1:
			z = zrt_sys_unlinkat(AT_FDCWD, p, 0x4000000);
			hh = h(unlinkat(AT_FDCWD, host_path(p, hb1, sizeof(hb1)), 0x4000000));
			logf_("unlinkat(\"%s\", bad flag) = zrt %ld, host %ld", p, z, hh);
			break;
		case 2:
			z = zrt_sys_utimensat(AT_FDCWD, p, NULL, 0x4000000);
			hh = h(utimensat(AT_FDCWD, host_path(p, hb1, sizeof(hb1)), NULL, 0x4000000));
			logf_("utimensat(\"%s\", bad flag) = zrt %ld, host %ld", p, z, hh);
			break;
		default:
			z = zrt_sys_fstatat(zf, "", &zs, AT_EMPTY_PATH);
			hh = h(fstatat(hf, "", &hs, AT_EMPTY_PATH));
			logf_("fstatat(slot %d, \"\", AT_EMPTY_PATH) = zrt %ld, host %ld", s, z, hh);
			return stat_agree(z, hh, &zs, &hs, "stat");
		}
		AGREE(z == hh, "flags differ");
		return 0;
	}
	default: { /* faccessat F_OK, umask */
		if (pick(4) == 0) {
			int m = pick(2) ? 022 : 027;
			z = zrt_sys_umask(m);
			hh = (long)umask((mode_t)m);
			logf_("umask(%o) = zrt %lo, host %lo", m, z, hh);
			AGREE(z == hh, "umask differs");
			return 0;
		}
		const char *p = rpath();
		z = zrt_sys_faccessat(AT_FDCWD, p, F_OK, 0);
		hh = h(faccessat(AT_FDCWD, host_path(p, hb1, sizeof(hb1)), F_OK, 0));
		logf_("access(\"%s\", F_OK) = zrt %ld, host %ld", p, z, hh);
		AGREE(z == hh, "access differs");
		return 0;
	}
	}
}

/* ---- the tests ---------------------------------------------------------------------- */

static void run_sequences(unsigned first, unsigned count, unsigned calls)
{
	char cwd[4096];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	mismatches = 0;
	for (unsigned seq = first; seq < first + count && mismatches < 3; seq++) {
		cur_seed = seq;
		rng_state = seq * 0x1234567ull + 1;
		log_count = 0;
		assert_int_equal(new_world(), 0);
		for (unsigned i = 0; i < calls; i++)
			if (one_call() < 0)
				break;
		end_world();
	}
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(mismatches, 0);
}

static void test_against_linux(void **state)
{
	(void)state;
	/* names of 255 bytes (the limit) and 256 (ENAMETOOLONG) */
	memset(name255, 'n', 255);
	memset(name256, 'm', 256);
	snprintf(d_name256, sizeof(d_name256), "d/%s", name256);
	snprintf(name255_x, sizeof(name255_x), "%s/x", name255);
	const char *env = getenv("ZRT_FS_SEQUENCES");
	unsigned n = env ? (unsigned)strtoul(env, NULL, 10) : 1000;
	run_sequences(1, n, 400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_linux),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
