/* int $3 in its two-byte form (only the one-byte int3 is a trap)
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	.byte 0xcd, 0x03
	hlt
