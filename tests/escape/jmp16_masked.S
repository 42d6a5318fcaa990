/* a 0x66 prefix on a masked indirect jump
 * Breaks exactly one rule: branch-operand-size. */
#include "hostile.inc"
	.bundle_lock
	andl $-32, %eax
	.byte 0x66, 0xff, 0xe0
	.bundle_unlock
	hlt
