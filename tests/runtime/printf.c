/* printf.c — the printf family: integers, strings, floats at many
 * precisions, widths and flags; return values; snprintf truncation. */
#include <stdio.h>
#include <string.h>
#include <limits.h>

static unsigned long long rng = 88172645463325252ull;
static unsigned long long next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(void)
{
	static const double vals[] = { 0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.5, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3,
		3.141592653589793, 2.718281828459045, 1e10, 1e-10, 123456789.125, 9.995, 99.995,
		0.000123456, 1e300, 1e-300, 4.9e-324, 1.7976931348623157e308, 6.02214076e23, 1e15, 1e16,
		1e17, 12345.6789, -987.654321, 5e-5, 0.05, 0.005, 999999.5, 9999999.5 };
	static const char *const ffmts[] = { "%f", "%.0f", "%.1f", "%.2f", "%.3f", "%.10f", "%.17f",
		"%e", "%.0e", "%.3e", "%.12e", "%E", "%g", "%.0g", "%.1g", "%.3g", "%.10g", "%.17g", "%G",
		"%#g", "%#.0f", "%#.0e", "%12.4f", "%-12.4e|", "%+.3g", "% .2f", "%012.3f", "%+015.6e" };
	char buf[64];
	int n;

	printf("%d %i %u %x %X %o %c %s %p %%\n", -42, 42, 42u, 255u, 255u, 8u, 'z', "str", (void *)0x11000);
	printf("[%8d] [%-8d] [%08d] [%+d] [% d] [%.5d] [%8.3d]\n", 123, 123, -123, 123, 123, 123, -12);
	printf("[%#x] [%#o] [%#X] [%08x] [%-#10x]\n", 0xbeefu, 0755u, 0xbeefu, 0xabcu, 0x1u);
	printf("%ld %lu %lld %llu %zu %hd %hhu %lx\n", LONG_MIN, ULONG_MAX, LLONG_MIN, ULLONG_MAX, (size_t)1 << 40,
	       (short)-1234, (unsigned char)200, 0x123456789abcdefUL);
	printf("%d %d %u %x\n", INT_MIN, INT_MAX, UINT_MAX, UINT_MAX);
	printf("[%s] [%10s] [%-10s] [%.3s] [%*s] [%-*.*s]\n", "hello", "hi", "hi", "hello", 6, "ab", 6, 2, "abcdef");
	printf("[%c%c%c] [%5c] [%-5c]\n", 'a', 'b', 'c', 'x', 'y');
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		for (size_t j = 0; j < sizeof(ffmts) / sizeof(ffmts[0]); j++) {
			printf(ffmts[j], vals[i]);
			putchar(j + 1 < sizeof(ffmts) / sizeof(ffmts[0]) ? ' ' : '\n');
		}
	}
	/* a sweep of pseudo-random doubles */
	for (int i = 0; i < 3000; i++) {
		double v = (double)(long long)(next() % 20000001 - 10000000) / (double)(1 + next() % 100000);
		int p = (int)(next() % 18);
		printf("%.*f %.*e %.*g\n", p, v, p, v, p, v);
	}
	n = snprintf(buf, 8, "%s=%d", "answer", 42);
	printf("snprintf %d [%s]\n", n, buf);
	n = sprintf(buf, "%5.2f|%-4d|%x", 3.14159, 7, 255u);
	printf("sprintf %d [%s]\n", n, buf);
	n = printf("%s\n", "");
	printf("printf returned %d\n", n);
	fprintf(stdout, "to stdout %d\n", 1);
	fprintf(stderr, "to stderr %d %s %.2f\n", 2, "x", 0.125);
	fputs("fputs line\n", stdout);
	puts("puts line");
	fputc('!', stdout);
	putchar('\n');
	fwrite("fwrite\n", 1, 7, stdout);
	fflush(stdout);
	return 0;
}
