/* a load through rbp with no 0x67
 * Breaks exactly one rule: memory-address-64. */
#include "hostile.inc"
	movq 8(%rbp), %rax
	hlt
