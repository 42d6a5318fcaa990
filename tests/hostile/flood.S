/* Writes 4 KiB blocks to stdout forever; stops with exit code 3 when the
 * channel answers -EDQUOT (-122). Run with a put_size limit. */
#include "hostile.inc"
1:	movl $1, %edi
	movl $0x11000, %esi         /* any readable sandbox memory: our own text */
	movl $0x1000, %edx          /* 4 KiB: the text is at least one page */
	xorl %ecx, %ecx
	call TRAP_WRITE
	.p2align 5
	cmpq $-122, %rax
	je 2f
	testq %rax, %rax
	js 3f
	jmp 1b
2:	EXIT 3
3:	EXIT 4
