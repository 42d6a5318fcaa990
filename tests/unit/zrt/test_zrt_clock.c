/*
 * test_zrt_clock.c — the virtual clock and the seeded random stream
 * (runtime/zrt/clock.c): time starts at the manifest's Epoch, moves only
 * by a fixed step per read and by sleeps, never backwards; random bytes
 * depend on the Seed and on nothing else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "zvm.h"
#include "zrt.h"

static void start(uint64_t seed, uint64_t epoch)
{
	struct zvm_info info = { .seed = seed, .epoch_ns = epoch };
	zrt_clock_init(&info);
}

static void test_clock(void **state)
{
	struct timespec a, b, m;
	struct { int64_t s, us; } tv;
	int64_t t;

	(void)state;
	start(0, 1700000000123456789ull);
	assert_int_equal(zrt_sys_clock_gettime(CLOCK_REALTIME, &a), 0);
	assert_int_equal(a.tv_sec, 1700000000);
	assert_int_equal(a.tv_nsec, 123456789 + 1000);
	assert_int_equal(zrt_sys_clock_gettime(CLOCK_MONOTONIC, &m), 0);
	assert_int_equal(m.tv_sec, 0);
	assert_int_equal(m.tv_nsec, 2000);
	assert_int_equal(zrt_sys_clock_gettime(CLOCK_REALTIME, &b), 0);
	assert_int_equal(b.tv_nsec - a.tv_nsec, 2000); /* one step per read, whatever clock */
	assert_int_equal(zrt_sys_nanosleep(&(struct timespec){ .tv_sec = 5, .tv_nsec = 1 }, NULL), 0);
	assert_int_equal(zrt_sys_clock_gettime(CLOCK_MONOTONIC, &m), 0);
	assert_int_equal(m.tv_sec, 5);
	assert_int_equal(m.tv_nsec, 4000 + 1);
	assert_int_equal(zrt_sys_gettimeofday(&tv, NULL), 0);
	assert_int_equal(tv.s, 1700000005);
	assert_int_equal(zrt_sys_time(&t), 1700000005);
	assert_int_equal(t, 1700000005);
	/* absolute sleeps move to the target, never back */
	assert_int_equal(zrt_sys_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &(struct timespec){ .tv_sec = 100 }, NULL), 0);
	assert_int_equal(zrt_sys_clock_gettime(CLOCK_MONOTONIC, &m), 0);
	assert_int_equal(m.tv_sec, 100);
	assert_int_equal(zrt_sys_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &(struct timespec){ .tv_sec = 1 }, NULL), 0);
	assert_int_equal(zrt_sys_clock_gettime(CLOCK_MONOTONIC, &a), 0);
	assert_true(a.tv_sec == 100 && a.tv_nsec > m.tv_nsec);
	/* errors as Linux */
	assert_int_equal(zrt_sys_clock_gettime(99, &a), -22);
	assert_int_equal(zrt_sys_nanosleep(&(struct timespec){ .tv_nsec = 1000000000 }, NULL), -22);
	assert_int_equal(zrt_sys_nanosleep(&(struct timespec){ .tv_sec = -1 }, NULL), -22);
	assert_int_equal(zrt_sys_clock_getres(CLOCK_MONOTONIC, &a), 0);
	assert_int_equal(a.tv_nsec, 1000);
}

static void test_random(void **state)
{
	unsigned char x[100], y[100], z[100];

	(void)state;
	start(42, 0);
	assert_int_equal(zrt_sys_getrandom(x, sizeof(x), 0), 100);
	start(42, 999);
	assert_int_equal(zrt_sys_getrandom(y, 37, 0), 37);
	assert_int_equal(zrt_sys_getrandom(y + 37, 63, 0), 63);
	start(43, 0);
	assert_int_equal(zrt_sys_getrandom(z, sizeof(z), 0), 100);
	assert_memory_not_equal(x, z, sizeof(x));
	/* the same seed, the same first 37 bytes (reads are not bytewise
	 * continuous across calls: each call starts on a fresh 8-byte word) */
	assert_memory_equal(x, y, 37);
	assert_int_equal(zrt_sys_getrandom(x, 8, 0x100), -22);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
