/* a far return
 * Breaks exactly one rule: far-branch. */
#include "hostile.inc"
	lretq
	hlt
