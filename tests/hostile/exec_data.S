/* Jumps (masked) into its writable data page. Expect: SIGSEGV (no exec). */
#include "hostile.inc"
	leaq data(%rip), %rax
	.bundle_lock
	andl $-32, %eax
	jmp *%rax
	.bundle_unlock
	.data
	.p2align 5
data:	.byte 0xc3, 0x90, 0x90, 0x90
