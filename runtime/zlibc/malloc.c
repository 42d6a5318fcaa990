/*
 * malloc.c — the cell's malloc, linked in place of musl's mallocng
 * (libzlibc.a, before libc.a: docs/runtime.md, "The default libc's malloc
 * and qsort"). mallocng keeps every slot's metadata out of band and checks
 * it on each call, which makes allocation-heavy programs 2-3x slower than
 * with glibc; a cell runs one thread and its memory is already walled off,
 * so a plain size-class allocator is enough.
 *
 * Every block has a 16-byte header {size, off} before its payload, so
 * payloads are 16-byte aligned. Requests up to 64 KiB are rounded to a size
 * class (16-byte steps to 128, then four classes per power of two) and come
 * from that class's free list, else from the current 1 MiB chunk (mmap'd;
 * a new chunk that follows the old one, which ZRT's first-fit mmap usually
 * gives, just extends it). Larger blocks are their own mapping, freed with
 * munmap and grown with mremap. Nothing small is ever returned to the
 * system: freed blocks wait on their class's list, the next pointer in
 * their payload.
 *
 * off is 0 for a live block, FREED on a free list (so a double free
 * aborts instead of corrupting the list), and for a block of
 * aligned_alloc the distance back to the payload of the block it sits in.
 * One thread, no locking: a cell cannot create threads (docs/runtime.md).
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../size-class.h"

#define ALIGN 16
#define HDR 16
#define SMALL_MAX 65536
#define CHUNK ((size_t)1 << 20)
#define PAGE 4096
#define BIG_MAX ((size_t)1 << 46) /* beyond any cell's heap: no size overflow below */
#define FREED 1

struct hdr {
	size_t size; /* usable bytes from the payload on */
	size_t off;  /* 0, FREED, or the distance to the outer block's payload */
};

static void *freelist[NCLASS];
static char *cur, *cur_end; /* the unused part of the current chunk */

static struct hdr *hdr_of(void *p)
{
	return (struct hdr *)p - 1;
}

static void *nomem(void)
{
	errno = ENOMEM;
	return NULL;
}

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* n bytes (header included, a multiple of ALIGN, at most SMALL_MAX + HDR)
 * from the current chunk, or NULL */
static void *carve(size_t n)
{
	char *p;

	if ((size_t)(cur_end - cur) < n) {
		size_t len = CHUNK;
		if (!(p = map(len))) {
			/* near the memory limit: only what this block needs */
			len = (n + PAGE - 1) & ~(size_t)(PAGE - 1);
			if (!(p = map(len)))
				return NULL;
		}
		if (p != cur_end) /* not adjacent: the old tail (< 64 KiB) is left */
			cur = p;
		cur_end = p + len;
	}
	p = cur;
	cur += n;
	return p;
}

/* a block of its own mapping: zeroed, as every fresh mapping is */
static void *big_alloc(size_t n)
{
	size_t len;
	struct hdr *h;

	if (n > BIG_MAX)
		return nomem();
	len = (n + HDR + PAGE - 1) & ~(size_t)(PAGE - 1);
	if (!(h = map(len)))
		return nomem();
	h->size = len - HDR;
	h->off = 0;
	return h + 1;
}

/* a class whose free list is empty: a new block from the chunk */
static __attribute__((noinline)) void *refill(int c)
{
	struct hdr *h = carve(HDR + class_size(c));

	if (!h)
		return nomem();
	h->size = class_size(c);
	h->off = 0;
	return h + 1;
}

void *malloc(size_t n)
{
	void *p;
	int c;

	if (__builtin_expect(n > SMALL_MAX, 0))
		return big_alloc(n);
	c = class_of(n);
	if (__builtin_expect(!(p = freelist[c]), 0))
		return refill(c);
	freelist[c] = *(void **)p;
	hdr_of(p)->off = 0;
	return p;
}

/* The block p's memory belongs to (itself unless p came from
 * aligned_alloc); aborts on a pointer already freed. */
static void *outer(void *p)
{
	size_t off = hdr_of(p)->off;

	if (off) {
		if (off % ALIGN)
			abort(); /* FREED: a double free */
		p = (char *)p - off;
		if (hdr_of(p)->off)
			abort();
	}
	return p;
}

static __attribute__((noinline)) void free_slow(void *p)
{
	struct hdr *h;

	p = outer(p);
	h = hdr_of(p);
	h->off = FREED;
	if (h->size <= SMALL_MAX) {
		int c = class_of(h->size);
		*(void **)p = freelist[c];
		freelist[c] = p;
	} else {
		munmap(h, h->size + HDR);
	}
}

void free(void *p)
{
	struct hdr *h;
	int c;

	if (!p)
		return;
	h = hdr_of(p);
	if (__builtin_expect(h->off || h->size > SMALL_MAX, 0)) {
		free_slow(p); /* aligned, large, or already freed */
		return;
	}
	c = class_of(h->size);
	h->off = FREED;
	*(void **)p = freelist[c];
	freelist[c] = p;
}

void *calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > (size_t)-1 / size)
		return nomem();
	n *= size;
	if (n > SMALL_MAX)
		return big_alloc(n); /* a fresh mapping: already zero */
	if ((p = malloc(n)))
		memset(p, 0, n);
	return p;
}

void *realloc(void *p, size_t n)
{
	struct hdr *h;
	void *q;
	size_t have;

	if (!p)
		return malloc(n);
	h = hdr_of(p);
	have = h->size;
	if (h->off == FREED)
		abort();
	if (n <= have && (have <= 128 || n >= have / 2))
		return p; /* fits, and not much smaller */
	if (!h->off && have > SMALL_MAX && n > SMALL_MAX) {
		/* a mapping of its own: ZRT grows it in place when it can */
		size_t len;
		if (n > BIG_MAX)
			return nomem();
		len = (n + HDR + PAGE - 1) & ~(size_t)(PAGE - 1);
		q = mremap(h, have + HDR, len, MREMAP_MAYMOVE);
		if (q != MAP_FAILED) {
			h = q;
			h->size = len - HDR;
			return h + 1;
		}
		if (n <= have)
			return p;
		return nomem();
	}
	if (!(q = malloc(n)))
		return NULL;
	memcpy(q, p, have < n ? have : n);
	free(p);
	return q;
}

void *aligned_alloc(size_t align, size_t n)
{
	char *raw, *q;
	struct hdr *h;

	if (!align || (align & (align - 1))) {
		errno = EINVAL;
		return NULL;
	}
	if (align <= ALIGN)
		return malloc(n);
	if (n > BIG_MAX || align > BIG_MAX)
		return nomem();
	if (!(raw = malloc(n + align)))
		return NULL;
	q = (char *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
	if (q == raw)
		return raw;
	/* q - raw is a multiple of 16, at least 16: room for q's header */
	h = hdr_of(q);
	h->off = (size_t)(q - raw);
	h->size = hdr_of(raw)->size - h->off;
	return q;
}

int posix_memalign(void **res, size_t align, size_t n)
{
	int saved = errno;
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	p = aligned_alloc(align, n);
	errno = saved;
	if (!p)
		return ENOMEM;
	*res = p;
	return 0;
}

void *memalign(size_t align, size_t n)
{
	return aligned_alloc(align, n);
}

size_t malloc_usable_size(void *p)
{
	return p ? hdr_of(p)->size : 0;
}
