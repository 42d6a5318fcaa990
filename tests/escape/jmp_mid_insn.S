/* a jump into the middle of an instruction
 * Breaks exactly one rule: direct-branch-target. */
#include "hostile.inc"
	jmp 1f+1
1:	movl $0x12345678, %eax
	hlt
