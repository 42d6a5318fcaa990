/* __thread variables with initial values, errno per thread, and
 * constructors/destructors with atexit ordering. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

__thread int counter = 41;
__thread char name[16] = "tls-initial";
__thread double zeroed[64];
static _Thread_local long big_aligned __attribute__((aligned(128))) = 7;

__attribute__((constructor)) static void before(void) { counter++; }
static void last(void) { printf("atexit: counter %d\n", counter); }
static void first(void) { printf("atexit, registered second, runs first\n"); }

int main(void)
{
	atexit(last);
	atexit(first);
	errno = 0;
	strtol("99999999999999999999999", NULL, 10);
	printf("counter %d name %s zeroed %g aligned %ld mod 128 = %lu errno %s\n", counter, name, zeroed[63],
	       big_aligned, (unsigned long)&big_aligned % 128, errno == ERANGE ? "ERANGE" : "?");
	return 5;
}
