/*
 * sfi.h — the trusted core: validator, ELF image, loader, traps, cell runner.
 *
 * Error contract: functions return >= 0 on success or -errno; where a reason
 * helps the user, they also fill a caller-provided message buffer.
 * Process: the validator and the image parser are pure (no side effects, run
 * anywhere); the loader and sfi_cell_enter run only inside a worker process.
 */
#ifndef ZVM_SFI_H
#define ZVM_SFI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ZVM_TRUSTED 1
#include "../runtime/include/zvm.h"

/* ---- validator (sfi/validator*.c) -------------------------------------- */

struct sfi_options {
	bool deterministic;   /* rule 9: reject rdtsc, cpuid, ... (default on) */
};

struct sfi_verdict {
	bool valid;
	const char *rule;       /* short stable name, e.g. "memory-address-64" */
	const char *reason;     /* one sentence: what the rule protects */
	uint64_t offset;        /* byte offset of the offending instruction in the text */
	uint64_t address;       /* its sandbox address (load address + offset) */
	uint8_t bytes[15];
	unsigned nbytes;
	char disasm[128];       /* AT&T disassembly, or "(undecodable)" */
	uint64_t instructions;  /* how many instructions were decoded */
};

/* Validates a text segment loaded at load_address (normally ZVM_TEXT_BASE).
 * size must be a multiple of ZVM_BUNDLE_SIZE. Returns 0 if valid, 1 if not
 * (the verdict says why), -EINVAL on bad arguments. Pure; thread-safe. */
int sfi_validate_text(const uint8_t *code, size_t size, uint64_t load_address,
		      const struct sfi_options *opt, struct sfi_verdict *verdict);

/* Number of rules and their names, for docs and `zvm validate --rules`. */
struct sfi_rule_info { const char *name; const char *reason; };
size_t sfi_rule_count(void);
const struct sfi_rule_info *sfi_rule_at(size_t i);

/* ---- ELF image (sfi/elf.c) --------------------------------------------- */

#define SFI_MAX_SEGMENTS 8
#define SFI_MAX_IMAGE_SIZE (1ull << 30)

struct sfi_segment {
	uint64_t vaddr, memsz, filesz, file_offset;
	int prot;             /* PROT_READ | PROT_WRITE | PROT_EXEC */
};

struct sfi_image {
	const uint8_t *bytes; /* the whole file: a copy (fd < 0) or a read-only
				 MAP_PRIVATE mapping of fd; owned: sfi_image_free */
	size_t size;
	int fd;               /* the sealed memfd the cell maps segments from, or -1; owned */
	bool digested;        /* sha256 is filled in */
	uint8_t sha256[32];
	uint64_t entry;
	struct sfi_segment seg[SFI_MAX_SEGMENTS];
	unsigned nseg;
	unsigned text;        /* index of the one executable segment */
	const uint8_t *text_padded; /* text bytes followed by HLT up to the page end, owned */
	size_t text_padded_size;
	uint64_t image_end;   /* page-aligned end of the highest segment */
	unsigned text_held;   /* internal: how text_padded is held (elf.c) */
};

#define SFI_IMAGE_DIGEST 1u   /* compute sha256 (the validation cache, zvmd's cache key) */
#define SFI_IMAGE_PRIVATE 2u  /* sfi_image_open: a private copy in memory, no fd (an image only checked, not run) */

/* Reads and checks a static zvm ELF: one R-X segment at ZVM_TEXT_BASE,
 * others R or RW, page-aligned and below 4 GiB, no interpreter. The bytes
 * are copied; the digest is always computed. On error returns -errno and
 * writes "offset 0x..: why" into err. */
int sfi_image_parse(const uint8_t *bytes, size_t size, struct sfi_image *img,
		    char *err, size_t errlen);
/* The same checks on a sealed memfd (F_SEAL_WRITE, F_SEAL_SHRINK and
 * F_SEAL_GROW, else -EPERM), mapped MAP_PRIVATE rather than copied: its
 * bytes cannot change, so what is checked, validated and mapped into the
 * cell is one and the same. The image keeps a duplicate of fd; the caller
 * keeps its own. flags: SFI_IMAGE_*. */
int sfi_image_map_fd(int fd, unsigned flags, struct sfi_image *img, char *err, size_t errlen);
/* A file on disk may change while it is read: it is copied once into a
 * sealed memfd, which is then mapped as above; with SFI_IMAGE_PRIVATE,
 * into private memory (img->fd -1: nothing for a cell to map), hashed
 * on the way. A path that already names a sealed memfd is mapped as it is. */
int sfi_image_open(const char *path, unsigned flags, struct sfi_image *img, char *err, size_t errlen);
/* fcntl(fd, F_ADD_SEALS, seals), tried again for about two seconds while
 * it fails with EBUSY: the kernel refuses F_SEAL_WRITE while any of the
 * memfd's pages holds an extra reference, and on a loaded machine pages just
 * written can (reclaim, compaction, another CPU's LRU batch) for longer than
 * the kernel's own 150 ms wait. Returns 0, or -errno. */
