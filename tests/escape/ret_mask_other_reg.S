/* a ret after a mask of eax stored over the return address
 * Breaks exactly one rule: plain-return. */
#include "hostile.inc"
	andl $-32, %eax
	movq %rax, (%rsp)
	ret
	hlt
