/* Hostile trap arguments. Each must come back as an error code, never
 * reach trusted memory. Exit 0 only if every answer is the right error. */
#include "hostile.inc"
	.macro EXPECT value, fail_code
	cmpq $\value, %rax
	jne 9f
	.endm
	/* read into the (read-only) text: -EFAULT (-14) */
	xorl %edi, %edi
	movl $0x11000, %esi
	movl $16, %edx
	xorl %ecx, %ecx
	call TRAP_READ
	.p2align 5
	movl $10, %ebx
	cmpq $-14, %rax
	jne fail
	/* write from trusted memory above 4 GiB: -EFAULT */
	movl $1, %edi
	movabs $0x555555554000, %rsi
	movl $16, %edx
	call TRAP_WRITE
	.p2align 5
	movl $11, %ebx
	cmpq $-14, %rax
	jne fail
	/* a range that wraps past 4 GiB: -EFAULT */
	movl $1, %edi
	movl $0xfffff000, %esi
	movabs $0xffffffffffff, %rdx
	call TRAP_WRITE
	.p2align 5
	movl $12, %ebx
	cmpq $-14, %rax
	jne fail
	/* an undeclared channel: -EBADF (-9) */
	movl $1000, %edi
	movl $0x11000, %esi
	movl $1, %edx
	call TRAP_WRITE
	.p2align 5
	movl $13, %ebx
	cmpq $-9, %rax
	jne fail
	/* a negative handle: -EBADF */
	movq $-1, %rdi
	call TRAP_WRITE
	.p2align 5
	movl $14, %ebx
	cmpq $-9, %rax
	jne fail
	/* heap below its start: -EINVAL (-22); past the limit: -ENOMEM (-12) */
	movl $0x11000, %edi
	call TRAP_HEAP
	.p2align 5
	movl $15, %ebx
	cmpq $-22, %rax
	jne fail
	movabs $0x7fffffffffff, %rdi
	call TRAP_HEAP
	.p2align 5
	movl $16, %ebx
	cmpq $-12, %rax
	jne fail
	EXIT 0
fail:
	movl %ebx, %edi
	call TRAP_EXIT
	.p2align 5
