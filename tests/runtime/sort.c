/* sort.c — qsort on ints, strings and records, bsearch, and rand/srand's
 * sequence (glibc's generator). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rec {
	int key;
	char name[12];
	double weight;
};

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	if (x->key != y->key)
		return x->key - y->key;
	return strcmp(x->name, y->name);
}

int main(void)
{
	static int a[100000];
	static const char *words[] = { "pear", "apple", "fig", "banana", "kiwi", "cherry", "date", "grape",
		"lemon", "mango", "nectarine", "orange", "papaya", "quince", "apple", "fig" };
	struct rec recs[500];
	unsigned long long h = 0;
	int nw = (int)(sizeof(words) / sizeof(words[0]));

	srand(1);
	printf("rand:");
	for (int i = 0; i < 5; i++)
		printf(" %d", rand());
	srand(12345);
	for (int i = 0; i < 5; i++)
		printf(" %d", rand());
	printf("\n");
	for (int i = 0; i < 100000; i++)
		a[i] = rand() % 1000000 - 500000;
	qsort(a, 100000, sizeof(int), cmp_int);
	for (int i = 0; i < 100000; i++) {
		if (i && a[i - 1] > a[i]) {
			printf("not sorted at %d\n", i);
			return 1;
		}
		h = h * 1000003 + (unsigned)a[i];
	}
	printf("ints: min %d max %d hash %llx\n", a[0], a[99999], h);
	{
		int key = a[4242], *p = bsearch(&key, a, 100000, sizeof(int), cmp_int);
		int missing = 600000;
		printf("bsearch found %d, missing %s\n", p ? *p : -1,
		       bsearch(&missing, a, 100000, sizeof(int), cmp_int) ? "found" : "absent");
	}
	qsort(words, (size_t)nw, sizeof(words[0]), cmp_str);
	for (int i = 0; i < nw; i++)
		printf("%s%c", words[i], i + 1 < nw ? ' ' : '\n');
	for (int i = 0; i < 500; i++) {
		recs[i].key = rand() % 50;
		snprintf(recs[i].name, sizeof(recs[i].name), "r%d", rand() % 1000);
		recs[i].weight = rand() / 1000.0;
	}
	qsort(recs, 500, sizeof(recs[0]), cmp_rec);
	for (int i = 0; i < 500; i += 50)
		printf("%d:%s:%.3f ", recs[i].key, recs[i].name, recs[i].weight);
	printf("\n");
	qsort(a, 0, sizeof(int), cmp_int);
	qsort(a, 1, sizeof(int), cmp_int);
	printf("abs %d labs %ld\n", abs(-7), labs(-70000000000L));
	return 0;
}
