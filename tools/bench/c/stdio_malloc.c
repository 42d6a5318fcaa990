/*
 * stdio_malloc.c — a benchmark of ordinary libc work: many small and
 * medium allocations of changing sizes (a pool of live blocks, replaced at
 * random, with reallocs), formatted output through stdio (printf of
 * integers, floats and strings, a few MB), and parsing it back with sscanf
 * and strtod. Prints a checksum so native and cell runs can be compared.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 88172645463325252ull;
static uint64_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 3000000;
	enum { POOL = 4096 };
	static char *pool[POOL];
	uint64_t sum = 0;
	char line[128];

	for (long i = 0; i < rounds; i++) {
		unsigned k = (unsigned)(next() % POOL);
		size_t n = (size_t)(next() % 8 == 0 ? 256 + next() % 8192 : 8 + next() % 120);
		if (pool[k] && next() % 4 == 0) {
			char *p = realloc(pool[k], n);
			if (!p)
				return 1;
			pool[k] = p;
		} else {
			free(pool[k]);
			pool[k] = malloc(n);
			if (!pool[k])
				return 1;
		}
		memset(pool[k], (int)(i & 0xff), n);
		sum += (unsigned char)pool[k][n / 2];
		if (i % 4 == 0) {
			double d = (double)(next() % 1000000) / 997.0;
			int len = snprintf(line, sizeof(line), "%ld %08x %.6f %s\n", i, (unsigned)(next() & 0xffffffff),
					   d, i % 3 ? "alpha" : "beta");
			fputs(line, stdout);
			long a;
			unsigned b;
			char word[16];
			if (sscanf(line, "%ld %x %*f %15s", &a, &b, word) == 3)
				sum += (uint64_t)a + b + (uint64_t)strlen(word);
			sum += (uint64_t)(strtod(strchr(line, '.') - 3, NULL) * 1000) + (uint64_t)len;
		}
	}
	for (unsigned k = 0; k < POOL; k++)
		free(pool[k]);
	fprintf(stderr, "checksum %llu\n", (unsigned long long)sum);
	return 0;
}
