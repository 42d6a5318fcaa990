/* rep ret after the masked store: a prefixed ret is no masked return
 * Breaks exactly one rule: ignored-prefix. */
#include "hostile.inc"
	andl $-32, %r11d
	movq %r11, (%rsp)
	rep ret
	hlt
