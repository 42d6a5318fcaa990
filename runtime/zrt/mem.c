/*
 * mem.c — anonymous memory for musl (brk, mmap, munmap, mremap, mprotect)
 * and for ZRT itself (zrt_alloc), all carved out of the one heap the heap
 * trap grows: [heap_start, top) is usable, free page ranges inside it are
 * kept in a sorted table, and the top moves down again (the trap then gives
 * the pages back to the host, zeroed) whenever the highest range is freed.
 * Pages reused from the table are zeroed here, as Linux would.
 * Nothing is ever executable: PROT_EXEC is refused (the validator proved the
 * text; no trap can make data executable anyway). Shared file mappings are
 * pages from here that fmap.c ties to the file.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "vfs.h"
#include "zrt.h"
#include "zvm.h"

#define PAGE 4096ull
#define MAX_FREE 8192
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))

struct range {
	uint64_t start, end;
};

static uint64_t heap_start, heap_limit, top;
static struct range free_ranges[MAX_FREE];
static int nfree;
static uint64_t brk_start, brk_cur;

#define NCLASS 8
static void *class_free[NCLASS];

void zrt_mem_init(const struct zvm_info *info)
{
	nfree = 0;
	brk_start = brk_cur = 0;
	memset(class_free, 0, sizeof(class_free));
	heap_start = PAGE_UP(info->heap_start);
	heap_limit = info->heap_limit & ~(PAGE - 1);
	top = heap_start;
	if ((long)zvm_trap_heap(0) > (long)top)
		top = PAGE_UP((uint64_t)zvm_trap_heap(0));
}

void zrt_mem_set_limit(const struct zvm_info *info)
{
	heap_limit = info->heap_limit & ~(PAGE - 1);
}

static int set_top(uint64_t new_top)
{
	long r;

	if (new_top == top)
		return 0;
	r = zvm_trap_heap(new_top);
	if (r < 0)
		return (int)r;
	top = new_top;
	return 0;
}

/* Drops free ranges that reach the top, moving the top down. */
static void trim_top(void)
{
	while (nfree > 0 && free_ranges[nfree - 1].end >= top) {
		uint64_t s = free_ranges[nfree - 1].start;
		nfree--;
		if (set_top(s) < 0) {
			/* cannot shrink (never expected): keep the range free */
			free_ranges[nfree++] = (struct range){ s, top };
			return;
		}
	}
}

/* Marks [s, e) free, merging with neighbours; ranges already free are fine
 * (munmap of unmapped memory is not an error). */
static void release(uint64_t s, uint64_t e)
{
	int i = 0, j;

	while (i < nfree && free_ranges[i].end < s)
		i++;
	j = i;
	while (j < nfree && free_ranges[j].start <= e) {
		if (free_ranges[j].start < s)
			s = free_ranges[j].start;
		if (free_ranges[j].end > e)
			e = free_ranges[j].end;
		j++;
	}
	if (j == i && nfree == MAX_FREE)
		return; /* table full: the pages leak, which is safe */
	memmove(&free_ranges[i + 1], &free_ranges[j], (size_t)(nfree - j) * sizeof(free_ranges[0]));
	free_ranges[i] = (struct range){ s, e };
	nfree = nfree - (j - i) + 1;
	trim_top();
}

void zrt_mem_release(uint64_t s, uint64_t e)
{
	release(s, e);
}

/* Removes [s, e) from the free table (it is about to be used). */
static int carve(uint64_t s, uint64_t e)
{
	for (int i = 0; i < nfree; i++) {
		struct range r = free_ranges[i];
		if (r.end <= s || r.start >= e)
			continue;
		if (r.start < s && r.end > e) {
			if (nfree == MAX_FREE)
				return -ENOMEM;
			memmove(&free_ranges[i + 1], &free_ranges[i], (size_t)(nfree - i) * sizeof(free_ranges[0]));
			nfree++;
			free_ranges[i].end = s;
			free_ranges[i + 1].start = e;
			return 0;
		}
		if (r.start < s) {
			free_ranges[i].end = s;
		} else if (r.end > e) {
			free_ranges[i].start = e;
		} else {
			memmove(&free_ranges[i], &free_ranges[i + 1], (size_t)(nfree - i - 1) * sizeof(free_ranges[0]));
			nfree--;
			i--;
		}
	}
	return 0;
}

