/* an interrupt return
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	iretq
	hlt
