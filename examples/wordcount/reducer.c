/*
 * reducer.c — the word count's reducer: reads "word count" lines from every
 * /dev/in/* one after another (each mapper's whole output), sums the
 * counts by word and prints them as `sort | uniq -c` does: the count in
 * seven columns, a space, the word, sorted by word in the C locale. An
 * argument names another directory than /dev/in (tools/bench/map-bench.sh).
 */
#include "table.h"

int main(int argc, char **argv)
{
	size_t npeers, nwords;
	char **in = peers(argc > 1 ? argv[1] : "/dev/in", &npeers);
	char line[4200];

	for (size_t k = 0; k < npeers; k++) {
		FILE *f = fopen(in[k], "r");
		if (!f)
			die(in[k]);
		while (fgets(line, sizeof(line), f)) {
			char *sp = strrchr(line, ' ');
			if (!sp)
				continue;
			*sp = '\0';
			add(line, strtol(sp + 1, NULL, 10));
		}
		fclose(f);
	}
	nwords = cap ? sorted() : 0;
	for (size_t k = 0; k < nwords; k++)
		printf("%7ld %s\n", table[k].count, table[k].word);
	return 0;
}
