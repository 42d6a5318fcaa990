/* loading a segment register
 * Breaks exactly one rule: segment-register. */
#include "hostile.inc"
	movw %ax, %ds
	hlt
