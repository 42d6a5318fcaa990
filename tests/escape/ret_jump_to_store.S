/* a jump onto the store of a masked return, past its mask
 * Breaks exactly one rule: locked-group-target. */
#include "hostile.inc"
	jmp 2f
	.p2align 5
	.bundle_lock
	andl $-32, %r11d
2:	movq %r11, (%rsp)
	ret
	.bundle_unlock
	hlt
