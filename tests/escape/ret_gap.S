/* a nop between the masked store and the ret
 * Breaks exactly one rule: plain-return. */
#include "hostile.inc"
	andl $-32, %r11d
	movq %r11, (%rsp)
	nop
	ret
	hlt
