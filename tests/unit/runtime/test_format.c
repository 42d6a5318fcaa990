/*
 * test_format.c — the in-sandbox printf formatter (runtime/format.c, built
 * natively by format-support.c) against glibc's snprintf: a table of
 * literal formats, then many random doubles and integers through random
 * conversions, flags, widths and precisions. Every output and return value
 * must be glibc's byte for byte.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

int zvmtest_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Random formats are built at run time; the table rows are literals. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* Some rows are odd on purpose (flags that do nothing, huge precisions). */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-truncation"

static int mismatches;

static void report(const char *fmt, const char *want, int wn, const char *got, int gn)
{
	if (strcmp(want, got) || wn != gn) {
		if (mismatches++ < 20)
			print_error("format \"%s\": glibc \"%s\" (%d), runtime \"%s\" (%d)\n", fmt, want, wn, got, gn);
	}
}

#define CHECK(fmt, ...)                                                              \
	do {                                                                         \
		char want_[2048], got_[2048];                                          \
		int wn_ = snprintf(want_, sizeof(want_), fmt, __VA_ARGS__);          \
		int gn_ = zvmtest_snprintf(got_, sizeof(got_), fmt, __VA_ARGS__);    \
		report(fmt, want_, wn_, got_, gn_);                                  \
	} while (0)

static void test_integers(void **state)
{
	(void)state;
	mismatches = 0;
	CHECK("%d %i %u", 0, -1, 4000000000u);
	CHECK("[%5d] [%-5d] [%05d] [%+d] [% d] [%+05d]", 42, 42, -42, 42, 42, 7);
	CHECK("[%.0d] [%.3d] [%8.3d] [%-8.3d] [%08.3d]", 0, 7, -7, 7, 7);
	CHECK("%x %X %#x %#X %#x %o %#o %#o", 255u, 255u, 255u, 255u, 0u, 8u, 8u, 0u);
	CHECK("[%#05o] [%#5o] [%#.3o] [%#.0o] [%#08x] [%#-8x]", 8u, 8u, 8u, 0u, 255u, 255u);
	CHECK("%ld %lu %lx %lld %llu %llx", -9223372036854775807L - 1, 18446744073709551615UL,
	      0xdeadbeefUL, -1LL, 1234567890123ULL, 0xfeedULL);
	CHECK("%hd %hu %hhd %hhu %hx %hhx", 70000, 70000, 300, 300, 0x12345, 0x1ff);
	CHECK("%zu %zd %jd %td", (size_t)123, (ptrdiff_t)-5, (intmax_t)-77, (ptrdiff_t)9);
	CHECK("[%*d] [%-*d] [%.*d] [%*.*d]", 6, 1, 6, 1, 4, 1, -8, 3, 2);
	CHECK("[%.*d]", -3, 5);
	CHECK("[%c] [%3c] [%-3c] [%%] [%5%]", 'a', 'b', 'c');
	CHECK("[%s] [%10s] [%-10s] [%.2s] [%10.2s] [%.0s]", "hello", "hello", "hello", "hello", "hello", "x");
	CHECK("[%p] [%20p] [%-20p]", (void *)0x1234, (void *)0x1234, (void *)0x1234);
	CHECK("[%p] [%10p]", (void *)0, (void *)0);
	CHECK("%s", "");
	CHECK("no conversions %s", "at all");
	CHECK("%d%%%d", 1, 2);
	CHECK("[%+u] [% x] [%+o]", 5u, 5u, 5u);
	CHECK("[%-+8d] [%- 8d] [%+ d]", 3, 3, 3);
	assert_int_equal(mismatches, 0);
}

static void test_floats_table(void **state)
{
	(void)state;
	mismatches = 0;
	CHECK("%f %f %f %f", 0.0, -0.0, 1.0, -1.5);
	CHECK("%f %e %g", 3.141592653589793, 3.141592653589793, 3.141592653589793);
	CHECK("%.0f %.0f %.0f %.0f %.0f", 0.5, 1.5, 2.5, 3.5, -0.5);
	CHECK("%.1f %.2f %.3f %.10f", 0.05, 0.005, 0.0005, 1.0 / 3);
	CHECK("%.20f %.30e", 0.1, 0.1);
	CHECK("%e %E %.0e %#.0e %.3e", 12345.6789, 0.000123, 5e-300, 5e300, DBL_MAX);
	CHECK("%g %g %g %g %g %g", 100000.0, 1000000.0, 0.0001, 0.00001, 123456789.0, 1e-10);
	CHECK("%G %#g %#.3g %.0g %.1g %.17g", 1e-10, 1.0, 1.0, 0.5, 0.05, 0.1);
	CHECK("%g %g %g", 0.0, -0.0, 9.9999995);
	CHECK("%.3g %.3g %.3g", 9.995, 99.95, 0.0009995);
	CHECK("[%10.3f] [%-10.3f] [%010.3f] [%+.2f] [% .2f] [%+010.2f]", 3.14159, 3.14159, -3.14159, 2.0, 2.0, -2.0);
	CHECK("[%f] [%F] [%e] [%g] [%5f] [%-6f] [%06f] [%+f]", INFINITY, -INFINITY, NAN, INFINITY, INFINITY, NAN, -INFINITY, INFINITY);
	CHECK("%.17g %.17g %.17g", DBL_MIN, DBL_MAX, 4.9406564584124654e-324);
	CHECK("%f", DBL_MAX);
	CHECK("%.1074f", 4.9406564584124654e-324);
	CHECK("%.60f", DBL_MIN);
	CHECK("%a %a %a %a %A", 1.0, -0.5, 0.1, 0.0, 255.5);
	CHECK("%.0a %.1a %.2a %.20a %#.0a", 1.5, 1.96875, 0.1, 3.0, 1.0);
	CHECK("[%20a] [%-20a] [%020a] [%+a]", 1.25, 1.25, -1.25, 2.0);
	CHECK("%a %a", DBL_MIN / 4, DBL_MAX);
	CHECK("%Lf %Lg %Le", 1.25L, 1e100L, -3.5L);
	assert_int_equal(mismatches, 0);
}

