/* masked indirect call and the return sequence
 * Breaks exactly one rule: valid. */
#include "hostile.inc"
	leaq f(%rip), %rax
	.bundle_lock
	andl $-32, %eax
	call *%rax
	.bundle_unlock
	.p2align 5
	hlt
	.p2align 5
f:	popq %r11
	.bundle_lock
	addl $31, %r11d
	andl $-32, %r11d
	jmp *%r11
	.bundle_unlock
	hlt
