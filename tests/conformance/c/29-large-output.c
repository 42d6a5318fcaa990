// conformance:
/* About 4 MB to stdout in lines of varying length from a private PRNG, plus a few big fwrite calls. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	uint64_t s = 88172645463325252ull;
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	char word[128];
	size_t total = 0;
	for (int line = 0; line < 50000; line++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		int len = (int)(s % 120);
		for (int i = 0; i < len; i++)
			word[i] = alphabet[(s >> (i % 50)) % 62];
		word[len] = 0;
		int n = printf("%06d %016llx %s\n", line, (unsigned long long)s, word);
		total += (size_t)n;
	}
	static char block[1 << 20];
	for (size_t i = 0; i < sizeof block; i++)
		block[i] = (i % 64 == 63) ? '\n' : alphabet[(i * 7 + i / 64) % 62];
	for (int k = 0; k < 2; k++)
		total += fwrite(block, 1, sizeof block, stdout);
	printf("total %zu\n", total);
	fprintf(stderr, "wrote %zu bytes\n", total);
	return 0;
}
