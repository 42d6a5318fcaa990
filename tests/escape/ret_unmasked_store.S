/* a ret after storing an unmasked r11 over the return address
 * Breaks exactly one rule: plain-return. */
#include "hostile.inc"
	movq %r11, (%rsp)
	ret
	hlt
