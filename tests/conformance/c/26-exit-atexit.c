// conformance: exit=3
/* atexit handlers run in reverse order of registration, stdio is flushed at exit, exit status 3. */
#include <stdio.h>
#include <stdlib.h>

static void h1(void) { printf("handler 1 (registered first, runs last)\n"); }
static void h2(void) { printf("handler 2\n"); }
static void h3(void)
{
	printf("handler 3 (registered last, runs first)\n");
	fprintf(stderr, "stderr from handler 3\n");
}

int main(void)
{
	int a = atexit(h1);
	int b = atexit(h2);
	int c = atexit(h3);
	printf("registering: %d %d %d\n", a, b, c);
	printf("buffered text that must be flushed by exit");
	fprintf(stderr, "about to exit with 3\n");
	exit(3);
}
