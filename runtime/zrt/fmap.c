/*
 * fmap.c — shared mappings of regular files (MAP_SHARED, docs/runtime.md).
 * One process owns the cell, so a shared mapping has to agree only with
 * the file itself, never with another process: the mapped pages (a
 * "window") ARE the file's storage for the range they cover, and the
 * node's buffer is stale there. A read through a descriptor first copies
 * the windows' bytes into the buffer (zrt_fmap_pull); a write, a
 * truncation or a growth copies the changed bytes out to the windows
 * (zrt_fmap_push). Both cost nothing for a file that is not mapped.
 *
 * A second mapping of a range that a window already covers is that
 * window (the same pages at the same address), so two mappings of one
 * file see each other's stores at once; every page counts its mappings,
 * and munmap drops one: a page that no mapping holds any more gives its
 * bytes back to the buffer and its memory to the heap. A mapping that
 * overlaps part of a window is refused (ENODEV): it cannot alias it.
 * A window holds its node like an open file, so an unlinked file stays
 * readable through its mapping, as in Linux.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "vfs.h"
#include "zrt.h"

#define PAGE 4096ull

struct window {
	struct window *next;
	struct node *node;
	uint64_t addr, off, len;  /* page multiples; bytes [off, off+len) of the file */
	uint32_t *refs;           /* mappings holding each page */
};

static struct window *windows;

void zrt_fmap_reset(void)
{
	windows = NULL; /* a fresh world (the native unit tests): its memory went too */
}

/* The bytes of [a, b) of the file that w holds: [*s, *e), or 0. */
static int overlap(const struct window *w, uint64_t a, uint64_t b, uint64_t *s, uint64_t *e)
{
	*s = a > w->off ? a : w->off;
	*e = b < w->off + w->len ? b : w->off + w->len;
	return *s < *e;
}

/* The bytes of [a, b) of w's file that w holds, into the file's buffer. */
static void pull_one(const struct window *w, uint64_t a, uint64_t b)
{
	uint64_t s, e;

	if (b > w->node->size)
		b = w->node->size; /* the buffer holds [0, size); bytes past the end are not the file's */
	if (overlap(w, a, b, &s, &e))
		memcpy(w->node->data + s, (const void *)(uintptr_t)(w->addr + s - w->off), e - s);
}

void zrt_fmap_pull(struct node *n, uint64_t a, uint64_t b)
{
	for (const struct window *w = windows; w; w = w->next)
		if (w->node == n)
			pull_one(w, a, b);
}

/* b may pass the size after a truncation: the buffer is zero up to its
 * capacity (vfs.c), and so becomes the mapping past the new end. */
void zrt_fmap_push(struct node *n, uint64_t a, uint64_t b)
{
	uint64_t s, e;

	if (b > n->cap)
		b = n->cap;
	for (struct window *w = windows; w; w = w->next)
		if (w->node == n && overlap(w, a, b, &s, &e))
			memcpy((void *)(uintptr_t)(w->addr + s - w->off), n->data + s, e - s);
}

/* The node of a descriptor that a shared mapping with prot may use, or
 * NULL with *err: EBADF; ENODEV for whatever is not a regular file, one
 * error whatever the access (a channel's bytes are not in the cell's
 * memory); then Linux's EACCES. */
struct node *zrt_fmap_node(int fd, int prot, int *err)
{
	struct file *f = zrt_file_io(fd);

	*err = -EBADF;
	if (!f)
		return NULL;
	*err = -ENODEV;
	if (f->node->type != NODE_REG)
		return NULL;
	*err = -EACCES;
	if (!file_readable(f) || ((prot & PROT_WRITE) && !file_writable(f)))
		return NULL;
	return f->node;
}

/* A window of n that covers [off, off+len): its address for off, with
 * one more mapping on each page; 0 if none; -ENODEV if a window covers
 * part of the range only. */
long zrt_fmap_alias(struct node *n, uint64_t off, uint64_t len)
{
	uint64_t s, e;

	for (struct window *w = windows; w; w = w->next) {
		if (w->node != n || !overlap(w, off, off + len, &s, &e))
			continue;
		if (s != off || e != off + len)
			return -ENODEV;
		for (uint64_t p = (off - w->off) / PAGE; p < (off - w->off + len) / PAGE; p++)
			w->refs[p]++;
		return (long)(w->addr + off - w->off);
	}
	return 0;
}

static struct window *window_new(struct node *n, uint64_t addr, uint64_t off, uint64_t len, const uint32_t *refs)
{
	struct window *w = zrt_alloc(sizeof(*w));

