/*
 * test_detect.c — cgroup detection from mountinfo files of the kinds of
 * host zvm meets: pure v2, hybrid (this project's CI host), v1 only, none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgroups/cgroups.h"

static void detect(const char *text, struct zvm_cg_host *h)
{
	char path[] = "/tmp/zvm-mountinfo-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(zvm_cg_detect(h, path), 0);
	unlink(path);
}

static void test_pure_v2(void **state)
{
	struct zvm_cg_host h;
	(void)state;
	detect("24 1 0:22 / /sys rw - sysfs sysfs rw\n"
	       "30 24 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n", &h);
	assert_string_equal(h.v2_root, "/sys/fs/cgroup");
	assert_true(h.bpf_possible);
	/* controllers are read from the live root only: with a synthetic file
	 * none are known, so this is v2 without controllers */
	assert_int_equal(h.mode, ZVM_CG_V2);
	assert_string_equal(h.v1_memory, "");
}

static void test_hybrid(void **state)
{
	struct zvm_cg_host h;
	(void)state;
	detect("31 24 0:27 / /sys/fs/cgroup ro - tmpfs tmpfs ro,mode=755\n"
	       "32 31 0:28 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
	       "33 31 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	       "34 31 0:30 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
	       "35 31 0:31 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n", &h);
	assert_int_equal(h.mode, ZVM_CG_V1);
	assert_string_equal(h.v1_memory, "/sys/fs/cgroup/memory");
	assert_string_equal(h.v1_pids, "/sys/fs/cgroup/pids");
	assert_string_equal(h.v1_cpu, "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(h.v2_root, "/sys/fs/cgroup/unified");
	assert_true(h.bpf_possible);
}

static void test_v1_only(void **state)
{
	struct zvm_cg_host h;
	(void)state;
	detect("33 31 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", &h);
	assert_int_equal(h.mode, ZVM_CG_V1);
	assert_false(h.bpf_possible);
}

static void test_none(void **state)
{
	struct zvm_cg_host h;
	(void)state;
	detect("24 1 0:22 / /sys rw - sysfs sysfs rw\nnonsense line\n\n", &h);
	assert_int_equal(h.mode, ZVM_CG_NONE);
	assert_int_equal(zvm_cg_detect(&h, "/nonexistent/mountinfo"), -2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pure_v2),
		cmocka_unit_test(test_hybrid),
		cmocka_unit_test(test_v1_only),
		cmocka_unit_test(test_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
