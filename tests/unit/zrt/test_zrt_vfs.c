/*
 * test_zrt_vfs.c — ZRT's files, directories, descriptors and channels
 * (runtime/zrt/vfs.c) natively, with the errors Linux gives, and tar
 * images (runtime/zrt/image.c): archives made by GNU tar unpack, our own
 * output unpacks to the same tree, damaged archives are refused cleanly.
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <cmocka.h>

#include "zvm.h"
#include "zrt.h"
#include "vfs.h"
#include "zrt-support.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

static struct zvm_info info;
static struct zvm_channel_info ci[FAKE_CHANS];

/* stdin "hello\nworld\n", stdout, stderr, /dev/data (random read, 0..255
 * repeated), /dev/log (random write), plus an optional image */
static int cell(const char *image, size_t image_len, int with_out)
{
	static unsigned char data[1000];
	const char *aliases[] = { "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/data", "/dev/log",
				  "/dev/image", "/dev/image-out" };
	unsigned types[] = { 0, 0, 0, 1, 2, 1, 0 };
	const char *inputs[] = { "hello\nworld\n", NULL, NULL, (const char *)data, NULL, image, NULL };
	size_t lens[] = { 12, 0, 0, sizeof(data), 0, image_len, 0 };
	unsigned n = image ? (with_out ? 7 : 6) : (with_out ? 7 : 5);

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)i;
	if (!image && with_out) { /* no /dev/image: put image-out at 5 */
		aliases[5] = "/dev/image-out";
		types[5] = 0;
		n = 6;
	}
	fake_cell(&info, ci, n, aliases, types, inputs, lens);
	return zrt_fs_init(&info);
}

static int setup(void **state)
{
	(void)state;
	return cell(NULL, 0, 0);
}

static long open_(const char *p, int flags) { return zrt_sys_openat(AT_FDCWD, p, flags, 0644); }

