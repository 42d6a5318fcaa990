/*
 * test_zrt_template.c — a template copy's file tree (runtime/zrt/vfs.c,
 * zrt_fs_keep_base and zrt_fs_init_copy), natively: the tree of the
 * program's embedded archive is built aside before the keep without
 * touching the running tree, and a copy's tree is that archive's alone
 * (none of the template run's files, channels or descriptors), its times
 * the archive's and the copy's epoch.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "zvm.h"
#include "zrt.h"
#include "vfs.h"
#include "zrt-support.h"

/* The program's embedded archive (mk/python/embed.S makes one in
 * read-only data): here a room the test fills with a GNU tar. */
__asm__(".data\n.balign 16\n.globl __zvm_embedded_tar_start\n__zvm_embedded_tar_start:\n.zero 65536\n"
	".globl __zvm_embedded_tar_end\n__zvm_embedded_tar_end:\n.previous\n");
extern unsigned char __zvm_embedded_tar_start[], __zvm_embedded_tar_end[];

#define ARCHIVE_MTIME 1000000000ll /* s, what tar --mtime gives every entry */

static struct zvm_info info;
static struct zvm_channel_info ci[FAKE_CHANS];

static int group_setup(void **state)
{
	char dir[] = "/tmp/zrt-tpl-XXXXXX", cmd[512];
	size_t room = (size_t)(__zvm_embedded_tar_end - __zvm_embedded_tar_start), len;
	FILE *p;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir -p usr/lib/sub && printf 'print(1)' > usr/lib/a.py && printf 'bee' > usr/lib/sub/b.txt && "
		 "tar --format=gnu --mtime=@%lld -cf - usr && rm -rf %s",
		 dir, ARCHIVE_MTIME, dir);
	if (!(p = popen(cmd, "r")))
		return -1;
	len = fread(__zvm_embedded_tar_start, 1, room, p);
	return pclose(p) == 0 && len > 1024 && len < room ? 0 : -1;
}

/* the template's own start: its channels (stdin, stdout, stderr), the archive */
static int template_start(void **state)
{
	const char *aliases[] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };
	const unsigned types[] = { 0, 0, 0 };

	(void)state;
	fake_cell(&info, ci, 3, aliases, types, NULL, NULL);
	return zrt_fs_init(&info);
}

static long open_(const char *p, int flags) { return zrt_sys_openat(AT_FDCWD, p, flags, 0644); }

static void slurp(const char *path, char *buf, size_t size)
{
	long fd = open_(path, O_RDONLY), n;

	assert_true(fd >= 0);
	n = zrt_sys_read((int)fd, buf, size - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	zrt_sys_close((int)fd);
}

/* the template run changes its tree, then asks to be kept */
static void template_run_then_keep(void)
{
	struct stat st;
	long fd;

	fd = open_("/tmp/tpl-own", O_WRONLY | O_CREAT);
	assert_true(fd >= 0);
	assert_int_equal(zrt_sys_write((int)fd, "mine", 4), 4);
	zrt_sys_close((int)fd);
	fd = open_("/usr/lib/a.py", O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(zrt_sys_write((int)fd, "changed", 7), 7);
	zrt_sys_close((int)fd);
	assert_int_equal(zrt_sys_chdir("/usr/lib"), 0);
	assert_int_equal(zrt_fs_keep_base(), 0);
	/* the running tree is as it was: its files, its cwd */
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, "/tmp/tpl-own", &st, 0), 0);
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, "sub/b.txt", &st, 0), 0);
	{
		char buf[32];
		slurp("a.py", buf, sizeof(buf));
		assert_string_equal(buf, "changed");
	}
}

/* what a copy does after the keep (runtime/zrt/template.c): its own
 * epoch, then its tree; the memory stays the template's */
static void copy_start(int64_t epoch_s)
{
	info.epoch_ns = (uint64_t)epoch_s * 1000000000ull;
	zrt_clock_init(&info);
	assert_int_equal(zrt_fs_init_copy(&info), 0);
}

/* kept: the copy started from the kept tree (the archive's times), else
 * from a parse (atime and ctime its start, as in any run) */
static void assert_archive_tree(int64_t epoch_s, bool kept)
{
	struct stat st;
	char buf[32];

	slurp("/usr/lib/a.py", buf, sizeof(buf));
	assert_string_equal(buf, "print(1)");
	slurp("/usr/lib/sub/b.txt", buf, sizeof(buf));
	assert_string_equal(buf, "bee");
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, "/tmp/tpl-own", &st, 0), -ENOENT);
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, "/dev/null", &st, 0), 0);
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, "/dev/stdout", &st, 0), 0);
	/* the cwd is the root again */
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, "usr/lib/a.py", &st, 0), 0);
	assert_int_equal(st.st_mtim.tv_sec, ARCHIVE_MTIME);
	assert_int_equal(st.st_ctim.tv_sec, kept ? ARCHIVE_MTIME : epoch_s);
	assert_int_equal(st.st_atim.tv_sec, kept ? ARCHIVE_MTIME : epoch_s);
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, "/", &st, 0), 0);
	assert_true(st.st_mtim.tv_sec >= epoch_s);
	assert_true(st.st_ctim.tv_sec >= epoch_s);
}

static void test_copy_tree_is_the_archive(void **state)
{
	(void)state;
	template_run_then_keep();
	copy_start(1800000000);
	assert_archive_tree(1800000000, true);
	/* the tree was the copy's: a second init (no kept tree left) parses
	 * the archive again, and still has none of the template's files */
	copy_start(1900000000);
	assert_archive_tree(1900000000, false);
}

static void test_dropped_base(void **state)
{
	struct stat st;

	(void)state;
	template_run_then_keep();
	zrt_fs_drop_base(); /* no template was made: the run goes on */
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, "/tmp/tpl-own", &st, 0), 0);
	zrt_fs_drop_base(); /* twice is harmless */
	copy_start(1800000000); /* without a kept tree: the archive parsed */
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, "/usr/lib/sub/b.txt", &st, 0), 0);
	assert_int_equal(zrt_sys_fstatat(AT_FDCWD, "/tmp/tpl-own", &st, 0), -ENOENT);
}

/* a copy's changes to the kept tree are its own tree's (in a real copy
 * its own copy-on-write pages): they leave the archive's bytes alone */
static void test_copy_writes_leave_the_archive(void **state)
{
	char buf[32];
	long fd;

	(void)state;
	template_run_then_keep();
	copy_start(1800000000);
	fd = open_("/usr/lib/a.py", O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(zrt_sys_write((int)fd, "LEAK", 4), 4);
	zrt_sys_close((int)fd);
	assert_null(memmem(__zvm_embedded_tar_start, (size_t)(__zvm_embedded_tar_end - __zvm_embedded_tar_start),
			   "LEAK", 4));
	assert_non_null(memmem(__zvm_embedded_tar_start, (size_t)(__zvm_embedded_tar_end - __zvm_embedded_tar_start),
			       "print(1)", 8));
	slurp("/usr/lib/a.py", buf, sizeof(buf));
	assert_string_equal(buf, "LEAK");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_copy_tree_is_the_archive, template_start),
		cmocka_unit_test_setup(test_dropped_base, template_start),
		cmocka_unit_test_setup(test_copy_writes_leave_the_archive, template_start),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
