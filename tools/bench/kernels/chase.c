/* Pointer chasing: a random cyclic permutation walked through memory. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 4000000, steps = 6000000;
	long *next = malloc(n * sizeof(long)), *perm = malloc(n * sizeof(long)), p = 0, sum = 0;
	unsigned long x = 88172645463325252ull;

	for (long i = 0; i < n; i++)
		perm[i] = i;
	for (long i = n - 1; i > 0; i--) {
		long j;
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		j = (long)(x % (unsigned long)(i + 1));
		long t = perm[i]; perm[i] = perm[j]; perm[j] = t;
	}
	for (long i = 0; i < n; i++)
		next[perm[i]] = perm[(i + 1) % n];
	for (long s = 0; s < steps; s++) {
		p = next[p];
		sum += p;
	}
	printf("chase %ld %ld\n", p, sum);
	return 0;
}
