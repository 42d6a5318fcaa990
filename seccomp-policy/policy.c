/*
 * policy.c — the cell-stage allow-list as data, and its loading.
 */
#include <errno.h>
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
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "seccomp-policy/seccomp-policy.h"

#define SANDBOX_END 0x100000000ull

enum cond { ON_CHANNEL_FD, CHANNEL_FD_RANGE, BELOW_4G_NO_EXEC, BELOW_4G_DONTNEED, ALWAYS, NO_EXEC, EXEC_BELOW_4G };

static const struct row {
	struct zvm_seccomp_rule doc;
	enum cond cond;
} cell_rows[] = {
	{ { "read",        "fd in the channel range", "channel reads (trap 0)" }, CHANNEL_FD_RANGE },
	{ { "pread64",     "fd in the channel range", "random-access channel reads" }, CHANNEL_FD_RANGE },
	{ { "write",       "fd in the channel range", "channel writes (trap 1)" }, CHANNEL_FD_RANGE },
	{ { "pwrite64",    "fd in the channel range", "random-access channel writes" }, CHANNEL_FD_RANGE },
	{ { "mprotect",    "addr < 4 GiB, no PROT_EXEC", "heap trap: grow or shrink the heap (never executable)" }, BELOW_4G_NO_EXEC },
	{ { "madvise",     "addr < 4 GiB, MADV_DONTNEED", "heap trap: give shrunk heap pages back" }, BELOW_4G_DONTNEED },
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
	{ { "fstat",         "-", "size of the image memfd" }, ALWAYS },
	{ { "newfstatat",    "-", "size of the image memfd (glibc's fstat)" }, ALWAYS },
	{ { "lseek",         "-", "channel sizes" }, ALWAYS },
	{ { "mmap",          "no PROT_EXEC", "map the image, allocate" }, NO_EXEC },
	{ { "munmap",        "-", "free" }, ALWAYS },
	{ { "brk",           "-", "malloc" }, ALWAYS },
	{ { "mprotect",      "no PROT_EXEC", "protect the sandbox's pages" }, NO_EXEC },
	{ { "mprotect",      "addr < 4 GiB", "make the validated text and trampolines executable" }, EXEC_BELOW_4G },
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

unsigned zvm_seccomp_pool_rule_count(void)
{
	return sizeof(pool_rows) / sizeof(pool_rows[0]);
}

const struct zvm_seccomp_rule *zvm_seccomp_pool_rule(unsigned i)
{
	return i < zvm_seccomp_pool_rule_count() ? &pool_rows[i].doc : NULL;
}

unsigned zvm_seccomp_cell_rule_count(void)
{
	return sizeof(cell_rows) / sizeof(cell_rows[0]);
}

const struct zvm_seccomp_rule *zvm_seccomp_cell_rule(unsigned i)
{
	return i < zvm_seccomp_cell_rule_count() ? &cell_rows[i].doc : NULL;
}

static int add_row(scmp_filter_ctx ctx, const struct row *r, const int *fds, unsigned nfds)
{
	int nr = seccomp_syscall_resolve_name(r->doc.syscall), rc = 0;

	if (nr == __NR_SCMP_ERROR)
		return -EINVAL;
	switch (r->cond) {
	case ON_CHANNEL_FD:
		for (unsigned i = 0; i < nfds && rc == 0; i++)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fds[i]));
		return rc;
	case CHANNEL_FD_RANGE:
		/* the worker holds nothing else in this range when it loads the
		 * filter: every other fd is closed (sfi/cell.c) */
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A0(SCMP_CMP_MASKED_EQ, ~(scmp_datum_t)63, ZVM_SECCOMP_CHANNEL_FD0));
	case BELOW_4G_NO_EXEC:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2,
					SCMP_A0(SCMP_CMP_LT, SANDBOX_END),
					SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	case BELOW_4G_DONTNEED:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2,
					SCMP_A0(SCMP_CMP_LT, SANDBOX_END),
					SCMP_A2(SCMP_CMP_EQ, MADV_DONTNEED));
	case ALWAYS:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	case NO_EXEC:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	case EXEC_BELOW_4G:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0(SCMP_CMP_LT, SANDBOX_END));
	}
	return -EINVAL;
}

static scmp_filter_ctx build(const struct row *rows, unsigned n, const int *fds, unsigned nfds)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	int rc;

	if (!ctx)
		return NULL;
	/* int $0x80 and x32 calls are other ABIs: report them too, not just die. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
	for (unsigned i = 0; i < n && rc == 0; i++)
		rc = add_row(ctx, &rows[i], fds, nfds);
	if (rc != 0) {
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

/* The cell stage compiled to BPF ahead of time, so a warm worker only has
 * to hand it to the kernel when its job comes. */
static struct sock_filter *cell_prog;
static unsigned short cell_len;

int zvm_seccomp_prepare_cell_stage(void)
{
	scmp_filter_ctx ctx;
	struct stat st;
	int fd, rc = 0;

	if (cell_prog)
		return 0;
	ctx = build(cell_rows, zvm_seccomp_cell_rule_count(), NULL, 0);
	if (!ctx)
		return -EINVAL;
	fd = memfd_create("zvm-seccomp", MFD_CLOEXEC);
	if (fd < 0 || seccomp_export_bpf(ctx, fd) != 0 || fstat(fd, &st) < 0 ||
	    st.st_size == 0 || st.st_size % sizeof(struct sock_filter) || st.st_size > 65535 * 8)
		rc = -EIO;
	if (rc == 0) {
		cell_prog = malloc(st.st_size);
		if (!cell_prog || pread(fd, cell_prog, st.st_size, 0) != st.st_size) {
			free(cell_prog);
			cell_prog = NULL;
			rc = -EIO;
		} else {
			cell_len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
		}
	}
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return rc;
}

int zvm_seccomp_load_cell_stage(void)
{
	struct sock_fprog prog;
	int rc = zvm_seccomp_prepare_cell_stage();

	if (rc < 0)
		return rc;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	prog.len = cell_len;
	prog.filter = cell_prog;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0 ? -errno : 0;
}

int zvm_seccomp_load_pool_stage(void)
{
	scmp_filter_ctx ctx;
	int rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	ctx = build(pool_rows, zvm_seccomp_pool_rule_count(), NULL, 0);
	if (!ctx)
		return -EINVAL;
	rc = seccomp_load(ctx);
	/* not released: freeing could unmap memory the next stage forbids */
	return rc;
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
