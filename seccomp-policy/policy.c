/*
 * policy.c — the cell-stage allow-list as data, and its loading.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "seccomp-policy/seccomp-policy.h"

#define SANDBOX_END 0x100000000ull

enum cond { CHANNEL_FD_RANGE, BELOW_4G_NO_EXEC, BELOW_4G_DONTNEED, ALWAYS, NO_EXEC, EXEC_BELOW_4G };

/* A row: the system call, its condition and why in words (for the reader
 * and the threat model), and the condition as code. */
struct zvm_seccomp_rule { const char *syscall; const char *condition; const char *reason; };

static const struct row {
	struct zvm_seccomp_rule doc;
	enum cond cond;
} cell_rows[] = {
	{ { "read",        "fd in the channel range", "channel reads (trap 0)" }, CHANNEL_FD_RANGE },
	{ { "pread64",     "fd in the channel range", "random-access channel reads" }, CHANNEL_FD_RANGE },
	{ { "write",       "fd in the channel range", "channel writes (trap 1)" }, CHANNEL_FD_RANGE },
	{ { "pwrite64",    "fd in the channel range", "random-access channel writes" }, CHANNEL_FD_RANGE },
	{ { "mprotect",    "[addr, addr+len) below 4 GiB, no PROT_EXEC", "heap trap: grow or shrink the heap (never executable)" }, BELOW_4G_NO_EXEC },
	{ { "madvise",     "[addr, addr+len) below 4 GiB, MADV_DONTNEED", "heap trap: give shrunk heap pages back" }, BELOW_4G_DONTNEED },
	{ { "rt_sigreturn","-", "return from a signal handler" }, ALWAYS },
	{ { "exit",        "-", "end of the worker" }, ALWAYS },
	{ { "exit_group",  "-", "end of the worker (exit trap, fault, limit)" }, ALWAYS },
};

/* The pool stage: a warm worker waiting for its job, then loading it.
 * Wider than the cell stage (it maps the image, allocates, installs
 * handlers and the next filter) but no file system, no network, no
 * process creation, and executable memory only below 4 GiB. */
static const struct row pool_rows[] = {
	{ { "read",          "-", "control socket and image" }, ALWAYS },
	{ { "write",         "-", "control socket" }, ALWAYS },
	{ { "recvmsg",       "-", "receive the job and its fds" }, ALWAYS },
	{ { "sendmsg",       "-", "report readiness" }, ALWAYS },
	{ { "pread64",       "-", "read the image" }, ALWAYS },
	{ { "pwrite64",      "fd in the channel range", "random-access channel writes; a template's memory at the keep request (stacked under the cell stage)" }, CHANNEL_FD_RANGE },
	{ { "fstat",         "-", "size of the image memfd" }, ALWAYS },
	{ { "newfstatat",    "-", "size of the image memfd (glibc's fstat)" }, ALWAYS },
	{ { "lseek",         "-", "channel sizes" }, ALWAYS },
	{ { "mmap",          "no PROT_EXEC", "map the image, allocate" }, NO_EXEC },
	{ { "munmap",        "-", "free" }, ALWAYS },
	{ { "brk",           "-", "malloc" }, ALWAYS },
	{ { "mprotect",      "no PROT_EXEC", "protect the sandbox's pages" }, NO_EXEC },
	{ { "mprotect",      "[addr, addr+len) below 4 GiB", "make the validated text and trampolines executable" }, EXEC_BELOW_4G },
	{ { "madvise",       "-", "free" }, ALWAYS },
	{ { "close",         "-", "drop fds" }, ALWAYS },
	{ { "fcntl",         "-", "move channel fds to their range (F_DUPFD_CLOEXEC)" }, ALWAYS },
	{ { "dup3",          "-", "move channel fds to their range" }, ALWAYS },
	{ { "close_range",   "-", "drop every fd but the channels" }, ALWAYS },
	{ { "rt_sigaction",  "-", "fault handlers" }, ALWAYS },
	{ { "rt_sigprocmask","-", "fault handlers" }, ALWAYS },
	{ { "sigaltstack",   "-", "fault handlers run on their own stack" }, ALWAYS },
	{ { "setitimer",     "-", "CPU-time limit" }, ALWAYS },
	{ { "prlimit64",     "-", "CPU-time backstop (RLIMIT_CPU)" }, ALWAYS },
	{ { "setrlimit",     "-", "CPU-time backstop (RLIMIT_CPU)" }, ALWAYS },
	{ { "prctl",         "-", "no_new_privs before the cell filter" }, ALWAYS },
	{ { "seccomp",       "-", "stack the cell-stage filter" }, ALWAYS },
	{ { "futex",         "-", "pthread_once in library initialisation (own memory only)" }, ALWAYS },
	{ { "getpid",        "-", "harmless" }, ALWAYS },
	{ { "gettid",        "-", "harmless" }, ALWAYS },
	{ { "rt_sigreturn",  "-", "return from a signal handler" }, ALWAYS },
	{ { "exit",          "-", "end of the worker" }, ALWAYS },
	{ { "exit_group",    "-", "end of the worker" }, ALWAYS },
};

