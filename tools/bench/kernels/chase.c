/* Pointer chasing: a random cyclic permutation (one cycle through every
 * slot, Sattolo's algorithm) walked through a 32 MB table, so nearly every
 * step is a cache miss and a TLB miss.
 *   chase [N]   N million steps; default 9 */
#include <stdio.h>
#include <stdlib.h>

static long arg(int argc, char **argv, long def)
{
	long v = 0;
	if (argc < 2)
		return def;
	for (const char *p = argv[1]; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	return v > 0 ? v : def;
}

int main(int argc, char **argv)
{
	long n = 4L << 20, steps = arg(argc, argv, 9) * 1000000, p = 0, sum = 0;
	long *next = malloc(n * sizeof(long));
	unsigned long x = 88172645463325252ull;

	for (long i = 0; i < n; i++)
		next[i] = i;
	for (long i = n - 1; i > 0; i--) { /* Sattolo: j < i gives one cycle */
		long j, t;
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		j = (long)(x % (unsigned long)i);
		t = next[i]; next[i] = next[j]; next[j] = t;
	}
	for (long s = 0; s < steps; s++) {
		p = next[p];
		sum += p ^ s;
	}
	printf("chase %ld %ld\n", p, sum);
	free(next);
	return 0;
}
