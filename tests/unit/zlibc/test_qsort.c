/*
 * test_qsort.c — the cell's qsort (runtime/zlibc/qsort.c) natively: the
 * merge sort (qsort, qsort_r) and the in-place introsort fallback (with
 * qsort's depth limit, with none so heapsort does it all, and with one
 * level) against glibc's qsort as the reference, on random, sorted,
 * reversed, equal-key, few-distinct, organ-pipe and sawtooth inputs of
 * several element sizes. Every comparator call is checked to get two
 * elements of the array (never a copy, never outside it); the merge sort
 * must be stable; broken comparators must not make the sort leave the
 * array or lose an element.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "zlibc-support.h"

/* an element: a 32-bit key, then its original index, then padding up to
 * the element size (at least 4: sizes below 8 hold the key's low bytes only) */
static size_t esize;
static const char *lo, *hi; /* the array being sorted */
static unsigned long calls;
static int broken;          /* 0 honest, 1 random answers, 2 always -1, 3 always 1 */
static uint64_t rng = 88172645463325252ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint32_t key(const void *e)
{
	uint32_t k = 0;
	memcpy(&k, e, esize < 4 ? esize : 4);
	return k;
}

static void in_array(const void *p)
{
	const char *c = p;
	if (c < lo || c >= hi || (size_t)(c - lo) % esize)
		fail_msg("comparator got %p, not an element of [%p, %p) size %zu", p, (void *)lo, (void *)hi, esize);
}

static int cmp(const void *a, const void *b)
{
	in_array(a);
	in_array(b);
	calls++;
	switch (broken) {
	case 1: return (int)(next_rand() % 3) - 1;
	case 2: return -1;
	case 3: return 1;
	}
	uint32_t x = key(a), y = key(b);
	return x < y ? -1 : x > y;
}

static int cmp_r(const void *a, const void *b, void *arg)
{
	assert_ptr_equal(arg, &esize);
	return cmp(a, b);
}

/* the reference order: by key, then by original index (stable) */
static int ref_cmp(const void *a, const void *b)
{
	uint32_t x = key(a), y = key(b), i, j;
	if (x != y)
		return x < y ? -1 : 1;
	if (esize < 8)
		return 0;
	memcpy(&i, (const char *)a + 4, 4);
	memcpy(&j, (const char *)b + 4, 4);
	return i < j ? -1 : i > j;
}

static int bytes_cmp(const void *a, const void *b)
{
	return memcmp(a, b, esize);
}

enum { RANDOM, SORTED, REVERSED, EQUAL, FEW, ORGAN, SAW, NPATTERN };
static const char *const pattern_name[] = { "random", "sorted", "reversed", "equal", "few", "organ", "saw" };

static void make(char *a, size_t n, int pattern)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t k;
		char *e = a + i * esize;
		switch (pattern) {
		case RANDOM: k = (uint32_t)next_rand(); break;
		case SORTED: k = (uint32_t)i; break;
		case REVERSED: k = (uint32_t)(n - i); break;
		case EQUAL: k = 7; break;
		case FEW: k = (uint32_t)(next_rand() % 3); break;
		case ORGAN: k = (uint32_t)(i < n / 2 ? i : n - i); break;
		default: k = (uint32_t)(i % 17); break;
		}
		if (esize < 4)
			k &= (1u << (8 * esize)) - 1;
		memset(e, (int)(i & 0xff), esize);
		memcpy(e, &k, esize < 4 ? esize : 4);
		if (esize >= 8) {
			uint32_t idx = (uint32_t)i;
			memcpy(e + 4, &idx, 4);
		}
	}
}

/* how: 0 qsort, 1 qsort_r, 2 introsort, 3 heapsort only, 4 one quicksort level */
static void sort_with(int how, char *a, size_t n)
{
	lo = a;
	hi = a + n * esize;
	switch (how) {
	case 0: zl_qsort(a, n, esize, cmp); break;
	case 1: zl_qsort_r(a, n, esize, cmp_r, &esize); break;
	case 2: zl_introsort(a, n, esize, cmp, -1); break;
	case 3: zl_introsort(a, n, esize, cmp, 0); break;
	default: zl_introsort(a, n, esize, cmp, 1); break;
	}
}

