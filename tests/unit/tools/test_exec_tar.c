/* zvm exec's write-back (tools/zvm/exec-tar.c): archives made here, as a
 * hostile cell could write them, applied to a scratch directory beside an
 * "outside" one that must stay untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "tools/zvm/exec.h"

static unsigned char ar[1 << 16];
static size_t arlen;
static char base[64], dir[128], outside[128];
static int dfd;

static void add(const char *name, char type, const char *link, const char *data, unsigned mode)
{
	unsigned char *h = ar + arlen;
	size_t n = data ? strlen(data) : 0;
	unsigned sum = 0;

	memset(h, 0, 512);
	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", mode);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011o", (unsigned)n);
	snprintf((char *)h + 136, 12, "%011o", 0);
	h[156] = (unsigned char)type;
	if (link)
		snprintf((char *)h + 157, 100, "%s", link);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	arlen += 512;
	if (n) {
		memset(ar + arlen, 0, (n + 511) / 512 * 512);
		memcpy(ar + arlen, data, n);
		arlen += (n + 511) / 512 * 512;
	}
}

static void file(const char *name, const char *data) { add(name, '0', NULL, data, 0644); }

static void end(void)
{
	memset(ar + arlen, 0, 1024);
	arlen += 1024;
}

static int rm(const char *p, const struct stat *st, int f, struct FTW *w) { return remove(p); }

static int setup(void **state)
{
	snprintf(base, sizeof(base), "/tmp/test_exec_tar.XXXXXX");
	assert_non_null(mkdtemp(base));
	snprintf(dir, sizeof(dir), "%s/dir", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(mkdir(outside, 0755), 0);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	arlen = 0;
	return 0;
}

static int teardown(void **state)
{
	close(dfd);
	nftw(base, rm, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static char *slurp(const char *d, const char *name)
{
	static char b[4096];
	char p[1024];
	int fd;
	ssize_t n;

	snprintf(p, sizeof(p), "%s/%s", d, name);
	if ((fd = open(p, O_RDONLY | O_NOFOLLOW)) < 0)
		return NULL;
	n = read(fd, b, sizeof(b) - 1);
	close(fd);
	b[n < 0 ? 0 : n] = '\0';
	return b;
}

static void put(const char *d, const char *name, const char *data)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", d, name);
	assert_non_null(f = fopen(p, "w"));
	fputs(data, f);
	fclose(f);
}

static int entries_in(const char *d)
{
	char cmd[512];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "find %s -mindepth 1 | wc -l", d);
	p = popen(cmd, "r");
	if (p && fscanf(p, "%d", &n) != 1)
		n = -1;
	if (p)
		pclose(p);
	return n;
}

static void writes_files_and_directories(void **state)
{
	struct zvm_write_back wb;
	struct stat st;

	add("./", '5', NULL, NULL, 0755);
	add("sub/", '5', NULL, NULL, 0755);
	file("sub/a.txt", "alpha\n");
	add("run.sh", '0', NULL, "#!/bin/sh\n", 04755); /* setuid dropped */
	file("/abs/b.txt", "beta\n");                    /* absolute: under dir */
	file("deep/er/c.txt", "gamma\n");                 /* parents made */
	end();
	assert_int_equal(zvm_write_back(dfd, "", NULL, 0, ar, arlen, &wb), 0);
	assert_string_equal(slurp(dir, "sub/a.txt"), "alpha\n");
	assert_string_equal(slurp(dir, "abs/b.txt"), "beta\n");
	assert_string_equal(slurp(dir, "deep/er/c.txt"), "gamma\n");
	assert_int_equal(fstatat(dfd, "run.sh", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(wb.written, 4);
	assert_int_equal(entries_in(outside), 0);
}

static void unchanged_files_are_left_alone(void **state)
{
	struct zvm_write_back wb;
	struct stat a, b;

	put(dir, "same.txt", "same\n");
	put(dir, "old.txt", "old\n");
	assert_int_equal(fstatat(dfd, "same.txt", &a, 0), 0);
	file("same.txt", "same\n");
	file("old.txt", "new\n");
	end();
	assert_int_equal(zvm_write_back(dfd, "", NULL, 0, ar, arlen, &wb), 0);
	assert_int_equal(fstatat(dfd, "same.txt", &b, 0), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_mtim.tv_nsec, b.st_mtim.tv_nsec);
	assert_string_equal(slurp(dir, "old.txt"), "new\n");
	assert_int_equal(wb.written, 1);
	assert_int_equal(wb.unchanged, 1);
}

static void a_file_given_and_not_changed_keeps_the_hosts_bytes(void **state)
{
	static unsigned char given[4096];
	struct zvm_write_back wb;
	size_t glen;

	/* the cell was given out.txt empty (a shell's "> out.txt" made it),
	 * the program wrote its stdout into the host's file meanwhile, and
	 * the cell gives the empty file back: the host's bytes stay */
	file("job/out.txt", "");
	file("job/in.txt", "old\n");
	end();
	memcpy(given, ar, arlen);
	glen = arlen;
	put(dir, "out.txt", "the program's stdout\n");
	put(dir, "in.txt", "old\n");
	arlen = 0;
	file("job/out.txt", "");
	file("job/in.txt", "changed in the cell\n");
	file("job/new.txt", "new\n");
	end();
	assert_int_equal(zvm_write_back(dfd, "/job", given, glen, ar, arlen, &wb), 0);
	assert_string_equal(slurp(dir, "out.txt"), "the program's stdout\n");
	assert_string_equal(slurp(dir, "in.txt"), "changed in the cell\n");
	assert_string_equal(slurp(dir, "new.txt"), "new\n");
	assert_int_equal(wb.written, 2);
	assert_int_equal(wb.unchanged, 1);
	given[0] ^= 1; /* the given archive damaged: refused, nothing written */
	assert_int_equal(zvm_write_back(dfd, "/job", given, glen, ar, arlen, &wb), -EINVAL);
}

static void a_hard_link_is_replaced_not_written_through(void **state)
{
	struct zvm_write_back wb;
	char o[256], l[256];

	put(outside, "secret", "outside\n");
	snprintf(o, sizeof(o), "%s/secret", outside);
	snprintf(l, sizeof(l), "%s/linked", dir);
	assert_int_equal(link(o, l), 0);
	file("linked", "overwritten\n");
	end();
	assert_int_equal(zvm_write_back(dfd, "", NULL, 0, ar, arlen, &wb), 0);
	assert_string_equal(slurp(outside, "secret"), "outside\n");
	assert_string_equal(slurp(dir, "linked"), "overwritten\n");
}

static void dotdot_is_refused(void **state)
{
	static const char *const names[] = { "../escaped", "a/../../escaped", "/x/../../escaped", "..", "a/.." };
	struct zvm_write_back wb;

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		arlen = 0;
		file(names[i], "x\n");
		end();
		assert_int_equal(zvm_write_back(dfd, "", NULL, 0, ar, arlen, &wb), -EINVAL);
		assert_non_null(strstr(wb.error, names[i]));
		assert_non_null(strstr(wb.error, ".."));
	}
	assert_int_equal(entries_in(base), 2); /* dir and outside, both empty */
}

