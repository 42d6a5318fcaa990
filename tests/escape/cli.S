/* disabling interrupts
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	cli
	hlt
