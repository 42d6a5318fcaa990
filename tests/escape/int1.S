/* the one-byte debug trap icebp
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	.byte 0xf1
	hlt
