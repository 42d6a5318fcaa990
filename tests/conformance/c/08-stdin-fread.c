// conformance: stdin=input.txt
/* fread on stdin in odd-sized chunks, byte statistics. */
#include <stdio.h>

int main(void)
{
	unsigned char buf[37];
	size_t n, total = 0, chunks = 0;
	unsigned long counts[256] = { 0 };
	unsigned sum = 0;
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
		chunks++;
		for (size_t i = 0; i < n; i++) {
			counts[buf[i]]++;
			sum = (sum << 5 | sum >> 27) ^ buf[i];
		}
		total += n;
		if (n != sizeof buf)
			printf("short chunk %zu of %zu bytes\n", chunks, n);
	}
	printf("total=%zu chunks=%zu sum=%08x eof=%d\n", total, chunks, sum, feof(stdin) != 0);
	for (int c = 0; c < 256; c++)
		if (counts[c])
			printf("%02x%c:%lu%s", c, c > 32 && c < 127 ? c : '.', counts[c], c == 255 ? "" : " ");
	putchar('\n');
	n = fread(buf, 4, 2, stdin);
	printf("after eof fread=%zu\n", n);
	return 0;
}
