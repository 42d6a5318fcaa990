/*
 * mapper.c — the word count's mapper (examples/wordcount/job.json): counts
 * the words of its stdin (runs of characters other than space and newline,
 * as `tr -s ' ' '\n'` splits them) and writes "word count" lines to its
 * reducers, each word to one of them by its hash: every /dev/out/* (sorted
 * by name), or stdout when it has none. An argument names another directory
 * than /dev/out (tools/bench/map-bench.sh runs it natively on FIFOs).
 */
#include "table.h"

int main(int argc, char **argv)
{
	static char buf[65536];
	char w[4096];
	size_t n = 0, npeers, nwords, got;
	char **out = peers(argc > 1 ? argv[1] : "/dev/out", &npeers);
	FILE **f;

	/* in blocks: a call per byte is what a cell pays most for (every
	 * return is a checked one), and natively it is slow too */
	do {
		got = fread(buf, 1, sizeof(buf), stdin);
		for (size_t i = 0; i <= got; i++) {
			int c = i < got ? (unsigned char)buf[i] : EOF;
			if (c == EOF && got)
				break; /* the block's end, not the input's */
			if (c != EOF && c != ' ' && c != '\n' && n < sizeof(w) - 1) {
				w[n++] = (char)c;
				continue;
			}
			if (n) {
				w[n] = '\0';
				add(w, 1);
				n = 0;
			}
		}
	} while (got);
	if (ferror(stdin))
		die("stdin");
	if (!(f = calloc(npeers ? npeers : 1, sizeof(*f))))
		die("calloc");
	for (size_t k = 0; k < npeers; k++)
		if (!(f[k] = fopen(out[k], "w")))
			die(out[k]);
	if (!npeers)
		f[0] = stdout;
	nwords = cap ? sorted() : 0;
	for (size_t k = 0; k < nwords; k++)
		fprintf(f[npeers ? hash(table[k].word) % npeers : 0], "%s %ld\n", table[k].word, table[k].count);
	for (size_t k = 0; k < npeers; k++)
		if (fclose(f[k]) != 0)
			die(out[k]);
	return 0;
}
