/*
 * stdlib.c — exit, conversions, qsort (a stable merge sort, like glibc's),
 * rand (glibc's additive generator, so seeded sequences match), getenv.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm.h>

#include "zvm-libc.h"

int errno;
extern char **environ;

static void (*atexit_fns[32])(void);
static int natexit;

int atexit(void (*fn)(void))
{
	if (natexit == 32)
		return -1;
	atexit_fns[natexit++] = fn;
	return 0;
}

extern void (*__fini_array_start[])(void) __attribute__((weak));
extern void (*__fini_array_end[])(void) __attribute__((weak));

void exit(int code)
{
	while (natexit > 0)
		atexit_fns[--natexit]();
	if (__fini_array_start)
		for (void (**f)(void) = __fini_array_end; f > __fini_array_start;)
			(*--f)();
	__zvm_stdio_flush_all();
	zvm_trap_exit(code);
}

void _Exit(int code)
{
	zvm_trap_exit(code);
}

/* abort: ud2 ends the cell with SIGILL, which the report shows. */
void abort(void)
{
	__zvm_stdio_flush_all();
	__builtin_trap();
}

void __zvm_assert_fail(const char *expr, const char *file, int line, const char *func)
{
	/* glibc's layout: "prog: file:line: func: Assertion `expr' failed." */
	fprintf(stderr, "%s%s%s:%d: %s: Assertion `%s' failed.\n", __zvm_progname,
		*__zvm_progname ? ": " : "", file, line, func, expr);
	abort();
}

static unsigned long long parse_unsigned(const char *s, char **end, int base, int *neg, int *overflow)
{
	const char *p = s, *start;
	unsigned long long v = 0;

	*neg = 0;
	*overflow = 0;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		*neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2])) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = *p == '0' ? 8 : 10;
	}
	start = p;
	for (;; p++) {
		int d = isdigit((unsigned char)*p) ? *p - '0'
			: isalpha((unsigned char)*p) ? tolower((unsigned char)*p) - 'a' + 10 : 99;
		if (d >= base)
			break;
		if (v > (ULLONG_MAX - d) / base)
			*overflow = 1;
		v = v * base + d;
	}
	if (end)
		*end = (char *)(p == start ? s : p);
	return v;
}

unsigned long long strtoull(const char *s, char **end, int base)
{
	int neg, of;
	unsigned long long v = parse_unsigned(s, end, base, &neg, &of);
	if (of) {
		errno = ERANGE;
		return ULLONG_MAX;
	}
	return neg ? -v : v;
}

long long strtoll(const char *s, char **end, int base)
{
	int neg, of;
	unsigned long long v = parse_unsigned(s, end, base, &neg, &of);
	if (of || v > (unsigned long long)LLONG_MAX + neg) {
		errno = ERANGE;
		return neg ? LLONG_MIN : LLONG_MAX;
	}
	return neg ? (long long)(0 - v) : (long long)v;
}

unsigned long strtoul(const char *s, char **end, int base) { return strtoull(s, end, base); }
long strtol(const char *s, char **end, int base) { return strtoll(s, end, base); }
int atoi(const char *s) { return (int)strtol(s, NULL, 10); }
long atol(const char *s) { return strtol(s, NULL, 10); }
long long atoll(const char *s) { return strtoll(s, NULL, 10); }

/* Decimal and exponent forms; the result is computed in long double, which
 * is exact for up to 19 significant digits and within an ulp beyond. */
double strtod(const char *s, char **end)
{
	const char *p = s;
	long double v = 0;
	int neg = 0, exp10 = 0, digits = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!strncmp(p, "inf", 3) || !strncmp(p, "INF", 3)) {
		if (end)
			*end = (char *)p + 3;
		return neg ? -__builtin_inf() : __builtin_inf();
	}
	for (; isdigit((unsigned char)*p); p++, digits++)
		v = v * 10 + (*p - '0');
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++, digits++, exp10--)
			v = v * 10 + (*p - '0');
	if (!digits) {
		if (end)
			*end = (char *)s;
		return 0;
	}
	if (*p == 'e' || *p == 'E') {
		char *e;
		long x = strtol(p + 1, &e, 10);
		if (e != p + 1) {
			exp10 += (int)(x > 100000 ? 100000 : x < -100000 ? -100000 : x);
			p = e;
		}
	}
	{
		long double scale = 1, ten = 10;
		int k = exp10 < 0 ? -exp10 : exp10;
		for (; k; k >>= 1, ten *= ten)
			if (k & 1)
				scale *= ten;
		v = exp10 < 0 ? v / scale : v * scale;
	}
	if (end)
		*end = (char *)p;
	return neg ? -(double)v : (double)v;
}

