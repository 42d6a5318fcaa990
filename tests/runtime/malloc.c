/* malloc.c — malloc/calloc/realloc/free under a random workload; every
 * block is filled with a pattern that is checked before it is freed, and
 * the run ends with a checksum. Also strdup and big blocks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define SLOTS 2048

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned char *slot[SLOTS];
static size_t size[SLOTS];

static int check(int i)
{
	for (size_t k = 0; k < size[i]; k++)
		if (slot[i][k] != (unsigned char)(i * 7 + k))
			return 0;
	return 1;
}

static void fill(int i)
{
	for (size_t k = 0; k < size[i]; k++)
		slot[i][k] = (unsigned char)(i * 7 + k);
}

int main(void)
{
	uint64_t sum = 0, ops = 0;
	char *s;

	for (int it = 0; it < 300000; it++) {
		uint64_t x = next();
		int i = (int)(x % SLOTS);
		size_t n = (x >> 16) % ((x >> 40) % 16 == 0 ? 200000 : 600);

		if (slot[i] && !check(i)) {
			printf("corrupt slot %d at iteration %d\n", i, it);
			return 1;
		}
		if (slot[i] && (x >> 50) % 3 == 0) {
			unsigned char *p;
			if (n == 0) /* realloc(p, 0) differs between libcs */
				n = 1;
			p = realloc(slot[i], n);
			if (!p) {
				puts("realloc failed");
				return 1;
			}
			for (size_t k = size[i]; k < n; k++)
				p[k] = (unsigned char)(i * 7 + k);
			slot[i] = p;
			size[i] = n;
		} else if (slot[i]) {
			free(slot[i]);
			slot[i] = NULL;
			size[i] = 0;
		} else {
			slot[i] = (x >> 60) & 1 ? malloc(n) : calloc(n, 1);
			if (!slot[i]) {
				puts("out of memory");
				return 1;
			}
			if (((uintptr_t)slot[i] & 15) != 0) {
				puts("misaligned block");
				return 1;
			}
			if (!((x >> 60) & 1))
				for (size_t k = 0; k < n; k++)
					if (slot[i][k]) {
						puts("calloc block not zero");
						return 1;
					}
			size[i] = n;
			fill(i);
		}
		ops++;
	}
	for (int i = 0; i < SLOTS; i++) {
		if (slot[i] && !check(i)) {
			printf("corrupt slot %d at the end\n", i);
			return 1;
		}
		for (size_t k = 0; k < size[i]; k++)
			sum = sum * 31 + slot[i][k];
		free(slot[i]);
	}
	s = strdup("a copy");
	printf("ops %llu checksum %016llx %s\n", (unsigned long long)ops, (unsigned long long)sum, s);
	free(s);
	{
		/* one big block, touched at both ends */
		char *big = malloc(64u << 20);
		if (!big)
			return 2;
		big[0] = 1;
		big[(64u << 20) - 1] = 2;
		printf("big %d %d\n", big[0], big[(64u << 20) - 1]);
		free(big);
	}
	free(NULL);
	return 0;
}
