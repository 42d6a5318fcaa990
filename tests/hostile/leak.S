/* Looks for trusted pointers in everything the loader and the trap entry
 * leave where the cell can read them. Writes to stdout, in this order:
 *   512 bytes: registers (16 GPRs), fnsave image, xmm0-15 as the cell starts;
 *   4096:      the trampoline page;
 *   512:       the same state right after a trap returned;
 *   4096:      the top page of the stack (after the traps);
 *   the info block, from rdi at entry up to 4 GiB;
 * then waits for a byte on stdin (so the test can read this process's
 * maps) and exits 0. t_hostile.sh checks that no 8-byte word, at any byte
 * offset, points into a mapping of the trusted process. */
#include "hostile.inc"
	.macro WRITE buf, len
	movl $1, %edi
	movl $\buf, %esi
	movl $\len, %edx
	xorl %ecx, %ecx
	call TRAP_WRITE
	.p2align 5
	.endm
	.macro SAVE_STATE st
	movq %rax, \st+0(%rip)
	movq %rbx, \st+8(%rip)
	movq %rcx, \st+16(%rip)
	movq %rdx, \st+24(%rip)
	movq %rsi, \st+32(%rip)
	movq %rdi, \st+40(%rip)
	movq %rbp, \st+48(%rip)
	movq %rsp, \st+56(%rip)
	movq %r8, \st+64(%rip)
	movq %r9, \st+72(%rip)
	movq %r10, \st+80(%rip)
	movq %r11, \st+88(%rip)
	movq %r12, \st+96(%rip)
	movq %r13, \st+104(%rip)
	movq %r14, \st+112(%rip)
	movq %r15, \st+120(%rip)
	fnsave \st+128(%rip)
	movdqu %xmm0, \st+240(%rip)
	movdqu %xmm1, \st+256(%rip)
	movdqu %xmm2, \st+272(%rip)
	movdqu %xmm3, \st+288(%rip)
	movdqu %xmm4, \st+304(%rip)
	movdqu %xmm5, \st+320(%rip)
	movdqu %xmm6, \st+336(%rip)
	movdqu %xmm7, \st+352(%rip)
	movdqu %xmm8, \st+368(%rip)
	movdqu %xmm9, \st+384(%rip)
	movdqu %xmm10, \st+400(%rip)
	movdqu %xmm11, \st+416(%rip)
	movdqu %xmm12, \st+432(%rip)
	movdqu %xmm13, \st+448(%rip)
	movdqu %xmm14, \st+464(%rip)
	movdqu %xmm15, \st+480(%rip)
	.endm

	SAVE_STATE state0
	movq %rdi, %r12                 /* the info block */
	WRITE state0, 512
	WRITE 0x10000, 4096
	WRITE state0, 0                 /* a trap, then the state it left */
	SAVE_STATE state1
	WRITE state1, 512
	movq 64(%r12d), %rsi            /* info->stack_top */
	subl $4096, %esi
	movl $1, %edi
	movl $4096, %edx
	xorl %ecx, %ecx
	call TRAP_WRITE
	.p2align 5
	movl $1, %edi
	movl %r12d, %esi
	movl %r12d, %edx
	negl %edx                       /* 4 GiB - info */
	xorl %ecx, %ecx
	call TRAP_WRITE
	.p2align 5
	xorl %edi, %edi                 /* wait for the test */
	movl $byte, %esi
	movl $1, %edx
	xorl %ecx, %ecx
	call TRAP_READ
	.p2align 5
	EXIT 0

	.bss
	.p2align 6
state0:	.skip 512
state1:	.skip 512
byte:	.skip 64
