/* a 0x66-prefixed relative call
 * Breaks exactly one rule: branch-operand-size. */
#include "hostile.inc"
	.byte 0x66, 0xe8, 0x00, 0x00, 0x00, 0x00
	hlt
