/* a call onto the jump of a return sequence
 * Breaks exactly one rule: locked-group-target. */
#include "hostile.inc"
	call 2f
	.p2align 5
	hlt
	.p2align 5
	popq %r11
	.bundle_lock
	addl $31, %r11d
	andl $-32, %r11d
2:	jmp *%r11
	.bundle_unlock
	hlt
