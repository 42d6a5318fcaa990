/* a call that ends at a bundle end and the masked return
 * Breaks exactly one rule: valid. */
#include "hostile.inc"
	.nops 27
	call f
	hlt
	.p2align 5
f:
	movl (%rsp), %r11d
	addl $31, %r11d
	.bundle_lock
	andl $-32, %r11d
	movq %r11, (%rsp)
	ret
	.bundle_unlock
	hlt
