/* a call to a trampoline bundle that is no trap
 * Breaks exactly one rule: direct-branch-target. */
#include "hostile.inc"
	call 0x10080
	hlt