static void test_channels(void **state)
{
	char buf[64];
	struct stat st;
	long fd;

	(void)state;
	assert_int_equal(zrt_sys_read(0, buf, 6), 6);
	assert_memory_equal(buf, "hello\n", 6);
	assert_int_equal(zrt_sys_lseek(0, 0, SEEK_SET), -ESPIPE);
	fake_chans[1].write_chunk = 3; /* short writes are finished */
	assert_int_equal(zrt_sys_write(1, "abcdefgh", 8), 8);
	assert_int_equal(fake_chans[1].out_len, 8);
	assert_memory_equal(fake_chans[1].out, "abcdefgh", 8);
	{ /* a writev of small pieces to a channel is one trap call */
		char a[] = "12", b[] = "345";
		struct iovec v[2] = { { a, 2 }, { b, 3 } };
		unsigned before = fake_chans[1].writes;
		fake_chans[1].write_chunk = 0;
		assert_int_equal(zrt_sys_writev(1, v, 2), 5);
		assert_int_equal(fake_chans[1].writes, before + 1);
		assert_memory_equal(fake_chans[1].out + 8, "12345", 5);
	}
	assert_int_equal(zrt_sys_write(0, "x", 1), -EBADF);
	assert_int_equal(zrt_sys_read(1, buf, 1), -EBADF);
	/* random reads pass the file position or the pread offset */
	fd = open_("/dev/data", O_RDONLY);
	assert_true(fd >= 3);
	assert_int_equal(zrt_sys_lseek((int)fd, 100, SEEK_SET), 100);
	assert_int_equal(zrt_sys_read((int)fd, buf, 4), 4);
	assert_int_equal((unsigned char)buf[0], 100);
	assert_int_equal(fake_chans[3].last_offset, 100);
	assert_int_equal(zrt_sys_pread((int)fd, buf, 2, 500), 2);
	assert_int_equal((unsigned char)buf[0], 500 & 255);
	assert_int_equal(zrt_sys_lseek((int)fd, 0, SEEK_CUR), 104);
	assert_int_equal(zrt_sys_lseek((int)fd, -10, SEEK_END), 990);
	assert_int_equal(zrt_sys_fstat((int)fd, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_size, 1000);
	/* random writes at the position */
	fd = open_("/dev/log", O_WRONLY);
	assert_int_equal(zrt_sys_pwrite((int)fd, "XY", 2, 10), 2);
	assert_int_equal(fake_chans[4].last_offset, 10);
	assert_int_equal(fake_chans[4].out_len, 12);
	/* sequential channels refuse positioned I/O */
	assert_int_equal(zrt_sys_pread(0, buf, 1, 0), -ESPIPE);
	/* devices */
	fd = open_("/dev/null", O_RDWR);
	assert_int_equal(zrt_sys_read((int)fd, buf, 10), 0);
	assert_int_equal(zrt_sys_write((int)fd, buf, 10), 10);
	fd = open_("/dev/zero", O_RDONLY);
	memset(buf, 1, 8);
	assert_int_equal(zrt_sys_read((int)fd, buf, 8), 8);
	assert_int_equal(buf[7], 0);
	fd = open_("/dev/urandom", O_RDONLY);
	assert_int_equal(zrt_sys_read((int)fd, buf, 16), 16);
	assert_int_equal(zrt_sys_ioctl(1, 0x5413 /* TIOCGWINSZ */, (long)(uintptr_t)buf), -ENOTTY);
}

static void test_files(void **state)
{
	char buf[64];
	struct stat st;
	long fd, fd2;

	(void)state;
	fd = open_("a.txt", O_CREAT | O_EXCL | O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(open_("a.txt", O_CREAT | O_EXCL | O_RDWR), -EEXIST);
	assert_int_equal(zrt_sys_write((int)fd, "hello world", 11), 11);
	assert_int_equal(zrt_sys_lseek((int)fd, 6, SEEK_SET), 6);
	assert_int_equal(zrt_sys_read((int)fd, buf, 100), 5);
	assert_memory_equal(buf, "world", 5);
	assert_int_equal(zrt_sys_read((int)fd, buf, 100), 0);
	/* sparse: a write past the end leaves zeros */
	assert_int_equal(zrt_sys_pwrite((int)fd, "Z", 1, 20), 1);
	assert_int_equal(zrt_sys_pread((int)fd, buf, 64, 0), 21);
	assert_int_equal(buf[15], 0);
	assert_int_equal(buf[20], 'Z');
	/* truncate, then grow: zeros again */
	assert_int_equal(zrt_sys_ftruncate((int)fd, 3), 0);
	assert_int_equal(zrt_sys_ftruncate((int)fd, 8), 0);
	assert_int_equal(zrt_sys_pread((int)fd, buf, 64, 0), 8);
	assert_memory_equal(buf, "hel\0\0\0\0\0", 8);
	assert_int_equal(zrt_sys_fstat((int)fd, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 8);
	assert_int_equal(st.st_mode & 0777, 0644 & ~022);
	assert_int_equal(st.st_uid, 1000);
	/* O_APPEND */
	fd2 = open_("a.txt", O_WRONLY | O_APPEND);
	assert_int_equal(zrt_sys_write((int)fd2, "++", 2), 2);
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, "/a.txt", &st, 0), 0);
	assert_int_equal(st.st_size, 10);
	/* O_TRUNC */
	assert_true(open_("a.txt", O_WRONLY | O_TRUNC) >= 0);
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, "a.txt", &st, 0), 0);
	assert_int_equal(st.st_size, 0);
	/* errors */
	assert_int_equal(open_("missing", O_RDONLY), -ENOENT);
	assert_int_equal(open_("a.txt/x", O_RDONLY), -ENOTDIR);
	assert_int_equal(open_("a.txt/", O_RDONLY), -ENOTDIR);
	assert_int_equal(open_("/", O_WRONLY), -EISDIR);
	assert_int_equal(open_("a.txt", O_RDONLY | O_DIRECTORY), -ENOTDIR);
	assert_int_equal(open_("", O_RDONLY), -ENOENT);
	memset(buf, 'n', sizeof(buf));
	buf[sizeof(buf) - 1] = 0;
	{
		char longname[300];
		memset(longname, 'x', 299);
		longname[299] = 0;
		assert_int_equal(open_(longname, O_CREAT | O_RDWR), -ENAMETOOLONG);
	}
	/* permissions: the owner's bits */
	assert_int_equal(zrt_sys_fchmodat(AT_FDCWD, "a.txt", 0444), 0);
	assert_int_equal(open_("a.txt", O_WRONLY), -EACCES);
	assert_int_equal(zrt_sys_faccessat(AT_FDCWD, "a.txt", W_OK, 0), -EACCES);
	assert_int_equal(zrt_sys_faccessat(AT_FDCWD, "a.txt", R_OK, 0), 0);
	/* unlink while open: the data lives on until close */
	fd = open_("b", O_CREAT | O_RDWR);
	assert_int_equal(zrt_sys_write((int)fd, "kept", 4), 4);
	assert_int_equal(zrt_sys_unlinkat(AT_FDCWD, "b", 0), 0);
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, "b", &st, 0), -ENOENT);
	assert_int_equal(zrt_sys_pread((int)fd, buf, 4, 0), 4);
	assert_memory_equal(buf, "kept", 4);
	assert_int_equal(zrt_sys_close((int)fd), 0);
	assert_int_equal(zrt_sys_close((int)fd), -EBADF);
}

