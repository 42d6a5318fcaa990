/* a direct jump (not a call) to a trap
 * Breaks exactly one rule: direct-branch-target. */
#include "hostile.inc"
	jmp 0x10000
	hlt
