/*
 * qsort.c — the cell's qsort and qsort_r, linked in place of musl's
 * smoothsort (libzlibc.a: docs/runtime.md, "The default libc's malloc and
 * qsort"). Smoothsort does several times the comparisons of a merge sort
 * on random data, and each comparison is an indirect call.
 *
 * A top-down merge sort through a temporary buffer (on the stack up to
 * 1 KiB, else malloc'd): the fewest comparisons, and stable, as glibc's
 * qsort is in practice. When the buffer would exceed 32 MiB or cannot be
 * had, an in-place introsort (median-of-three or ninther quicksort, a
 * heapsort below 2 log2 n levels, insertion sort for short runs).
 *
 * The comparator contract: it is only ever called with two pointers to
 * elements of the array, never a copy; and however inconsistent its answers
 * (a broken comparator), every access stays inside the array and the sort
 * ends — the partition loops check their bounds.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define STACK_BUF 1024
#define HEAP_BUF_MAX ((size_t)32 << 20)
#define SHORT_RUN 12

struct sorter {
	int (*cmp)(const void *, const void *);
	int (*cmp_r)(const void *, const void *, void *);
	void *arg;
	size_t size;
};

static inline int cmp(const struct sorter *s, const void *a, const void *b)
{
	return s->cmp ? s->cmp(a, b) : s->cmp_r(a, b, s->arg);
}

/* ---- merge sort: b[0..n) sorted, tmp holds n elements ---- */

#define MERGE(COPY)                                                 \
	while (n1 > 0 && n2 > 0) {                                  \
		if (cmp(s, b1, b2) <= 0) {                          \
			COPY(t, b1);                                \
			b1 += sz;                                   \
			n1--;                                       \
		} else {                                            \
			COPY(t, b2);                                \
			b2 += sz;                                   \
			n2--;                                       \
		}                                                   \
		t += sz;                                            \
	}
#define COPY4(d, p) __builtin_memcpy((d), (p), 4)
#define COPY8(d, p) __builtin_memcpy((d), (p), 8)
#define COPYN(d, p) memcpy((d), (p), sz)

static void msort(const struct sorter *s, char *b, size_t n, char *tmp)
{
	size_t sz = s->size, n1, n2;
	char *b1, *b2, *t = tmp;

	if (n < 2)
		return;
	n1 = n / 2;
	n2 = n - n1;
	b1 = b;
	b2 = b + n1 * sz;
	msort(s, b1, n1, tmp);
	msort(s, b2, n2, tmp);
	if (sz == 4) {
		MERGE(COPY4)
	} else if (sz == 8) {
		MERGE(COPY8)
	} else {
		MERGE(COPYN)
	}
	/* what is left of the second run is already in place */
	if (n1 > 0)
		memcpy(t, b1, n1 * sz);
	memcpy(b, tmp, (n - n2) * sz);
}

/* ---- introsort: in place, for when no buffer can be had ---- */

static void swap(char *a, char *b, size_t sz)
{
	for (; sz >= 8; sz -= 8, a += 8, b += 8) {
		uint64_t x, y;
		__builtin_memcpy(&x, a, 8);
		__builtin_memcpy(&y, b, 8);
		__builtin_memcpy(a, &y, 8);
		__builtin_memcpy(b, &x, 8);
	}
	for (; sz; sz--, a++, b++) {
		char c = *a;
		*a = *b;
		*b = c;
	}
}

static void insertion(const struct sorter *s, char *b, size_t n)
{
	size_t sz = s->size;

	for (size_t i = 1; i < n; i++)
		for (char *p = b + i * sz; p > b && cmp(s, p - sz, p) > 0; p -= sz)
			swap(p - sz, p, sz);
}

static void sift(const struct sorter *s, char *b, size_t root, size_t n)
{
	size_t sz = s->size, child;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && cmp(s, b + child * sz, b + (child + 1) * sz) < 0)
			child++;
		if (cmp(s, b + root * sz, b + child * sz) >= 0)
			return;
		swap(b + root * sz, b + child * sz, s->size);
		root = child;
	}
}

static void heapsort(const struct sorter *s, char *b, size_t n)
{
	size_t sz = s->size;

	for (size_t i = n / 2; i > 0; i--)
		sift(s, b, i - 1, n);
	for (size_t end = n - 1; end > 0; end--) {
		swap(b, b + end * sz, sz);
		sift(s, b, 0, end);
	}
}

static char *median3(const struct sorter *s, char *a, char *b, char *c)
{
	if (cmp(s, a, b) < 0)
		return cmp(s, b, c) < 0 ? b : cmp(s, a, c) < 0 ? c : a;
	return cmp(s, b, c) > 0 ? b : cmp(s, a, c) > 0 ? c : a;
}

static void introsort(const struct sorter *s, char *b, size_t n, unsigned depth)
{
	size_t sz = s->size;

	while (n > SHORT_RUN) {
		size_t i, j;
		char *m = b + n / 2 * sz, *last = b + (n - 1) * sz;

		if (depth-- == 0) {
			heapsort(s, b, n);
			return;
		}
		if (n > 128) {
			size_t e = n / 8 * sz;
			m = median3(s, median3(s, b, b + e, b + 2 * e), median3(s, m - e, m, m + e),
				    median3(s, last - 2 * e, last - e, last));
		} else {
			m = median3(s, b, m, last);
		}
		swap(b, m, sz); /* the pivot stays at b[0] while the rest is split */
		i = 1;
		j = n - 1;
		for (;;) {
			while (i <= j && cmp(s, b + i * sz, b) < 0)
				i++;
			while (j >= i && cmp(s, b + j * sz, b) > 0)
				j--;
			if (i >= j)
				break;
			swap(b + i * sz, b + j * sz, sz);
			i++;
			j--;
		}
		/* b[1..j] <= pivot <= b[j+1..n): the pivot goes to j */
		swap(b, b + j * sz, sz);
		if (j < n - 1 - j) {
			introsort(s, b, j, depth);
			b += (j + 1) * sz;
			n -= j + 1;
		} else {
			introsort(s, b + (j + 1) * sz, n - 1 - j, depth);
			n = j;
		}
	}
	insertion(s, b, n);
}

static void sort(const struct sorter *s, void *base, size_t n)
{
	_Alignas(16) char stack_buf[STACK_BUF];
	char *tmp;
	unsigned depth = 0;
	int saved = errno;

	if (n < 2 || !s->size)
		return;
	if (n <= (size_t)-1 / s->size && n * s->size <= HEAP_BUF_MAX) {
		if (n * s->size <= STACK_BUF) {
			msort(s, base, n, stack_buf);
			return;
		}
		if ((tmp = malloc(n * s->size))) {
			msort(s, base, n, tmp);
			free(tmp);
			return;
		}
		errno = saved; /* a failed malloc is not the caller's error */
	}
	for (size_t k = n; k > 1; k >>= 1)
		depth += 2;
	introsort(s, base, n, depth);
}

void qsort(void *base, size_t n, size_t size, int (*c)(const void *, const void *))
{
	struct sorter s = { .cmp = c, .size = size };
	sort(&s, base, n);
}

void qsort_r(void *base, size_t n, size_t size, int (*c)(const void *, const void *, void *), void *arg)
{
	struct sorter s = { .cmp_r = c, .arg = arg, .size = size };
	sort(&s, base, n);
}
