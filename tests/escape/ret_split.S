/* the masked store at a bundle's end and the ret at the next bundle start
 * Breaks exactly one rule: plain-return. */
#include "hostile.inc"
	.p2align 5
	.fill 24, 1, 0x90
	andl $-32, %r11d
	movq %r11, (%rsp)
	ret
	hlt
