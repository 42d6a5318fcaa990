/* a call into the middle of a trampoline
 * Breaks exactly one rule: direct-branch-target. */
#include "hostile.inc"
	call 0x10010
	hlt