/* Is [s, e) entirely free or above the top? */
static int available(uint64_t s, uint64_t e)
{
	if (s >= top)
		return e <= heap_limit;
	for (int i = 0; i < nfree; i++)
		if (free_ranges[i].start <= s && free_ranges[i].end >= e)
			return 1;
		else if (free_ranges[i].start <= s && free_ranges[i].end == top && s < top)
			return e <= heap_limit;
	return 0;
}

/* Makes [s, e) usable and zero; it must be available(). */
static int take(uint64_t s, uint64_t e)
{
	uint64_t dirty_end = e < top ? e : top;
	int rc;

	if (e > top) {
		if ((rc = set_top(e)) < 0)
			return rc;
	}
	if ((rc = carve(s, dirty_end > s ? dirty_end : s)) < 0)
		return rc;
	if (dirty_end > s)
		memset((void *)(uintptr_t)s, 0, dirty_end - s);
	return 0;
}

/* Makes [s, e) usable and zero; it must be available(). Above the top,
 * the pages between the top and s become free ones. */
static int take_at(uint64_t s, uint64_t e)
{
	uint64_t old_top = top;
	int rc;

	if (s <= top)
		return take(s, e);
	if ((rc = set_top(e)) < 0)
		return rc;
	release(old_top, s);
	return 0;
}

static uint64_t pages_alloc(uint64_t len)
{
	for (int i = 0; i < nfree; i++) {
		struct range r = free_ranges[i];
		if (r.end - r.start >= len && (r.end < top || r.end - r.start >= len)) {
			if (take(r.start, r.start + len) == 0)
				return r.start;
			return 0;
		}
	}
	/* the highest free range may touch the top: grow from its start */
	if (nfree > 0 && free_ranges[nfree - 1].end == top) {
		uint64_t s = free_ranges[nfree - 1].start;
		if (take(s, s + len) == 0)
			return s;
		return 0;
	}
	/* past the limit the heap trap refuses, and the report counts it
	 * (heap_refused): the user learns the program ran out of memory */
	if (top + len < top)
		return 0;
	{
		uint64_t s = top;
		if (take(s, s + len) < 0)
			return 0;
		return s;
	}
}

static int in_heap(uint64_t a, uint64_t len)
{
	return a >= heap_start && a + len >= a && a + len <= heap_limit;
}

/* munmap's work on [s, e) below the top: shared file mappings there lose
 * one mapping (fmap.c), the other pages are freed. */
static int unmap(uint64_t s, uint64_t e)
{
	uint64_t ws, we;
	int rc;

	while (s < e && zrt_fmap_find(s, e, &ws, &we)) {
		if (ws > s)
			release(s, ws);
		if ((rc = zrt_fmap_unmap(ws, we)) < 0)
			return rc;
		s = we;
	}
	if (s < e)
		release(s, e);
	return 0;
}

/* MAP_SHARED of a file (fmap.c): the window that already maps the range,
 * or fresh pages that become one. */
static long map_shared(uint64_t addr, uint64_t len, int prot, int flags, int fd, int64_t off)
{
	struct node *n;
	long p;
	int rc;

	if (!(n = zrt_fmap_node(fd, prot, &rc)))
		return rc;
	if (off < 0 || (uint64_t)off + len < (uint64_t)off)
		return -EINVAL;
	if (flags & MAP_FIXED) {
		/* what was there goes first (a remap of the same file at the
		 * same place, larger: its old window gives its bytes back) */
		if (!in_heap(addr, len))
			return -ENOMEM;
		if (addr < top && (rc = unmap(addr, addr + len < top ? addr + len : top)) < 0)
			return rc;
	}
	if ((p = zrt_fmap_alias(n, (uint64_t)off, len)) != 0) {
		if (p > 0 && (flags & MAP_FIXED)) {
			/* the bytes are mapped elsewhere: a second address
			 * cannot be the same pages */
			unmap((uint64_t)p, (uint64_t)p + len);
			return -ENODEV;
		}
		return p;
	}
	p = zrt_sys_mmap(addr, len, PROT_READ | PROT_WRITE, (flags & MAP_FIXED) | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p < 0)
		return p;
	if ((rc = zrt_fmap_attach(n, (uint64_t)p, (uint64_t)off, len, prot)) < 0) {
		release((uint64_t)p, (uint64_t)p + len);
		return rc;
	}
	return p;
}

