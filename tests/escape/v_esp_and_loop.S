/* valid: 32-bit esp arithmetic, loop, jrcxz and a backward jcc
 * Breaks exactly one rule: valid. */
#include "hostile.inc"
	movl %esp, %eax
	subl $64, %esp
	leal 64(%rsp), %esp
	andq $-16, %rsp
	movl $3, %ecx
1:	loop 1b
	jrcxz 2f
2:	decl %eax
	jne 2b
	hlt
