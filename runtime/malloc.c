/*
 * malloc.c — a small allocator on the heap trap. Requests up to 32 KiB come
 * from size classes (powers of two and their midpoints) with free lists;
 * larger ones are carved from the heap and kept on a first-fit list when
 * freed. Every block has a 16-byte header holding its class or size.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zvm.h>

#define ALIGN 16
#define HDR 16
#define NCLASS 24
#define SMALL_MAX 32768

struct block {
	size_t size;      /* usable bytes */
	struct block *next;
};

static struct block *freelist[NCLASS];
static struct block *large;
static uintptr_t brk_cur, brk_end;

static size_t class_size(int c)
{
	/* 16, 24?, ...: powers of two 16..32768 and the 1.5x between them */
	size_t base = (size_t)16 << (c / 2);
	return c & 1 ? base + base / 2 : base;
}

static int class_of(size_t n)
{
	int c = 0;
	while (class_size(c) < n)
		c++;
	return c;
}

static void *grow(size_t n)
{
	uintptr_t p;

	if (!brk_cur) {
		long cur = zvm_trap_heap(0);
		if (cur < 0)
			return NULL;
		brk_cur = brk_end = (uintptr_t)cur;
		brk_cur = (brk_cur + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
	}
	if (brk_cur + n > brk_end) {
		/* ask in steps of at least 1 MiB to keep traps rare */
		uintptr_t want = brk_cur + n;
		uintptr_t step = want - brk_end < (1u << 20) ? brk_end + (1u << 20) : want;
		long r = zvm_trap_heap(step);
		if (r < 0) {
			r = zvm_trap_heap(want);
			if (r < 0)
				return NULL;
		}
		brk_end = (uintptr_t)r;
	}
	p = brk_cur;
	brk_cur += n;
	return (void *)p;
}

void *malloc(size_t n)
{
	struct block *b;

	if (n > ((size_t)1 << 40)) {
		errno = ENOMEM;
		return NULL;
	}
	if (n <= SMALL_MAX) {
		int c = class_of(n ? n : 1);
		if ((b = freelist[c])) {
			freelist[c] = b->next;
			return (char *)b + HDR;
		}
		b = grow(HDR + class_size(c));
		if (!b) {
			errno = ENOMEM;
			return NULL;
		}
		b->size = class_size(c);
		return (char *)b + HDR;
	}
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	for (struct block **pp = &large; *pp; pp = &(*pp)->next) {
		if ((*pp)->size >= n && (*pp)->size <= n + n / 2) {
			b = *pp;
			*pp = b->next;
			return (char *)b + HDR;
		}
	}
	b = grow(HDR + n);
	if (!b) {
		errno = ENOMEM;
		return NULL;
	}
	b->size = n;
	return (char *)b + HDR;
}

void free(void *p)
{
	struct block *b;

	if (!p)
		return;
	b = (struct block *)((char *)p - HDR);
	if (b->size <= SMALL_MAX) {
		int c = class_of(b->size);
		b->next = freelist[c];
		freelist[c] = b;
	} else {
		b->next = large;
		large = b;
	}
}

void *calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > (size_t)-1 / size) {
		errno = ENOMEM;
		return NULL;
	}
	p = malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *realloc(void *p, size_t n)
{
	struct block *b;
	void *q;

	if (!p)
		return malloc(n);
	b = (struct block *)((char *)p - HDR);
	if (n <= b->size)
		return p;
	q = malloc(n);
	if (q) {
		memcpy(q, p, b->size);
		free(p);
	}
	return q;
}
