/* Sorting: qsort with a comparator and a hand-written quicksort. */
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

static void quick(unsigned *a, long lo, long hi)
{
	while (lo < hi) {
		unsigned p = a[(lo + hi) / 2];
		long i = lo, j = hi;
		while (i <= j) {
			while (a[i] < p) i++;
			while (a[j] > p) j--;
			if (i <= j) { unsigned t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
		}
		if (j - lo < hi - i) { quick(a, lo, j); lo = i; } else { quick(a, i, hi); hi = j; }
	}
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1500000;
	unsigned *a = malloc(n * sizeof(*a)), *b = malloc(n * sizeof(*b)), x = 12345;
	unsigned long sum = 0;

	for (long i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		a[i] = b[i] = x;
	}
	qsort(a, n, sizeof(*a), cmp);
	quick(b, 0, n - 1);
	for (long i = 0; i < n; i += 1000)
		sum += a[i] + (b[i] >> 3);
	printf("sorted %u %u %lu\n", a[0], a[n - 1], sum);
	return 0;
}
