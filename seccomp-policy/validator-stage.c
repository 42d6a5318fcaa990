/*
 * validator-stage.c — the allow-list of zvm-validator, the helper that
 * reads, hashes and validates a client's image (supervisor/validator.h):
 * I/O on fds it already holds, memory, a memfd to copy into, the clock,
 * exit. No open, no socket, no exec, no signals to others: a helper a
 * hostile ELF took over can only lie about its one image.
 */
#include <errno.h>
#include <seccomp.h>
#include <sys/mman.h>

#include "seccomp-policy/seccomp-policy.h"

static const char *const allowed[] = {
	"read", "pread64", "write", "recvmsg", "sendmsg", "close", "lseek",
	"fstat", "newfstatat", "statx",
	"munmap", "mremap", "brk", "madvise",
	"memfd_create", "ftruncate", "fcntl",
	"clock_gettime", "gettimeofday", "getrandom",
	"rt_sigreturn", "exit", "exit_group",
};

int zvm_seccomp_load_validator_stage(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc = 0;

	if (!ctx)
		return -ENOMEM;
	for (unsigned i = 0; i < sizeof(allowed) / sizeof(allowed[0]) && rc == 0; i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);
		if (nr != __NR_SCMP_ERROR)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	/* mmap and mprotect never with PROT_EXEC: the helper runs no code it
	 * did not start with. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}