/* xorshift64*: a fixed seed, so a failure is reproducible */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static double random_double(void)
{
	union { uint64_t u; double d; } u;

	switch (rnd() % 4) {
	case 0: /* any bit pattern */
		do
			u.u = rnd();
		while (isnan(u.d));
		return u.d;
	case 1: /* ordinary magnitudes */
		return (double)(int64_t)(rnd() % 2000001 - 1000000) / (double)(1 + rnd() % 10000);
	case 2: /* decimal-looking values with ties near the rounding point */
		return (double)(rnd() % 100000) / 1000.0 + (double)(rnd() % 3) * 0.0005;
	default: /* powers of ten and their neighbours */
		return pow(10.0, (double)((int)(rnd() % 60) - 30)) * (rnd() % 2 ? 1.0 : 5.0);
	}
}

static void random_flags(char *f, size_t *k)
{
	static const char flags[] = "-+ #0";

	for (int i = 0; i < 5; i++)
		if (rnd() % 4 == 0)
			f[(*k)++] = flags[i];
	if (rnd() % 2)
		*k += (size_t)sprintf(f + *k, "%d", (int)(rnd() % 30));
}

static void test_floats_random(void **state)
{
	static const char convs[] = "feEgGaA";

	(void)state;
	mismatches = 0;
	for (int i = 0; i < 200000; i++) {
		char fmt[32], want[2048], got[2048];
		size_t k = 0;
		double v = random_double();
		int wn, gn;

		fmt[k++] = '%';
		random_flags(fmt, &k);
		if (rnd() % 4)
			k += (size_t)sprintf(fmt + k, ".%d", (int)(rnd() % 25));
		fmt[k++] = convs[rnd() % (sizeof(convs) - 1)];
		fmt[k] = '\0';
		wn = snprintf(want, sizeof(want), fmt, v);
		gn = zvmtest_snprintf(got, sizeof(got), fmt, v);
		report(fmt, want, wn, got, gn);
	}
	assert_int_equal(mismatches, 0);
}

static void test_integers_random(void **state)
{
	static const char convs[] = "diuxXo";
	static const char *const lens[] = { "", "l", "ll", "h", "hh", "z" };

	(void)state;
	mismatches = 0;
	for (int i = 0; i < 200000; i++) {
		char fmt[32], want[256], got[256];
		size_t k = 0;
		unsigned long long v = rnd() >> (rnd() % 64);
		const char *len = lens[rnd() % 6];
		int wn, gn;

		fmt[k++] = '%';
		random_flags(fmt, &k);
		if (rnd() % 3 == 0)
			k += (size_t)sprintf(fmt + k, ".%d", (int)(rnd() % 25));
		k += (size_t)sprintf(fmt + k, "%s%c", len, convs[rnd() % (sizeof(convs) - 1)]);
		if (!strcmp(len, "") || !strcmp(len, "h") || !strcmp(len, "hh")) {
			wn = snprintf(want, sizeof(want), fmt, (int)v);
			gn = zvmtest_snprintf(got, sizeof(got), fmt, (int)v);
		} else {
			wn = snprintf(want, sizeof(want), fmt, v);
			gn = zvmtest_snprintf(got, sizeof(got), fmt, v);
		}
		report(fmt, want, wn, got, gn);
	}
	assert_int_equal(mismatches, 0);
}

static void test_truncation(void **state)
{
	char buf[8];
	int n;

	(void)state;
	memset(buf, 'x', sizeof(buf));
	n = zvmtest_snprintf(buf, 5, "%s-%d", "abcdef", 12);
	assert_int_equal(n, 9);
	assert_string_equal(buf, "abcd");
	assert_int_equal(buf[5], 'x');
	n = zvmtest_snprintf(buf, 0, "%d", 12345);
	assert_int_equal(n, 5);
	assert_int_equal(buf[0], 'a');
	n = zvmtest_snprintf(buf, sizeof(buf), "%.3000f", 1.0); /* long output, no big stack buffer */
	assert_int_equal(n, 3002);
	assert_string_equal(buf, "1.00000");
	n = zvmtest_snprintf(buf, sizeof(buf), "%5000d", 1);
	assert_int_equal(n, 5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_floats_table),
		cmocka_unit_test(test_floats_random),
		cmocka_unit_test(test_integers_random),
		cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
