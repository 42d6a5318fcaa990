/* Grows the heap 1 MiB at a time, touching every page, until refused; then
 * writes past the heap end. Expect: memory limit. */
#include "hostile.inc"
	xorl %edi, %edi
	call TRAP_HEAP              /* heap(0): the current end */
	.p2align 5
	movq %rax, %rbx             /* rbx = heap end */
grow:
	leaq 0x100000(%rbx), %rdi
	call TRAP_HEAP
	.p2align 5
	testq %rax, %rax
	js refused
	movl %ebx, %ecx
1:	movb $1, (%ecx)             /* touch each page of the new MiB */
	addl $4096, %ecx
	cmpl %eax, %ecx
	jb 1b
	movq %rax, %rbx
	jmp grow
refused:
	movl %ebx, %ecx
	movb $1, 4096(%ecx)         /* one page past the end: PROT_NONE */
	EXIT 1
