/* reading the descriptor table address
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	sgdt (%rsp)
	hlt
