/* stdin.c — reading stdin: getchar, ungetc, fgets (long lines cut), fread;
 * echoes with line numbers and ends with counts. */
#include <stdio.h>
#include <string.h>

int main(void)
{
	char line[40], rest[100000];
	int c, lines = 0;
	size_t n;

	c = getchar();
	printf("first byte %d\n", c);
	if (c != EOF)
		ungetc(c, stdin);
	while (lines < 5 && fgets(line, sizeof(line), stdin)) {
		size_t len = strlen(line);
		printf("%d:%zu:%s%s", ++lines, len, line, len && line[len - 1] == '\n' ? "" : "\\\n");
	}
	n = fread(rest, 1, sizeof(rest), stdin);
	{
		unsigned long h = 0;
		for (size_t i = 0; i < n; i++)
			h = h * 31 + (unsigned char)rest[i];
		printf("rest %zu bytes hash %lx eof %d\n", n, h, feof(stdin) != 0);
	}
	printf("after eof %d\n", getchar());
	return 0;
}