static void no_symlink_of_the_caller_is_followed(void **state)
{
	struct zvm_write_back wb;
	char l[256];

	snprintf(l, sizeof(l), "%s/out-dir", dir);
	assert_int_equal(symlink(outside, l), 0);
	put(outside, "target", "outside\n");
	snprintf(l, sizeof(l), "%s/out-file", dir);
	{
		char t[256];
		snprintf(t, sizeof(t), "%s/target", outside);
		assert_int_equal(symlink(t, l), 0);
	}
	file("out-dir/escaped", "x\n");
	end();
	assert_int_equal(zvm_write_back(dfd, "", NULL, 0, ar, arlen, &wb), -ENOTDIR);
	assert_non_null(strstr(wb.error, "out-dir/escaped"));
	arlen = 0;
	add("out-dir/sub", '5', NULL, NULL, 0755);
	end();
	assert_int_equal(zvm_write_back(dfd, "", NULL, 0, ar, arlen, &wb), -ENOTDIR);
	arlen = 0;
	file("out-file", "x\n");
	end();
	assert_int_equal(zvm_write_back(dfd, "", NULL, 0, ar, arlen, &wb), -EEXIST);
	assert_non_null(strstr(wb.error, "not a regular file"));
	assert_int_equal(entries_in(outside), 1);
	assert_string_equal(slurp(outside, "target"), "outside\n");
}

