/* a masked store through (%esp) (0x67), a different address than (%rsp)
 * Breaks exactly one rule: plain-return. */
#include "hostile.inc"
	andl $-32, %r11d
	movq %r11, (%esp)
	ret
	hlt
