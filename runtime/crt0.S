/*
 * crt0.S — the program's entry, placed first in the text at 0x11000 by
 * zvm.ld. The loader jumps here with rdi = the read-only start-up block
 * (struct zvm_info), rsp = the stack top (16-byte aligned) and every other
 * register zero. zvm-cc rewrites this file like any other (bundles, masked
 * returns), so it is ordinary assembly: no ret tricks, no %fs, no syscall.
 */
	.section .text.zvm_start,"ax",@progbits
	.p2align 5
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp                 /* the outermost frame, for debuggers */
	movq %rdi, zvm_info(%rip)
	andq $-16, %rsp                 /* the ABI's alignment, whatever we got */
	call __zvm_start                /* rdi still holds the block; never returns */
	hlt
	.size _start, .-_start
