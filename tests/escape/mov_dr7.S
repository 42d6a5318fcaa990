/* writing a debug register
 * Breaks exactly one rule: privileged-instruction. */
#include "hostile.inc"
	movq %rax, %db7
	hlt
