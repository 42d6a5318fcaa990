/*
 * proc.c — the process as a cell sees it: fixed ids and names, the thread
 * pointer, limits, signals that are recorded but never delivered from the
 * outside (raise() runs the handler at once, or ends the program the way
 * the signal's default action would), and exit.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#include "zrt.h"
#include "zvm.h"

#define ZRT_PID 1
#define ZRT_UID 1000

extern uint64_t __zvm_thread_pointer;

/* the kernel's struct sigaction (not libc's) */
struct k_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

static struct k_sigaction actions[65];
static uint64_t blocked, pending;

static void deliver(int sig);
static const struct zvm_info *info;

long zrt_proc_init(const struct zvm_info *i);
long zrt_proc_init(const struct zvm_info *i)
{
	info = i;
	return 0;
}

__attribute__((noreturn)) void zrt_exit(int code)
{
	static int exiting;

	if (!exiting++)
		zrt_fs_fini();
	zvm_trap_exit(code & 0xff);
}

long zrt_sys_arch_prctl(int code, uint64_t addr);
long zrt_sys_arch_prctl(int code, uint64_t addr)
{
	switch (code) {
	case 0x1002: /* ARCH_SET_FS */
		if (addr >= ZVM_SANDBOX_END)
			return -EPERM;
		__zvm_thread_pointer = addr;
		return 0;
	case 0x1003: /* ARCH_GET_FS */
		*(uint64_t *)(uintptr_t)addr = __zvm_thread_pointer;
		return 0;
	default:
		return -EINVAL;
	}
}

long zrt_sys_uname(struct utsname *u);
long zrt_sys_uname(struct utsname *u)
{
	memset(u, 0, sizeof(*u));
	strcpy(u->sysname, "zvm");
	strcpy(u->nodename, "cell");
	strcpy(u->release, "1.0");
	strcpy(u->version, "zvm cell (ZRT on musl)");
	strcpy(u->machine, "x86_64");
	strcpy(u->domainname, "(none)");
	return 0;
}

long zrt_sys_id(long nr);
long zrt_sys_id(long nr)
{
	switch (nr) {
	case 39:  /* getpid */
	case 186: /* gettid */
	case 218: /* set_tid_address: the tid */
	case 124: /* getsid */
	case 121: /* getpgid */
	case 111: /* getpgrp */
		return ZRT_PID;
	case 110: /* getppid */
		return 0;
	default:  /* getuid, geteuid, getgid, getegid */
		return ZRT_UID;
	}
}

long zrt_sys_getresid(unsigned *r, unsigned *e, unsigned *s);
long zrt_sys_getresid(unsigned *r, unsigned *e, unsigned *s)
{
	*r = *e = *s = ZRT_UID;
	return 0;
}

long zrt_sys_prlimit(int pid, int res, const struct rlimit *new_limit, struct rlimit *old);
long zrt_sys_prlimit(int pid, int res, const struct rlimit *new_limit, struct rlimit *old)
{
	if (pid != 0 && pid != ZRT_PID)
		return -ESRCH;
	if (res < 0 || res >= RLIM_NLIMITS)
		return -EINVAL;
	if (old) {
		old->rlim_cur = old->rlim_max = RLIM_INFINITY;
		if (res == RLIMIT_STACK && info)
			old->rlim_cur = old->rlim_max = info->stack_size;
		else if ((res == RLIMIT_AS || res == RLIMIT_DATA) && info)
			old->rlim_cur = old->rlim_max = info->heap_limit - info->heap_start;
		else if (res == RLIMIT_NOFILE)
			old->rlim_cur = old->rlim_max = 1024;
		else if (res == RLIMIT_NPROC)
			old->rlim_cur = old->rlim_max = 1;
	}
	return new_limit ? -EPERM : 0;
}

