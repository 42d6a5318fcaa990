/*
 * traps.c — the four doors out of the sandbox (docs/sfi.md §3).
 *
 * Runs in the worker, on the trusted stack, after the seccomp filter is in
 * place: only channel I/O, mprotect/madvise below 4 GiB and exit are
 * possible here, so this file calls nothing else (no malloc, no stdio).
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "channels/channels.h"
#include "sfi/cell-internal.h"

struct sfi_cell sfi_the_cell;

bool sfi_range_ok(const struct sfi_cell *c, uint64_t addr, uint64_t len, int prot)
{
	uint64_t end;

	if (len == 0)
		return addr < ZVM_SANDBOX_END;
	if (__builtin_add_overflow(addr, len, &end) || end > ZVM_SANDBOX_END)
		return false;
	/* Walk the regions in address order; the range must be covered
	 * without a gap by regions that all grant `prot`. */
	while (addr < end) {
		const struct sfi_region *r = NULL;
		for (unsigned i = 0; i < c->nregions; i++) {
			if (addr >= c->region[i].start && addr < c->region[i].end) {
				r = &c->region[i];
				break;
			}
		}
		if (!r || (r->prot & prot) != prot)
			return false;
		addr = r->end;
	}
	return true;
}

__attribute__((noreturn)) void sfi_cell_finish(int status)
{
	_exit(status & 0xff);
}

static long trap_io(struct sfi_cell *c, bool write, uint64_t handle, uint64_t buf,
		    uint64_t size, uint64_t offset)
{
	if (handle >= c->nchannels)
		return -EBADF;
	if (!sfi_range_ok(c, buf, size, write ? PROT_READ : PROT_WRITE))
		return -EFAULT;
	if (write)
		return zvm_channel_write(&c->channels[handle], (const void *)buf, size, (int64_t)offset);
	return zvm_channel_read(&c->channels[handle], (void *)buf, size, (int64_t)offset);
}

/* Moves the heap end. Pages above the end are PROT_NONE, so a program can
 * only use what it asked for, and shrinking gives memory back. */
static long trap_heap(struct sfi_cell *c, uint64_t new_end)
{
	uint64_t old_top, new_top;
	struct sfi_region *heap = &c->region[c->heap_region];

	if (new_end == 0)
		return (long)c->heap_end;
	if (new_end == ZVM_HEAP_KEEP)
		return sfi_template_keep(c); /* the template request, not a size */
	if (new_end < c->heap_start)
		return -EINVAL;
	if (new_end > c->heap_limit) {
		c->result->heap_refused++;
		return -ENOMEM;
	}
	old_top = (c->heap_end + SFI_PAGE - 1) & ~(SFI_PAGE - 1);
	new_top = (new_end + SFI_PAGE - 1) & ~(SFI_PAGE - 1);
	if (new_top > old_top) {
		if (mprotect((void *)old_top, new_top - old_top, PROT_READ | PROT_WRITE) < 0) {
			c->result->heap_refused++;
			return -ENOMEM;
		}
	} else if (new_top < old_top) {
		madvise((void *)new_top, old_top - new_top, MADV_DONTNEED);
		mprotect((void *)new_top, old_top - new_top, PROT_NONE);
	}
	c->heap_end = new_end;
	heap->end = new_top;
	if (new_end - c->heap_start > c->result->heap_peak)
		c->result->heap_peak = new_end - c->heap_start;
	return (long)new_end;
}

long zvm_trap_dispatch(unsigned nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct sfi_cell *c = &sfi_the_cell;

	switch (nr) {
	case ZVM_TRAP_READ:
		return trap_io(c, false, a0, a1, a2, a3);
	case ZVM_TRAP_WRITE:
		return trap_io(c, true, a0, a1, a2, a3);
	case ZVM_TRAP_HEAP:
		return trap_heap(c, a0);
	case ZVM_TRAP_EXIT:
		c->result->state = ZVM_STATE_OK;
		c->result->exit_code = (int32_t)(a0 & 0xff);
		sfi_cell_finish((int)a0);
	}
	return -ENOSYS;
}
