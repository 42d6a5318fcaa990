/* Pointer chasing: a random cyclic permutation (one cycle through every
 * slot, Sattolo's algorithm) walked through a 32 MB table, so nearly every
 * step is a cache miss and a TLB miss.
 *   chase [N]   N million steps; default 9 */
#include <stdint.h>
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
	int64_t n = (int64_t)4 << 20, steps = arg(argc, argv, 9) * 1000000, p = 0, sum = 0;
	int64_t *next = malloc(n * sizeof(int64_t));
	uint64_t x = 88172645463325252ull;

	for (int64_t i = 0; i < n; i++)
		next[i] = i;
	for (int64_t i = n - 1; i > 0; i--) { /* Sattolo: j < i gives one cycle */
		int64_t j, t;
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		j = (int64_t)(x % (uint64_t)i);
		t = next[i]; next[i] = next[j]; next[j] = t;
	}
	for (int64_t s = 0; s < steps; s++) {
		p = next[p];
		sum += p ^ s;
	}
	printf("chase %lld %lld\n", (long long)p, (long long)sum);
	free(next);
	return 0;
}
