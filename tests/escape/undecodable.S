/* a byte that is no instruction in 64-bit mode
 * Breaks exactly one rule: undecodable. */
#include "hostile.inc"
	.byte 0x06
	hlt