long zrt_sys_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, int64_t off)
{
	uint64_t p;

	if (prot & PROT_EXEC)
		return -EPERM;
	if (len == 0 || (addr & (PAGE - 1)) || (off & (int64_t)(PAGE - 1)))
		return -EINVAL;
	len = PAGE_UP(len);
	if (len == 0)
		return -ENOMEM;
	if (!(flags & MAP_ANONYMOUS) && (flags & MAP_SHARED))
		return map_shared(addr, len, prot, flags, fd, off); /* MAP_SHARED or MAP_SHARED_VALIDATE */
	if (flags & MAP_FIXED) {
		if (!in_heap(addr, len))
			return -ENOMEM;
		/* a shared file mapping there loses these pages first */
		if (addr < top && unmap(addr, addr + len < top ? addr + len : top) < 0)
			return -ENOMEM;
		/* MAP_FIXED replaces whatever is there */
		if (addr + len > top) {
			uint64_t old_top = top;
			int rc = set_top(addr + len);
			if (rc < 0)
				return rc;
			if (addr > old_top)
				release(old_top, addr);
		}
		if (carve(addr, addr + len) < 0)
			return -ENOMEM;
		memset((void *)(uintptr_t)addr, 0, len);
		p = addr;
	} else if (addr && in_heap(addr, len) && available(addr, addr + len) && take_at(addr, addr + len) == 0) {
		/* a hint where the range is free: taken, as Linux does (gawk's
		 * persistent heap maps its file again where it was) */
		p = addr;
	} else {
		p = pages_alloc(len);
		if (!p)
			return -ENOMEM;
	}
	if (!(flags & MAP_ANONYMOUS)) {
		/* a private (or read-only) file mapping: a copy of the file */
		uint64_t done = 0;
		while (done < len) {
			long r = zrt_sys_pread(fd, (void *)(uintptr_t)(p + done), len - done, off + (int64_t)done);
			if (r < 0) {
				release(p, p + len);
				return r == -ESPIPE ? -ENODEV : r;
			}
			if (r == 0)
				break;
			done += (uint64_t)r;
		}
	}
	return (long)p;
}

long zrt_sys_munmap(uint64_t addr, uint64_t len)
{
	if ((addr & (PAGE - 1)) || len == 0)
		return -EINVAL;
	len = PAGE_UP(len);
	if (!in_heap(addr, len))
		return -EINVAL;
	if (addr >= top)
		return 0;
	return unmap(addr, addr + len < top ? addr + len : top);
}

