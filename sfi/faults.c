/*
 * faults.c — how a cell ends when it does not call exit: a fault, a trap
 * instruction (hlt, ud2, int3), a seccomp violation or the CPU limit.
 *
 * Handlers run on an alternate stack, because the sandbox's rsp may point
 * anywhere, and record what happened in the shared result before the worker
 * exits. They only write memory and call _exit (allowed by the filter).
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <ucontext.h>

#include "sfi/cell-internal.h"

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
	struct sfi_cell_result *r = sfi_the_cell.result;
	const ucontext_t *uc = ctx;
	uint64_t pc = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];

	r->fault_pc = pc;
	r->fault_in_sandbox = pc < ZVM_SANDBOX_END;
	r->signal = sig;
	if (sig == SIGSYS) {
		r->state = ZVM_STATE_SECCOMP;
		r->syscall_nr = si->si_syscall;
		r->syscall_arch = si->si_arch;
		r->fault_addr = (uint64_t)si->si_call_addr;
	} else if (sig == SIGPROF || sig == SIGXCPU) {
		r->state = ZVM_STATE_CPU_LIMIT;
	} else {
		r->fault_addr = (uint64_t)si->si_addr;
		r->state = r->heap_refused ? ZVM_STATE_MEMORY_LIMIT : ZVM_STATE_SIGNAL;
	}
	sfi_cell_finish(128 + sig);
}

int sfi_install_fault_handlers(double cpu_time)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGPROF, SIGXCPU };
	struct sigaction sa;
	stack_t ss;

	ss.ss_size = 64 * 1024;
	ss.ss_flags = 0;
	ss.ss_sp = mmap(NULL, ss.ss_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ss.ss_sp == MAP_FAILED || sigaltstack(&ss, NULL) < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -errno;
	if (cpu_time > 0) {
		/* The interval timer gives fractional seconds; RLIMIT_CPU is the
		 * kernel's backstop should the timer signal be lost. */
		struct itimerval it = { .it_value = {
			.tv_sec = (time_t)cpu_time,
			.tv_usec = (suseconds_t)((cpu_time - floor(cpu_time)) * 1e6) } };
		struct rlimit rl = { .rlim_cur = (rlim_t)ceil(cpu_time) + 1, .rlim_max = (rlim_t)ceil(cpu_time) + 2 };
		if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
			it.it_value.tv_usec = 1;
		if (setitimer(ITIMER_PROF, &it, NULL) < 0 || setrlimit(RLIMIT_CPU, &rl) < 0)
			return -errno;
	}
	return 0;
}
