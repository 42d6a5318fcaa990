// conformance:
/* strtod/strtof/strtold and strtol/strtoul/strtoll families: bases, end pointers, overflow. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void tl(const char *s, int base)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, base);
	int e = errno;
	errno = 0;
	unsigned long u = strtoul(s, NULL, base);
	/* with no digits at all, POSIX lets errno be EINVAL (musl) or untouched
	 * (glibc): printed only when something was converted */
	if (end == s)
		printf("strtol(\"%s\",%d) = %ld errno=- used=0 | strtoul = %lu errno=-\n", s, base, v, u);
	else
		printf("strtol(\"%s\",%d) = %ld errno=%d used=%d | strtoul = %lu errno=%d\n", s, base, v, e, (int)(end - s), u, errno);
}

static void td(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	int e = errno;
	/* errno is the implementation's choice with no conversion (EINVAL or
	 * untouched) and for a subnormal result (ERANGE or not): not printed */
	if (end == s || fpclassify(v) == FP_SUBNORMAL)
		printf("strtod(\"%s\") = %.17g errno=- used=%d\n", s, v, (int)(end - s));
	else
		printf("strtod(\"%s\") = %.17g errno=%d used=%d\n", s, v, e, (int)(end - s));
}

int main(void)
{
	const char *ints[] = { "0", "42", "-42", "  +17xyz", "0x1A", "0X1a", "077", "08", "zz", "",
	                       "9223372036854775807", "9223372036854775808", "-9223372036854775808",
	                       "-9223372036854775809", "18446744073709551615", "18446744073709551616", "-1", "0x", "   -0" };
	int bases[] = { 10, 0, 16, 8 };
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
		for (int b = 0; b < 4; b++)
			tl(ints[i], bases[b]);
	tl("zz", 36);
	tl("Zz", 36);
	tl("101010", 2);
	tl("1z", 35);
	const char *dbls[] = { "0", "1", "-1.5", "3.14159", "1e10", "1E-5", "  .5", "5.", "1e", "1e+", "-0",
	                       "0x1p4", "0x1.8p1", "0X.8P0", "inf", "-INF", "infinity", "infinit", "1e400", "-1e400",
	                       "123456789012345678901234567890", "0.1", "4.9406564584124654e-324x", "2.2250738585072014e-308",
	                       "1.7976931348623157e308", "abc", "+.e1", "1_000" };
	for (size_t i = 0; i < sizeof dbls / sizeof dbls[0]; i++)
		td(dbls[i]);
	char *end;
	const char *nanstr = "nan";
	double n = strtod(nanstr, &end);
	printf("nan: isnan=%d used=%d\n", n != n, (int)(end - nanstr));
	errno = 0;
	float f = strtof("3.4028235e38", NULL);
	printf("strtof max %g errno=%d\n", f, errno);
	errno = 0;
	f = strtof("1e39", NULL);
	printf("strtof overflow %g errno=%d\n", f, errno);
	long double ld = strtold("1.18973149535723176502e+4932", NULL);
	printf("strtold %.15Lg\n", ld);
	errno = 0;
	long long ll = strtoll("-9223372036854775809", NULL, 10);
	printf("strtoll %lld errno=%d\n", ll, errno);
	errno = 0;
	unsigned long long ull = strtoull("-1", NULL, 10);
	printf("strtoull(-1) %llu errno=%d\n", ull, errno);
	intmax_t im = strtoimax("  -123abc", &end, 10);
	printf("strtoimax %" PRIdMAX " rest=%s\n", im, end);
	uintmax_t um = strtoumax("0xffffffffffffffff", NULL, 16);
	printf("strtoumax %" PRIuMAX "\n", um);
	printf("atoi %d %d %d atol %ld atof %g\n", atoi("123abc"), atoi("  -9"), atoi("x"), atol("2147483648"), atof("2.5e-3"));
	return 0;
}