static void links_and_devices_are_skipped(void **state)
{
	struct zvm_write_back wb;

	add("made-symlink", '2', "/etc/passwd", NULL, 0777);
	add("made-hardlink", '1', "/etc/passwd", NULL, 0644);
	add("made-device", '3', NULL, NULL, 0644);
	add("made-fifo", '6', NULL, NULL, 0644);
	file("kept", "k\n");
	end();
	assert_int_equal(zvm_write_back(dfd, "", NULL, 0, ar, arlen, &wb), 0);
	assert_int_equal(wb.skipped, 4);
	assert_int_equal(entries_in(dir), 1);
	assert_string_equal(slurp(dir, "kept"), "k\n");
}

static void only_what_is_under_the_prefix(void **state)
{
	struct zvm_write_back wb;

	add("home/", '5', NULL, NULL, 0755);
	add("home/user/", '5', NULL, NULL, 0755);
	add("home/user/job/", '5', NULL, NULL, 0755);
	file("home/user/job/out.txt", "in\n");
	file("home/user/job/sub/deep.txt", "deep\n");
	file("home/user/jobless.txt", "no\n");   /* a sibling with the prefix's letters */
	file("home/user/other.txt", "no\n");
	file("tmp/scratch", "no\n");
	file("etc/passwd", "no\n");
	end();
	assert_int_equal(zvm_write_back(dfd, "/home/user/job", NULL, 0, ar, arlen, &wb), 0);
	assert_string_equal(slurp(dir, "out.txt"), "in\n");
	assert_string_equal(slurp(dir, "sub/deep.txt"), "deep\n");
	assert_int_equal(entries_in(dir), 3);
	assert_int_equal(wb.written, 2);
	assert_int_equal(wb.skipped, 7);
	assert_int_equal(zvm_write_back(dfd, "/home/../etc", NULL, 0, ar, arlen, &wb), -EINVAL);
}

static void damaged_archives_are_refused(void **state)
{
	struct zvm_write_back wb;

	file("a", "data\n");
	end();
	ar[0] ^= 1; /* checksum */
	assert_int_equal(zvm_write_back(dfd, "", NULL, 0, ar, arlen, &wb), -EINVAL);
	assert_non_null(strstr(wb.error, "offset 0"));
	arlen = 0;
	file("a", "data\n");
	file("b", "more\n");
	arlen -= 512; /* b's data cut off */
	assert_int_equal(zvm_write_back(dfd, "", NULL, 0, ar, arlen, &wb), -EINVAL);
	assert_non_null(strstr(wb.error, "offset 1024"));
	assert_int_equal(zvm_write_back(dfd, "", NULL, 0, ar, 100, &wb), -EINVAL); /* half a header */
	assert_int_equal(zvm_write_back(dfd, "", NULL, 0, ar, 0, &wb), 0);          /* empty: nothing */
}

static void gnu_long_names(void **state)
{
	char name[700], want[800];
	struct zvm_write_back wb;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	for (int i = 100; i < (int)sizeof(name) - 1; i += 100)
		name[i] = '/'; /* components within NAME_MAX */
	{
		unsigned char *h;
		size_t n = strlen(name) + 1, at;
		add("././@LongLink", 'L', NULL, NULL, 0644);
		h = ar + arlen - 512;
		snprintf((char *)h + 124, 12, "%011o", (unsigned)n);
		memset(h + 148, ' ', 8);
		unsigned sum = 0;
		for (int i = 0; i < 512; i++)
			sum += h[i];
		snprintf((char *)h + 148, 8, "%06o", sum);
		at = arlen;
		memset(ar + at, 0, (n + 511) / 512 * 512);
		memcpy(ar + at, name, n);
		arlen += (n + 511) / 512 * 512;
	}
	file("short-ignored", "long\n");
	end();
	assert_int_equal(zvm_write_back(dfd, "", NULL, 0, ar, arlen, &wb), 0);
	snprintf(want, sizeof(want), "%s", name);
	assert_string_equal(slurp(dir, want), "long\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(writes_files_and_directories, setup, teardown),
		cmocka_unit_test_setup_teardown(unchanged_files_are_left_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_given_and_not_changed_keeps_the_hosts_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(a_hard_link_is_replaced_not_written_through, setup, teardown),
		cmocka_unit_test_setup_teardown(dotdot_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(no_symlink_of_the_caller_is_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(links_and_devices_are_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(only_what_is_under_the_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(damaged_archives_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(gnu_long_names, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
