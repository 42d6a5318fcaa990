/* Asks to be kept with rsp in its own data, outside the stack, and garbage
 * in every other register. Expect: a load error naming the stack pointer,
 * no template (the copies would pop their return address from there). */
#include "hostile.inc"
	leaq buf+4096(%rip), %rax
	movl %eax, %esp
	GARBAGE
	movl $1, %edi               /* ZVM_HEAP_KEEP */
	call TRAP_HEAP
	.p2align 5
	EXIT 0
	.bss
	.p2align 12
buf:	.zero 8192
