/* a jump onto the ret of a masked return
 * Breaks exactly one rule: locked-group-target. */
#include "hostile.inc"
	jmp 2f
	.p2align 5
	.bundle_lock
	andl $-32, %r11d
	movq %r11, (%rsp)
2:	ret
	.bundle_unlock
	hlt
