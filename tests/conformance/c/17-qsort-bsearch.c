// conformance:
/* qsort of ints, strings and structs (total orders only: qsort is not stable), bsearch hits and misses. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t seed = 12345;
static uint32_t rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}
static int cmp_desc(const void *a, const void *b) { return cmp_int(b, a); }
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

struct rec { int group; char name[8]; double score; };
static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	if (x->group != y->group)
		return x->group - y->group;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return strcmp(x->name, y->name);
}

int main(void)
{
	enum { N = 10000 };
	static int a[N];
	for (int i = 0; i < N; i++)
		a[i] = (int)(rnd() % 100000) - 50000;
	qsort(a, N, sizeof a[0], cmp_int);
	int sorted = 1;
	unsigned long h = 0;
	for (int i = 0; i < N; i++) {
		if (i && a[i - 1] > a[i])
			sorted = 0;
		h = h * 131 + (unsigned)a[i];
	}
	printf("ints sorted=%d min=%d max=%d median=%d hash=%lu\n", sorted, a[0], a[N - 1], a[N / 2], h);
	int found = 0, missing = 0;
	for (int k = -50000; k < 50000; k += 37) {
		int *p = bsearch(&k, a, N, sizeof a[0], cmp_int);
		if (p) {
			found++;
			if (*p != k)
				printf("bsearch wrong\n");
		} else
			missing++;
	}
	printf("bsearch found=%d missing=%d\n", found, missing);
	qsort(a, N, sizeof a[0], cmp_desc);
	printf("desc first=%d last=%d\n", a[0], a[N - 1]);
	const char *words[] = { "pear", "apple", "fig", "banana", "cherry", "date", "elderberry", "grape", "Apple", "apples", "" };
	int nw = sizeof words / sizeof words[0];
	qsort(words, (size_t)nw, sizeof words[0], cmp_str);
	for (int i = 0; i < nw; i++)
		printf("%s[%s]", i ? " " : "", words[i]);
	putchar('\n');
	const char *key = "fig";
	const char **w = bsearch(&key, words, (size_t)nw, sizeof words[0], cmp_str);
	printf("bsearch fig at %td\n", w ? w - words : -1);
	struct rec r[40];
	for (int i = 0; i < 40; i++) {
		r[i].group = (int)(rnd() % 4);
		snprintf(r[i].name, sizeof r[i].name, "n%02d", (int)(rnd() % 100));
		r[i].score = (double)(rnd() % 10) / 2;
	}
	qsort(r, 40, sizeof r[0], cmp_rec);
	for (int i = 0; i < 40; i++)
		printf("%d:%s:%.1f%c", r[i].group, r[i].name, r[i].score, i % 8 == 7 ? '\n' : ' ');
	qsort(a, 0, sizeof(int), cmp_int);
	int one = 5;
	qsort(&one, 1, sizeof one, cmp_int);
	printf("edge cases ok %d\n", one);
	return 0;
}
