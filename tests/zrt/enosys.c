/* Every system call number ZRT does not implement returns ENOSYS, with
 * garbage arguments; the program goes on. Prints how many it tried. */
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static int implemented(long nr)
{
	static const long list[] = {
		SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_pread64, SYS_pwrite64, SYS_preadv, SYS_pwritev,
		SYS_lseek, SYS_open, SYS_creat, SYS_openat, SYS_close, SYS_dup, SYS_dup2, SYS_dup3, SYS_fcntl,
		SYS_ioctl, SYS_fstat, SYS_stat, SYS_lstat, SYS_newfstatat, SYS_getdents64, SYS_mkdir, SYS_mkdirat,
		SYS_rmdir, SYS_unlink, SYS_unlinkat, SYS_rename, SYS_renameat, SYS_renameat2, SYS_ftruncate,
		SYS_truncate, SYS_access, SYS_faccessat, SYS_faccessat2, SYS_getcwd, SYS_chdir, SYS_fchdir,
		SYS_readlink, SYS_readlinkat, SYS_chmod, SYS_fchmodat, SYS_fchmod, SYS_utimensat, SYS_umask,
		SYS_fsync, SYS_fdatasync, SYS_sync, SYS_pipe, SYS_pipe2, SYS_chown, SYS_fchown, SYS_lchown,
		SYS_fchownat, SYS_brk, SYS_mmap, SYS_munmap, SYS_mremap, SYS_mprotect, SYS_madvise, SYS_msync, SYS_mlock,
		SYS_munlock, SYS_mlockall, SYS_munlockall, SYS_clock_gettime, SYS_clock_getres, SYS_gettimeofday,
		SYS_time, SYS_nanosleep, SYS_clock_nanosleep, SYS_getrandom, SYS_arch_prctl, SYS_set_tid_address,
		SYS_getpid, SYS_gettid, SYS_getppid, SYS_getsid, SYS_getpgid, SYS_getpgrp, SYS_getuid, SYS_geteuid,
		SYS_getgid, SYS_getegid, SYS_getresuid, SYS_getresgid, SYS_getgroups, SYS_uname, SYS_prlimit64,
		SYS_getrlimit, SYS_setrlimit, SYS_sysinfo, SYS_sched_getaffinity, SYS_sched_yield, SYS_rt_sigaction,
		SYS_rt_sigprocmask, SYS_sigaltstack, SYS_kill, SYS_tkill, SYS_tgkill, SYS_futex, SYS_wait4,
		SYS_waitid, SYS_exit, SYS_exit_group,
	};
	for (unsigned i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		if (list[i] == nr)
			return 1;
	return 0;
}

int main(void)
{
	int tried = 0, wrong = 0;

	for (long nr = -5; nr < 600; nr++) {
		if (implemented(nr))
			continue;
		errno = 0;
		long r = syscall(nr, 0xdeadbeefL, -1L, 0x7fffffffffffL, 3L, 0L, ~0L);
		tried++;
		if (r != -1 || errno != ENOSYS) {
			printf("system call %ld: returned %ld errno %d\n", nr, r, errno);
			wrong++;
		}
	}
	printf("%d unimplemented system calls tried, %d did not say ENOSYS\n", tried, wrong);
	return wrong != 0;
}
