/* swapgs
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	swapgs
	hlt