double atof(const char *s) { return strtod(s, NULL); }
int abs(int x) { return x < 0 ? -x : x; }
long labs(long x) { return x < 0 ? -x : x; }
long long llabs(long long x) { return x < 0 ? -x : x; }

/* Element moves specialised for the common sizes: a call of memcpy per
 * element would dominate the sort. */
typedef uint64_t __attribute__((may_alias, aligned(1))) u64_any;
typedef uint32_t __attribute__((may_alias, aligned(1))) u32_any;

static inline void move(char *d, const char *s, size_t size)
{
	if (size == 8)
		*(u64_any *)d = *(const u64_any *)s;
	else if (size == 4)
		*(u32_any *)d = *(const u32_any *)s;
	else
		memcpy(d, s, size);
}

static void insertion_sort(char *a, size_t n, size_t size, int (*cmp)(const void *, const void *), char *t)
{
	for (size_t i = 1; i < n; i++) {
		size_t j = i;
		move(t, a + i * size, size);
		while (j > 0 && cmp(a + (j - 1) * size, t) > 0) {
			move(a + j * size, a + (j - 1) * size, size);
			j--;
		}
		move(a + j * size, t, size);
	}
}

static void merge_sort(char *a, char *tmp, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n <= 8) {
		/* tmp has room for n elements: use its first slot as scratch */
		insertion_sort(a, n, size, cmp, tmp);
		return;
	}
	merge_sort(a, tmp, h, size, cmp);
	merge_sort(a + h * size, tmp, n - h, size, cmp);
	while (i < h && j < n) {
		if (cmp(a + j * size, a + i * size) < 0)
			move(tmp + k++ * size, a + j++ * size, size);
		else
			move(tmp + k++ * size, a + i++ * size, size);
	}
	if (i < h)
		memcpy(tmp + k * size, a + i * size, (h - i) * size), k += h - i;
	memcpy(a, tmp, k * size);
}

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *tmp;

	if (n < 2 || !size)
		return;
	tmp = malloc(n * size);
	if (tmp) {
		merge_sort(base, tmp, n, size, cmp);
		free(tmp);
		return;
	}
	/* no memory: insertion sort, slow but stable */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && cmp((char *)base + (j - 1) * size, (char *)base + j * size) > 0; j--)
			for (size_t b = 0; b < size; b++) {
				char t = ((char *)base)[(j - 1) * size + b];
				((char *)base)[(j - 1) * size + b] = ((char *)base)[j * size + b];
				((char *)base)[j * size + b] = t;
			}
}

void *bsearch(const void *key, const void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *p = (const char *)base + mid * size;
		int c = cmp(key, p);
		if (c == 0)
			return (void *)p;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* glibc's TYPE_3 additive feedback generator: r[i] = r[i-3] + r[i-31]. */
static int32_t rtab[34];
static int rf = 3, rr = 0, seeded;

void srand(unsigned seed)
{
	int32_t word = seed ? (int32_t)seed : 1;

	rtab[0] = word;
	for (int i = 1; i < 31; i++) {
		long hi = word / 127773, lo = word % 127773;
		word = (int32_t)(16807 * lo - 2836 * hi);
		if (word < 0)
			word += 2147483647;
		rtab[i] = word;
	}
	rf = 3;
	rr = 0;
	seeded = 1;
	for (int i = 0; i < 310; i++)
		rand();
}

int rand(void)
{
	uint32_t v;

	if (!seeded)
		srand(1);
	rtab[rf] = (int32_t)((uint32_t)rtab[rf] + (uint32_t)rtab[rr]);
	v = (uint32_t)rtab[rf];
	rf = rf + 1 == 31 ? 0 : rf + 1;
	rr = rr + 1 == 31 ? 0 : rr + 1;
	return (int)(v >> 1);
}

char *getenv(const char *name)
{
	size_t n = strlen(name);

	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}
