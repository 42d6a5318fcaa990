/*
 * template.c — a cell kept at its keep request, and its layout
 * (docs/zvmd.md, "Templates").
 *
 * The keep request runs in the trap, under the cell-stage filter: it only
 * reads the cell's writable pages and writes them with pwrite64 to the
 * template memfd, which the worker put at the last fd of the channel range
 * (so the filter needs no new row). What it writes is the cell's own
 * memory, and the registers the cell had: nothing trusted, and nothing a
 * copy could not have computed by itself.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sfi/cell-internal.h"

#define PAGE SFI_PAGE
#define ROUND_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))
#define HOLE_MIN 16 /* pages: the shortest run of zero pages kept as a hole */

int sfi_template_layout(const struct sfi_image *img, uint64_t heap_end, uint64_t stack_size,
			struct sfi_range *r, uint64_t *bytes)
{
	uint64_t stack_top = ZVM_SANDBOX_END - ZVM_TEMPLATE_INFO_BYTES - PAGE, stack_bottom, heap_top, total = 0;
	unsigned n = 0;

	if (stack_size < PAGE || stack_size % PAGE || stack_size > stack_top - img->image_end)
		return -EINVAL;
	stack_bottom = stack_top - stack_size;
	if (heap_end < img->image_end || heap_end > stack_bottom - PAGE)
		return -EINVAL;
	heap_top = ROUND_UP(heap_end);
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct sfi_segment *s = &img->seg[i];
		if ((s->prot & PROT_WRITE) && !(s->prot & PROT_EXEC) && s->memsz)
			r[n++] = (struct sfi_range){ s->vaddr, ROUND_UP(s->memsz) };
	}
	if (heap_top > img->image_end)
		r[n++] = (struct sfi_range){ img->image_end, heap_top - img->image_end };
	r[n++] = (struct sfi_range){ stack_bottom, stack_size };
	for (unsigned i = 0; i < n; i++)
		total += r[i].len;
	*bytes = total;
	return (int)n;
}

static bool page_is_zero(const uint64_t *p)
{
	for (unsigned i = 0; i < PAGE / 8; i++)
		if (p[i])
			return false;
	return true;
}

__attribute__((noreturn, format(printf, 2, 3)))
static void keep_failed(struct sfi_cell *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->result->message, sizeof(c->result->message), fmt, ap);
	va_end(ap);
	c->result->state = ZVM_STATE_LOAD_ERROR;
	sfi_cell_finish(125);
}

long sfi_template_keep(struct sfi_cell *c)
{
	struct sfi_range r[SFI_MAX_SEGMENTS + 2];
	struct sfi_template *t = c->keep_out;
	uint64_t bytes, off = 0, rsp = zvm_sandbox_rsp, stack_lo, stack_hi;
	uint32_t mxcsr;
	uint16_t fcw;
	int n;

	if (c->is_copy)
		return -EALREADY;
	if (c->keep_fd < 0 || !t)
		return 0;
	n = sfi_template_layout(c->img, c->heap_end, c->stack_size, r, &bytes);
	if (n < 0)
		keep_failed(c, "template: the heap end 0x%llx does not fit the template layout",
			    (unsigned long long)c->heap_end);
	stack_lo = r[n - 1].start;
	stack_hi = stack_lo + r[n - 1].len;
	/* the copies pop their return address from there */
	if (rsp < stack_lo || rsp > stack_hi - 8)
		keep_failed(c, "template: the stack pointer 0x%llx is outside the stack [0x%llx, 0x%llx) at the keep request",
			    (unsigned long long)rsp, (unsigned long long)stack_lo, (unsigned long long)stack_hi);
	/* Runs of HOLE_MIN or more pages still zero stay holes of the memfd:
	 * a copy maps zeros there too. Shorter runs are written: each data
	 * extent is a mapping of its own in every copy (an mmap, two lseeks,
	 * a VMA to split and to tear down), and CPython's heap has dozens of
	 * one-page holes (docs/benchmarks.md, "Where a Python copy's time
	 * goes"). The last page is always written, so the size is the
	 * layout's. */
	for (int i = 0; i < n; i++) {
		uint64_t end = r[i].start + r[i].len, zeros = 0;
		for (uint64_t a = r[i].start; a < end; a += PAGE, off += PAGE) {
			if (off + PAGE < bytes && page_is_zero((const uint64_t *)a)) {
				if (zeros == 0)
					while (zeros < HOLE_MIN && a + zeros * PAGE < end &&
					       page_is_zero((const uint64_t *)(a + zeros * PAGE)))
						zeros++;
				if (zeros >= HOLE_MIN)
					continue; /* a long run: a hole, to its end */
				zeros--;
			} else {
				zeros = 0;
			}
			if (pwrite(c->keep_fd, (const void *)a, PAGE, (off_t)off) != (ssize_t)PAGE)
				keep_failed(c, "template: writing the cell's memory (%llu bytes) failed at %llu",
					    (unsigned long long)bytes, (unsigned long long)off);
		}
	}
	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	__asm__ volatile("fnstcw %0" : "=m"(fcw));
	*t = (struct sfi_template){
		.mxcsr = mxcsr, .fcw = fcw, .heap_end = c->heap_end, .stack_size = c->stack_size, .bytes = bytes,
		.rsp = rsp, .rbx = zvm_trap_saved[0], .rbp = zvm_trap_saved[1], .r12 = zvm_trap_saved[2],
		.r13 = zvm_trap_saved[3], .r14 = zvm_trap_saved[4], .r15 = zvm_trap_saved[5] };
	__atomic_store_n(&t->magic, SFI_TEMPLATE_MAGIC, __ATOMIC_RELEASE);
	c->result->state = ZVM_STATE_OK;
	c->result->exit_code = 0;
	sfi_cell_finish(0);
}
