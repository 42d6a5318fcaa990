/* a ret after a 32-bit store, which leaves the return address's upper half
 * Breaks exactly one rule: plain-return. */
#include "hostile.inc"
	andl $-32, %r11d
	movl %r11d, (%rsp)
	ret
	hlt
