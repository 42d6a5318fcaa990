/* a hardware transaction
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	xbegin 1f
1:	nop
	hlt
