# A hand-written assembly function (AT&T), passed through the rewriter:
# sum(long *p, long n) with a loop, a ret and 64-bit addressing.
	.text
	.globl asm_sum
	.type asm_sum, @function
asm_sum:
	xorl %eax, %eax
1:	testq %rsi, %rsi
	je 2f
	addq (%rdi), %rax
	addq $8, %rdi
	decq %rsi
	jmp 1b
2:	ret
	.size asm_sum, .-asm_sum
