/*
 * zvm.h — the interface between an untrusted program and the zvm cell.
 *
 * Shared by both sides: the in-sandbox runtime includes it to call the traps
 * and read the start-up information; the trusted loader includes it to lay
 * that information out. Every field is fixed-width so both agree byte for
 * byte. Addresses inside the sandbox are plain offsets below 4 GiB.
 */
#ifndef ZVM_H
#define ZVM_H

#include <stdint.h>

/* ---- memory layout (docs/sfi.md, section 1) ---------------------------- */
#define ZVM_BUNDLE_SIZE        32u
#define ZVM_TRAMPOLINE_BASE    0x10000u          /* 64 KiB: trap n at base + 32*n */
#define ZVM_TRAMPOLINE_END     0x11000u
#define ZVM_TEXT_BASE          0x11000u          /* 68 KiB: the link address */
#define ZVM_SANDBOX_END        0x100000000ull    /* 4 GiB */
#define ZVM_GUARD_END          0x200000000ull    /* 8 GiB: [4 GiB, 8 GiB) never mapped */
/* 8 GiB: one read-only page whose first word is the trusted trap entry's
 * address. The trampolines jump through it; validated code cannot read it
 * (its addresses stay below 6 GiB), so the cell sees only this constant. */
#define ZVM_TRAP_SLOT          0x200000000ull
#define ZVM_RESERVED_END       0x200001000ull    /* end of what the worker reserves */

/* ---- traps (docs/sfi.md, section 4) ------------------------------------ */
enum zvm_trap {
	ZVM_TRAP_READ  = 0, /* long read(handle, buf, size, offset)  -> bytes or -errno */
	ZVM_TRAP_WRITE = 1, /* long write(handle, buf, size, offset) -> bytes or -errno */
	ZVM_TRAP_HEAP  = 2, /* long heap(new_end) -> the heap end now; -ENOMEM past the limit, -EINVAL below the start; 0 asks */
	ZVM_TRAP_EXIT  = 3, /* void exit(code): never returns */
	ZVM_TRAP_COUNT = 4,
};

/* heap(ZVM_HEAP_KEEP) is not a heap request (it is below every heap start)
 * but the template request (docs/zvmd.md, "Templates"): in a run that makes
 * a template the cell ends there and is kept; each copy of it returns from
 * this very trap with the sandbox address of its own job's start-up block
 * (> 1); in a copy asking again is -EALREADY; in any other run it is 0 (no
 * template is being made: go on as the job). */
#define ZVM_HEAP_KEEP 1u
/* A template's start-up block has this much room at the top of the sandbox,
 * whatever its job's arguments (a SUBMIT is at most 1 MiB): the stack under
 * it is where the template left it. */
#define ZVM_TEMPLATE_INFO_BYTES (4ull << 20)

/* ---- start-up information, placed read-only by the loader -------------- */
#define ZVM_INFO_MAGIC   0x4d565a31u /* "1ZVM" */
#define ZVM_INFO_VERSION 1u

enum zvm_channel_type {          /* ZeroVM's four access types */
	ZVM_CHANNEL_SEQ_READ_SEQ_WRITE   = 0,
	ZVM_CHANNEL_RND_READ_SEQ_WRITE   = 1,
	ZVM_CHANNEL_SEQ_READ_RND_WRITE   = 2,
	ZVM_CHANNEL_RND_READ_RND_WRITE   = 3,
};

struct zvm_channel_info {
	uint64_t alias;       /* sandbox address of a NUL-terminated name, e.g. "/dev/stdout" */
	uint32_t type;        /* enum zvm_channel_type */
	uint32_t reserved;
	uint64_t size;        /* size in bytes at start for a regular file, else 0 */
	uint64_t max_reads;   /* gets */
	uint64_t max_read_bytes;  /* get_size */
	uint64_t max_writes;  /* puts */
	uint64_t max_write_bytes; /* put_size */
};

struct zvm_info {
	uint32_t magic;       /* ZVM_INFO_MAGIC */
	uint32_t version;     /* ZVM_INFO_VERSION */
	uint32_t argc;
	uint32_t envc;
	uint64_t argv;        /* sandbox address of argc+1 pointers (last is 0) */
	uint64_t envp;        /* sandbox address of envc+1 pointers (last is 0) */
	uint32_t channel_count;
	uint32_t flags;       /* ZVM_INFO_* below */
	uint64_t channels;    /* sandbox address of channel_count struct zvm_channel_info */
	uint64_t heap_start;  /* first heap byte (page aligned); the heap is empty at start */
	uint64_t heap_limit;  /* the heap may grow up to this address */
	uint64_t stack_top;   /* initial rsp */
	uint64_t stack_size;
	uint64_t seed;        /* deterministic seed from the manifest */
	uint64_t epoch_ns;    /* virtual clock start, from the manifest */
};

#define ZVM_INFO_DETERMINISTIC 1u
#define ZVM_INFO_TEMPLATE_COPY 2u  /* this block is a template copy's job */

#ifndef ZVM_TRUSTED
/* In-sandbox view: each trap is a direct call to its trampoline. The symbols
 * are absolute addresses defined by the linker script (zvm.ld). */
long zvm_trap_read(int handle, void *buf, uint64_t size, int64_t offset);
long zvm_trap_write(int handle, const void *buf, uint64_t size, int64_t offset);
long zvm_trap_heap(uint64_t new_end);
__attribute__((noreturn)) void zvm_trap_exit(int code);

/* The template point (docs/zvmd.md, "Templates"), from ZRT: everything
 * before it (loading an interpreter, importing modules) is done once, in
 * the template; after it returns 1, *argc, *argv, environ, the channels,
 * the clock and the random stream are the job's. 0: no template is being
 * made (zvm run, a plain zvmd job): nothing changed, go on. -EALREADY in
 * a copy that asks again. Either pointer may be NULL. */
int zvm_template_keep(int *argc, char ***argv);

/* Set by the start code before main() runs. */
extern const struct zvm_info *zvm_info;
#endif

#endif /* ZVM_H */
