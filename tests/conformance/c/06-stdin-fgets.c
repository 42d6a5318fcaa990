// conformance: stdin=input.txt
/* fgets on stdin with a small buffer: long lines come in pieces; the last line has no newline. */
#include <stdio.h>
#include <string.h>

int main(void)
{
	char buf[24];
	int pieces = 0, lines = 0;
	size_t total = 0;
	while (fgets(buf, sizeof buf, stdin)) {
		size_t n = strlen(buf);
		int nl = n > 0 && buf[n - 1] == '\n';
		pieces++;
		lines += nl;
		total += n;
		if (nl)
			buf[n - 1] = 0;
		printf("%3d %2zu %c [%s]\n", pieces, n, nl ? 'N' : '-', buf);
	}
	printf("pieces=%d lines=%d bytes=%zu feof=%d ferror=%d\n", pieces, lines, total, feof(stdin) != 0, ferror(stdin) != 0);
	printf("fgets at eof: %s\n", fgets(buf, sizeof buf, stdin) ? "data" : "NULL");
	printf("getchar at eof: %d\n", getchar());
	return 0;
}