static void test_dirs(void **state)
{
	char buf[4096], cwd[256];
	long fd, n;
	int names = 0, saw_b = 0;

	(void)state;
	assert_int_equal(zrt_sys_mkdirat(AT_FDCWD, "d", 0755), 0);
	assert_int_equal(zrt_sys_mkdirat(AT_FDCWD, "d", 0755), -EEXIST);
	assert_int_equal(zrt_sys_mkdirat(AT_FDCWD, "x/y", 0755), -ENOENT);
	assert_int_equal(zrt_sys_mkdirat(AT_FDCWD, "d/e", 0755), 0);
	assert_true(open_("d/a", O_CREAT | O_WRONLY) >= 0);
	assert_true(open_("d/b", O_CREAT | O_WRONLY) >= 0);
	/* listing: ".", "..", and the entries */
	fd = zrt_sys_openat(AT_FDCWD, "d", O_RDONLY | O_DIRECTORY, 0);
	assert_true(fd >= 0);
	n = zrt_sys_getdents64((int)fd, buf, sizeof(buf));
	assert_true(n > 0);
	for (long off = 0; off < n;) {
		struct dirent64 *de = (struct dirent64 *)(buf + off);
		names++;
		saw_b |= !strcmp(de->d_name, "b") && de->d_type == DT_REG;
		off += de->d_reclen;
	}
	assert_int_equal(names, 5);
	assert_true(saw_b);
	assert_int_equal(zrt_sys_getdents64((int)fd, buf, sizeof(buf)), 0);
	assert_int_equal(zrt_sys_getdents64((int)fd, buf, 10), 0);
	assert_int_equal(zrt_sys_lseek((int)fd, 0, SEEK_SET), 0);
	assert_int_equal(zrt_sys_getdents64((int)fd, buf, 10), -EINVAL); /* too small for one */
	assert_int_equal(zrt_sys_read((int)fd, buf, 1), -EISDIR);
	/* rmdir and unlink errors */
	assert_int_equal(zrt_sys_unlinkat(AT_FDCWD, "d", AT_REMOVEDIR), -ENOTEMPTY);
	assert_int_equal(zrt_sys_unlinkat(AT_FDCWD, "d", 0), -EISDIR);
	assert_int_equal(zrt_sys_unlinkat(AT_FDCWD, "d/a", AT_REMOVEDIR), -ENOTDIR);
	assert_int_equal(zrt_sys_unlinkat(AT_FDCWD, "/", AT_REMOVEDIR), -EBUSY);
	/* rename: replace a file, into itself, noreplace, dir over file */
	assert_int_equal(zrt_sys_renameat2(AT_FDCWD, "d/a", AT_FDCWD, "d/b", 0), 0);
	assert_int_equal(zrt_sys_faccessat(AT_FDCWD, "d/a", F_OK, 0), -ENOENT);
	assert_int_equal(zrt_sys_renameat2(AT_FDCWD, "d", AT_FDCWD, "d/e/f", 0), -EINVAL);
	assert_true(open_("c", O_CREAT | O_WRONLY) >= 0);
	assert_int_equal(zrt_sys_renameat2(AT_FDCWD, "c", AT_FDCWD, "d/b", RENAME_NOREPLACE), -EEXIST);
	assert_int_equal(zrt_sys_renameat2(AT_FDCWD, "d/e", AT_FDCWD, "c", 0), -ENOTDIR);
	assert_int_equal(zrt_sys_renameat2(AT_FDCWD, "c", AT_FDCWD, "d/e", 0), -EISDIR);
	assert_int_equal(zrt_sys_renameat2(AT_FDCWD, "d/e", AT_FDCWD, "e2", 0), 0);
	/* chdir, relative paths, "..", getcwd */
	assert_int_equal(zrt_sys_getcwd(cwd, sizeof(cwd)), 2);
	assert_string_equal(cwd, "/");
	assert_int_equal(zrt_sys_chdir("d"), 0);
	assert_int_equal(zrt_sys_getcwd(cwd, sizeof(cwd)), 3);
	assert_string_equal(cwd, "/d");
	assert_int_equal(zrt_sys_faccessat(AT_FDCWD, "b", F_OK, 0), 0);
	assert_int_equal(zrt_sys_faccessat(AT_FDCWD, "../e2", F_OK, 0), 0);
	assert_int_equal(zrt_sys_faccessat(AT_FDCWD, "/../../d//b", F_OK, 0), 0);
	assert_int_equal(zrt_sys_getcwd(cwd, 2), -ERANGE);
	assert_int_equal(zrt_sys_chdir("b"), -ENOTDIR);
	/* openat relative to a directory descriptor */
	fd = zrt_sys_openat(AT_FDCWD, "/e2", O_RDONLY | O_DIRECTORY, 0);
	assert_true(zrt_sys_openat((int)fd, "new", O_CREAT | O_WRONLY, 0600) >= 0);
	assert_int_equal(zrt_sys_faccessat(AT_FDCWD, "/e2/new", F_OK, 0), 0);
	assert_int_equal(zrt_sys_openat(99, "x", O_RDONLY, 0), -EBADF);
	/* a removed cwd: getcwd says ENOENT, nothing crashes */
	assert_int_equal(zrt_sys_chdir("/e2"), 0);
	assert_int_equal(zrt_sys_unlinkat(AT_FDCWD, "new", 0), 0);
	assert_int_equal(zrt_sys_unlinkat(AT_FDCWD, "/e2", AT_REMOVEDIR), 0);
	assert_int_equal(zrt_sys_getcwd(cwd, sizeof(cwd)), -ENOENT);
	assert_int_equal(open_("x", O_CREAT | O_WRONLY), -ENOENT);
	assert_int_equal(zrt_sys_chdir("/"), 0);
}

