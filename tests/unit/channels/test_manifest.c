/*
 * test_manifest.c — the manifest parser: one row per case, with the exact
 * start of the error message a user would see.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "channels/channels.h"

static const struct bad {
	const char *text;
	const char *error; /* prefix of the message */
} bad[] = {
	{ "Memory = 1M\n", "t.manifest:1: no Program line" },
	{ "Program = a\nFrobnicate = 1\n", "t.manifest:2: unknown key 'Frobnicate'" },
	{ "Program = a\nProgram = b\n", "t.manifest:2: Program is given twice" },
	{ "Program = a\nMemory = 12Q\n", "t.manifest:2: Memory '12Q' must be bytes" },
	{ "Program = a\nMemory = 512K\n", "t.manifest:2: Memory '512K' must be bytes" },
	{ "Program = a\nMemory = 99999999999999999999\n", "t.manifest:2: Memory" },
	{ "Program = a\nTimeout = -1\n", "t.manifest:2: Timeout '-1' must be positive seconds" },
	{ "Program = a\nTimeout = abc\n", "t.manifest:2: Timeout 'abc'" },
	{ "Program = a\nTimeout = 1\nCpuTime = 2\n", "t.manifest:3: CpuTime 2.000 exceeds Timeout 1.000" },
	{ "Program = a\nDeterministic = maybe\n", "t.manifest:2: Deterministic 'maybe' must be yes or no" },
	{ "Program = a\nEnv = novalue\n", "t.manifest:2: Env 'novalue' must be NAME=value" },
	{ "Program = a\njust words\n", "t.manifest:2: expected 'Key = value'" },
	{ "Program = a\nChannel = x, /dev/x, 0, 1, 1\n", "t.manifest:2: Channel needs 7 fields" },
	{ "Program = a\nChannel = x, /dev/x, 0, 1, 1, 1, 1, 1\n", "t.manifest:2: Channel has more than 7 fields" },
	{ "Program = a\nChannel = x, /dev/x, 4, 1, 1, 1, 1\n", "t.manifest:2: Channel type '4' must be 0, 1, 2 or 3" },
	{ "Program = a\nChannel = x, dev, 0, 1, 1, 1, 1\n", "t.manifest:2: Channel alias 'dev' must be an absolute name" },
	{ "Program = a\nChannel = x, /dev/x, 0, -1, 1, 1, 1\n", "t.manifest:2: Channel gets '-1' must be a count" },
	{ "Program = a\nChannel = x, /dev/x, 0, 1, 1, 1, 1\nChannel = y, /dev/x, 0, 1, 1, 1, 1\n",
	  "t.manifest:3: Channel alias '/dev/x' is declared twice (first on line 2)" },
	{ "Program = a\nChannel = x, /dev/x, 0, 1, , 1, 1\n", "t.manifest:2: Channel field get_size is empty" },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct zvm_manifest m;
		char err[512] = "";
		int rc = zvm_manifest_parse(bad[i].text, strlen(bad[i].text), "t.manifest", &m, err, sizeof(err));
		if (rc != -EINVAL || strncmp(err, bad[i].error, strlen(bad[i].error)) != 0)
			fail_msg("case %zu: rc %d, message '%s', expected '%s'", i, rc, err, bad[i].error);
	}
}

static void test_good(void **state)
{
	const char *text =
		"# a comment\n"
		"Program = /bin/prog.nexe\n"
		"Memory = 64M\n"
		"Timeout = 2.5\n"
		"CpuTime = 0.25\n"
		"Deterministic = no\n"
		"Seed = 42\n"
		"Epoch = 1700000000000000000\n"
		"Arg =  spaced  words \n"
		"Arg = second\n"
		"Env = HOME=/\n"
		"\n"
		"Channel = /dev/stdin, /dev/stdin, 0, unlimited, 1K, 0, 0\n"
		"Channel = out.txt, /dev/output, 2, 0, 0, 10, 2M\n";
	struct zvm_manifest m;
	char err[256];

	(void)state;
	assert_int_equal(zvm_manifest_parse(text, strlen(text), "g", &m, err, sizeof(err)), 0);
	assert_string_equal(m.program, "/bin/prog.nexe");
	assert_int_equal(m.memory, 64ull << 20);
	assert_true(m.timeout == 2.5 && m.cpu_time == 0.25);
	assert_false(m.deterministic);
	assert_int_equal(m.seed, 42);
	assert_int_equal(m.epoch_ns, 1700000000000000000ull);
	assert_int_equal(m.nargs, 2);
	assert_string_equal(m.args[0], "spaced  words");
	assert_string_equal(m.env[0], "HOME=/");
	assert_int_equal(m.nchannels, 2);
	assert_int_equal(m.channels[0].max_reads, ZVM_NO_LIMIT);
	assert_int_equal(m.channels[0].max_read_bytes, 1024);
	assert_int_equal(m.channels[1].type, 2);
	assert_int_equal(m.channels[1].max_writes, 10);
	assert_int_equal(m.channels[1].max_write_bytes, 2ull << 20);
	assert_string_equal(m.channels[1].alias, "/dev/output");
	assert_int_equal(m.channels[1].line, 14);
	zvm_manifest_free(&m);
}

/* Paths in a manifest file are relative to its directory. */
static void test_relative_paths(void **state)
{
	char dir[] = "/tmp/zvm-manifest-XXXXXX", path[128], err[256];
	struct zvm_manifest m;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/job.manifest", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "Program = prog.nexe\nChannel = in.txt, /dev/stdin, 0, 1, 1, 0, 0\n"
		   "Channel = /dev/stdout, /dev/stdout, 0, 0, 0, 1, 1\n");
	fclose(f);
	assert_int_equal(zvm_manifest_load(path, &m, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/prog.nexe", dir);
	assert_string_equal(m.program, path);
	snprintf(path, sizeof(path), "%s/in.txt", dir);
	assert_string_equal(m.channels[0].uri, path);
	assert_string_equal(m.channels[1].uri, "/dev/stdout");
	zvm_manifest_free(&m);
	snprintf(path, sizeof(path), "%s/job.manifest", dir);
	unlink(path);
	rmdir(dir);
	assert_int_equal(zvm_manifest_load("/nonexistent/x.manifest", &m, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/x.manifest"));
}

static void test_default(void **state)
{
	struct zvm_manifest m;

	(void)state;
	assert_int_equal(zvm_manifest_default("p.nexe", &m), 0);
	assert_int_equal(m.nchannels, 3);
	assert_string_equal(m.channels[1].alias, "/dev/stdout");
	assert_int_equal(m.channels[0].max_writes, 0);
	assert_int_equal(m.channels[1].max_write_bytes, ZVM_NO_LIMIT);
	assert_true(m.deterministic);
	zvm_manifest_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_default),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
