/*
 * test_report.c — zvm_report_fill fed what a worker the sandbox escaped
 * from could leave in the shared result and channel stats: every byte
 * garbage (huge counts, unterminated strings, states out of range, bools
 * that are not 0 or 1, a scribbled digest context). The report must stay
 * well-formed: a valid state, terminated strings, exit status in range,
 * and text and JSON that print without reading out of bounds (run it
 * under ASan+UBSan: make sanitize).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "channels/channels.h"
#include "sfi/sfi.h"

static struct zvm_manifest m;
static struct sfi_cell_result res;
static struct zvm_channel_stats stats[ZVM_MAX_CHANNELS];
static struct zvm_report rep;
static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void garbage(void *p, size_t n)
{
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)next();
}

static int setup(void **state)
{
	char alias[32];

	/* the manifest is the trusted side's: 64 channels, as many as allowed */
	memset(&m, 0, sizeof(m));
	m.nchannels = ZVM_MAX_CHANNELS;
	for (unsigned i = 0; i < m.nchannels; i++) {
		snprintf(alias, sizeof(alias), "/dev/ch%u", i);
		m.channels[i].alias = strdup(alias);
	}
	return 0;
}

static int teardown(void **state)
{
	for (unsigned i = 0; i < m.nchannels; i++)
		free(m.channels[i].alias);
	return 0;
}

/* JSON that a parser would take: strings closed, no raw control bytes,
 * braces and brackets balanced, one line. */
static void check_json(const char *s, size_t n)
{
	int depth = 0;
	bool in_str = false;

	assert_true(n > 2 && s[0] == '{' && s[n - 1] == '\n' && s[n - 2] == '}');
	for (size_t i = 0; i + 1 < n; i++) {
		unsigned char c = (unsigned char)s[i];
		assert_true(c >= 0x20 && c < 0x7f);
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			assert_true(--depth >= 0);
	}
	assert_false(in_str);
	assert_int_equal(depth, 0);
}

static void fill_and_check(int status, bool timed_out)
{
	struct rusage ru;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	memset(&ru, 0, sizeof(ru));
	memset(&rep, 0, sizeof(rep));
	zvm_report_fill(&rep, &res, stats, &m, status, &ru, timed_out, 1.0);

	assert_true((unsigned)rep.state <= ZVM_STATE_INTERNAL_ERROR);
	assert_string_not_equal(zvm_state_name(rep.state), "unknown");
	/* a worker cannot claim its image failed validation: the parent decides that */
	assert_int_not_equal(rep.state, ZVM_STATE_VALIDATION_FAILED);
	assert_in_range(rep.exit_code, 0, 255);
	assert_in_range(zvm_state_exit_status(rep.state, rep.exit_code, rep.signal), 0, 255);
	assert_true(memchr(rep.message, 0, sizeof(rep.message)) != NULL);
	assert_true(memchr(rep.syscall_name, 0, sizeof(rep.syscall_name)) != NULL);
	assert_in_range(rep.signal, 0, 64);
	assert_in_range(*(const uint8_t *)&rep.fault_in_sandbox, 0, 1);
	assert_int_equal(rep.nchannels, m.nchannels);
	for (unsigned i = 0; i < rep.nchannels; i++) {
		assert_true(memchr(rep.ch[i].alias, 0, sizeof(rep.ch[i].alias)) != NULL);
		assert_in_range(*(const uint8_t *)&rep.ch[i].limit_hit, 0, 1);
	}

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	zvm_report_print_json(f, &rep);
	fclose(f);
	check_json(buf, len);
	free(buf);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	zvm_report_print_text(f, &rep);
	fclose(f);
	assert_true(len > 0 && buf[len - 1] == '\n');
	free(buf);
}

static void test_random_garbage(void **state)
{
	for (int i = 0; i < 3000; i++) {
		garbage(&res, sizeof(res));
		garbage(stats, sizeof(stats));
		/* now and then a state the parent takes the worker's word for */
		if (i % 3 == 0)
			res.state = (uint32_t)(next() % 12);
		/* the wait status is the kernel's: an exit code or a signal */
		fill_and_check(i % 2 ? W_EXITCODE((int)(next() & 0xff), 0) : (int)(1 + next() % 64), i % 17 == 0);
	}
}

/* One hostile field at a time, on an otherwise sensible result. */
static void test_hostile_fields(void **state)
{
	static const uint32_t states[] = { ZVM_STATE_OK, ZVM_STATE_SIGNAL, ZVM_STATE_SECCOMP,
					   ZVM_STATE_LOAD_ERROR, ZVM_STATE_INTERNAL_ERROR,
					   ZVM_STATE_VALIDATION_FAILED, ZVM_STATE_MEMORY_LIMIT,
					   ZVM_STATE_INTERNAL_ERROR + 1, 0x7fffffff, 0xfffffffe, 0xffffffff };
	static const int32_t ints[] = { 0, 1, -1, 31, 64, 65, 255, 256, -255, INT32_MAX, INT32_MIN };

	for (unsigned s = 0; s < sizeof(states) / sizeof(states[0]); s++) {
		for (unsigned k = 0; k < sizeof(ints) / sizeof(ints[0]); k++) {
			memset(&res, 0, sizeof(res));
			memset(stats, 0, sizeof(stats));
			res.state = states[s];
			res.exit_code = ints[k];
			res.signal = ints[k];
			res.syscall_nr = ints[k];
			res.syscall_arch = (uint32_t)ints[k];
			res.fault_in_sandbox = (uint32_t)ints[k];
			res.heap_refused = (uint32_t)ints[k];
			res.heap_peak = UINT64_MAX;
			memset(res.message, 'A', sizeof(res.message)); /* no NUL anywhere */
			for (unsigned c = 0; c < ZVM_MAX_CHANNELS; c++) {
				stats[c].reads = stats[c].read_bytes = UINT64_MAX;
				stats[c].writes = stats[c].write_bytes = UINT64_MAX - c;
				memset(&stats[c].limit_hit, 0x80 | k, 1); /* neither true nor false */
				garbage(&stats[c].digest, sizeof(stats[c].digest));
			}
			fill_and_check(W_EXITCODE(ints[k] & 0xff, 0), false);
			fill_and_check(SIGSYS, false);
		}
	}
}

/* What the worker says about a seccomp kill is only a name to look up. */
static void test_seccomp_names(void **state)
{
	memset(&res, 0, sizeof(res));
	memset(stats, 0, sizeof(stats));
	res.state = ZVM_STATE_SECCOMP;
	res.syscall_nr = 39;
	fill_and_check(SIGSYS, false);
	assert_string_equal(rep.syscall_name, "getpid");
	res.syscall_nr = -101; /* libseccomp's pseudo numbers are no system call */
	fill_and_check(SIGSYS, false);
	assert_string_equal(rep.syscall_name, "syscall -101");
	res.syscall_nr = 1 << 30;
	fill_and_check(SIGSYS, false);
	assert_string_equal(rep.syscall_name, "syscall 1073741824");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_garbage),
		cmocka_unit_test(test_hostile_fields),
		cmocka_unit_test(test_seccomp_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
