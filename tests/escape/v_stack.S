/* allowed stack-pointer changes and rsp/rip-relative accesses
 * Breaks exactly one rule: valid. */
#include "hostile.inc"
	subl $64, %esp
	andq $-16, %rsp
	leal 16(%rsp), %esp
	movq 0x7ffffff0(%rsp), %rax
	movq data(%rip), %rbx
	pushq %rax
	popq %rax
	movl (%eax,%ebx,4), %ecx
	hlt
	.data
data:	.quad 0
