/* The compiler's seccomp filter: a deny-list. gcc, as and ld need most of
 * the kernel's ordinary calls (files, memory, fork and exec, pipes), so an
 * allow-list would follow every release of binutils; what they never need,
 * and what a compiler taken over by its input would reach for next, is
 * refused with EPERM. The namespaces stay the wall; this narrows the
 * kernel behind it. clone's namespace flags are refused by argument. */
#include "compile/compile.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>

static const struct {
	int nr;
	const char *why;
	int err; /* 0: EPERM */
} denied[] = {
	{ .nr = SCMP_SYS(socket), .why = "no network, no netlink, no Unix sockets to find" },
	{ .nr = SCMP_SYS(socketpair), .why = "nothing to talk to" },
	{ .nr = SCMP_SYS(unshare), .why = "no nested namespace (a user namespace would give back capabilities)" },
	{ .nr = SCMP_SYS(setns), .why = "no entering another namespace" },
	/* ENOSYS, not EPERM: glibc's posix_spawn (popen) then falls back to clone */
	{ .nr = SCMP_SYS(clone3), .why = "its flags are behind a pointer, so CLONE_NEWUSER could not be refused", .err = ENOSYS },
	{ .nr = SCMP_SYS(mount), .why = "the jail's mounts are fixed" },
	{ .nr = SCMP_SYS(umount2), .why = "the jail's mounts are fixed" },
	{ .nr = SCMP_SYS(pivot_root), .why = "the jail's root is fixed" },
	{ .nr = SCMP_SYS(chroot), .why = "the jail's root is fixed" },
	{ .nr = SCMP_SYS(open_tree), .why = "the new mount API" },
	{ .nr = SCMP_SYS(move_mount), .why = "the new mount API" },
	{ .nr = SCMP_SYS(fsopen), .why = "the new mount API" },
	{ .nr = SCMP_SYS(fsmount), .why = "the new mount API" },
	{ .nr = SCMP_SYS(fsconfig), .why = "the new mount API" },
	{ .nr = SCMP_SYS(fspick), .why = "the new mount API" },
	{ .nr = SCMP_SYS(mount_setattr), .why = "the new mount API" },
	{ .nr = SCMP_SYS(ptrace), .why = "no tracing" },
	{ .nr = SCMP_SYS(process_vm_readv), .why = "no reading another process" },
	{ .nr = SCMP_SYS(process_vm_writev), .why = "no writing another process" },
	{ .nr = SCMP_SYS(pidfd_getfd), .why = "no taking another process's fds" },
	{ .nr = SCMP_SYS(keyctl), .why = "the kernel keyring" },
	{ .nr = SCMP_SYS(add_key), .why = "the kernel keyring" },
	{ .nr = SCMP_SYS(request_key), .why = "the kernel keyring" },
	{ .nr = SCMP_SYS(bpf), .why = "no BPF programs or maps" },
	{ .nr = SCMP_SYS(perf_event_open), .why = "no performance counters" },
	{ .nr = SCMP_SYS(userfaultfd), .why = "a classic exploit helper" },
	{ .nr = SCMP_SYS(io_uring_setup), .why = "a large kernel surface no compiler uses" },
	{ .nr = SCMP_SYS(io_uring_enter), .why = "a large kernel surface no compiler uses" },
	{ .nr = SCMP_SYS(io_uring_register), .why = "a large kernel surface no compiler uses" },
	{ .nr = SCMP_SYS(kexec_load), .why = "never" },
	{ .nr = SCMP_SYS(kexec_file_load), .why = "never" },
	{ .nr = SCMP_SYS(init_module), .why = "never" },
	{ .nr = SCMP_SYS(finit_module), .why = "never" },
	{ .nr = SCMP_SYS(delete_module), .why = "never" },
	{ .nr = SCMP_SYS(personality), .why = "no changing the ABI's behaviour (READ_IMPLIES_EXEC)" },
	{ .nr = SCMP_SYS(acct), .why = "never" },
	{ .nr = SCMP_SYS(swapon), .why = "never" },
	{ .nr = SCMP_SYS(swapoff), .why = "never" },
	{ .nr = SCMP_SYS(syslog), .why = "the kernel's log" },
	{ .nr = SCMP_SYS(quotactl), .why = "never" },
	{ .nr = SCMP_SYS(name_to_handle_at), .why = "file handles reach past the mounts" },
	{ .nr = SCMP_SYS(open_by_handle_at), .why = "file handles reach past the mounts" },
	{ .nr = SCMP_SYS(lookup_dcookie), .why = "never" },
	{ .nr = SCMP_SYS(fanotify_init), .why = "never" },
	{ .nr = SCMP_SYS(vhangup), .why = "never" },
};

static const unsigned long ns_flags[] = {
	CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWCGROUP,
};

int zc_seccomp_apply(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc;

	if (!ctx)
		return -ENOMEM;
	/* other ABIs (int $0x80, x32) get no way around the list */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0)
		goto out;
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(denied[i].err ? denied[i].err : EPERM), denied[i].nr, 0)) < 0)
			goto out;
	/* fork, vfork and threads stay; a clone with a namespace flag does not */
	for (size_t i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]); i++)
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
					   SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]))) < 0)
			goto out;
	rc = seccomp_load(ctx);
out:
	seccomp_release(ctx);
	return rc;
}
