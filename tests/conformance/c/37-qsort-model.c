// conformance:
/* qsort and qsort_r against a reference insertion sort on random, sorted,
 * reversed, equal-key, few-distinct and organ-pipe inputs of element sizes
 * 1 to 100, with a comparator that checks it is only given elements of the
 * array; then comparators that lie, which must not make the sort leave the
 * array or lose elements. Prints only what any libc must give. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x853c49e6748fea9bull;
static uint64_t rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static size_t esize;
static const char *lo, *hi;
static unsigned long outside, calls;
static int liar;

static unsigned key(const void *e)
{
	unsigned k = 0;
	memcpy(&k, e, esize < 4 ? esize : 4);
	return k;
}

static int cmp(const void *a, const void *b)
{
	const char *x = a, *y = b;
	if (x < lo || x >= hi || y < lo || y >= hi || (size_t)(x - lo) % esize || (size_t)(y - lo) % esize)
		outside++;
	calls++;
	if (liar)
		return liar == 1 ? (int)(rnd() % 3) - 1 : liar == 2 ? -1 : 1;
	return (key(a) > key(b)) - (key(a) < key(b));
}

static int cmp_r(const void *a, const void *b, void *arg)
{
	if (arg != &esize)
		outside++;
	return cmp(a, b);
}

static int bytes(const void *a, const void *b)
{
	return memcmp(a, b, esize);
}

static void make(char *a, size_t n, int pat)
{
	for (size_t i = 0; i < n; i++) {
		unsigned k = pat == 0 ? (unsigned)rnd() : pat == 1 ? (unsigned)i : pat == 2 ? (unsigned)(n - i)
			   : pat == 3 ? 5u : pat == 4 ? (unsigned)(rnd() % 3) : (unsigned)(i < n / 2 ? i : n - i);
		memset(a + i * esize, (int)(rnd() & 0xff), esize);
		memcpy(a + i * esize, &k, esize < 4 ? esize : 4);
	}
}

int main(void)
{
	static const size_t sizes[] = { 1, 3, 4, 8, 12, 24, 100 };
	static const size_t counts[] = { 0, 1, 2, 5, 12, 13, 100, 129, 1000, 3000 };
	unsigned long cases = 0, wrong = 0, lost = 0;

	for (size_t s = 0; s < 7; s++)
		for (size_t c = 0; c < 10; c++)
			for (int pat = 0; pat < 6; pat++)
				for (int r = 0; r < 2; r++) {
					size_t n = counts[c];
					char *a, *b;
					esize = sizes[s];
					a = malloc(n * esize + 1);
					b = malloc(n * esize + 1);
					make(a, n, pat);
					memcpy(b, a, n * esize);
					lo = a;
					hi = a + n * esize;
					if (r)
						qsort_r(a, n, esize, cmp_r, &esize);
					else
						qsort(a, n, esize, cmp);
					for (size_t i = 1; i < n; i++)
						if (key(a + (i - 1) * esize) > key(a + i * esize)) {
							wrong++;
							break;
						}
					qsort(a, n, esize, bytes); /* the same multiset of elements? */
					qsort(b, n, esize, bytes);
					if (memcmp(a, b, n * esize))
						lost++;
					free(a);
					free(b);
					cases++;
				}
	printf("%lu cases: %lu out of order, %lu lost elements, %lu comparator calls outside the array\n", cases,
	       wrong, lost, outside);

	for (liar = 1; liar <= 3; liar++) {
		size_t n = 2000;
		char *a, *b;
		esize = 12;
		a = malloc(n * esize);
		b = malloc(n * esize);
		make(a, n, 0);
		memcpy(b, a, n * esize);
		lo = a;
		hi = a + n * esize;
		outside = 0;
		qsort(a, n, esize, cmp);
		qsort(a, n, esize, bytes); /* bytes() does not lie */
		qsort(b, n, esize, bytes);
		printf("lying comparator %d: %s, %lu calls outside the array\n", liar,
		       memcmp(a, b, n * esize) ? "elements lost" : "same elements", outside);
		free(a);
		free(b);
	}
	return wrong || lost;
}
