/* setting the flags register
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	popfq
	hlt
