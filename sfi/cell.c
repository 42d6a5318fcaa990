/*
 * cell.c — turning a fresh worker process into a cell (docs/sfi.md §1).
 *
 * Order matters: reserve the whole sandbox range first, so nothing can land
 * in it; map and protect the image; place the read-only start-up block;
 * arm the fault handlers and the CPU limit; close every fd but the channels;
 * load the seccomp filter last; jump in.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channels/channels.h"
#include "seccomp-policy/seccomp-policy.h"
#include "sfi/cell-internal.h"

#define PAGE SFI_PAGE
#define ROUND_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))

__attribute__((noreturn, format(printf, 3, 4)))
static void setup_failed(struct sfi_cell_result *r, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
	if (err && n >= 0 && (size_t)n < sizeof(r->message))
		snprintf(r->message + n, sizeof(r->message) - n, ": %s", strerror(err));
	r->state = ZVM_STATE_LOAD_ERROR;
	_exit(125);
}

static void add_region(struct sfi_cell *c, uint64_t start, uint64_t end, int prot)
{
	c->region[c->nregions++] = (struct sfi_region){ start, end, prot };
}

/* Each trampoline: mov $n,%eax; movabs $ZVM_TRAP_SLOT,%r11; jmp *(%r11).
 * The entry's address lives only in the slot page, out of the cell's reach:
 * the trampoline page holds no trusted pointer (docs/sfi.md §3). */
static void write_trampolines(uint8_t *page)
{
	uint64_t slot = ZVM_TRAP_SLOT;

	memset(page, 0xf4, PAGE);
	for (unsigned n = 0; n < ZVM_TRAP_COUNT; n++) {
		uint8_t *p = page + n * ZVM_BUNDLE_SIZE;
		p[0] = 0xb8;
		memcpy(p + 1, &n, 4);
		p[5] = 0x49;
		p[6] = 0xbb;
		memcpy(p + 7, &slot, 8);
		p[15] = 0x41;
		p[16] = 0xff;
		p[17] = 0x23;
	}
}

static void map_trampolines(struct sfi_cell *c)
{
	void *tramp = (void *)(uint64_t)ZVM_TRAMPOLINE_BASE, *slot = (void *)ZVM_TRAP_SLOT;
	uint64_t entry = (uint64_t)zvm_trap_entry;

	/* Above the guard: no region of the cell's, read-only to trusted code. */
	if (mprotect(slot, PAGE, PROT_READ | PROT_WRITE) < 0)
		setup_failed(c->result, errno, "trap slot page");
	memcpy(slot, &entry, sizeof(entry));
	if (mprotect(slot, PAGE, PROT_READ) < 0)
		setup_failed(c->result, errno, "trap slot page");
	if (mprotect(tramp, PAGE, PROT_READ | PROT_WRITE) < 0)
		setup_failed(c->result, errno, "trampoline page");
	write_trampolines(tramp);
	if (mprotect(tramp, PAGE, PROT_READ | PROT_EXEC) < 0)
		setup_failed(c->result, errno, "trampoline page");
	add_region(c, ZVM_TRAMPOLINE_BASE, ZVM_TRAMPOLINE_END, PROT_READ | PROT_EXEC);
}

/* Maps one segment's whole file pages straight from the sealed memfd,
 * MAP_PRIVATE: a start then costs the pages the program touches, not a copy
 * of the image. Returns the bytes mapped (0 when the segment must be copied:
 * no memfd, an offset that is not page aligned, or a kernel that refuses). */
static uint64_t map_from_fd(const struct sfi_image *img, const struct sfi_segment *s, int prot)
{
	uint64_t full = s->filesz & ~(PAGE - 1);
	void *at = (void *)s->vaddr;

	if (img->fd < 0 || s->file_offset % PAGE != 0 || full == 0)
		return 0;
	/* Mapped without PROT_EXEC (the pool-stage filter admits no executable
	 * mmap), made executable below by mprotect. */
	if (mmap(at, full, prot & ~PROT_EXEC, MAP_FIXED | MAP_PRIVATE, img->fd, (off_t)s->file_offset) != at)
		return 0;
	return full;
}

