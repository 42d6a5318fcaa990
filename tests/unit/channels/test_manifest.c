/*
 * test_manifest.c — the manifest parser: one row per case, with the exact
 * start of the error message a user would see, or the value a good line
 * gives. Files only in test_load_* (temporary directory, no root needed).
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
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "channels/channels.h"

#define P "Program = a\n"
#define CH(rest) P "Channel = " rest "\n"

static const struct bad {
	const char *text;
	const char *error; /* prefix of the message */
} bad[] = {
	/* structure */
	{ "", "t.manifest:1: no Program line" },
	{ "Memory = 1M\n# end\n", "t.manifest:2: no Program line" },
	{ P "Frobnicate = 1\n", "t.manifest:2: unknown key 'Frobnicate' (known: Program," },
	{ P "program = b\n", "t.manifest:2: unknown key 'program'" },
	{ P "= 1\n", "t.manifest:2: no key before '='" },
	{ P "just words\n", "t.manifest:2: expected 'Key = value'" },
	{ P "Arg = a\0b\n", "t.manifest:2: NUL byte in line" },
	{ P "Arg = a\x1b[31m\n", "t.manifest:2: control character 0x1b in line" },
	{ P "Arg = a\rb\n", "t.manifest:2: control character 0x0d in line" },
	{ P "Arg = \x7f\n", "t.manifest:2: control character 0x7f in line" },
	/* singular keys given twice name the first line */
	{ "Program = a\nProgram = b\n", "t.manifest:2: Program is given twice (first on line 1)" },
	{ P "Memory = 1M\n\nMemory = 1M\n", "t.manifest:4: Memory is given twice (first on line 2)" },
	{ P "Timeout = 1\nTimeout = 1\n", "t.manifest:3: Timeout is given twice" },
	{ P "CpuTime = 1\nCpuTime = 1\n", "t.manifest:3: CpuTime is given twice" },
	{ P "Deterministic = no\nDeterministic = no\n", "t.manifest:3: Deterministic is given twice" },
	{ P "Seed = 1\nSeed = 1\n", "t.manifest:3: Seed is given twice" },
	{ P "Epoch = 1\nEpoch = 1\n", "t.manifest:3: Epoch is given twice" },
	{ "Program =\n", "t.manifest:1: Program is empty" },
	/* Memory */
	{ P "Memory = 12Q\n", "t.manifest:2: Memory '12Q' must be bytes (like 64M or 1 GiB) from 1M to 3G" },
	{ P "Memory = 512K\n", "t.manifest:2: Memory '512K' must be bytes" },
	{ P "Memory = 1048575\n", "t.manifest:2: Memory '1048575'" },
	{ P "Memory = 3073M\n", "t.manifest:2: Memory '3073M'" },
	{ P "Memory = 4G\n", "t.manifest:2: Memory '4G'" },
	{ P "Memory = 99999999999999999999\n", "t.manifest:2: Memory '99999999999999999999'" },
	{ P "Memory = 17179869184G\n", "t.manifest:2: Memory '17179869184G'" },
	{ P "Memory = -1M\n", "t.manifest:2: Memory '-1M'" },
	{ P "Memory = 1  M\n", "t.manifest:2: Memory '1  M'" },
	{ P "Memory = 64MB\n", "t.manifest:2: Memory '64MB'" },
	{ P "Memory = 0x100000\n", "t.manifest:2: Memory '0x100000'" },
	{ P "Memory = M\n", "t.manifest:2: Memory 'M'" },
	{ P "Memory =\n", "t.manifest:2: Memory ''" },
	/* Timeout, CpuTime */
	{ P "Timeout = -1\n", "t.manifest:2: Timeout '-1' must be seconds (like 2, 0.5 or 500ms) from 0.001 to 31536000" },
	{ P "Timeout = abc\n", "t.manifest:2: Timeout 'abc'" },
	{ P "Timeout = 0\n", "t.manifest:2: Timeout '0'" },
	{ P "Timeout = 0.0009\n", "t.manifest:2: Timeout '0.0009'" },
	{ P "Timeout = 1e3\n", "t.manifest:2: Timeout '1e3'" },
	{ P "Timeout = 0x10\n", "t.manifest:2: Timeout '0x10'" },
	{ P "Timeout = inf\n", "t.manifest:2: Timeout 'inf'" },
	{ P "Timeout = nan\n", "t.manifest:2: Timeout 'nan'" },
	{ P "Timeout = .\n", "t.manifest:2: Timeout '.'" },
	{ P "Timeout = 1.2.3\n", "t.manifest:2: Timeout '1.2.3'" },
	{ P "Timeout = 31536001\n", "t.manifest:2: Timeout '31536001'" },
	{ P "CpuTime = 0\n", "t.manifest:2: CpuTime '0' must be seconds" },
	{ P "Timeout = 1\nCpuTime = 2\n# x\n", "t.manifest:3: CpuTime 2 exceeds Timeout 1" },
	{ P "CpuTime = 2\nTimeout = 1.5\n", "t.manifest:3: CpuTime 2 exceeds Timeout 1.5" },
	{ P "CpuTime = 11\n", "t.manifest:2: CpuTime 11 exceeds Timeout 10" },
	/* Deterministic, Seed, Epoch */
	{ P "Deterministic = maybe\n", "t.manifest:2: Deterministic 'maybe' must be yes or no" },
	{ P "Deterministic = Yes\n", "t.manifest:2: Deterministic 'Yes'" },
	{ P "Seed = -1\n", "t.manifest:2: Seed '-1' must be an unsigned integer" },
	{ P "Seed = 18446744073709551616\n", "t.manifest:2: Seed '18446744073709551616'" },
	{ P "Seed = 12abc\n", "t.manifest:2: Seed '12abc'" },
	{ P "Epoch = 1.5\n", "t.manifest:2: Epoch '1.5' must be nanoseconds since 1970" },
	/* Env */
	{ P "Env = novalue\n", "t.manifest:2: Env 'novalue' must be NAME=value" },
	{ P "Env = =x\n", "t.manifest:2: Env '=x' must be NAME=value" },
	{ P "Env = A=1\nEnv = B=2\nEnv = A=3\n", "t.manifest:4: Env A is given twice (first on line 2)" },
	/* Channel: fields */
	{ CH("x, /dev/x, 0, 1, 1"), "t.manifest:2: Channel needs 7 fields (uri, alias, type, gets, get_size, puts, put_size), got 5" },
	{ CH("x, /dev/x, 0, 1, 1, 1, 1, 1"), "t.manifest:2: Channel has more than 7 fields" },
	{ CH("x, /dev/x, 0, 1, 1, 1, 1,"), "t.manifest:2: Channel has more than 7 fields" },
	{ CH("x, /dev/x, 0, 1, , 1, 1"), "t.manifest:2: Channel field get_size is empty" },
	{ CH(", /dev/x, 0, 1, 1, 1, 1"), "t.manifest:2: Channel field uri is empty" },
	{ CH("x, /dev/x, 4, 1, 1, 1, 1"), "t.manifest:2: Channel type '4' must be 0, 1, 2 or 3" },
	{ CH("x, /dev/x, -0, 1, 1, 1, 1"), "t.manifest:2: Channel type '-0'" },
	{ CH("x, /dev/x, 1x, 1, 1, 1, 1"), "t.manifest:2: Channel type '1x'" },
	{ CH("x, dev, 0, 1, 1, 1, 1"), "t.manifest:2: Channel alias 'dev' must be an absolute name like /dev/input" },
	{ CH("x, /dev/0123456789012345678901234567890123456789012345678901234567890, 0, 1, 1, 1, 1"),
	  "t.manifest:2: Channel alias '/dev/0123456789012345678901234567890123456789012345678901234567890' is longer than 63 bytes" },
	{ CH("fd:, /dev/x, 0, 1, 1, 1, 1"), "t.manifest:2: Channel uri 'fd:': fd:N needs a descriptor number" },
	{ CH("fd:-1, /dev/x, 0, 1, 1, 1, 1"), "t.manifest:2: Channel uri 'fd:-1'" },
	{ CH("fd:99999999999, /dev/x, 0, 1, 1, 1, 1"), "t.manifest:2: Channel uri 'fd:99999999999'" },
	/* Channel: limits */
	{ CH("x, /dev/x, 0, -1, 1, 1, 1"), "t.manifest:2: Channel gets '-1' must be a count or 'unlimited'" },
	{ CH("x, /dev/x, 0, 1K, 1, 1, 1"), "t.manifest:2: Channel gets '1K' must be a count" },
	{ CH("x, /dev/x, 0, 1, 1P, 1, 1"), "t.manifest:2: Channel get_size '1P' must be bytes (like 64K or 1 MiB) or 'unlimited'" },
	{ CH("x, /dev/x, 0, 1, 1, unlimitedx, 1"), "t.manifest:2: Channel puts 'unlimitedx'" },
	{ CH("x, /dev/x, 0, 1, 1, 1, 17179869184G"), "t.manifest:2: Channel put_size '17179869184G'" },
	{ CH("x, /dev/x, 0, 1, 1, 1, 18446744073709551616"), "t.manifest:2: Channel put_size '18446744073709551616'" },
	{ CH("x, /dev/x, 0, 1, 1, 1, Unlimited"), "t.manifest:2: Channel put_size 'Unlimited'" },
	/* Channel: aliases are unique */
	{ CH("x, /dev/x, 0, 1, 1, 1, 1") "Channel = y, /dev/x, 0, 1, 1, 1, 1\n",
	  "t.manifest:3: Channel alias '/dev/x' is declared twice (first on line 2)" },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct zvm_manifest m;
		char err[512] = "";
		/* the NUL row goes on past its NUL byte */
		size_t len = strlen(bad[i].text);
		const char *nul = strstr(bad[i].error, "NUL");
		int rc;

		if (nul)
			len += 1 + strlen(bad[i].text + len + 1);
		rc = zvm_manifest_parse(bad[i].text, len, "t.manifest", &m, err, sizeof(err));
		if (rc != -EINVAL || strncmp(err, bad[i].error, strlen(bad[i].error)) != 0)
			fail_msg("case %zu: rc %d, message '%s', expected '%s'", i, rc, err, bad[i].error);
		/* a failed parse leaves nothing to free */
		assert_null(m.program);
		assert_int_equal(m.nchannels + m.nargs + m.nenv, 0);
	}
}

