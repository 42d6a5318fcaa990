/* hello.c — the first program in a cell: arguments, stdin, stdout. */
#include <stdio.h>

int main(int argc, char **argv)
{
	char line[256];

	printf("hello, world from a zvm cell\n");
	for (int i = 0; i < argc; i++)
		printf("argv[%d] = %s\n", i, argv[i]);
	if (fgets(line, sizeof(line), stdin))
		printf("stdin says: %s", line);
	return 0;
}
