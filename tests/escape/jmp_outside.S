/* a jump outside the text
 * Breaks exactly one rule: direct-branch-target. */
#include "hostile.inc"
	jmp 0x20000000
	hlt
