/* Hashing a large buffer: FNV-1a over bytes and a 64-bit multiply-mix. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	size_t n = (size_t)(argc > 1 ? atol(argv[1]) : 48) << 20;
	unsigned char *buf = malloc(n);
	uint64_t fnv = 1469598103934665603ull, mix = 0;

	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)(i * 131 + (i >> 9));
	for (int rep = 0; rep < 4; rep++) {
		for (size_t i = 0; i < n; i++)
			fnv = (fnv ^ buf[i]) * 1099511628211ull;
		for (size_t i = 0; i + 8 <= n; i += 8) {
			uint64_t w;
			memcpy(&w, buf + i, 8);
			mix = (mix ^ w) * 0x9e3779b97f4a7c15ull;
			mix ^= mix >> 29;
		}
	}
	printf("fnv %016llx mix %016llx\n", (unsigned long long)fnv, (unsigned long long)mix);
	return 0;
}
