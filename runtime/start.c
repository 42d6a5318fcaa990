/*
 * start.c — from the loader's start-up block to main() and back to exit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <zvm.h>

const struct zvm_info *zvm_info;
char **environ;
/* The thread pointer: `movq %fs:0` is rewritten into a load of this slot. */
uint64_t __zvm_thread_pointer;

int main(int argc, char **argv, char **envp);

extern void (*__init_array_start[])(void) __attribute__((weak));
extern void (*__init_array_end[])(void) __attribute__((weak));

__attribute__((noreturn)) void __zvm_start(const struct zvm_info *info);
void __zvm_start(const struct zvm_info *info)
{
	zvm_info = info;
	environ = (char **)(uintptr_t)info->envp;
	for (void (**f)(void) = __init_array_start; f && f < __init_array_end; f++)
		(*f)();
	exit(main((int)info->argc, (char **)(uintptr_t)info->argv, environ));
}

/* The system-call layer the rewriter sends `syscall` to. This runtime has
 * no Linux system calls (a full libc brings its own layer): -ENOSYS. */
long __zvm_syscall(void);
long __zvm_syscall(void)
{
	return -38;
}