#define NROWS(rows) (sizeof(rows) / sizeof((rows)[0]))

static int add_row(scmp_filter_ctx ctx, const struct row *r)
{
	int nr = seccomp_syscall_resolve_name(r->doc.syscall);
	struct scmp_arg_cmp no_exec = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
	struct scmp_arg_cmp dontneed = SCMP_A2(SCMP_CMP_EQ, MADV_DONTNEED);

	if (nr == __NR_SCMP_ERROR)
		return -EINVAL;
	switch (r->cond) {
	case CHANNEL_FD_RANGE:
		/* the worker holds nothing else in this range when it loads the
		 * filter: every other fd is closed (sfi/cell.c) */
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A0(SCMP_CMP_MASKED_EQ, ~(scmp_datum_t)63, ZVM_SECCOMP_CHANNEL_FD0));
	/* The range rows check the start here; the end (addr + len <= 4 GiB)
	 * is the range prefix's (below), as libseccomp cannot add. */
	case BELOW_4G_NO_EXEC:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2, SCMP_A0(SCMP_CMP_LT, SANDBOX_END), no_exec);
	case BELOW_4G_DONTNEED:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2, SCMP_A0(SCMP_CMP_LT, SANDBOX_END), dontneed);
	case ALWAYS:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	case NO_EXEC:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, no_exec);
	case EXEC_BELOW_4G:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0(SCMP_CMP_LT, SANDBOX_END));
	}
	return -EINVAL;
}

static scmp_filter_ctx build(const struct row *rows, unsigned n)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	int rc;

	if (!ctx)
		return NULL;
	/* int $0x80 and x32 calls are other ABIs: report them too, not just die. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
	for (unsigned i = 0; i < n && rc == 0; i++)
		rc = add_row(ctx, &rows[i]);
	if (rc != 0) {
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

/* ---- the range prefix ------------------------------------------------------
 *
 * A rule on mprotect or madvise must bound the whole range, not only its
 * start: mprotect(0xFFFFF000, 0x2000, RW) would open the guard page at
 * 4 GiB, madvise(DONTNEED) across it would zero trusted memory. libseccomp
 * compares arguments but cannot add them (and 2.5 merges several <=
 * rules on one argument wrongly), so the check "addr + len <= 4 GiB" is
 * hand-written classic BPF put in front of libseccomp's program: it traps
 * a call whose range passes 4 GiB and lets every other call through to
 * the rows. In 32-bit halves: addr.hi == 0 and either len.hi == 0 and
 * len.lo <= 2^32 - addr.lo (always when addr.lo == 0), or [0, 4 GiB)
 * exactly. */
#define ARCH_OFF offsetof(struct seccomp_data, arch)
#define NR_OFF offsetof(struct seccomp_data, nr)
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i) (ARG_LO(i) + 4)
#define TO_TRAP 254 /* jump labels, resolved at the end; the prefix is short */
#define TO_PASS 255
#define PREFIX_MAX 24

enum prefix { RANGE_ALL, RANGE_EXEC_MPROTECT };

