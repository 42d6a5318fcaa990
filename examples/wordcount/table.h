/*
 * table.h — the word table the mapper and the reducer share: words to
 * counts in an open-addressing hash table, and the words sorted as
 * `sort` in the C locale sorts them (strcmp).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../peers.h"

struct entry {
	char *word;
	long count;
};

static struct entry *table;
static size_t cap, used;

/* FNV-1a: the same on every run, so a word always goes to one reducer */
static unsigned long hash(const char *s)
{
	unsigned long h = 1469598103934665603ul;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ul;
	return h;
}


static void add(const char *w, long n)
{
	size_t i;

	if (2 * (used + 1) > cap) {
		struct entry *old = table;
		size_t oldcap = cap;
		cap = cap ? 2 * cap : 1024;
		if (!(table = calloc(cap, sizeof(*table))))
			die("calloc");
		used = 0;
		for (size_t k = 0; k < oldcap; k++)
			if (old[k].word) {
				for (i = hash(old[k].word) % cap; table[i].word; i = (i + 1) % cap)
					;
				table[i] = old[k];
				used++;
			}
		free(old);
	}
	for (i = hash(w) % cap; table[i].word; i = (i + 1) % cap)
		if (!strcmp(table[i].word, w)) {
			table[i].count += n;
			return;
		}
	if (!(table[i].word = strdup(w)))
		die("strdup");
	table[i].count = n;
	used++;
}

static int by_word(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->word, ((const struct entry *)b)->word);
}

/* The entries packed at the front of the table, sorted; returns how many. */
static size_t sorted(void)
{
	size_t n = 0;

	for (size_t k = 0; k < cap; k++)
		if (table[k].word)
			table[n++] = table[k];
	qsort(table, n, sizeof(*table), by_word);
	return n;
}

