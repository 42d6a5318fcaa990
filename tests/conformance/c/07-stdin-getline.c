// conformance: stdin=input.txt
/* getline and getdelim on stdin, then ungetc/getc. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int no = 0;
	int c = getc(stdin);
	printf("first char '%c'\n", c);
	printf("ungetc -> %d\n", ungetc(c, stdin));
	while ((n = getline(&line, &cap, stdin)) != -1) {
		no++;
		unsigned h = 5381;
		for (ssize_t i = 0; i < n; i++)
			h = h * 33 ^ (unsigned char)line[i];
		printf("line %d: len=%zd strlen=%zu hash=%08x cap_ok=%d\n", no, n, strlen(line), h, cap > (size_t)n);
		if (no == 3)
			break;
	}
	/* the rest by words separated by spaces */
	int words = 0;
	while ((n = getdelim(&line, &cap, ' ', stdin)) != -1) {
		words++;
		if (words <= 12)
			printf("piece %d: [%.*s]\n", words, (int)(line[n - 1] == ' ' ? n - 1 : n), line);
	}
	printf("pieces=%d\n", words);
	free(line);
	return 0;
}
