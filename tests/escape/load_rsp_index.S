/* rsp as base with an index register
 * Breaks exactly one rule: memory-address-64. */
#include "hostile.inc"
	movq (%rsp,%rax,8), %rbx
	hlt