long zrt_sys_sysinfo(void *out);
long zrt_sys_sysinfo(void *out)
{
	struct {
		long uptime;
		unsigned long loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
		unsigned short procs, pad;
		unsigned long totalhigh, freehigh;
		unsigned mem_unit;
		char f[20 - 2 * sizeof(long) - sizeof(int)];
	} *s = out;

	memset(s, 0, sizeof(*s));
	s->uptime = (long)(zrt_clock_now_ns() / 1000000000ull);
	if (info)
		s->totalram = s->freeram = info->heap_limit - info->heap_start;
	s->procs = 1;
	s->mem_unit = 1;
	return 0;
}

long zrt_sys_sched_getaffinity(int pid, unsigned long len, void *mask);
long zrt_sys_sched_getaffinity(int pid, unsigned long len, void *mask)
{
	if (pid != 0 && pid != ZRT_PID)
		return -ESRCH;
	if (len < 8)
		return -EINVAL;
	memset(mask, 0, 8);
	*(unsigned char *)mask = 1; /* one CPU */
	return 8;
}

long zrt_sys_rt_sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *old, unsigned long size);
long zrt_sys_rt_sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *old, unsigned long size)
{
	if (sig < 1 || sig > 64 || size != 8)
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (old)
		*old = actions[sig];
	if (act)
		actions[sig] = *act;
	return 0;
}

long zrt_sys_rt_sigprocmask(int how, const uint64_t *set, uint64_t *old, unsigned long size);
long zrt_sys_rt_sigprocmask(int how, const uint64_t *set, uint64_t *old, unsigned long size)
{
	if (size != 8)
		return -EINVAL;
	if (old)
		*old = blocked;
	if (set) {
		uint64_t unblockable = (1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1));
		switch (how) {
		case SIG_BLOCK: blocked |= *set; break;
		case SIG_UNBLOCK: blocked &= ~*set; break;
		case SIG_SETMASK: blocked = *set; break;
		default: return -EINVAL;
		}
		blocked &= ~unblockable;
		/* raise() blocks signals around its kill: what it left pending
		 * is delivered now that it is unblocked, as Linux would */
		for (int sig = 1; sig <= 64; sig++)
			if ((pending & ~blocked) & (1ull << (sig - 1))) {
				pending &= ~(1ull << (sig - 1));
				deliver(sig);
			}
	}
	return 0;
}

static int ignored_by_default(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

/* kill/tkill/tgkill of ourselves: delivered at once, or when unblocked. */
long zrt_sys_kill_self(int pid, int sig);
long zrt_sys_kill_self(int pid, int sig)
{
	if (pid != ZRT_PID && pid != 0 && pid != -1)
		return -ESRCH;
	if (sig < 0 || sig > 64)
		return -EINVAL;
	if (sig == 0)
		return 0;
	if (sig != SIGKILL && sig != SIGSTOP && (blocked & (1ull << (sig - 1)))) {
		pending |= 1ull << (sig - 1);
		return 0;
	}
	deliver(sig);
	return 0;
}

static void deliver(int sig)
{
	struct k_sigaction *a = &actions[sig];

	if (sig != SIGKILL && sig != SIGSTOP && a->handler == SIG_IGN)
		return;
	if (sig != SIGKILL && sig != SIGSTOP && a->handler != SIG_DFL) {
		void (*h)(int) = a->handler;
		if (a->flags & SA_RESETHAND)
			a->handler = SIG_DFL;
		if (a->flags & SA_SIGINFO) {
			siginfo_t si;
			memset(&si, 0, sizeof(si));
			si.si_signo = sig;
			si.si_code = SI_TKILL;
			si.si_pid = ZRT_PID;
			si.si_uid = ZRT_UID;
			((void (*)(int, siginfo_t *, void *))(void *)h)(sig, &si, NULL);
		} else {
			h(sig);
		}
		return;
	}
	if (ignored_by_default(sig) || sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
		return;
	zrt_exit(128 + sig); /* what a shell shows for a program killed by sig */
}
