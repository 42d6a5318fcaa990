/* memcpy/strlen-heavy: building, measuring and copying strings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 3000000;
	char *buf = malloc(1 << 16), *copy = malloc(1 << 16), word[64];
	size_t total = 0;
	unsigned long check = 0;

	for (long r = 0; r < rounds; r++) {
		size_t len = 0;
		for (int w = 0; w < 12; w++) {
			int wl = 3 + (int)((r + w) % 40);
			memset(word, 'a' + (int)((r + w) % 26), wl);
			word[wl] = ' ';
			word[wl + 1] = '\0';
			memcpy(buf + len, word, (size_t)wl + 2);
			len += strlen(word);
		}
		buf[len] = '\0';
		total += strlen(buf);
		memcpy(copy, buf, len + 1);
		check += (unsigned char)copy[len / 2] + strlen(copy + len / 3);
		if ((r & 1023) == 0) {
			memset(buf, 'x', 60000);
			buf[60000] = 0;
			memcpy(copy, buf, 60001);
			total += strlen(copy);
		}
	}
	printf("strings %zu %lu\n", total, check);
	return 0;
}
