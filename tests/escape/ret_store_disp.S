/* a ret after the masked value went to 8(%rsp), not (%rsp)
 * Breaks exactly one rule: plain-return. */
#include "hostile.inc"
	andl $-32, %r11d
	movq %r11, 8(%rsp)
	ret
	hlt
