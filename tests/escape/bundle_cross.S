/* an instruction across a bundle boundary
 * Breaks exactly one rule: bundle-crossing. */
#include "hostile.inc"
	.p2align 5
	.fill 28, 1, 0x90
	.byte 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8
	hlt
