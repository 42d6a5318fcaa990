/* a CET landing pad
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	endbr64
	hlt
