/* a 16-bit write of sp
 * Breaks exactly one rule: stack-pointer-write. */
#include "hostile.inc"
	movw %ax, %sp
	hlt
