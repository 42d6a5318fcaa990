/* a conditional jump into the immediate of a mov
 * Breaks exactly one rule: direct-branch-target. */
#include "hostile.inc"
	testl %eax, %eax
	je 1f+1
1:	movl $0x050f9090, %eax
	hlt
