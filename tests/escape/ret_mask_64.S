/* a ret after a 64-bit and, which keeps r11's upper half
 * Breaks exactly one rule: plain-return. */
#include "hostile.inc"
	andq $-32, %r11
	movq %r11, (%rsp)
	ret
	hlt
