/* two segment prefixes on one access
 * Breaks exactly one rule: segment-override. */
#include "hostile.inc"
	.byte 0x2e, 0x3e, 0x67, 0x8b, 0x00
	hlt
