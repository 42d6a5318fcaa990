/* Jumps (not calls) into a trap with garbage on top of the stack: the trap
 * returns to that garbage rounded to a bundle start below 4 GiB, which here
 * is unmapped. Expect: SIGSEGV in the sandbox, nothing else. */
#include "hostile.inc"
	movabs $0x4141414141414141, %rax
	pushq %rax
	GARBAGE
	movl $2, %edi
	movl $TRAP_HEAP, %r11d
	.bundle_lock
	andl $-32, %r11d
	jmp *%r11
	.bundle_unlock
