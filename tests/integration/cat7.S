/* Copies channel 0 to channel 1 until end of input, then exits with 7.
 * Written against the trap interface alone, so the CLI tests need neither
 * the toolchain nor the runtime library. */
#include "../hostile/hostile.inc"
	.set BUF, 0
	leaq buffer(%rip), %rbx
1:	xorl %edi, %edi             /* read(0, buffer, 4096, 0) */
	movq %rbx, %rsi
	movl $4096, %edx
	xorl %ecx, %ecx
	call TRAP_READ
	.p2align 5
	testq %rax, %rax
	jle 2f
	movl $1, %edi               /* write(1, buffer, n, 0) */
	movq %rbx, %rsi
	movq %rax, %rdx
	xorl %ecx, %ecx
	call TRAP_WRITE
	.p2align 5
	jmp 1b
2:	EXIT 7
	.bss
	.p2align 12
buffer:	.zero 4096
