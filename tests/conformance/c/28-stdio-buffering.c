// conformance:
/* setvbuf modes, fflush, interleaved stdout and stderr (each stream is compared on its own), puts/putchar. */
#include <stdio.h>
#include <string.h>

static char fullbuf[64];

int main(void)
{
	printf("setvbuf full 64: %d\n", setvbuf(stdout, fullbuf, _IOFBF, sizeof fullbuf));
	for (int i = 0; i < 20; i++) {
		printf("out %02d ", i);
		if (i % 5 == 4) {
			putchar('\n');
			fprintf(stderr, "err after %d\n", i);
		}
	}
	fflush(stdout);
	fputs("unbuffered stderr\n", stderr);
	setvbuf(stderr, NULL, _IOLBF, 0);
	fprintf(stderr, "line-buffered stderr %d\n", 1);
	puts("puts adds a newline");
	fputs("fputs does not", stdout);
	putchar('\n');
	char line[200];
	memset(line, '=', sizeof line - 1);
	line[sizeof line - 1] = 0;
	puts(line); /* larger than the 64-byte buffer */
	fwrite("fwrite\0with nul\n", 1, 16, stdout);
	printf("%s", "");
	fprintf(stdout, "%d%%\n", 100);
	fflush(NULL);
	fprintf(stderr, "last stderr\n");
	printf("last stdout without newline");
	return 0;
}