/* Limits that are counts and sizes; one row = field text, expected value. */
static const struct good_limit {
	const char *text;
	bool bytes;
	uint64_t want;
} good_limits[] = {
	{ "0", false, 0 },
	{ "7", false, 7 },
	{ "unlimited", false, ZVM_NO_LIMIT },
	{ "18446744073709551615", false, ZVM_NO_LIMIT },
	{ "0", true, 0 },
	{ "1k", true, 1024 },
	{ "3M", true, 3ull << 20 },
	{ "2g", true, 2ull << 30 },
	{ "17179869183G", true, 17179869183ull << 30 },
	{ "unlimited", true, ZVM_NO_LIMIT },
};

static void test_good_limits(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good_limits) / sizeof(good_limits[0]); i++) {
		const struct good_limit *g = &good_limits[i];
		char text[256], err[256] = "";
		struct zvm_manifest m;

		snprintf(text, sizeof(text), "Program = a\nChannel = x, /x, 0, %s, %s, %s, %s\n",
			 g->bytes ? "1" : g->text, g->bytes ? g->text : "1", g->bytes ? "1" : g->text,
			 g->bytes ? g->text : "1");
		if (zvm_manifest_parse(text, strlen(text), "l", &m, err, sizeof(err)) != 0)
			fail_msg("row %zu '%s': %s", i, g->text, err);
		assert_int_equal(g->bytes ? m.channels[0].max_read_bytes : m.channels[0].max_reads, g->want);
		assert_int_equal(g->bytes ? m.channels[0].max_write_bytes : m.channels[0].max_writes, g->want);
		zvm_manifest_free(&m);
	}
}

