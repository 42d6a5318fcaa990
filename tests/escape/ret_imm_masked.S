/* a ret that pops bytes after the masked store
 * Breaks exactly one rule: plain-return. */
#include "hostile.inc"
	andl $-32, %r11d
	movq %r11, (%rsp)
	ret $8
	hlt
