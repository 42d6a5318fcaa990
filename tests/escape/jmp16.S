/* a 0x66-prefixed relative jump
 * Breaks exactly one rule: branch-operand-size. */
#include "hostile.inc"
	.byte 0x66, 0xe9, 0x00, 0x00, 0x00, 0x00
	hlt
