/* a 64-bit add to rsp
 * Breaks exactly one rule: stack-pointer-write. */
#include "hostile.inc"
	addq $8, %rsp
	hlt
