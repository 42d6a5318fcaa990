/* a masked store through rdi
 * Breaks exactly one rule: string-without-addr32. */
#include "hostile.inc"
	maskmovdqu %xmm1, %xmm0
	hlt
