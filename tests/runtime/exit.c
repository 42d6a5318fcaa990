/* exit.c — exit codes and what runs on the way out: exit(N) from a nested
 * call flushes stdout and runs atexit handlers in reverse order. */
#include <stdio.h>
#include <stdlib.h>

static void first(void) { printf("atexit: first registered, runs last\n"); }
static void second(void) { printf("atexit: second registered, runs first\n"); }

static void deep(int n, int code)
{
	if (n == 0) {
		printf("leaving with %d (buffered, not yet flushed)", code);
		exit(code);
	}
	deep(n - 1, code);
}

int main(int argc, char **argv)
{
	int code = argc > 1 ? atoi(argv[1]) : 0;

	atexit(first);
	atexit(second);
	if (argc > 2)
		return code; /* return from main is exit(code) */
	deep(10, code);
	return 99;
}
