// conformance: exit=134
/* abort(): the program ends as if killed by SIGABRT (status 134); what was flushed before stays. */
#include <stdio.h>
#include <stdlib.h>

static void never(void) { printf("atexit handler must not run on abort\n"); }

int main(void)
{
	atexit(never);
	printf("before abort\n");
	fflush(stdout);
	fprintf(stderr, "stderr before abort\n");
	abort();
}
