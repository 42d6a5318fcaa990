/* memcpy/strlen/strcmp-heavy: building sentences word by word (many small
 * memcpys and strlens), comparing them, and now and then copying a 60 KB
 * block (a large memcpy/memset and a long strlen).
 *   strings [N]   N hundred thousand sentences; default 25 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	int64_t rounds = arg(argc, argv, 25) * 100000;
	char *buf = malloc(1 << 16), *copy = malloc(1 << 16), *prev = malloc(1 << 16), word[64];
	uint64_t total = 0;
	uint64_t check = 0;
	int64_t less = 0;

	prev[0] = '\0';
	for (int64_t r = 0; r < rounds; r++) {
		size_t len = 0;
		for (int w = 0; w < 12; w++) {
			int wl = 3 + (int)((r * 7 + w * 5) % 40);
			memset(word, 'a' + (int)((r + w * 3) % 26), (size_t)wl);
			word[wl] = ' ';
			word[wl + 1] = '\0';
			memcpy(buf + len, word, (size_t)wl + 2);
			len += strlen(word);
		}
		buf[len] = '\0';
		total += strlen(buf);
		memcpy(copy, buf, len + 1);
		check = check * 31 + (unsigned char)copy[len / 2] + strlen(copy + len / 3);
		less += strcmp(copy, prev) < 0;
		memcpy(prev, copy, len + 1);
		if ((r & 1023) == 0) {
			memset(buf, 'x' - (int)(r & 7), 60000);
			buf[60000] = 0;
			memcpy(copy, buf, 60001);
			total += strlen(copy) + (strcmp(copy, buf) == 0);
		}
	}
	printf("strings %llu %llu %lld\n", (unsigned long long)total, (unsigned long long)check, (long long)less);
	free(buf); free(copy); free(prev);
	return 0;
}
