/* mask and jump in different bundles
 * Breaks exactly one rule: indirect-branch-unmasked. */
#include "hostile.inc"
	.p2align 5
	.fill 29, 1, 0x90
	.byte 0x83, 0xe0, 0xe0
	.byte 0xff, 0xe0
	hlt