static const struct good_memory {
	const char *text;
	uint64_t want;
} good_memory[] = {
	{ "1M", 1ull << 20 }, { "1048576", 1ull << 20 }, { "1024k", 1ull << 20 },
	{ "64M", 64ull << 20 }, { "3G", 3ull << 30 }, { "3072m", 3ull << 30 },
	{ "1 GiB", 1ull << 30 }, { "64 MiB", 64ull << 20 },
};

static void test_good_memory_and_seconds(void **state)
{
	static const struct { const char *text; double want; } secs[] = {
		{ "2", 2.0 }, { "0.5", 0.5 }, { ".25", 0.25 }, { "5.", 5.0 }, { "0.001", 0.001 }, { "31536000", 31536000.0 },
	};
	char text[128], err[256];
	struct zvm_manifest m;

	(void)state;
	for (size_t i = 0; i < sizeof(good_memory) / sizeof(good_memory[0]); i++) {
		snprintf(text, sizeof(text), "Program = a\nMemory = %s\n", good_memory[i].text);
		if (zvm_manifest_parse(text, strlen(text), "m", &m, err, sizeof(err)) != 0)
			fail_msg("'%s': %s", good_memory[i].text, err);
		assert_int_equal(m.memory, good_memory[i].want);
		zvm_manifest_free(&m);
	}
	for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		snprintf(text, sizeof(text), "Program = a\nTimeout = %s\nCpuTime = %s\n", secs[i].text, secs[i].text);
		if (zvm_manifest_parse(text, strlen(text), "s", &m, err, sizeof(err)) != 0)
			fail_msg("'%s': %s", secs[i].text, err);
		assert_true(m.timeout == secs[i].want && m.cpu_time == secs[i].want);
		zvm_manifest_free(&m);
	}
}