	if (!w)
		return NULL;
	if (!(w->refs = zrt_alloc(len / PAGE * sizeof(*w->refs)))) {
		zrt_free(w, sizeof(*w));
		return NULL;
	}
	w->node = n;
	w->addr = addr;
	w->off = off;
	w->len = len;
	for (uint64_t p = 0; p < len / PAGE; p++)
		w->refs[p] = refs ? refs[p] : 1;
	w->next = windows;
	windows = w;
	n->maps++;
	n->opens++; /* the mapping keeps the file */
	return w;
}

/* [addr, addr+len), fresh zeroed pages, becomes the window of n at off
 * with the file's bytes. 0 or -errno (the caller frees the pages). */
int zrt_fmap_attach(struct node *n, uint64_t addr, uint64_t off, uint64_t len, int prot)
{
	int rc;

	/* a buffer of its own (a borrowed one is read-only) to pull into */
	if ((rc = zrt_reserve(n, n->size)) < 0)
		return rc;
	if (!window_new(n, addr, off, len, NULL))
		return -ENOMEM;
	if (off < n->size)
		memcpy((void *)(uintptr_t)addr, n->data + off, n->size - off < len ? n->size - off : len);
	if (prot & PROT_WRITE)
		n->made = 0; /* the program may change it: /dev/image-out keeps it */
	return 0;
}

/* The lowest window with pages in [s, e): its part there, or 0. */
int zrt_fmap_find(uint64_t s, uint64_t e, uint64_t *ws, uint64_t *we)
{
	const struct window *best = NULL;

	for (const struct window *w = windows; w; w = w->next)
		if (w->addr < e && w->addr + w->len > s && (!best || w->addr < best->addr))
			best = w;
	if (!best)
		return 0;
	*ws = best->addr > s ? best->addr : s;
	*we = best->addr + best->len < e ? best->addr + best->len : e;
	return 1;
}

static void window_free(struct window *w)
{
	struct window **pp = &windows;
	struct node *n = w->node;

	while (*pp != w)
		pp = &(*pp)->next;
	*pp = w->next;
	zrt_free(w->refs, w->len / PAGE * sizeof(*w->refs));
	zrt_free(w, sizeof(*w));
	n->maps--;
	n->opens--;
	zrt_node_release(n);
}

/* munmap of [s, e), all inside one window: one mapping less on each of
 * its pages. The pages nobody maps any more give their bytes back to the
 * file and their memory to the heap; each run of pages still held
 * becomes a window of its own, in place of the old one. 0 or -ENOMEM
 * (nothing changed then). */
int zrt_fmap_unmap(uint64_t s, uint64_t e)
{
	struct window *w, *made = windows;
	struct node *n;
	uint64_t np, ps, pe, p, q;
	uint32_t *left;

	for (w = windows; w; w = w->next)
		if (w->addr <= s && w->addr + w->len >= e)
			break;
	if (!w)
		return 0;
	n = w->node;
	np = w->len / PAGE;
	ps = (s - w->addr) / PAGE;
	pe = (e - w->addr + PAGE - 1) / PAGE;
	if (!(left = zrt_alloc(np * sizeof(*left))))
		return -ENOMEM;
	for (p = 0; p < np; p++)
		left[p] = w->refs[p] - (p >= ps && p < pe);
	for (p = 0; p < np; p = q) {
		for (q = p; q < np && (left[q] != 0) == (left[p] != 0); q++)
			;
		if (left[p] && !window_new(n, w->addr + p * PAGE, w->off + p * PAGE, (q - p) * PAGE, left + p)) {
			while (windows != made) /* undo: the old window stays as it was */
				window_free(windows);
			zrt_free(left, np * sizeof(*left));
			return -ENOMEM;
		}
	}
	for (p = 0; p < np; p = q) {
		for (q = p; q < np && (left[q] != 0) == (left[p] != 0); q++)
			;
		if (!left[p]) {
			pull_one(w, w->off + p * PAGE, w->off + q * PAGE);
			zrt_mem_release(w->addr + p * PAGE, w->addr + q * PAGE);
		}
	}
	zrt_free(left, np * sizeof(*left));
	window_free(w);
	return 0;
}

/* msync: the buffer gets the windows' bytes in [s, e) (a read does it
 * anyway; this keeps /dev/image-out's copy current at any time). */
void zrt_fmap_sync(uint64_t s, uint64_t e)
{
	uint64_t a, b;

	for (struct window *w = windows; w; w = w->next)
		if (w->addr < e && w->addr + w->len > s) {
			a = w->off + (s > w->addr ? s - w->addr : 0);
			b = w->off + (e < w->addr + w->len ? e - w->addr : w->len);
			zrt_fmap_pull(w->node, a, b);
		}
}
