/*
 * cell-internal.h — the state of the one cell a worker runs.
 *
 * A worker hosts exactly one cell, so this state is a single global that the
 * trap dispatcher and the signal handlers (which get no context argument)
 * can reach. Only the worker process uses it.
 */
#ifndef ZVM_CELL_INTERNAL_H
#define ZVM_CELL_INTERNAL_H

#include "sfi/sfi.h"

#define SFI_PAGE 4096ull
#define SFI_MAX_REGIONS (SFI_MAX_SEGMENTS + 4)

struct sfi_region {
	uint64_t start, end;      /* [start, end), page aligned */
	int prot;
};

struct sfi_cell {
	struct sfi_cell_result *result;
	struct zvm_channel *channels;
	unsigned nchannels;
	struct sfi_region region[SFI_MAX_REGIONS];
	unsigned nregions;
	unsigned heap_region;     /* index of the heap in region[] */
	uint64_t heap_start, heap_end, heap_limit;
	/* templates: the run that makes one writes here at the keep request;
	 * a copy says -EALREADY to another */
	const struct sfi_image *img;
	uint64_t stack_size;
	int keep_fd;
	struct sfi_template *keep_out;
	bool is_copy;
};

/* zvm_sandbox_resume's argument (trap_entry.S knows these offsets). */
struct sfi_resume {
	uint64_t rsp, rax, rbx, rbp, r12, r13, r14, r15;
	uint32_t mxcsr, fcw;
};
_Static_assert(__builtin_offsetof(struct sfi_resume, mxcsr) == 64, "trap_entry.S's offsets");

extern struct sfi_cell sfi_the_cell;

/* trap_entry.S */
extern uint64_t zvm_trusted_rsp, zvm_sandbox_rsp;
extern uint64_t zvm_trap_saved[6]; /* rbx, rbp, r12..r15 at the last heap trap */
__attribute__((noreturn)) void zvm_sandbox_resume(const struct sfi_resume *r);
void zvm_trap_entry(void);
__attribute__((noreturn)) void zvm_sandbox_enter(uint64_t entry, uint64_t stack_top, uint64_t info);

/* traps.c */
long zvm_trap_dispatch(unsigned nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
/* Is [addr, addr+len) inside sandbox regions that all have `prot`? */
bool sfi_range_ok(const struct sfi_cell *c, uint64_t addr, uint64_t len, int prot);
/* Ends the worker with the result as it stands (finishes nothing else). */
__attribute__((noreturn)) void sfi_cell_finish(int status);

/* template.c: the keep request (in the trap), the layout */
long sfi_template_keep(struct sfi_cell *c);

/* faults.c */
int sfi_install_fault_handlers(double cpu_time);

#endif
