/* reading a control register
 * Breaks exactly one rule: privileged-instruction. */
#include "hostile.inc"
	movq %cr0, %rax
	hlt
