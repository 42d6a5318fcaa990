/*
 * crt0.S — the program's entry. The loader jumps here with rdi = the
 * read-only start-up block (struct zvm_info) and rsp = the stack top.
 */
	.section .text.zvm_start,"ax",@progbits
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp
	call __zvm_start
	hlt
	.size _start, .-_start