static unsigned range_prefix(struct sock_filter *p, enum prefix kind)
{
	unsigned n = 0;

#define LD(off) (p[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off)))
#define JEQ(k, t, f) (p[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f)))
	LD(ARCH_OFF);
	JEQ(AUDIT_ARCH_X86_64, 0, TO_PASS);       /* other ABIs: the rows trap them */
	LD(NR_OFF);
	if (kind == RANGE_ALL) {
		JEQ(__NR_mprotect, 1, 0);
		JEQ(__NR_madvise, 0, TO_PASS);
	} else {                                  /* pool stage: executable mappings only */
		JEQ(__NR_mprotect, 0, TO_PASS);
		LD(ARG_LO(2));
		p[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, TO_PASS);
	}
	LD(ARG_HI(0));
	JEQ(0, 0, TO_TRAP);                       /* addr >= 4 GiB */
	LD(ARG_HI(1));
	JEQ(0, 5, 0);                             /* len < 4 GiB: the sum below */
	JEQ(1, 0, TO_TRAP);                       /* len >= 4 GiB: only [0, 4 GiB) */
	LD(ARG_LO(1));
	JEQ(0, 0, TO_TRAP);
	LD(ARG_LO(0));
	JEQ(0, TO_PASS, TO_TRAP);
	LD(ARG_LO(0));
	JEQ(0, TO_PASS, 0);                       /* from 0, any 32-bit length fits */
	p[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_NEG, 0);  /* A = 2^32 - addr.lo */
	p[n++] = (struct sock_filter)BPF_STMT(BPF_MISC | BPF_TAX, 0);
	LD(ARG_LO(1));
	p[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, TO_TRAP, TO_PASS);
	p[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP);
#undef LD
#undef JEQ
	/* TO_TRAP is the ret just emitted, TO_PASS the first instruction
	 * after the prefix (libseccomp's program) */
	for (unsigned i = 0; i < n; i++) {
		if (BPF_CLASS(p[i].code) != BPF_JMP)
			continue;
		if (p[i].jt >= TO_TRAP)
			p[i].jt = (uint8_t)((p[i].jt == TO_TRAP ? n - 1 : n) - (i + 1));
		if (p[i].jf >= TO_TRAP)
			p[i].jf = (uint8_t)((p[i].jf == TO_TRAP ? n - 1 : n) - (i + 1));
	}
	return n;
}

/* The rows compiled by libseccomp, behind the range prefix, as one BPF
 * program (malloc'd). */
static int compile(const struct row *rows, unsigned nrows, enum prefix kind, struct sock_fprog *out)
{
	scmp_filter_ctx ctx = build(rows, nrows);
	struct sock_filter *prog = NULL;
	struct stat st;
	unsigned n = 0;
	int fd, rc = 0;

	if (!ctx)
		return -EINVAL;
	fd = memfd_create("zvm-seccomp", MFD_CLOEXEC);
	if (fd < 0 || seccomp_export_bpf(ctx, fd) != 0 || fstat(fd, &st) < 0 || st.st_size == 0 ||
	    st.st_size % sizeof(struct sock_filter) ||
	    st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS - PREFIX_MAX)
		rc = -EIO;
	if (rc == 0 && !(prog = malloc(PREFIX_MAX * sizeof(*prog) + st.st_size)))
		rc = -ENOMEM;
	if (rc == 0) {
		n = range_prefix(prog, kind);
		if (pread(fd, prog + n, st.st_size, 0) != st.st_size)
			rc = -EIO;
	}
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	if (rc < 0) {
		free(prog);
		return rc;
	}
	out->filter = prog;
	out->len = (unsigned short)(n + st.st_size / sizeof(struct sock_filter));
	return 0;
}

static int load(const struct sock_fprog *prog)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0 ? -errno : 0;
}

/* The cell stage compiled to BPF ahead of time, so a warm worker only has
 * to hand it to the kernel when its job comes. */
static struct sock_fprog cell_prog;

int zvm_seccomp_prepare_cell_stage(void)
{
	if (cell_prog.filter)
		return 0;
	return compile(cell_rows, NROWS(cell_rows), RANGE_ALL, &cell_prog);
}

int zvm_seccomp_load_cell_stage(void)
{
	int rc = zvm_seccomp_prepare_cell_stage();

	return rc < 0 ? rc : load(&cell_prog);
}

/* The pool stage likewise, compiled once by zvmd's zygote and inherited
 * by every worker it forks (not freed: freeing could unmap memory the next
 * stage forbids). */
static struct sock_fprog pool_prog;

int zvm_seccomp_prepare_pool_stage(void)
{
	if (pool_prog.filter)
		return 0;
	return compile(pool_rows, NROWS(pool_rows), RANGE_EXEC_MPROTECT, &pool_prog);
}

int zvm_seccomp_load_pool_stage(void)
{
	int rc = zvm_seccomp_prepare_pool_stage();

	return rc < 0 ? rc : load(&pool_prog);
}

const char *zvm_seccomp_syscall_name(int nr, unsigned arch, char *buf, unsigned len)
{
	bool i386 = arch == SCMP_ARCH_X86;
	char *name = seccomp_syscall_resolve_num_arch(i386 ? SCMP_ARCH_X86 : SCMP_ARCH_X86_64, nr);

	if (!name)
		return NULL;
	snprintf(buf, len, "%s%s", name, i386 ? " (i386)" : "");
	free(name);
	return buf;
}
