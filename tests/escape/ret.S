/* a plain return
 * Breaks exactly one rule: plain-return. */
#include "hostile.inc"
	ret
	hlt
