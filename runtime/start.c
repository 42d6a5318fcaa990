/*
 * start.c — from the loader's start-up block to main() and back to exit():
 * argc/argv/envp from struct zvm_info, constructors, main, exit(ret).
 */
#include <stdint.h>
#include <stdlib.h>
#include <zvm.h>

#include "include/zvm-libc.h"

/* Set by crt0.S before anything else runs (and again here, for callers of
 * __zvm_start that are not crt0). */
const struct zvm_info *zvm_info;
char **environ;
const char *__zvm_progname = "";
/* The thread pointer: `movq %fs:0` is rewritten into a load of this slot.
 * It points at a thread control block whose first word is its own address
 * (the x86-64 TLS ABI); __thread variables live below it (variant II), in
 * a zeroed 4 KiB area. Their initial values are not copied in: a full libc
 * (musl) brings real TLS set-up. */
uint64_t __zvm_thread_pointer;
static struct {
	char tls[4096];
	uint64_t self[8];
} tcb __attribute__((aligned(64)));

int main(int argc, char **argv, char **envp);

extern void (*__init_array_start[])(void) __attribute__((weak));
extern void (*__init_array_end[])(void) __attribute__((weak));

__attribute__((noreturn)) void __zvm_start(const struct zvm_info *info);
void __zvm_start(const struct zvm_info *info)
{
	static char *no_strings[1];
	char **argv = no_strings;
	int argc = 0;

	zvm_info = info;
	tcb.self[0] = (uint64_t)(uintptr_t)tcb.self;
	__zvm_thread_pointer = tcb.self[0];
	/* A block we do not understand is a loader bug: stop at once. */
	if (!info || info->magic != ZVM_INFO_MAGIC || info->version != ZVM_INFO_VERSION)
		zvm_trap_exit(127);
	if (info->argv) {
		argv = (char **)(uintptr_t)info->argv;
		argc = (int)info->argc;
	}
	if (argc > 0 && argv[0]) {
		const char *p = argv[0];
		__zvm_progname = p;
		for (; *p; p++)
			if (*p == '/')
				__zvm_progname = p + 1;
	}
	environ = info->envp ? (char **)(uintptr_t)info->envp : no_strings;
	for (void (**f)(void) = __init_array_start; f && f < __init_array_end; f++)
		(*f)();
	exit(main(argc, argv, environ));
}

/* The system-call layer the rewriter sends `syscall` to. This runtime has
 * no Linux system calls (a full libc brings its own layer): -ENOSYS. */
long __zvm_syscall(void);
long __zvm_syscall(void)
{
	return -38;
}
