/* saving extended state
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	xsave (%rsp)
	hlt
