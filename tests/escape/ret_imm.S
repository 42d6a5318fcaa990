/* a return that pops bytes
 * Breaks exactly one rule: plain-return. */
#include "hostile.inc"
	ret $8
	hlt