static void test_descriptors(void **state)
{
	char buf[16];
	long fd, a, b;
	int p[2];

	(void)state;
	fd = open_("f", O_CREAT | O_RDWR);
	assert_int_equal(zrt_sys_write((int)fd, "0123456789", 10), 10);
	a = zrt_sys_dup((int)fd);
	assert_true(a > fd);
	assert_int_equal(zrt_sys_lseek((int)a, 2, SEEK_SET), 2); /* shared offset */
	assert_int_equal(zrt_sys_read((int)fd, buf, 1), 1);
	assert_int_equal(buf[0], '2');
	assert_int_equal(zrt_sys_dup3((int)fd, 100, O_CLOEXEC), 100);
	assert_int_equal(zrt_sys_fcntl(100, F_GETFD, 0), FD_CLOEXEC);
	assert_int_equal(zrt_sys_fcntl((int)fd, F_GETFD, 0), 0);
	b = zrt_sys_fcntl((int)fd, F_DUPFD, 50);
	assert_int_equal(b, 50);
	assert_int_equal(zrt_sys_fcntl((int)fd, F_GETFL, 0) & O_ACCMODE, O_RDWR);
	assert_int_equal(zrt_sys_fcntl((int)fd, F_SETFL, O_APPEND), 0);
	assert_int_equal(zrt_sys_fcntl(50, F_GETFL, 0) & O_APPEND, O_APPEND); /* one description */
	assert_int_equal(zrt_sys_dup3((int)fd, (int)fd, 0), -EINVAL);
	assert_int_equal(zrt_sys_dup3(999, 3, 0), -EBADF);
	assert_int_equal(zrt_sys_dup3((int)fd, 5000, 0), -EBADF);
	/* fds run out at 1024 */
	int last = 0;
	for (;;) {
		long r = zrt_sys_dup((int)fd);
		if (r < 0) {
			assert_int_equal(r, -EMFILE);
			break;
		}
		last = (int)r;
	}
	assert_int_equal(last, 1023);
	for (int i = 200; i < 1024; i++)
		zrt_sys_close(i);
	/* pipes */
	assert_int_equal(zrt_sys_pipe2(p, 0), 0);
	assert_int_equal(zrt_sys_read(p[0], buf, 4), -EAGAIN); /* empty, a writer exists */
	assert_int_equal(zrt_sys_write(p[1], "pipe", 4), 4);
	assert_int_equal(zrt_sys_read(p[0], buf, 16), 4);
	assert_memory_equal(buf, "pipe", 4);
	assert_int_equal(zrt_sys_lseek(p[0], 0, SEEK_SET), -ESPIPE);
	assert_int_equal(zrt_sys_close(p[1]), 0);
	assert_int_equal(zrt_sys_read(p[0], buf, 4), 0); /* end of file */
	assert_int_equal(zrt_sys_pipe2(p, 0), 0);
	assert_int_equal(zrt_sys_close(p[0]), 0);
	assert_int_equal(zrt_sys_write(p[1], "x", 1), -EPIPE);
	/* readv/writev */
	char ab[] = "ab", none[] = "", cde[] = "cde";
	struct iovec iov[3] = { { ab, 2 }, { none, 0 }, { cde, 3 } };
	fd = open_("v", O_CREAT | O_RDWR);
	assert_int_equal(zrt_sys_writev((int)fd, iov, 3), 5);
	char x[2], y[10];
	struct iovec rio[2] = { { x, 2 }, { y, 10 } };
	assert_int_equal(zrt_sys_preadv((int)fd, rio, 2, 0), 5);
	assert_memory_equal(x, "ab", 2);
	assert_memory_equal(y, "cde", 3);
}

/* ---- images -------------------------------------------------------------- */

static char *slurp(const char *cmd, size_t *len)
{
	FILE *p = popen(cmd, "r");
	char *buf = malloc(1 << 20);
	*len = fread(buf, 1, 1 << 20, p);
	pclose(p);
	return buf;
}

static void test_image_from_gnu_tar(void **state)
{
	char dir[] = "/tmp/zrt-tar-XXXXXX", cmd[1024], buf[64];
	struct stat st;
	size_t len;
	char *tar;
	long fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir -p sub/deeper && printf 'one' > sub/a.txt && printf 'two!' > sub/deeper/b && "
		 "mkdir -p %0120d && printf long > %0120d/%0110d && ln -s a.txt sub/link && chmod 600 sub/a.txt && "
		 "ln sub/a.txt hard && tar --format=gnu -cf - sub %0120d hard",
		 dir, 1, 1, 2, 1);
	tar = slurp(cmd, &len);
	assert_true(len > 2048);
	assert_int_equal(cell(tar, len, 0), 0);
	fd = open_("/sub/a.txt", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(zrt_sys_read((int)fd, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "one", 3);
	assert_int_equal(zrt_sys_fstat((int)fd, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, "sub/deeper/b", &st, 0), 0);
	assert_int_equal(st.st_size, 4);
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, "sub/link", &st, 0), -ENOENT); /* symlinks skipped */
	snprintf(cmd, sizeof(cmd), "%0120d/%0110d", 1, 2);
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, cmd, &st, 0), 0);                 /* GNU long names */
	assert_int_equal(st.st_size, 4);
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, "hard", &st, 0), 0);              /* hard link: a copy */
	assert_int_equal(st.st_size, 3);
	free(tar);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* One ustar entry by hand at out (header and padded data); returns its size. */
