// conformance:
/* Variadic functions: mixed types, va_copy, forwarding to vprintf/vsnprintf, many arguments. */
#include <stdarg.h>
#include <stdio.h>

static double sum_mixed(const char *types, ...)
{
	va_list ap;
	double s = 0;
	va_start(ap, types);
	for (const char *t = types; *t; t++) {
		switch (*t) {
		case 'i': s += va_arg(ap, int); break;
		case 'l': s += (double)va_arg(ap, long long); break;
		case 'd': s += va_arg(ap, double); break;
		case 'L': s += (double)va_arg(ap, long double); break;
		case 's': for (const char *p = va_arg(ap, const char *); *p; p++) s += 1; break;
		case 'c': s += va_arg(ap, int) == 'x' ? 100 : 0; break;
		}
	}
	va_end(ap);
	return s;
}

static int count_until_zero(int first, ...)
{
	va_list ap, copy;
	va_start(ap, first);
	va_copy(copy, ap);
	int n = first ? 1 : 0, v;
	while (first && (v = va_arg(ap, int)) != 0)
		n++;
	int total = first;
	for (int i = 1; i < n; i++)
		total += va_arg(copy, int);
	va_end(copy);
	va_end(ap);
	printf("count %d total %d\n", n, total);
	return n;
}

static void logf_(const char *prefix, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	printf("%s(%d): %s\n", prefix, n, buf);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static long many(int n, ...)
{
	va_list ap;
	va_start(ap, n);
	long s = 0;
	for (int i = 0; i < n; i++)
		s = s * 3 + va_arg(ap, int);
	va_end(ap);
	return s;
}

struct pair { int a; double b; };
static double structs(int n, ...)
{
	va_list ap;
	va_start(ap, n);
	double s = 0;
	for (int i = 0; i < n; i++) {
		struct pair p = va_arg(ap, struct pair);
		s += p.a * p.b;
	}
	va_end(ap);
	return s;
}

int main(void)
{
	printf("mixed %.6f\n", sum_mixed("ildLsc", 1, 2LL, 0.5, 1.25L, "four", 'x'));
	printf("floats past registers %.6f\n", sum_mixed("dddddddddddd", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.5));
	count_until_zero(5, 4, 3, 2, 1, 0);
	count_until_zero(0);
	logf_("log", "%s=%d %5.2f %c", "answer", 42, 3.14159, '!');
	logf_("long", "%0*d|%-*s|", 20, 7, 30, "padded");
	printf("many %ld\n", many(20, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2));
	printf("structs %.3f\n", structs(3, (struct pair){ 2, 1.5 }, (struct pair){ 3, -0.5 }, (struct pair){ 10, 0.25 }));
	return 0;
}
