/*
 * malloc.c — a small, fast allocator on the heap trap.
 *
 * Every block has a 16-byte header holding its usable size, so payloads are
 * 16-byte aligned. Requests up to 64 KiB are rounded to a size class (16-byte
 * steps to 128, then four classes per power of two) and served from that
 * class's free list, else carved from the top of the heap. Larger blocks go
 * on one list when freed and are reused by the next request they fit
 * without wasting more than half; a freed block that ends at the top of the
 * heap is given back to the top instead. realloc grows the topmost block in
 * place. The heap end moves in steps of at least 1 MiB to keep traps rare.
 * One thread, no locking.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zvm.h>

#include "size-class.h"

#define ALIGN 16
#define HDR 16
#define SMALL_MAX 65536
#define STEP ((uintptr_t)1 << 20)

struct block {
	size_t size;        /* usable bytes after the header */
	struct block *next; /* free lists only; inside the header */
};

static struct block *freelist[NCLASS];
static struct block *large;
static uintptr_t top, heap_end; /* first free byte; end of the heap we own */

/* n more bytes at the top of the heap (n a multiple of ALIGN), or NULL. */
static void *grow(size_t n)
{
	uintptr_t p;

	if (!heap_end) {
		long cur = zvm_trap_heap(0);
		if (cur <= 0)
			return NULL;
		top = heap_end = ((uintptr_t)cur + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
	}
	if (n > heap_end - top) {
		uintptr_t want = top + n, ask;
		long r;

		if (want < top) /* wrapped */
			return NULL;
		ask = want - heap_end < STEP ? heap_end + STEP : want;
		ask = ask < heap_end + (heap_end - top) / 8 ? heap_end + (heap_end - top) / 8 : ask;
		r = zvm_trap_heap(ask);
		if (r < 0 || (uintptr_t)r < want) {
			/* near the limit: take exactly what is needed */
			r = zvm_trap_heap(want);
			if (r < 0 || (uintptr_t)r < want)
				return NULL;
		}
		heap_end = (uintptr_t)r;
	}
	p = top;
	top += n;
	return (void *)p;
}

static void *nomem(void)
{
	errno = ENOMEM;
	return NULL;
}

void *malloc(size_t n)
{
	struct block *b;

	if (n > ((size_t)1 << 32))
		return nomem();
	if (n <= SMALL_MAX) {
		int c = class_of(n);
		if ((b = freelist[c])) {
			freelist[c] = b->next;
			return (char *)b + HDR;
		}
		b = grow(HDR + class_size(c));
		if (!b)
			return nomem();
		b->size = class_size(c);
		return (char *)b + HDR;
	}
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	for (struct block **pp = &large; *pp; pp = &(*pp)->next) {
		if ((*pp)->size >= n && (*pp)->size - n <= n / 2) {
			b = *pp;
			*pp = b->next;
			return (char *)b + HDR;
		}
	}
	b = grow(HDR + n);
	if (!b)
		return nomem();
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
	} else if ((uintptr_t)p + b->size == top) {
		top = (uintptr_t)b; /* the topmost block: back to the top */
	} else {
		b->next = large;
		large = b;
	}
}

void *calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > (size_t)-1 / size)
		return nomem();
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
	if (n > ((size_t)1 << 32))
		return nomem();
	b = (struct block *)((char *)p - HDR);
	if (n <= b->size && (b->size <= SMALL_MAX || n >= b->size / 2))
		return p;
	if (b->size > SMALL_MAX && (uintptr_t)p + b->size == top) {
		/* the topmost large block grows (or shrinks) where it is */
		size_t want = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
		if (want < SMALL_MAX + ALIGN)
			want = SMALL_MAX + ALIGN;
		if (want <= b->size || grow(want - b->size)) {
			top = (uintptr_t)p + want;
			b->size = want;
			return p;
		}
	}
	q = malloc(n);
	if (q) {
		memcpy(q, p, b->size < n ? b->size : n);
		free(p);
	}
	return q;
}
