/* enter
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	enter $16, $0
	hlt
