/* rsp from an arbitrary 64-bit register
 * Breaks exactly one rule: stack-pointer-write. */
#include "hostile.inc"
	movq %rax, %rsp
	hlt
