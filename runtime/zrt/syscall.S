/*
 * syscall.S — where musl's system calls arrive. zvm-cc rewrites every
 * `syscall` instruction into `call __zvm_syscall`, so we are entered with
 * the kernel's convention: number in rax, arguments in rdi, rsi, rdx, r10,
 * r8, r9, and the caller expects every register except rax, rcx and r11
 * (and the flags) to survive — the xmm registers included, and with the
 * stack at whatever alignment the inline asm happened to have. So: save
 * the argument registers as the args[6] array, save xmm0-15, align the
 * stack, call zrt_syscall(nr, args) and undo it all.
 */
	.text
	.globl __zvm_syscall
	.type __zvm_syscall, @function
__zvm_syscall:
	pushq %rbx
	pushq %r9
	pushq %r8
	pushq %r10
	pushq %rdx
	pushq %rsi
	pushq %rdi
	movl %esp, %ebx              /* the args array; rsp to restore (below 4 GiB) */
	movq %rsp, %rsi
	movq %rax, %rdi
	andq $-16, %rsp
	subq $256, %rsp
	movdqa %xmm0, 0(%rsp)
	movdqa %xmm1, 16(%rsp)
	movdqa %xmm2, 32(%rsp)
	movdqa %xmm3, 48(%rsp)
	movdqa %xmm4, 64(%rsp)
	movdqa %xmm5, 80(%rsp)
	movdqa %xmm6, 96(%rsp)
	movdqa %xmm7, 112(%rsp)
	movdqa %xmm8, 128(%rsp)
	movdqa %xmm9, 144(%rsp)
	movdqa %xmm10, 160(%rsp)
	movdqa %xmm11, 176(%rsp)
	movdqa %xmm12, 192(%rsp)
	movdqa %xmm13, 208(%rsp)
	movdqa %xmm14, 224(%rsp)
	movdqa %xmm15, 240(%rsp)
	call zrt_syscall
	movdqa 0(%rsp), %xmm0
	movdqa 16(%rsp), %xmm1
	movdqa 32(%rsp), %xmm2
	movdqa 48(%rsp), %xmm3
	movdqa 64(%rsp), %xmm4
	movdqa 80(%rsp), %xmm5
	movdqa 96(%rsp), %xmm6
	movdqa 112(%rsp), %xmm7
	movdqa 128(%rsp), %xmm8
	movdqa 144(%rsp), %xmm9
	movdqa 160(%rsp), %xmm10
	movdqa 176(%rsp), %xmm11
	movdqa 192(%rsp), %xmm12
	movdqa 208(%rsp), %xmm13
	movdqa 224(%rsp), %xmm14
	movdqa 240(%rsp), %xmm15
	movl %ebx, %esp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %r10
	popq %r8
	popq %r9
	popq %rbx
	ret
	.size __zvm_syscall, .-__zvm_syscall
	.section .note.GNU-stack,"",@progbits