long zrt_sys_msync(uint64_t addr, uint64_t len, int flags)
{
	if ((addr & (PAGE - 1)) || (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	len = PAGE_UP(len);
	if (!in_heap(addr, len) || addr + len > top)
		return -ENOMEM;
	zrt_fmap_sync(addr, addr + len);
	return 0;
}

long zrt_sys_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, int flags, uint64_t new_addr)
{
	long p;

	(void)new_addr;
	if ((old & (PAGE - 1)) || new_len == 0 || (flags & ~(MREMAP_MAYMOVE)))
		return -EINVAL;
	old_len = PAGE_UP(old_len);
	new_len = PAGE_UP(new_len);
	if (!in_heap(old, old_len) || old + old_len > top)
		return -EFAULT;
	{
		uint64_t ws, we;
		if (zrt_fmap_find(old, old + old_len, &ws, &we))
			return -EINVAL; /* a shared file mapping does not move or grow (docs/runtime.md) */
	}
	if (new_len <= old_len) {
		if (new_len < old_len)
			release(old + new_len, old + old_len);
		return (long)old;
	}
	if (in_heap(old, new_len) && available(old + old_len, old + new_len) &&
	    take(old + old_len, old + new_len) == 0)
		return (long)old;
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	p = zrt_sys_mmap(0, new_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p < 0)
		return p;
	memcpy((void *)(uintptr_t)p, (void *)(uintptr_t)old, old_len);
	release(old, old + old_len);
	return p;
}

long zrt_sys_mprotect(uint64_t addr, uint64_t len, int prot)
{
	if (addr & (PAGE - 1))
		return -EINVAL;
	if (prot & PROT_EXEC)
		return -EACCES;
	if (!in_heap(addr, PAGE_UP(len)))
		return -ENOMEM;
	return 0; /* accepted; pages stay readable and writable (docs/runtime.md) */
}

long zrt_sys_madvise(uint64_t addr, uint64_t len, int advice)
{
	(void)addr;
	(void)len;
	(void)advice;
	return 0;
}

/* brk: a region that grows at the heap's top while nothing else is mapped
 * above it; Linux semantics: returns the (possibly unchanged) break. */
long zrt_sys_brk(uint64_t addr)
{
	uint64_t want, have;

	if (!brk_start)
		brk_start = brk_cur = top;
	if (addr < brk_start)
		return (long)brk_cur;
	want = PAGE_UP(addr);
	have = PAGE_UP(brk_cur);
	if (want > have) {
		if (!available(have, want) || take(have, want) < 0)
			return (long)brk_cur;
	} else if (want < have) {
		release(want, have);
	}
	brk_cur = addr;
	return (long)brk_cur;
}

/* ---- ZRT's own allocations: size classes 16..2048, pages above that ---- */

static int size_class(size_t bytes)
{
	int c = 0;
	size_t s = 16;

	while (s < bytes) {
		s <<= 1;
		c++;
	}
	return c;
}

void *zrt_alloc(size_t bytes)
{
	if (bytes == 0)
		bytes = 1;
	if (bytes > 2048) {
		uint64_t len = PAGE_UP(bytes);
		return len < bytes ? NULL : (void *)(uintptr_t)pages_alloc(len);
	}
	int c = size_class(bytes);
	size_t sz = (size_t)16 << c;
	if (!class_free[c]) {
		uint64_t pg = pages_alloc(PAGE);
		if (!pg)
			return NULL;
		for (uint64_t o = PAGE; o >= sz; o -= sz) {
			void **obj = (void **)(uintptr_t)(pg + o - sz);
			*obj = class_free[c];
			class_free[c] = obj;
		}
	}
	void **obj = class_free[c];
	class_free[c] = *obj;
	memset(obj, 0, sz);
	return obj;
}

void zrt_free(void *p, size_t bytes)
{
	if (!p)
		return;
	if (bytes == 0)
		bytes = 1;
	if (bytes > 2048) {
		release((uint64_t)(uintptr_t)p, (uint64_t)(uintptr_t)p + PAGE_UP(bytes));
		return;
	}
	int c = size_class(bytes);
	*(void **)p = class_free[c];
	class_free[c] = p;
}

void *zrt_realloc(void *p, size_t old_bytes, size_t new_bytes)
{
	void *n;

	if (!p)
		return zrt_alloc(new_bytes);
	if (old_bytes > 2048 && new_bytes > 2048) {
		long r = zrt_sys_mremap((uint64_t)(uintptr_t)p, old_bytes, new_bytes, MREMAP_MAYMOVE, 0);
		if (r < 0)
			return NULL;
		n = (void *)(uintptr_t)r;
		if (new_bytes > old_bytes) /* the tail of the old last page may hold junk */
			memset((char *)n + old_bytes, 0, PAGE_UP(old_bytes) - old_bytes);
		return n;
	}
	if (old_bytes <= 2048 && new_bytes <= 2048 && size_class(old_bytes ? old_bytes : 1) == size_class(new_bytes ? new_bytes : 1)) {
		if (new_bytes < old_bytes)
			memset((char *)p + new_bytes, 0, old_bytes - new_bytes);
		return p;
	}
	n = zrt_alloc(new_bytes);
	if (!n)
		return NULL;
	memcpy(n, p, old_bytes < new_bytes ? old_bytes : new_bytes);
	zrt_free(p, old_bytes);
	return n;
}
