/* Unbounded recursion. Expect: SIGSEGV at the guard page below the stack. */
#include "hostile.inc"
recurse:
	pushq %rax
	call recurse
	.p2align 5
	EXIT 0