int sfi_seal(int fd, int seals);
/* sfi_image_open with SFI_IMAGE_DIGEST. */
int sfi_image_load_file(const char *path, struct sfi_image *img, char *err, size_t errlen);
void sfi_image_free(struct sfi_image *img);

/* Parse + validate in one step (what `zvm validate` does). Returns 0 valid,
 * 1 invalid (verdict filled), -errno when the file is not a zvm image. */
int sfi_validate_image(const struct sfi_image *img, const struct sfi_options *opt,
		       struct sfi_verdict *verdict);

/* ---- validation cache (sfi/valcache.c) --------------------------------- */

/* Looks the image's digest up; returns 1 if known valid under these options.
 * The cache lives in a directory only the current user can write
 * ($ZVM_CACHE_DIR, else $XDG_CACHE_HOME/zvm, else ~/.cache/zvm); a directory
 * others could write to is ignored. Only valid verdicts are stored. */
int sfi_valcache_lookup(const struct sfi_image *img, const struct sfi_options *opt);
int sfi_valcache_store(const struct sfi_image *img, const struct sfi_options *opt);

/* ---- running a cell (sfi/cell.c in the worker, sfi/run.c in the parent) -- */

struct zvm_manifest;
struct zvm_channel;

enum zvm_state {
	ZVM_STATE_OK = 0,          /* the program called exit (any code) */
	ZVM_STATE_TIMEOUT,         /* wall-time limit */
	ZVM_STATE_CPU_LIMIT,       /* CPU-time limit */
	ZVM_STATE_MEMORY_LIMIT,    /* ended abnormally after a heap request was refused */
	ZVM_STATE_SIGNAL,          /* killed by a signal (fault, hlt, ud2, int3, ...) */
	ZVM_STATE_VALIDATION_FAILED,
	ZVM_STATE_SECCOMP,         /* a system call outside the allow-list */
	ZVM_STATE_LOAD_ERROR,      /* the image or the manifest could not be set up */
	ZVM_STATE_INTERNAL_ERROR,
};
const char *zvm_state_name(enum zvm_state s);
/* The documented exit status of `zvm run` for a final state (docs/report.md). */
int zvm_state_exit_status(enum zvm_state s, int exit_code, int signal);

/* What the worker writes into memory it shares with its parent. The parent
 * treats it as untrusted input: every field is range-checked before use. */
struct sfi_cell_result {
	uint32_t state;            /* enum zvm_state */
	int32_t exit_code;
	int32_t signal;
	int32_t syscall_nr;        /* for ZVM_STATE_SECCOMP */
	uint32_t syscall_arch;     /* its AUDIT_ARCH_* (int $0x80 is i386) */
	uint64_t fault_addr;       /* si_addr */
	uint64_t fault_pc;         /* instruction pointer at the fault */
	uint32_t fault_in_sandbox; /* the pc was below 4 GiB */
	uint32_t heap_refused;     /* heap requests refused by the memory limit */
	uint64_t heap_peak;        /* highest heap end reached, bytes above heap_start */
	char message[200];         /* set up errors */
};

/* What a kept cell leaves for its copies (docs/zvmd.md, "Templates"),
 * written by the worker's trap at the keep request into its slot's window.
 * Untrusted for zvmd and for the copies' workers, which check it against
 * the layout they compute themselves (sfi_template_layout): the memory is
 * in a memfd that zvmd seals, laid out as the image's writable segments in
 * address order, then the heap's pages, then the stack. The registers are
 * the cell's own: the callee-saved ones, rsp (the return address on top)
 * and the control words; a copy returns from the trap with them. */
#define SFI_TEMPLATE_MAGIC 0x4c50545au /* "ZTPL" */
struct sfi_template {
	uint32_t magic;            /* SFI_TEMPLATE_MAGIC once kept, written last */
	uint32_t mxcsr, fcw;
	uint32_t reserved;
	uint64_t heap_end;         /* the heap end at the keep */
	uint64_t stack_size;
	uint64_t bytes;            /* the memfd's size */
	uint64_t rsp, rbx, rbp, r12, r13, r14, r15;
};

/* The writable ranges a template of img with this heap end and stack
 * holds, in memfd order: at most SFI_MAX_SEGMENTS + 2. Returns how many,
 * and the total bytes in *bytes; -EINVAL if heap_end or stack_size cannot
 * be this image's. Pure. */
struct sfi_range { uint64_t start, len; };
int sfi_template_layout(const struct sfi_image *img, uint64_t heap_end, uint64_t stack_size,
			struct sfi_range *r, uint64_t *bytes);

struct sfi_cell_config {
	const struct sfi_image *img;
	uint64_t memory;           /* limit for image + heap + stack */
	uint64_t stack_size;
	double cpu_time;           /* seconds; 0 = no CPU limit */
	unsigned argc; char *const *argv;   /* argv[0] included */
	unsigned envc; char *const *envp;
	unsigned nchannels;
	struct zvm_channel *channels;       /* open, with stats in shared memory */
	const char *const *aliases;
	uint64_t seed, epoch_ns;
	bool deterministic;
	bool seccomp;              /* install the cell-stage allow-list (always, but tests) */
	/* templates (docs/zvmd.md): a run that makes one (keep_fd: the memfd
	 * the keep request writes the memory into, keep_out: where it writes
	 * the registers), or a copy of one (resume, resume_fd: its sealed
	 * memory); -1 and NULL otherwise */
	int keep_fd;
	struct sfi_template *keep_out;
	const struct sfi_template *resume;
	int resume_fd;
};

