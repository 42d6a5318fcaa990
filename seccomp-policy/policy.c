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

#include "seccomp-policy/seccomp-policy.h"

#define SANDBOX_END 0x100000000ull

enum cond { ON_CHANNEL_FD, BELOW_4G_NO_EXEC, BELOW_4G_DONTNEED, ALWAYS, NO_EXEC, EXEC_BELOW_4G };

static const struct row {
	struct zvm_seccomp_rule doc;
	enum cond cond;
} cell_rows[] = {
	{ { "read",        "fd is a channel", "channel reads (trap 0)" }, ON_CHANNEL_FD },
	{ { "pread64",     "fd is a channel", "random-access channel reads" }, ON_CHANNEL_FD },
	{ { "write",       "fd is a channel", "channel writes (trap 1)" }, ON_CHANNEL_FD },
	{ { "pwrite64",    "fd is a channel", "random-access channel writes" }, ON_CHANNEL_FD },
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

static int load_rows(const struct row *rows, unsigned n, const int *fds, unsigned nfds)
{
	scmp_filter_ctx ctx;
	int rc = 0;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx)
		return -ENOMEM;
	/* int $0x80 and x32 calls are other ABIs: report them too, not just die. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
	for (unsigned i = 0; i < n && rc == 0; i++)
		rc = add_row(ctx, &rows[i], fds, nfds);
	if (rc == 0)
		rc = seccomp_load(ctx);
	/* The context is not released: freeing could unmap memory, which the
	 * filter now forbids. The worker ends soon anyway. */
	return rc;
}

int zvm_seccomp_load_cell_stage(const int *fds, unsigned nfds)
{
	return load_rows(cell_rows, zvm_seccomp_cell_rule_count(), fds, nfds);
}

int zvm_seccomp_load_pool_stage(void)
{
	return load_rows(pool_rows, zvm_seccomp_pool_rule_count(), NULL, 0);
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
