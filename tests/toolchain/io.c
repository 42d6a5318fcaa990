/* stdin to stdout with line counting, argv, exit codes. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	char line[1024];
	int lines = 0;
	size_t bytes = 0;

	for (int i = 1; i < argc; i++)
		printf("arg %d: %s\n", i, argv[i]);
	while (fgets(line, sizeof(line), stdin)) {
		lines++;
		bytes += strlen(line);
		if (lines <= 3)
			fputs(line, stdout);
	}
	fprintf(stderr, "%d lines, %zu bytes\n", lines, bytes);
	return lines % 256 ? 3 : 0;
}
