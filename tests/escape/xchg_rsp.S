/* exchange into rsp
 * Breaks exactly one rule: stack-pointer-write. */
#include "hostile.inc"
	xchgq %rax, %rsp
	hlt