static void map_image(struct sfi_cell *c, const struct sfi_image *img)
{
	map_trampolines(c);
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct sfi_segment *s = &img->seg[i];
		uint64_t len = i == img->text ? img->text_padded_size : ROUND_UP(s->memsz);
		uint64_t done = map_from_fd(img, s, s->prot);
		uint8_t *at = (uint8_t *)s->vaddr;

		/* A kernel that will not execute memfd pages: copy the text. */
		if (done && (s->prot & PROT_EXEC) && mprotect(at, done, s->prot) < 0) {
			if (mmap(at, done, PROT_NONE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				 -1, 0) != at)
				setup_failed(c->result, errno, "segment %u at 0x%llx", i, (unsigned long long)s->vaddr);
			done = 0;
		}

		/* The rest: the last partial file page, then zeros (bss). For the
		 * text these are the validator's own bytes (HLT-padded). */
		if (done < len) {
			if (mprotect(at + done, len - done, PROT_READ | PROT_WRITE) < 0)
				setup_failed(c->result, errno, "segment %u at 0x%llx", i, (unsigned long long)s->vaddr);
			if (i == img->text)
				memcpy(at + done, img->text_padded + done, len - done);
			else if (s->filesz > done)
				memcpy(at + done, img->bytes + s->file_offset + done, s->filesz - done);
		}
		if (mprotect(at, len, s->prot) < 0)
			setup_failed(c->result, errno, "segment %u protection", i);
		add_region(c, s->vaddr, s->vaddr + len, s->prot);
	}
}

/* Lays out the info block: struct, argv and envp arrays, channel table,
 * then the strings, all addressed as sandbox offsets. */
static uint64_t place_info(struct sfi_cell *c, const struct sfi_cell_config *cfg, bool tpl, uint64_t stack_top)
{
	size_t fixed = sizeof(struct zvm_info) + (cfg->argc + 1 + cfg->envc + 1) * 8 +
		       cfg->nchannels * sizeof(struct zvm_channel_info);
	size_t strings = 0, size;
	uint64_t start;
	struct zvm_info *info;
	uint64_t *argv, *envp, pos;
	struct zvm_channel_info *ch;

	for (unsigned i = 0; i < cfg->argc; i++)
		strings += strlen(cfg->argv[i]) + 1;
	for (unsigned i = 0; i < cfg->envc; i++)
		strings += strlen(cfg->envp[i]) + 1;
	for (unsigned i = 0; i < cfg->nchannels; i++)
		strings += strlen(cfg->aliases[i]) + 1;
	size = ROUND_UP(fixed + strings);
	if (size > (64ull << 20))
		setup_failed(c->result, 0, "arguments, environment and channel names exceed 64 MiB");
	/* a template's stack is where the template left it: its jobs' blocks
	 * have a fixed room above it */
	if (tpl && size > ZVM_TEMPLATE_INFO_BYTES)
		setup_failed(c->result, 0, "arguments, environment and channel names exceed a template's %llu bytes",
			     (unsigned long long)ZVM_TEMPLATE_INFO_BYTES);
	start = ZVM_SANDBOX_END - size;
	if (mprotect((void *)start, size, PROT_READ | PROT_WRITE) < 0)
		setup_failed(c->result, errno, "info block");

	info = (void *)start;
	argv = (uint64_t *)(info + 1);
	envp = argv + cfg->argc + 1;
	ch = (struct zvm_channel_info *)(envp + cfg->envc + 1);
	pos = (uint64_t)(ch + cfg->nchannels);
#define PUT_STRING(s) ({ size_t n_ = strlen(s) + 1; memcpy((void *)pos, (s), n_); pos += n_; pos - n_; })
	for (unsigned i = 0; i < cfg->argc; i++)
		argv[i] = PUT_STRING(cfg->argv[i]);
	for (unsigned i = 0; i < cfg->envc; i++)
		envp[i] = PUT_STRING(cfg->envp[i]);
	for (unsigned i = 0; i < cfg->nchannels; i++) {
		const struct zvm_channel *k = &cfg->channels[i];
		ch[i] = (struct zvm_channel_info){
			.alias = PUT_STRING(cfg->aliases[i]), .type = k->type, .size = k->size,
			.max_reads = k->max_reads, .max_read_bytes = k->max_read_bytes,
			.max_writes = k->max_writes, .max_write_bytes = k->max_write_bytes };
	}
#undef PUT_STRING
	*info = (struct zvm_info){
		.magic = ZVM_INFO_MAGIC, .version = ZVM_INFO_VERSION,
		.argc = cfg->argc, .envc = cfg->envc, .argv = (uint64_t)argv, .envp = (uint64_t)envp,
		.channel_count = cfg->nchannels, .channels = (uint64_t)ch,
		.flags = (cfg->deterministic ? ZVM_INFO_DETERMINISTIC : 0) | (cfg->resume ? ZVM_INFO_TEMPLATE_COPY : 0),
		.heap_start = c->heap_start, .heap_limit = c->heap_limit,
		.stack_top = tpl ? stack_top : start - PAGE, .stack_size = c->stack_size,
		.seed = cfg->seed, .epoch_ns = cfg->epoch_ns };
	if (mprotect((void *)start, size, PROT_READ) < 0)
		setup_failed(c->result, errno, "info block");
	add_region(c, start, ZVM_SANDBOX_END, PROT_READ);
	return start;
}

