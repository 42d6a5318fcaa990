/* Sorting: the library's qsort with a comparator (an indirect call per
 * comparison), a hand-written quicksort and a hand-written merge sort.
 *   sort [N]   N thousand 32-bit keys; default 1500 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long arg(int argc, char **argv, long def)
{
	long v = 0;
	if (argc < 2)
		return def;
	for (const char *p = argv[1]; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	return v > 0 ? v : def;
}

static int cmp(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

static void quick(unsigned *a, int64_t lo, int64_t hi)
{
	while (lo < hi) {
		unsigned p = a[(lo + hi) / 2];
		int64_t i = lo, j = hi;
		while (i <= j) {
			while (a[i] < p) i++;
			while (a[j] > p) j--;
			if (i <= j) { unsigned t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
		}
		if (j - lo < hi - i) { quick(a, lo, j); lo = i; } else { quick(a, i, hi); hi = j; }
	}
}

/* Top-down merge sort of a[0..n) using tmp[0..n). */
static void merge_sort(unsigned *a, unsigned *tmp, int64_t n)
{
	int64_t h = n / 2, i = 0, j = h, k = 0;

	if (n < 2)
		return;
	merge_sort(a, tmp, h);
	merge_sort(a + h, tmp, n - h);
	while (i < h && j < n)
		tmp[k++] = a[j] < a[i] ? a[j++] : a[i++];
	while (i < h)
		tmp[k++] = a[i++];
	memcpy(a, tmp, (size_t)k * sizeof(*a));
}

int main(int argc, char **argv)
{
	int64_t n = arg(argc, argv, 1500) * 1000;
	unsigned *a = malloc(n * sizeof(*a)), *b = malloc(n * sizeof(*b)), *c = malloc(n * sizeof(*c));
	unsigned *tmp = malloc(n * sizeof(*tmp)), x = 12345;
	uint64_t sum = 0;

	for (int64_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		a[i] = b[i] = c[i] = x ^ (x >> 16);
	}
	qsort(a, n, sizeof(*a), cmp);
	quick(b, 0, n - 1);
	merge_sort(c, tmp, n);
	for (int64_t i = 0; i < n; i++) {
		if (a[i] != b[i] || a[i] != c[i] || (i && a[i - 1] > a[i])) {
			printf("sort: mismatch at %lld\n", (long long)i);
			return 1;
		}
		sum = sum * 31 + a[i];
	}
	printf("sorted %u %u %llu\n", a[0], a[n - 1], (unsigned long long)sum);
	free(a); free(b); free(c); free(tmp);
	return 0;
}
