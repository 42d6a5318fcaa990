/*
 * template-hello.c — a program that does its expensive start once, as a
 * template (docs/zvmd.md, "Templates"):
 *
 *   zvm submit --keep-as hello build/examples/template-hello.nexe
 *   echo hi | zvm submit --template hello -- a b
 *
 * Everything before zvm_template_keep() (here: a table of the primes below
 * two million) is done in the run that makes the template; each job starts
 * as a copy of that cell, with its own arguments, channels, clock and
 * random numbers. Run alone (`zvm run`, or a plain `zvm submit`) the keep
 * returns 0 and the program simply goes on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm.h>

#define LIMIT 2000000

static unsigned char composite[LIMIT];
static unsigned primes;

int main(int argc, char **argv)
{
	char line[256];
	int kept;

	for (unsigned i = 2; i < LIMIT; i++) {
		if (composite[i])
			continue;
		primes++;
		for (unsigned long k = (unsigned long)i * i; k < LIMIT; k += i)
			composite[k] = 1;
	}
	kept = zvm_template_keep(&argc, &argv);
	printf("hello from %s (%u primes below %u, %s)\n", kept == 1 ? "a template's copy" : "a cell", primes, LIMIT,
	       kept == 1 ? "counted once, in the template" : "counted just now");
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = %s\n", i, argv[i]);
	if (fgets(line, sizeof(line), stdin))
		printf("stdin says: %s", line);
	return 0;
}