static void close_other_fds(const int *keep, unsigned n)
{
	int next = 0;

	/* keep[] is sorted by the caller. */
	for (unsigned i = 0; i <= n; i++) {
		int upto = i < n ? keep[i] - 1 : INT_MAX;
		if (upto >= next)
			close_range(next, upto, 0);
		if (i < n)
			next = keep[i] + 1;
	}
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int sfi_cell_reserve(void)
{
	static bool reserved;
	void *at;

	if (reserved)
		return 0;
	/* One mapping up to and including the trap slot page above the guard. */
	at = mmap((void *)(uint64_t)ZVM_TRAMPOLINE_BASE, ZVM_RESERVED_END - ZVM_TRAMPOLINE_BASE, PROT_NONE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (at == MAP_FAILED)
		return -errno;
	if (at != (void *)(uint64_t)ZVM_TRAMPOLINE_BASE) {
		munmap(at, ZVM_RESERVED_END - ZVM_TRAMPOLINE_BASE);
		return -EEXIST;
	}
	reserved = true;
	return 0;
}

/* A copy of a template: its writable memory, private copy-on-write
 * mappings of the template's sealed memfd, laid out as this worker computes
 * it from the image (the template's word on sizes is only checked). */
static void map_template(struct sfi_cell *c, const struct sfi_cell_config *cfg)
{
	const struct sfi_template *t = cfg->resume;
	struct sfi_range r[SFI_MAX_SEGMENTS + 2];
	uint64_t bytes, off = 0;
	struct stat st;
	int seals, n;

	n = sfi_template_layout(cfg->img, t->heap_end, t->stack_size, r, &bytes);
	if (n < 0 || bytes != t->bytes)
		setup_failed(c->result, 0, "template: its heap end 0x%llx and stack of %llu bytes do not fit this image",
			     (unsigned long long)t->heap_end, (unsigned long long)t->stack_size);
	seals = fcntl(cfg->resume_fd, F_GET_SEALS);
	if (seals < 0 || (seals & (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW)) != (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW))
		setup_failed(c->result, 0, "template: its memory is not a sealed memfd");
	if (fstat(cfg->resume_fd, &st) < 0 || (uint64_t)st.st_size != bytes)
		setup_failed(c->result, 0, "template: its memory is %lld bytes, its layout %llu",
			     (long long)st.st_size, (unsigned long long)bytes);
	/* Each range: zeros first (anonymous, as a fresh cell's), then the
	 * memfd's data extents over them. Its holes (pages the template had
	 * zero) stay anonymous: a copy's fault there costs what a fresh cell's
	 * does, and never fills the template's memfd with pages. */
	for (int i = 0; i < n; off += r[i].len, i++) {
		uint64_t end = off + r[i].len;
		off_t d = (off_t)off, h;
		if (mmap((void *)r[i].start, r[i].len, PROT_READ | PROT_WRITE,
			 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) != (void *)r[i].start)
			setup_failed(c->result, errno, "template: zeroing 0x%llx", (unsigned long long)r[i].start);
		while ((d = lseek(cfg->resume_fd, d, SEEK_DATA)) >= 0 && (uint64_t)d < end) {
			h = lseek(cfg->resume_fd, d, SEEK_HOLE);
			if (h < 0 || (uint64_t)h > end)
				h = (off_t)end;
			void *at = (void *)(r[i].start + ((uint64_t)d - off));
			if (mmap(at, (size_t)(h - d), PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE, cfg->resume_fd, d) != at)
				setup_failed(c->result, errno, "template: mapping 0x%llx", (unsigned long long)(uintptr_t)at);
			d = h;
		}
	}
}

void sfi_cell_enter(const struct sfi_cell_config *cfg, struct sfi_cell_result *result)
{
	struct sfi_cell *c = &sfi_the_cell;
	const struct sfi_image *img = cfg->img;
	const struct sfi_template *t = cfg->resume;
	bool tpl = t || cfg->keep_fd >= 0;
	uint64_t image_bytes = img->image_end - ZVM_TEXT_BASE, info_start, stack_top, stack_bottom, stack_size;
	int fds[ZVM_MAX_CHANNELS + 1];
	unsigned nfds = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	c->result = result;
	c->channels = cfg->channels;
	c->nchannels = cfg->nchannels;
	c->img = img;
	c->keep_fd = -1;
	c->keep_out = cfg->keep_out;
	/* a copy's stack is its template's */
	stack_size = t ? t->stack_size : cfg->stack_size;
	c->stack_size = stack_size;
	if (cfg->keep_fd >= 0 && cfg->nchannels >= ZVM_MAX_CHANNELS)
		setup_failed(result, 0, "a run that makes a template has at most %u channels", ZVM_MAX_CHANNELS - 1);

	/* 1. Claim [64 KiB, 8 GiB + 4 KiB) before anything else can be put
	 * there (a warm worker has done so already). */
	rc = sfi_cell_reserve();
	if (rc < 0)
		setup_failed(result, -rc, "reserving the sandbox range [0x10000, 0x%llx)",
			     (unsigned long long)ZVM_RESERVED_END);

	/* 2. Budget: image + stack + heap within the memory limit. */
	if (cfg->memory < image_bytes + stack_size + PAGE)
		setup_failed(result, 0, "memory limit %llu bytes is smaller than the image (%llu) plus the stack (%llu)",
			     (unsigned long long)cfg->memory, (unsigned long long)image_bytes,
			     (unsigned long long)stack_size);
	map_image(c, img);

	c->heap_start = c->heap_end = img->image_end;
	c->heap_limit = img->image_end + (cfg->memory - image_bytes - stack_size);
	if (t) {
		if (t->heap_end < c->heap_start || t->heap_end > c->heap_limit)
			setup_failed(result, 0, "the template's heap (%llu bytes) does not fit this job's memory limit (%llu bytes)",
				     (unsigned long long)(t->heap_end - c->heap_start), (unsigned long long)cfg->memory);
		c->heap_end = t->heap_end;
	}
	c->heap_region = c->nregions;
	add_region(c, c->heap_start, ROUND_UP(c->heap_end), PROT_READ | PROT_WRITE);

	/* 3. Info block at the top, the stack right below it with a guard page
	 * (a template's: below the fixed room for its jobs' blocks). */
	stack_top = ZVM_SANDBOX_END - ZVM_TEMPLATE_INFO_BYTES - PAGE;
	info_start = place_info(c, cfg, tpl, stack_top);
	if (!tpl)
		stack_top = info_start - PAGE;
	stack_bottom = stack_top - stack_size;
	if (c->heap_limit > stack_bottom - PAGE)
		setup_failed(result, 0, "memory limit too large for the 4 GiB sandbox");
	if (mprotect((void *)stack_bottom, stack_size, PROT_READ | PROT_WRITE) < 0)
		setup_failed(result, errno, "stack");
	add_region(c, stack_bottom, stack_top, PROT_READ | PROT_WRITE);
	if (t) {
		map_template(c, cfg);
		if (t->rsp < stack_bottom || t->rsp > stack_top - 8 || t->mxcsr > 0xffff)
			setup_failed(result, 0, "template: its stack pointer or control word cannot be this cell's");
		result->heap_peak = c->heap_end - c->heap_start;
	}

	/* 4. Faults, limits, fds, filter. */
	rc = sfi_install_fault_handlers(cfg->cpu_time);
	if (rc < 0)
		setup_failed(result, -rc, "signal handlers");
	/* Channel i moves to fd ZVM_SECCOMP_CHANNEL_FD0 + i (through a high
	 * copy first, so no channel overwrites another), everything else is
	 * closed: the filter's fd range then means exactly "a channel". */
	for (unsigned i = 0; i < cfg->nchannels; i++)
		if (cfg->channels[i].fd >= 0 &&
		    (cfg->channels[i].fd = fcntl(cfg->channels[i].fd, F_DUPFD_CLOEXEC, 512)) < 0)
			setup_failed(result, errno, "moving channel %u", i);
	for (unsigned i = 0; i < cfg->nchannels; i++) {
		int fd = cfg->channels[i].fd, want = ZVM_SECCOMP_CHANNEL_FD0 + (int)i;
		if (fd < 0)
			continue;
		if (dup3(fd, want, O_CLOEXEC) < 0)
			setup_failed(result, errno, "moving channel %u", i);
		cfg->channels[i].fd = want;
		fds[nfds++] = want;
	}
	/* the template memfd: the last fd of the channel range, which the
	 * filter lets the keep request write (a run that makes a template has
	 * one channel less) */
	if (cfg->keep_fd >= 0) {
		int want = ZVM_SECCOMP_CHANNEL_FD0 + ZVM_MAX_CHANNELS - 1;
		if (dup3(cfg->keep_fd, want, O_CLOEXEC) < 0)
			setup_failed(result, errno, "the template's memfd");
		c->keep_fd = want;
		fds[nfds++] = want;
	}
	qsort(fds, nfds, sizeof(int), cmp_int);
	close_other_fds(fds, nfds);
	if (cfg->seccomp) {
		rc = zvm_seccomp_load_cell_stage();
		if (rc < 0)
			setup_failed(result, -rc, "loading the seccomp filter");
	}
	if (t) {
		/* the copy returns from its template's keep request, with its own
		 * job's start-up block as the trap's value */
		struct sfi_resume r = { .rsp = t->rsp, .rax = info_start, .rbx = t->rbx, .rbp = t->rbp, .r12 = t->r12,
					.r13 = t->r13, .r14 = t->r14, .r15 = t->r15, .mxcsr = t->mxcsr, .fcw = t->fcw & 0xffff };
		c->is_copy = true;
		zvm_sandbox_resume(&r);
	}
	zvm_sandbox_enter(img->entry, stack_top, info_start);
}