static void one(int how, size_t n, int pattern)
{
	char *a = malloc(n * esize + 1), *want = malloc(n * esize + 1);
	unsigned long bound;

	assert_non_null(a);
	assert_non_null(want);
	make(a, n, pattern);
	memcpy(want, a, n * esize);
	qsort(want, n, esize, ref_cmp);
	calls = 0;
	sort_with(how, a, n);
	/* keys in order for every sort; the merge sort is also stable, so
	 * (with an index in the element) the whole array matches */
	for (size_t i = 0; i < n; i++)
		if (key(a + i * esize) != key(want + i * esize))
			fail_msg("sort %d, %s, n %zu, size %zu: key %zu is %u, want %u", how, pattern_name[pattern], n,
				 esize, i, key(a + i * esize), key(want + i * esize));
	if (how <= 1 && memcmp(a, want, n * esize))
		fail_msg("sort %d, %s, n %zu, size %zu: not stable", how, pattern_name[pattern], n, esize);
	if (how > 1) { /* the same elements, whatever their order among equals */
		qsort(a, n, esize, bytes_cmp);
		qsort(want, n, esize, bytes_cmp);
		if (memcmp(a, want, n * esize))
			fail_msg("sort %d, %s, n %zu, size %zu: elements lost", how, pattern_name[pattern], n, esize);
	}
	/* n log2 n comparisons for the merge sort; quick/heapsort a few times more */
	bound = 1;
	for (size_t k = n; k > 1; k >>= 1)
		bound++;
	bound *= n * (how <= 1 ? 1 : 4);
	if (calls > bound + 8)
		fail_msg("sort %d, %s, n %zu: %lu comparisons (bound %lu)", how, pattern_name[pattern], n, calls, bound);
	free(a);
	free(want);
}

static void test_against_reference(void **state)
{
	static const size_t sizes[] = { 1, 3, 4, 8, 12, 24, 100 };
	static const size_t counts[] = { 0, 1, 2, 3, 7, 12, 13, 50, 127, 128, 129, 1000, 5000 };

	(void)state;
	for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		esize = sizes[si];
		for (size_t ci = 0; ci < sizeof(counts) / sizeof(counts[0]); ci++)
			for (int p = 0; p < NPATTERN; p++)
				for (int how = 0; how < 5; how++)
					one(how, counts[ci], p);
	}
}

/* Above the buffer's 32 MiB: the fallback, through qsort itself */
static void test_large_falls_back(void **state)
{
	(void)state;
	esize = 8;
	one(2, 100000, RANDOM);
	esize = 4;
	size_t n = (33u << 20) / 4;
	uint32_t *a = malloc(n * 4);
	assert_non_null(a);
	for (size_t i = 0; i < n; i++)
		a[i] = (uint32_t)next_rand() % 1000;
	sort_with(0, (char *)a, n);
	for (size_t i = 1; i < n; i++)
		if (a[i - 1] > a[i])
			fail_msg("33 MiB sort: a[%zu] %u > a[%zu] %u", i - 1, a[i - 1], i, a[i]);
	free(a);
}

static void test_broken_comparators(void **state)
{
	(void)state;
	for (broken = 1; broken <= 3; broken++)
		for (int how = 0; how < 5; how++)
			for (size_t n = 0; n < 600; n += 37) {
				char *a, *b;
				esize = 12;
				a = malloc(n * esize + 1);
				b = malloc(n * esize + 1);
				make(a, n, RANDOM);
				memcpy(b, a, n * esize);
				sort_with(how, a, n); /* in_array() checks every access the comparator sees */
				qsort(a, n, esize, bytes_cmp);
				qsort(b, n, esize, bytes_cmp);
				if (memcmp(a, b, n * esize))
					fail_msg("broken comparator %d, sort %d, n %zu: elements lost", broken, how, n);
				free(a);
				free(b);
			}
	broken = 0;
}

static void test_errno_kept(void **state)
{
	uint32_t a[3000];

	(void)state;
	esize = 4;
	for (int i = 0; i < 3000; i++)
		a[i] = (uint32_t)(3000 - i);
	errno = 77;
	sort_with(0, (char *)a, 3000);
	assert_int_equal(errno, 77);
	assert_int_equal(a[0], 1);
	zl_qsort(a, 3000, 0, cmp); /* size 0: nothing to do, no call */
	zl_qsort(NULL, 0, 4, cmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_reference),
		cmocka_unit_test(test_large_falls_back),
		cmocka_unit_test(test_broken_comparators),
		cmocka_unit_test(test_errno_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