/* Claims the sandbox range [64 KiB, 8 GiB), and the trap slot page above
 * it, in this process (idempotent).
 * A warm worker calls it before any job; sfi_cell_enter calls it anyway. */
int sfi_cell_reserve(void);

/* Runs in a fresh worker process: lays out the sandbox, loads the image,
 * installs the seccomp filter and jumps in. Never returns: the worker ends
 * through the exit trap, a fault or a limit, with `result` filled in. */
__attribute__((noreturn))
void sfi_cell_enter(const struct sfi_cell_config *cfg, struct sfi_cell_result *result);

/* ---- one-shot run and its report (sfi/run.c, sfi/report.c) ------------- */

struct zvm_channel_report {
	char alias[64];
	uint64_t reads, read_bytes, writes, write_bytes;
	bool limit_hit;
	uint8_t sha256[32];        /* of the bytes written */
};

struct zvm_report {
	enum zvm_state state;
	int exit_code;             /* the program's, when state is ok */
	int signal;
	uint64_t fault_addr, fault_pc;
	bool fault_in_sandbox;
	int syscall_nr;
	char syscall_name[32];
	struct sfi_verdict verdict; /* when state is validation failed */
	bool validation_cached;
	double wall_s, cpu_user_s, cpu_sys_s, validate_s;
	uint64_t peak_rss_kib;     /* the worker's resident peak (trusted part included) */
	uint64_t heap_peak;        /* bytes of heap the program reached */
	uint32_t heap_refused;
	unsigned nchannels;
	struct zvm_channel_report ch[64];
	char message[512];         /* load or internal errors */
	/* filled by zvmd only */
	bool from_daemon;
	double queue_s, handout_s; /* waiting for a worker; handing the job over */
	uint64_t cgroup_peak;      /* the cell's cgroup memory peak, bytes */
	bool oom;                  /* the cgroup's memory limit killed something */
	uint32_t map_node;         /* a map's node: its number, from 1, in the map's run order; 0: a job */
};

struct zvm_run_options {
	bool use_cache;            /* the validation cache (default true) */
	bool skip_validation;      /* DEBUG ONLY: refused unless ZVM_DEBUG_ALLOW_UNVALIDATED=1 */
	uint64_t stack_size;       /* 0 = default: min(8 MiB, memory / 4) */
	const char *argv0;         /* the program's argv[0]; NULL: the image's file name */
};

/* Runs the manifest's program in a fresh worker process and fills the
 * report. Returns 0 when a report was produced (whatever the program did),
 * -errno when nothing could be run; the report's message says why. */
int zvm_run(const struct zvm_manifest *m, const struct zvm_run_options *o, struct zvm_report *rep);

/* The cell a manifest describes: the one function that turns a job's
 * manifest into its cell, for `zvm run`'s worker (zvm_run) and zvmd's
 * (supervisor/worker.c). argv[0] is the base name of m->program, then m's
 * arguments; environment, seed, epoch, determinism, memory and channel
 * aliases are m's; ch[i] is channel i, opened; the CPU limit is
 * zvm_cell_cpu_limit's, the stack zvm_cell_stack_size's unless stack_size
 * is not 0. argv (ZVM_MAX_ARGS + 2) and aliases (ZVM_MAX_CHANNELS) are the
 * caller's arrays, and must live as long as cfg. */
struct zvm_channel;
void zvm_cell_config(struct sfi_cell_config *cfg, const struct zvm_manifest *m, const struct sfi_image *img,
		     struct zvm_channel *ch, char **argv, const char **aliases, uint64_t stack_size);
/* The CPU limit of the cell: the manifest's when below the wall limit; else
 * the wall limit and a second (the wall limit governs, the CPU timer only
 * backs it up and never races it). */
double zvm_cell_cpu_limit(const struct zvm_manifest *m);
/* The default stack: a quarter of the memory, within [64 KiB, 8 MiB], in pages. */
uint64_t zvm_cell_stack_size(uint64_t memory);

/* Turns what a finished worker left (result, channel stats) and what the
 * kernel says (wait status, rusage) into the report. Everything read from
 * the worker's memory is range-checked. Used by zvm_run and by zvmd. */
struct rusage;
struct zvm_channel_stats;
void zvm_report_fill(struct zvm_report *rep, const struct sfi_cell_result *r,
		     const struct zvm_channel_stats *stats, const struct zvm_manifest *m,
		     int status, const struct rusage *ru, bool timed_out, double cpu_limit);

void zvm_report_print_text(FILE *f, const struct zvm_report *rep);
void zvm_report_print_json(FILE *f, const struct zvm_report *rep);

#endif /* ZVM_SFI_H */