static size_t tar_entry(unsigned char *out, const char *name, char type, const char *link, const char *data)
{
	size_t len = data ? strlen(data) : 0, padded = (len + 511) / 512 * 512;
	unsigned sum = 0;

	memset(out, 0, 512 + padded);
	snprintf((char *)out, 100, "%s", name);
	memcpy(out + 100, "0000644", 7);
	snprintf((char *)out + 124, 12, "%011o", (unsigned)len); /* short data only */
	memcpy(out + 136, "00000000000", 11);
	out[156] = (unsigned char)type;
	if (link)
		snprintf((char *)out + 157, 100, "%s", link);
	memcpy(out + 257, "ustar", 6);
	memcpy(out + 263, "00", 2);
	memset(out + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += out[i];
	snprintf((char *)out + 148, 8, "%06o", sum);
	if (len)
		memcpy(out + 512, data, len);
	return 512 + padded;
}

/* What a file holds in the cell, or "(none)" */
static const char *contents(const char *path)
{
	static char buf[64];
	long fd = open_(path, O_RDONLY), n;

	if (fd < 0)
		return "(none)";
	n = zrt_sys_read((int)fd, buf, sizeof(buf) - 1);
	zrt_sys_close((int)fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

/* Hard links ('1'): a copy of the target, and a link to itself (GNU tar
 * writes one when a path is given twice) leaves the file as it was. */
static void test_image_links(void **state)
{
	static const struct {
		const char *what;
		struct { const char *name; char type; const char *link, *data; } e[3];
		int rc;
		const char *path, *want, *path2, *want2;
	} cases[] = {
		{ "a link to itself", { { "f", '0', NULL, "abc" }, { "f", '1', "f", NULL } }, 0, "f", "abc", NULL, NULL },
		{ "to itself, spelled ./f", { { "f", '0', NULL, "abc" }, { "./f", '1', "f", NULL } }, 0, "f", "abc", NULL, NULL },
		{ "to itself, in a directory", { { "d/f", '0', NULL, "xy" }, { "d/f", '1', "d/./f", NULL } }, 0, "d/f", "xy", NULL, NULL },
		{ "a link to another file", { { "f", '0', NULL, "abc" }, { "g", '1', "f", NULL } }, 0, "g", "abc", "f", "abc" },
		{ "over a different file", { { "f", '0', NULL, "abc" }, { "g", '0', NULL, "xyz!" }, { "g", '1', "f", NULL } },
		  0, "g", "abc", "f", "abc" },
		{ "an empty target", { { "f", '0', NULL, "" }, { "g", '1', "f", NULL } }, 0, "g", "", "f", "" },
		{ "a missing target", { { "g", '1', "f", NULL } }, -EINVAL, NULL, NULL, NULL, NULL },
		{ "a directory as target", { { "d", '5', NULL, NULL }, { "g", '1', "d", NULL } }, -EINVAL, NULL, NULL, NULL, NULL },
		{ "a link to itself first", { { "f", '1', "f", NULL } }, -EINVAL, NULL, NULL, NULL, NULL },
	};
	unsigned char tar[8 * 1024];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = 0;
		for (int k = 0; k < 3 && cases[i].e[k].name; k++)
			len += tar_entry(tar + len, cases[i].e[k].name, cases[i].e[k].type, cases[i].e[k].link,
					 cases[i].e[k].data);
		memset(tar + len, 0, 1024);
		len += 1024;
		int rc = cell((const char *)tar, len, 0);
		if (rc != cases[i].rc)
			fail_msg("%s: unpack %d, want %d", cases[i].what, rc, cases[i].rc);
		if (cases[i].path && strcmp(contents(cases[i].path), cases[i].want))
			fail_msg("%s: %s holds '%s', want '%s'", cases[i].what, cases[i].path, contents(cases[i].path),
				 cases[i].want);
		if (cases[i].path2 && strcmp(contents(cases[i].path2), cases[i].want2))
			fail_msg("%s: %s holds '%s', want '%s'", cases[i].what, cases[i].path2,
				 contents(cases[i].path2), cases[i].want2);
	}
	/* and what GNU tar itself writes for `tar -cf x.tar f f` */
	{
		char dir[] = "/tmp/zrt-self-XXXXXX", cmd[256];
		size_t len;
		char *t;
		assert_non_null(mkdtemp(dir));
		snprintf(cmd, sizeof(cmd), "cd %s && printf 'twice' > f && tar -cf - f f", dir);
		t = slurp(cmd, &len);
		assert_true(len >= 2048);
		assert_int_equal(cell(t, len, 0), 0);
		assert_string_equal(contents("f"), "twice");
		free(t);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	}
}

/* The cell's user database and home (zrt_identity_init): there when the
 * image has none, the image's when it has them, and left out of
 * /dev/image-out unless the program wrote to them. */
static void test_identity(void **state)
{
	unsigned char tar[4096];
	struct stat st;
	size_t len;

	(void)state;
	assert_int_equal(cell(NULL, 0, 1), 0);
	assert_string_equal(contents("/etc/passwd"), "user:x:1000:1000:user:/home/user:/bin/sh\n");
	assert_string_equal(contents("/etc/group"), "user:x:1000:\n");
	assert_string_equal(contents("/etc/hosts"), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, "/home/user", &st, 0), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(zrt_sys_faccessat(AT_FDCWD, "/home/user", W_OK, 0), 0);
	zrt_fs_fini();
	for (size_t off = 0; off < fake_chans[5].out_len; off += 512)
		if (!strncmp((char *)fake_chans[5].out + off, "etc", 3) ||
		    !strncmp((char *)fake_chans[5].out + off, "home", 4))
			fail_msg("image-out holds %s, which the program never touched", (char *)fake_chans[5].out + off);
	/* a file written in the home, and a changed /etc/group, go out */
	assert_int_equal(cell(NULL, 0, 1), 0);
	long fd = open_("/home/user/.rc", O_CREAT | O_WRONLY);
	assert_int_equal(zrt_sys_write((int)fd, "x", 1), 1);
	fd = open_("/etc/group", O_WRONLY | O_APPEND);
	assert_int_equal(zrt_sys_write((int)fd, "g:x:5:\n", 7), 7);
	zrt_fs_fini();
	{
		int home = 0, rc_file = 0, group = 0, passwd = 0;
		for (size_t off = 0; off < fake_chans[5].out_len; off += 512) {
			const char *h = (const char *)fake_chans[5].out + off;
			home |= !strcmp(h, "home/user/");
			rc_file |= !strcmp(h, "home/user/.rc");
			group |= !strcmp(h, "etc/group");
			passwd |= !strcmp(h, "etc/passwd");
		}
		assert_true(home && rc_file && group && !passwd);
	}
	/* the image's own /etc/passwd wins; /etc/group is still made */
	len = tar_entry(tar, "etc/passwd", '0', NULL, "me:x:1000:1000::/srv:/bin/false\n");
	memset(tar + len, 0, 1024);
	assert_int_equal(cell((const char *)tar, len + 1024, 0), 0);
	assert_string_equal(contents("/etc/passwd"), "me:x:1000:1000::/srv:/bin/false\n");
	assert_string_equal(contents("/etc/group"), "user:x:1000:\n");
}

/* An archive in the program's memory (zrt_image_mount, what python.nexe
 * carries its stdlib in): its files point into the archive, which sits
 * here in read-only pages, so a write that reached it would fault the
 * test. Reads see the bytes; writes, truncation, appends and O_TRUNC work
 * on a copy; /dev/image-out leaves untouched files out; the job's image
 * adds to the mounted tree and replaces its files; a damaged archive is
 * refused. */
static void test_image_mount(void **state)
{
	unsigned char *ro, img[4096];
	struct node *n;
	struct stat st;
	size_t len = 0, ilen;
	char buf[64];
	long fd;

	(void)state;
	ro = mmap(NULL, 16384, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(ro != MAP_FAILED);
	len += tar_entry(ro + len, "usr/lib/a.py", '0', NULL, "print('a')\n");
	len += tar_entry(ro + len, "usr/lib/b.txt", '0', NULL, "bbbb");
	len += tar_entry(ro + len, "usr/lib/c.txt", '0', NULL, "cccc");
	len += tar_entry(ro + len, "usr/lib/d.txt", '0', NULL, "dddd");
	len += tar_entry(ro + len, "usr/lib/empty", '0', NULL, "");
	len += 1024;
	assert_int_equal(mprotect(ro, 16384, PROT_READ), 0);

	assert_int_equal(cell(NULL, 0, 1), 0);
	assert_int_equal(zrt_image_mount(ro, len), 0);
	assert_string_equal(contents("/usr/lib/a.py"), "print('a')\n");
	assert_string_equal(contents("/usr/lib/empty"), "");
	n = zrt_lookup("/usr/lib/a.py");
	assert_non_null(n);
	assert_true(n->borrowed && n->data == ro + 512); /* not copied */
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, "/usr/lib/b.txt", &st, 0), 0);
	assert_int_equal(st.st_size, 4);
	/* a write in the middle: a copy, the archive untouched */
	fd = open_("/usr/lib/b.txt", O_RDWR);
	assert_int_equal(zrt_sys_pwrite((int)fd, "X", 1, 1), 1);
	zrt_sys_close((int)fd);
	assert_string_equal(contents("/usr/lib/b.txt"), "bXbb");
	assert_false(zrt_lookup("/usr/lib/b.txt")->borrowed);
	/* truncation, an append, O_TRUNC */
	assert_int_equal(zrt_sys_truncate("/usr/lib/c.txt", 2), 0);
	assert_string_equal(contents("/usr/lib/c.txt"), "cc");
	fd = open_("/usr/lib/d.txt", O_WRONLY | O_APPEND);
	assert_int_equal(zrt_sys_write((int)fd, "!", 1), 1);
	zrt_sys_close((int)fd);
	assert_string_equal(contents("/usr/lib/d.txt"), "dddd!");
	fd = open_("/usr/lib/a.py", O_WRONLY | O_TRUNC);
	zrt_sys_close((int)fd);
	assert_string_equal(contents("/usr/lib/a.py"), "");
	assert_memory_equal(ro + 512, "print('a')\n", 11);
	assert_memory_equal(ro + 3 * 1024 + 512, "dddd", 4);
	/* removing a borrowed file frees only the node */
	assert_int_equal(zrt_sys_unlinkat(AT_FDCWD, "/usr/lib/empty", 0), 0);
	zrt_fs_fini();
	{
		int a = 0, b = 0, e = 0, untouched = 0;
		for (size_t off = 0; off < fake_chans[5].out_len; off += 512) {
			const char *h = (const char *)fake_chans[5].out + off;
			a |= !strcmp(h, "usr/lib/a.py");
			b |= !strcmp(h, "usr/lib/b.txt");
			e |= !strcmp(h, "usr/lib/empty");
		}
		assert_true(a && b && !e);
		/* nothing written: nothing of the mount goes out */
		assert_int_equal(cell(NULL, 0, 1), 0);
		assert_int_equal(zrt_image_mount(ro, len), 0);
		zrt_fs_fini();
		for (size_t off = 0; off < fake_chans[5].out_len; off += 512)
			untouched |= !strncmp((const char *)fake_chans[5].out + off, "usr", 3);
		assert_false(untouched);
	}
	/* the job's image after the mount: adds a file, replaces one */
	assert_int_equal(cell(NULL, 0, 0), 0);
	assert_int_equal(zrt_image_mount(ro, len), 0);
	ilen = tar_entry(img, "usr/lib/b.txt", '0', NULL, "mine");
	ilen += tar_entry(img + ilen, "usr/lib/new.py", '0', NULL, "new");
	memset(img + ilen, 0, 1024);
	fake_chans[5].in = img;
	fake_chans[5].in_len = ilen + 1024;
	fake_chans[5].in_pos = 0;
	assert_int_equal(zrt_image_unpack(5, 1, ilen + 1024), 0);
	assert_string_equal(contents("/usr/lib/b.txt"), "mine");
	assert_string_equal(contents("/usr/lib/new.py"), "new");
	assert_string_equal(contents("/usr/lib/c.txt"), "cccc");
	assert_int_equal(zrt_sys_read((int)open_("/usr/lib/a.py", O_RDONLY), buf, sizeof(buf)), 11);
	/* a name given twice: the second entry's bytes */
	{
		unsigned char dup[4096];
		size_t dl = tar_entry(dup, "x", '0', NULL, "first");
		dl += tar_entry(dup + dl, "x", '0', NULL, "second");
		memset(dup + dl, 0, 1024);
		assert_int_equal(cell(NULL, 0, 0), 0);
		assert_int_equal(zrt_image_mount(dup, dl + 1024), 0);
		assert_string_equal(contents("/x"), "second");
	}
	/* damaged: a bad checksum, a size past the end */
	assert_int_equal(cell(NULL, 0, 0), 0);
	assert_int_equal(zrt_image_mount(ro + 1, len - 1), -EINVAL);
	assert_int_equal(cell(NULL, 0, 0), 0);
	assert_int_equal(zrt_image_mount(ro, 600), -EINVAL);
	munmap(ro, 16384);
}

static void test_image_round_trip(void **state)
{
	size_t len;
	unsigned char *first, *second;
	size_t first_len;
	char name[200], buf[16];
	long fd;

	(void)state;
	/* make a tree, write it out at exit */
	assert_int_equal(cell(NULL, 0, 1), 0);
	assert_int_equal(zrt_sys_mkdirat(AT_FDCWD, "z", 0700), 0);
	assert_int_equal(zrt_sys_mkdirat(AT_FDCWD, "a", 0755), 0);
	memset(name, 'n', sizeof(name));
	memcpy(name, "a/", 2);
	name[150] = 0;
	fd = open_(name, O_CREAT | O_WRONLY);
	assert_int_equal(zrt_sys_write((int)fd, "long name", 9), 9);
	fd = open_("z/data", O_CREAT | O_WRONLY);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(zrt_sys_write((int)fd, "0123456789", 10), 10);
	zrt_fs_fini();
	zrt_fs_fini(); /* only once */
	first_len = fake_chans[5].out_len;
	assert_true(first_len > 10000 && first_len % 512 == 0);
	first = malloc(first_len);
	memcpy(first, fake_chans[5].out, first_len);
	/* GNU tar reads it */
	{
		FILE *f = fopen("/tmp/zrt-rt.tar", "w");
		fwrite(first, 1, first_len, f);
		fclose(f);
		char *list = (char *)slurp("tar -tvf /tmp/zrt-rt.tar 2>&1", &len);
		list[len] = 0;
		assert_non_null(strstr(list, "z/data"));
		assert_non_null(strstr(list, "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"));
		assert_null(strstr(list, "dev/"));
		assert_null(strstr(list, "rror"));
		free(list);
		remove("/tmp/zrt-rt.tar");
	}
	/* unpacked and written again: the same bytes */
	assert_int_equal(cell((const char *)first, first_len, 1), 0);
	fd = open_("z/data", O_RDONLY);
	assert_int_equal(zrt_sys_pread((int)fd, buf, 10, 9990), 10);
	assert_memory_equal(buf, "0123456789", 10);
	zrt_fs_fini();
	second = fake_chans[6].out;
	assert_int_equal(fake_chans[6].out_len, first_len);
	assert_memory_equal(first, second, first_len);
	free(first);
}

static void test_bad_images(void **state)
{
	unsigned char good[3 * 512], bad[3 * 512];
	char hdr[512];
	unsigned sum = 0;

	(void)state;
	/* a valid one-file archive, by hand */
	memset(good, 0, sizeof(good));
	memset(hdr, 0, sizeof(hdr));
	strcpy(hdr, "f.txt");
	memcpy(hdr + 100, "0000644", 7);
	memcpy(hdr + 124, "00000000005", 11);
	memcpy(hdr + 136, "00000000000", 11);
	hdr[156] = '0';
	memcpy(hdr + 257, "ustar", 6);
	memset(hdr + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += (unsigned char)hdr[i];
	snprintf(hdr + 148, 8, "%06o", sum);
	memcpy(good, hdr, 512);
	memcpy(good + 512, "hello", 5);
	assert_int_equal(cell((const char *)good, sizeof(good), 0), 0);
	assert_int_equal(zrt_sys_faccessat(AT_FDCWD, "f.txt", R_OK, 0), 0);
	/* damaged checksum */
	memcpy(bad, good, sizeof(bad));
	bad[0] = 'g';
	assert_int_equal(cell((const char *)bad, sizeof(bad), 0), -EINVAL);
	/* a size past the end of the archive */
	memcpy(bad, good, sizeof(bad));
	memcpy(bad + 124, "00000077777", 11);
	sum = 0;
	memset(bad + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += bad[i];
	snprintf((char *)bad + 148, 8, "%06o", sum);
	assert_int_equal(cell((const char *)bad, sizeof(bad), 0), -EINVAL);
	/* a truncated header, garbage digits */
	assert_int_equal(cell((const char *)good, 300, 0), -EINVAL);
	memcpy(bad, good, sizeof(bad));
	memcpy(bad + 124, "0000000x005", 11);
	assert_int_equal(cell((const char *)bad, sizeof(bad), 0), -EINVAL);
	/* an empty image is an empty tree */
	assert_int_equal(cell((const char *)good, 0, 0), 0);
	/* random bytes never crash, whatever they say */
	srand(7);
	for (int round = 0; round < 2000; round++) {
		memcpy(bad, good, sizeof(bad));
		for (int k = 0; k < 1 + round % 8; k++)
			bad[rand() % 512] = (unsigned char)rand();
		int rc = cell((const char *)bad, sizeof(bad), 0);
		assert_true(rc == 0 || rc < 0);
	}
}

/* /dev/fd/N: the cell's own descriptor N, opened anew (as Linux's
 * /proc/self/fd): gawk's /dev/fd/N names, shells' >/dev/fd/2. */
static void test_dev_fd(void **state)
{
	char buf[16] = { 0 }, name[32];
	struct stat a, b;
	long fd, again;

	(void)state;
	fd = open_("/f", O_RDWR | O_CREAT);
	assert_int_equal(zrt_sys_write((int)fd, "0123456789", 10), 10);
	snprintf(name, sizeof(name), "/dev/fd/%ld", fd);
	again = open_(name, O_RDONLY);
	assert_true(again >= 0 && again != fd);
	assert_int_equal(zrt_sys_read((int)again, buf, 4), 4); /* its own offset: from 0 */
	assert_string_equal(buf, "0123");
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, name, &a, 0), 0);
	assert_int_equal(zrt_sys_fstat((int)fd, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(zrt_sys_faccessat(AT_FDCWD, name, R_OK, 0), 0);
	/* the channel behind fd 1, as a shell's >/dev/fd/1 opens it */
	fd = open_("/dev/fd/1", O_WRONLY | O_CREAT | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(zrt_sys_write((int)fd, "via fd", 6), 6);
	assert_memory_equal(fake_chans[1].out, "via fd", 6);
	/* what is not open is not there; the directory is not writable */
	assert_int_equal(open_("/dev/fd/999", O_RDONLY), -ENOENT);
	assert_int_equal(open_("/dev/fd/99999999", O_RDONLY), -ENOENT);
	assert_int_equal(zrt_sys_unlinkat(AT_FDCWD, name, 0), -EACCES);
	assert_int_equal(zrt_sys_renameat2(AT_FDCWD, name, AT_FDCWD, "/g", 0), -EACCES);
	assert_true(zrt_sys_close((int)open_("/h", O_RDWR | O_CREAT)) == 0);
	assert_int_equal(zrt_sys_renameat2(AT_FDCWD, "/h", AT_FDCWD, name, 0), -EACCES);
	assert_int_equal(zrt_sys_mkdirat(AT_FDCWD, name, 0755), -EEXIST);
	assert_true(zrt_lookup("/f") != NULL);
	/* an image's own /dev/fd/N would win: not these names */
	assert_int_equal(open_("/dev/fd/x", O_RDONLY), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_channels, setup),
		cmocka_unit_test_setup(test_files, setup),
		cmocka_unit_test_setup(test_dirs, setup),
		cmocka_unit_test_setup(test_descriptors, setup),
		cmocka_unit_test_setup(test_dev_fd, setup),
		cmocka_unit_test(test_image_from_gnu_tar),
		cmocka_unit_test(test_image_links),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_image_mount),
		cmocka_unit_test(test_image_round_trip),
		cmocka_unit_test(test_bad_images),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
