/* a store through a 64-bit register
 * Breaks exactly one rule: memory-address-64. */
#include "hostile.inc"
	movq %rax, (%rbx)
	hlt
