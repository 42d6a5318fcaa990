/*
 * seccomp-policy.h — the system-call allow-lists (libseccomp plus a
 * hand-written range prefix), and who loads which, where:
 *
 *   pool stage       zvmd's workers (supervisor/worker.c), once jailed,
 *                    before they say ready; stays under the cell stage.
 *   cell stage       stacked on it by the worker (sfi/cell.c) right
 *                    before it jumps into the sandbox; compiled earlier,
 *                    while warm (zvm_seccomp_prepare_cell_stage). `zvm
 *                    run`'s forked worker (sfi/run.c) loads it alone,
 *                    with no pool stage under it.
 *   validator stage  zvm-validator (supervisor/validator-main.c), after
 *                    it dropped to its uid; anything else kills it.
 *
 * No filter is ever removed: each lives until the process dies. In the
 * pool and cell stages anything not allowed raises SIGSYS
 * (SECCOMP_RET_TRAP), whose handler records the system call's number for
 * the report; a second violation inside that handler kills the process.
 */
#ifndef ZVM_SECCOMP_POLICY_H
#define ZVM_SECCOMP_POLICY_H

/* Channel fds live in [ZVM_SECCOMP_CHANNEL_FD0, +64) when the cell starts
 * (sfi/cell.c moves them there and closes every other fd), so the filter
 * can be compiled before the job is known. */
#define ZVM_SECCOMP_CHANNEL_FD0 64

/* Compiles the cell-stage filter to BPF (a warm worker does this before
 * its job arrives, before the pool stage is loaded); idempotent. */
int zvm_seccomp_prepare_cell_stage(void);
/* Loads the cell-stage filter: read/write/pread64/pwrite64 on the channel
 * fd range only, mprotect (never adding PROT_EXEC) and
 * madvise(MADV_DONTNEED) on ranges [addr, addr+len) that end at or below
 * 4 GiB, rt_sigreturn, exit, exit_group. Sets no_new_privs first. Returns
 * 0 or -errno. Runs in the worker. */
int zvm_seccomp_load_cell_stage(void);

/* Loads the pool-stage filter (a warm worker waiting for and loading its
 * job); mprotect with PROT_EXEC only on ranges that end at or below
 * 4 GiB. The cell stage is stacked on it later. Returns 0 or -errno. */
int zvm_seccomp_load_pool_stage(void);
/* Compiles it ahead of time (idempotent): zvmd's zygote does, so that the
 * workers it forks only hand it to the kernel. */
int zvm_seccomp_prepare_pool_stage(void);

/* Loads zvm-validator's allow-list (seccomp-policy/validator-stage.c);
 * anything else kills the helper. Returns 0 or -errno. */
int zvm_seccomp_load_validator_stage(void);

/* "name" of a system call number for an AUDIT_ARCH_* value (x86-64 or
 * i386, "name (i386)" for the latter), or NULL. For reports. */
const char *zvm_seccomp_syscall_name(int nr, unsigned arch, char *buf, unsigned len);

#endif
