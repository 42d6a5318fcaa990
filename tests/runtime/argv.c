/* argv.c — arguments and environment as the program sees them; the exit
 * code is computed from them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	size_t total = 0;

	printf("argc %d\n", argc);
	for (int i = 0; i < argc; i++) {
		printf("argv[%d] = [%s]\n", i, argv[i]);
		total += strlen(argv[i]);
	}
	printf("argv[argc] %s\n", argv[argc] ? "set" : "NULL");
	printf("getenv of an unset name: %s\n", getenv("ZVM_SURELY_UNSET_NAME") ? "set" : "NULL");
	return (int)(total % 50) + argc;
}