/* Which limits the text gave: zvm submit leaves the others to zvmd. */
static void test_given_limits(void **state)
{
	static const struct { const char *text; unsigned want; } rows[] = {
		{ "Program = a\n", 0 },
		{ "Program = a\nMemory = 64M\n", ZVM_GIVEN_MEMORY },
		{ "Program = a\nTimeout = 10\n", ZVM_GIVEN_TIMEOUT }, /* the default's value, given */
		{ "Program = a\nTimeout = 5\nCpuTime = 1\n", ZVM_GIVEN_TIMEOUT | ZVM_GIVEN_CPU_TIME },
	};
	struct zvm_manifest m;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(zvm_manifest_parse(rows[i].text, strlen(rows[i].text), "g", &m, err, sizeof(err)), 0);
		assert_int_equal(m.given, rows[i].want);
		zvm_manifest_free(&m);
	}
	assert_int_equal(zvm_manifest_default("p", &m), 0);
	assert_int_equal(m.given, 0);
	zvm_manifest_free(&m);
}

static void test_good(void **state)
{
	const char *text =
		"# a comment\n"
		"   # an indented comment\n"
		"\tProgram\t=\t/bin/prog.nexe  \r\n"
		"Memory = 64M\n"
		"Timeout = 2.5\n"
		"CpuTime = 0.25\n"
		"Deterministic = no\n"
		"Seed = 18446744073709551615\n"
		"Epoch = 1700000000000000000\n"
		"Arg =  spaced  words \n"
		"Arg = a=b, # not a comment\n"
		"Arg =\n"
		"Env = HOME=/\n"
		"Env = EMPTY=\n"
		"\n"
		"Channel = /dev/stdin, /dev/stdin, 0, unlimited, 1K, 0, 0\n"
		"Channel=out.txt,/dev/output,2,0,0,10,2M\n"
		"Channel = fd:7, /dev/fd7, 3, 1, 1, 1, 1"; /* no final newline */
	struct zvm_manifest m;
	char err[256] = "";

	(void)state;
	if (zvm_manifest_parse(text, strlen(text), "g", &m, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(m.program, "/bin/prog.nexe");
	assert_int_equal(m.memory, 64ull << 20);
	assert_true(m.timeout == 2.5 && m.cpu_time == 0.25);
	assert_false(m.deterministic);
	assert_int_equal(m.seed, UINT64_MAX);
	assert_int_equal(m.epoch_ns, 1700000000000000000ull);
	assert_int_equal(m.nargs, 3);
	assert_string_equal(m.args[0], "spaced  words");
	assert_string_equal(m.args[1], "a=b, # not a comment");
	assert_string_equal(m.args[2], "");
	assert_int_equal(m.nenv, 2);
	assert_string_equal(m.env[0], "HOME=/");
	assert_string_equal(m.env[1], "EMPTY=");
	assert_int_equal(m.nchannels, 3);
	assert_string_equal(m.channels[0].uri, "/dev/stdin");
	assert_int_equal(m.channels[0].max_reads, ZVM_NO_LIMIT);
	assert_int_equal(m.channels[0].max_read_bytes, 1024);
	assert_int_equal(m.channels[0].max_writes, 0);
	assert_string_equal(m.channels[1].uri, "out.txt"); /* parse: as given */
	assert_string_equal(m.channels[1].alias, "/dev/output");
	assert_int_equal(m.channels[1].type, 2);
	assert_int_equal(m.channels[1].max_writes, 10);
	assert_int_equal(m.channels[1].max_write_bytes, 2ull << 20);
	assert_int_equal(m.channels[1].line, 17);
	assert_string_equal(m.channels[2].uri, "fd:7");
	assert_int_equal(m.channels[2].line, 18);
	zvm_manifest_free(&m);
}

/* Defaults when a key is missing; the parser adds no channels of its own. */
static void test_defaults(void **state)
{
	struct zvm_manifest m;
	char err[64];

	(void)state;
	assert_int_equal(zvm_manifest_parse("Program = p", 11, "d", &m, err, sizeof(err)), 0);
	assert_int_equal(m.memory, ZVM_DEFAULT_MEMORY);
	assert_true(m.timeout == ZVM_DEFAULT_TIMEOUT && m.cpu_time == 0);
	assert_true(m.deterministic);
	assert_int_equal(m.seed + m.epoch_ns + m.nargs + m.nenv + m.nchannels, 0);
	zvm_manifest_free(&m);
}

/* The i-th line of a counted repeat: Arg, Env or Channel. */
static int repeat_line(char *buf, size_t cap, int kind, unsigned i)
{
	switch (kind) {
	case 0: return snprintf(buf, cap, "Arg = %u\n", i);
	case 1: return snprintf(buf, cap, "Env = V%u=1\n", i);
	default: return snprintf(buf, cap, "Channel = f%u, /dev/c%u, 0, 1, 1, 0, 0\n", i, i);
	}
}

/* Counted repeats: the limit itself is fine, one more is an error. */
static void test_too_many(void **state)
{
	static const struct { unsigned max; const char *error; } rows[] = {
		{ ZVM_MAX_ARGS, "more than 256 Arg lines" },
		{ ZVM_MAX_ENV, "more than 256 Env lines" },
		{ ZVM_MAX_CHANNELS, "more than 64 channels" },
	};
	char err[256], want[128];

	(void)state;
	for (int r = 0; r < 3; r++) {
		size_t cap = 64 * (rows[r].max + 2), len;
		char *text = malloc(cap);
		struct zvm_manifest m;

		assert_non_null(text);
		len = (size_t)snprintf(text, cap, "Program = p\n");
		for (unsigned i = 0; i < rows[r].max; i++)
			len += (size_t)repeat_line(text + len, cap - len, r, i);
		assert_int_equal(zvm_manifest_parse(text, len, "n", &m, err, sizeof(err)), 0);
		zvm_manifest_free(&m);
		len += (size_t)repeat_line(text + len, cap - len, r, rows[r].max);
		assert_int_equal(zvm_manifest_parse(text, len, "n", &m, err, sizeof(err)), -EINVAL);
		snprintf(want, sizeof(want), "n:%u: %s", rows[r].max + 2, rows[r].error);
		assert_string_equal(err, want);
		free(text);
	}
}

static void test_long_line(void **state)
{
	static char text[5000];
	char err[256];
	struct zvm_manifest m;
	size_t n;

	(void)state;
	/* exactly 4096 bytes is allowed, 4097 is not (never cut) */
	n = (size_t)snprintf(text, sizeof(text), "Program = ");
	memset(text + n, 'a', 4096 - n);
	text[4096] = '\n';
	assert_int_equal(zvm_manifest_parse(text, 4097, "L", &m, err, sizeof(err)), 0);
	assert_int_equal(strlen(m.program), 4096 - 10);
	zvm_manifest_free(&m);
	text[4096] = 'a';
	text[4097] = '\n';
	assert_int_equal(zvm_manifest_parse(text, 4098, "L", &m, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "L:1: line longer than 4096 bytes");
	/* a message that does not fit the buffer is cut, never overflows */
	{
		char small[8];
		assert_int_equal(zvm_manifest_parse("x", 1, "long-name", &m, small, sizeof(small)), -EINVAL);
		assert_string_equal(small, "long-na");
		assert_int_equal(zvm_manifest_parse("x", 1, "n", &m, NULL, 0), -EINVAL);
	}
}

static char tmpdir[] = "/tmp/zvm-manifest-XXXXXX";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Paths in a manifest file are relative to its directory. */
static void test_load_relative_paths(void **state)
{
	char path[256], want[256], err[256];
	struct zvm_manifest m;

	(void)state;
	snprintf(path, sizeof(path), "%s/job.manifest", tmpdir);
	write_file(path, "Program = prog.nexe\n"
			 "Channel = in.txt, /dev/stdin, 0, 1, 1, 0, 0\n"
			 "Channel = /dev/stdout, /dev/stdout, 0, 0, 0, 1, 1\n"
			 "Channel = fd:3, /dev/three, 0, 0, 0, 1, 1\n"
			 "Channel = /abs/out, /dev/abs, 0, 0, 0, 1, 1\n"
			 "Channel = ../up, /dev/up, 0, 0, 0, 1, 1\n");
	assert_int_equal(zvm_manifest_load(path, &m, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/prog.nexe", tmpdir);
	assert_string_equal(m.program, want);
	snprintf(want, sizeof(want), "%s/in.txt", tmpdir);
	assert_string_equal(m.channels[0].uri, want);
	assert_string_equal(m.channels[1].uri, "/dev/stdout");
	assert_string_equal(m.channels[2].uri, "fd:3");
	assert_string_equal(m.channels[3].uri, "/abs/out");
	snprintf(want, sizeof(want), "%s/../up", tmpdir);
	assert_string_equal(m.channels[4].uri, want);
	zvm_manifest_free(&m);
	unlink(path);
}

static void test_load_errors(void **state)
{
	char path[256], err[256];
	struct zvm_manifest m;

	(void)state;
	assert_int_equal(zvm_manifest_load("/nonexistent/x.manifest", &m, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/x.manifest: No such file or directory");
	assert_int_equal(zvm_manifest_load(tmpdir, &m, err, sizeof(err)), -EISDIR);
	assert_non_null(strstr(err, "Is a directory"));
	/* a parse error names the file as given */
	snprintf(path, sizeof(path), "%s/bad.manifest", tmpdir);
	write_file(path, "Program = p\nMemroy = 1M\n");
	assert_int_equal(zvm_manifest_load(path, &m, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/bad.manifest:2: unknown key 'Memroy'"));
	/* larger than 1 MiB: refused, not cut */
	{
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs("Program = p\n", f);
		for (int i = 0; i < (1 << 20) / 8; i++)
			fputs("#......\n", f);
		fclose(f);
	}
	assert_int_equal(zvm_manifest_load(path, &m, err, sizeof(err)), -EFBIG);
	assert_non_null(strstr(err, "larger than 1048576 bytes"));
	unlink(path);
}

/* A manifest from a pipe has no directory: relative paths stay as given. */
static void test_load_pipe(void **state)
{
	const char *text = "Program = rel.nexe\n";
	char path[64], err[256];
	struct zvm_manifest m;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], text, strlen(text)), (ssize_t)strlen(text));
	close(p[1]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	assert_int_equal(zvm_manifest_load(path, &m, err, sizeof(err)), 0);
	assert_string_equal(m.program, "rel.nexe");
	zvm_manifest_free(&m);
	close(p[0]);
}

static void test_default(void **state)
{
	static const char *const names[3] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };
	struct zvm_manifest m;

	(void)state;
	assert_int_equal(zvm_manifest_default("p.nexe", &m), 0);
	assert_string_equal(m.program, "p.nexe");
	assert_int_equal(m.memory, ZVM_DEFAULT_MEMORY);
	assert_true(m.timeout == ZVM_DEFAULT_TIMEOUT && m.deterministic);
	assert_int_equal(m.nchannels, 3);
	for (unsigned i = 0; i < 3; i++) {
		const struct zvm_channel_decl *c = &m.channels[i];
		uint64_t in = i == 0 ? ZVM_NO_LIMIT : 0, out = i == 0 ? 0 : ZVM_NO_LIMIT;
		assert_string_equal(c->uri, names[i]);
		assert_string_equal(c->alias, names[i]);
		assert_int_equal(c->type, 0);
		assert_true(c->max_reads == in && c->max_read_bytes == in);
		assert_true(c->max_writes == out && c->max_write_bytes == out);
	}
	zvm_manifest_free(&m);
}

/* The example that ships with the project parses. */
static void test_example(void **state)
{
	struct zvm_manifest m;
	char err[256] = "";

	(void)state;
	if (access("examples/copy.manifest", R_OK) != 0)
		skip();
	if (zvm_manifest_load("examples/copy.manifest", &m, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(m.program, "examples/../build/examples/cat.nexe");
	assert_string_equal(m.channels[0].uri, "examples/copy.input");
	assert_string_equal(m.channels[0].alias, "/dev/stdin");
	zvm_manifest_free(&m);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_good_limits),
		cmocka_unit_test(test_good_memory_and_seconds),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_given_limits),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_load_relative_paths),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_pipe),
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_example),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
