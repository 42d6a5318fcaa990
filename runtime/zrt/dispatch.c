/*
 * dispatch.c — Linux x86-64 system call numbers to ZRT. Anything not
 * listed returns -ENOSYS; the table in docs/runtime.md says how each
 * listed call is implemented or emulated.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "zrt.h"

struct rlimit;
struct utsname;
long zrt_sys_arch_prctl(int code, uint64_t addr);
long zrt_sys_uname(struct utsname *u);
long zrt_sys_id(long nr);
long zrt_sys_getresid(unsigned *r, unsigned *e, unsigned *s);
long zrt_sys_prlimit(int pid, int res, const struct rlimit *new_limit, struct rlimit *old);
long zrt_sys_sysinfo(void *out);
long zrt_sys_sched_getaffinity(int pid, unsigned long len, void *mask);
struct k_sigaction;
long zrt_sys_rt_sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *old, unsigned long size);
long zrt_sys_rt_sigprocmask(int how, const uint64_t *set, uint64_t *old, unsigned long size);
long zrt_sys_kill_self(int pid, int sig);

#define A(i) (args[i])
#define I(i) ((int)args[i])
#define P(i) ((void *)(uintptr_t)args[i])
#define U(i) ((uint64_t)args[i])

long zrt_syscall(long nr, const long args[6])
{
	switch (nr) {
	/* files and descriptors (fs.c) */
	case SYS_read: return zrt_sys_read(I(0), P(1), U(2));
	case SYS_write: return zrt_sys_write(I(0), P(1), U(2));
	case SYS_readv: return zrt_sys_readv(I(0), P(1), I(2));
	case SYS_writev: return zrt_sys_writev(I(0), P(1), I(2));
	case SYS_pread64: return zrt_sys_pread(I(0), P(1), U(2), A(3));
	case SYS_pwrite64: return zrt_sys_pwrite(I(0), P(1), U(2), A(3));
	case SYS_preadv: return zrt_sys_preadv(I(0), P(1), I(2), A(3));
	case SYS_pwritev: return zrt_sys_pwritev(I(0), P(1), I(2), A(3));
	case SYS_lseek: return zrt_sys_lseek(I(0), A(1), I(2));
	case SYS_open: return zrt_sys_openat(-100, P(0), I(1), I(2));
	case SYS_creat: return zrt_sys_openat(-100, P(0), 01101 /* O_CREAT|O_WRONLY|O_TRUNC */, I(1));
	case SYS_openat: return zrt_sys_openat(I(0), P(1), I(2), I(3));
	case SYS_close: return zrt_sys_close(I(0));
	case SYS_dup: return zrt_sys_dup(I(0));
	case SYS_dup2: /* dup2(fd, fd) only checks fd */
		return I(0) == I(1) ? (zrt_sys_fcntl(I(0), 1 /* F_GETFD */, 0) < 0 ? -EBADF : I(0)) : zrt_sys_dup3(I(0), I(1), 0);
	case SYS_dup3: return zrt_sys_dup3(I(0), I(1), I(2));
	case SYS_fcntl: return zrt_sys_fcntl(I(0), I(1), A(2));
	case SYS_ioctl: return zrt_sys_ioctl(I(0), (unsigned long)A(1), A(2));
	case SYS_fstat: return zrt_sys_fstat(I(0), P(1));
	case SYS_stat: return zrt_sys_fstatat(-100, P(0), P(1), 0);
	case SYS_lstat: return zrt_sys_fstatat(-100, P(0), P(1), 0x100 /* AT_SYMLINK_NOFOLLOW */);
	case SYS_newfstatat: return zrt_sys_fstatat(I(0), P(1), P(2), I(3));
	case SYS_getdents64: return zrt_sys_getdents64(I(0), P(1), U(2));
	case SYS_mkdir: return zrt_sys_mkdirat(-100, P(0), I(1));
	case SYS_mkdirat: return zrt_sys_mkdirat(I(0), P(1), I(2));
	case SYS_rmdir: return zrt_sys_unlinkat(-100, P(0), 0x200 /* AT_REMOVEDIR */);
	case SYS_unlink: return zrt_sys_unlinkat(-100, P(0), 0);
	case SYS_unlinkat: return zrt_sys_unlinkat(I(0), P(1), I(2));
	case SYS_rename: return zrt_sys_renameat2(-100, P(0), -100, P(1), 0);
	case SYS_renameat: return zrt_sys_renameat2(I(0), P(1), I(2), P(3), 0);
	case SYS_renameat2: return zrt_sys_renameat2(I(0), P(1), I(2), P(3), (unsigned)A(4));
	case SYS_ftruncate: return zrt_sys_ftruncate(I(0), A(1));
	case SYS_truncate: return zrt_sys_truncate(P(0), A(1));
	case SYS_access: return zrt_sys_faccessat(-100, P(0), I(1), 0);
	case SYS_faccessat: return zrt_sys_faccessat(I(0), P(1), I(2), 0);
	case SYS_faccessat2: return zrt_sys_faccessat(I(0), P(1), I(2), I(3));
	case SYS_getcwd: return zrt_sys_getcwd(P(0), U(1));
	case SYS_chdir: return zrt_sys_chdir(P(0));
	case SYS_fchdir: return zrt_sys_fchdir(I(0));
	case SYS_readlink: return zrt_sys_readlinkat(-100, P(0), P(1), U(2));
	case SYS_readlinkat: return zrt_sys_readlinkat(I(0), P(1), P(2), U(3));
	case SYS_chmod: return zrt_sys_fchmodat(-100, P(0), I(1));
	case SYS_fchmodat: return zrt_sys_fchmodat(I(0), P(1), I(2));
	case SYS_fchmod: return zrt_sys_fchmod(I(0), I(1));
	case SYS_utimensat: return zrt_sys_utimensat(I(0), P(1), P(2), I(3));
	case SYS_umask: return zrt_sys_umask(I(0));
	case SYS_fsync:
	case SYS_fdatasync: return zrt_sys_fsync(I(0));
	case SYS_sync: return 0;
	case SYS_pipe: return zrt_sys_pipe2(P(0), 0);
	case SYS_pipe2: return zrt_sys_pipe2(P(0), I(1));
	case SYS_chown:
	case SYS_fchown:
	case SYS_lchown:
	case SYS_fchownat: return -EPERM;
	/* memory (mem.c) */
	case SYS_brk: return zrt_sys_brk(U(0));
	case SYS_mmap: return zrt_sys_mmap(U(0), U(1), I(2), I(3), I(4), A(5));
	case SYS_munmap: return zrt_sys_munmap(U(0), U(1));
	case SYS_mremap: return zrt_sys_mremap(U(0), U(1), U(2), I(3), U(4));
	case SYS_mprotect: return zrt_sys_mprotect(U(0), U(1), I(2));
	case SYS_madvise: return zrt_sys_madvise(U(0), U(1), I(2));
	case SYS_msync: return zrt_sys_msync(U(0), U(1), I(2));
	case SYS_mlock:
	case SYS_munlock:
	case SYS_mlockall:
	case SYS_munlockall: return 0;
	/* time and randomness (clock.c) */
	case SYS_clock_gettime: return zrt_sys_clock_gettime(I(0), P(1));
	case SYS_clock_getres: return zrt_sys_clock_getres(I(0), P(1));
	case SYS_gettimeofday: return zrt_sys_gettimeofday(P(0), P(1));
	case SYS_time: return zrt_sys_time(P(0));
	case SYS_nanosleep: return zrt_sys_nanosleep(P(0), P(1));
	case SYS_clock_nanosleep: return zrt_sys_clock_nanosleep(I(0), I(1), P(2), P(3));
	case SYS_getrandom: return zrt_sys_getrandom(P(0), U(1), (unsigned)A(2));
	/* the process (proc.c) */
	case SYS_arch_prctl: return zrt_sys_arch_prctl(I(0), U(1));
	case SYS_set_tid_address:
	case SYS_getpid:
	case SYS_gettid:
	case SYS_getppid:
	case SYS_getsid:
	case SYS_getpgid:
	case SYS_getpgrp:
	case SYS_getuid:
	case SYS_geteuid:
	case SYS_getgid:
	case SYS_getegid: return zrt_sys_id(nr);
	case SYS_getresuid:
	case SYS_getresgid: return zrt_sys_getresid(P(0), P(1), P(2));
	case SYS_getgroups: return 0;
	case SYS_uname: return zrt_sys_uname(P(0));
	case SYS_prlimit64: return zrt_sys_prlimit(I(0), I(1), P(2), P(3));
	case SYS_getrlimit: return zrt_sys_prlimit(0, I(0), 0, P(1));
	case SYS_setrlimit: return zrt_sys_prlimit(0, I(0), P(1), 0);
	case SYS_sysinfo: return zrt_sys_sysinfo(P(0));
	case SYS_sched_getaffinity: return zrt_sys_sched_getaffinity(I(0), U(1), P(2));
	case SYS_sched_yield: return 0;
	case SYS_rt_sigaction: return zrt_sys_rt_sigaction(I(0), P(1), P(2), U(3));
	case SYS_rt_sigprocmask: return zrt_sys_rt_sigprocmask(I(0), P(1), P(2), U(3));
	case SYS_sigaltstack: return 0;
	case SYS_kill: return zrt_sys_kill_self(I(0), I(1));
	case SYS_tkill: return zrt_sys_kill_self(I(0) == 1 ? 1 : -2, I(1));
	case SYS_tgkill: return zrt_sys_kill_self(I(0) == 1 && I(1) == 1 ? 1 : -2, I(2));
	case SYS_futex: return (A(1) & 127) == 0 /* FUTEX_WAIT */ ? -EAGAIN : 0;
	case SYS_wait4:
	case SYS_waitid: return -ECHILD;
	case SYS_exit:
	case SYS_exit_group: zrt_exit(I(0));
	default: return -ENOSYS;
	}
}
