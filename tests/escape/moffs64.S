/* a 64-bit absolute address (moffs)
 * Breaks exactly one rule: memory-address-64. */
#include "hostile.inc"
	movabsb 0x123456789, %al
	hlt
