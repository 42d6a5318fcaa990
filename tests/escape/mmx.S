/* an MMX instruction
 * Breaks exactly one rule: isa-set. */
#include "hostile.inc"
	paddb %mm0, %mm1
	hlt
