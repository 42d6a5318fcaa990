// conformance:
/* A program that defines malloc, free, calloc, realloc and strlen itself
 * keeps its own: the libc's qsort, strdup and printf go through them, and
 * the libc's other string functions (memcpy, strcmp) still link beside
 * them. In a cell that is runtime/zlibc's, one function per archive member. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Alignas(16) unsigned char arena[1 << 20];
static size_t used;
static unsigned long mallocs, frees, strlens;

void *malloc(size_t n)
{
	size_t *p;
	n = (n + 15) & ~(size_t)15;
	if (used + n + 16 > sizeof(arena))
		return NULL;
	p = (size_t *)(arena + used);
	*p = n;
	used += n + 16;
	mallocs++;
	return arena + used - n;
}

void free(void *p)
{
	if (p)
		frees++;
}

void *calloc(size_t n, size_t m)
{
	void *p = malloc(n * m);
	if (p)
		memset(p, 0, n * m);
	return p;
}

void *realloc(void *p, size_t n)
{
	void *q = malloc(n);
	if (q && p) {
		size_t old = ((size_t *)p)[-2];
		memcpy(q, p, old < n ? old : n);
	}
	return q;
}

size_t strlen(const char *s)
{
	const char *e = s;
	strlens++;
	while (*e)
		e++;
	return (size_t)(e - s);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	char *words[] = { "pear", "fig", "apple", "kiwi", "banana", "cherry", "date", "grape" };
	char *copies[8];
	volatile size_t total = 0;
	(void)argc;
	(void)argv;

	for (int i = 0; i < 8; i++)
		copies[i] = strdup(words[i]);
	unsigned long before = mallocs;
	qsort(copies, 8, sizeof(copies[0]), cmp);
	for (int i = 0; i < 8; i++) {
		total += strlen(copies[i]);
		printf("%s%c", copies[i], i == 7 ? '\n' : ' ');
		free(copies[i]);
	}
	char *buf = malloc(64);
	memcpy(buf, "0123456789", 11);
	buf = realloc(buf, 128);
	printf("total %zu, %s, arena in use: %s, own strlen called: %s, own free called %lu times\n", (size_t)total,
	       buf, used > 0 ? "yes" : "no", strlens >= 8 ? "yes" : "no", frees);
	printf("strdup used our malloc: %s; qsort allocated %s\n", before >= 8 ? "yes" : "no",
	       mallocs >= before ? "through it or not at all" : "elsewhere");
	return 0;
}
