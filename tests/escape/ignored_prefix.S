/* a rep prefix the CPU ignores, on a plain mov
 * Breaks exactly one rule: ignored-prefix. */
#include "hostile.inc"
	.byte 0xf3, 0x48, 0x89, 0xc0
	hlt
