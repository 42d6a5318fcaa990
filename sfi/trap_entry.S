/*
 * trap_entry.S — the two crossings between trusted and sandboxed code.
 *
 * zvm_sandbox_enter: the one way in. zvm_trap_entry: where every trampoline
 * lands (eax = trap number, rdi/rsi/rdx/rcx = arguments). See docs/sfi.md §3.
 */
	.section .note.GNU-stack,"",@progbits
	.text

/* x87 state the cell could read (fnsave stores the raw registers and the
 * last instruction and data pointers whatever the tags say): overwrite the
 * eight registers, then fninit empties them and zeroes FIP/FDP/FOP. */
	.macro CLEAR_X87
	fninit
	fldz
	fldz
	fldz
	fldz
	fldz
	fldz
	fldz
	fldz
	fninit
	.endm

	.globl zvm_sandbox_enter
	.type zvm_sandbox_enter, @function
/* void zvm_sandbox_enter(entry=rdi, stack_top=rsi, info=rdx) */
zvm_sandbox_enter:
	/* Traps run on this stack from here down; the frames above stay intact. */
	movq %rsp, %rax
	andq $-16, %rax
	subq $64, %rax
	movq %rax, zvm_trusted_rsp(%rip)
	/* Start from a clean, known machine state: nothing trusted leaks in. */
	CLEAR_X87
	ldmxcsr default_mxcsr(%rip)
	cld
	call clear_xmm
	movq %rdi, %r11
	movq %rdx, %rdi
	movq %rsi, %rsp
	xorl %eax, %eax
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %ebp, %ebp
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r12d, %r12d
	xorl %r13d, %r13d
	xorl %r14d, %r14d
	xorl %r15d, %r15d
	jmp *%r11
	.size zvm_sandbox_enter, .-zvm_sandbox_enter

	.globl zvm_trap_entry
	.type zvm_trap_entry, @function
zvm_trap_entry:
	movq %rsp, zvm_sandbox_rsp(%rip)
	movq zvm_trusted_rsp(%rip), %rsp
	cld
	/* The heap trap may be a template's keep request: the cell's
	 * callee-saved registers, which its copies return with. */
	cmpl $2, %eax
	jne 1f
	leaq zvm_trap_saved(%rip), %r11
	movq %rbx, 0(%r11)
	movq %rbp, 8(%r11)
	movq %r12, 16(%r11)
	movq %r13, 24(%r11)
	movq %r14, 32(%r11)
	movq %r15, 40(%r11)
1:
	/* zvm_trap_dispatch(nr, a0, a1, a2, a3) */
	movq %rcx, %r8
	movq %rdx, %rcx
	movq %rsi, %rdx
	movq %rdi, %rsi
	movl %eax, %edi
	call zvm_trap_dispatch
	/* Caller-saved registers may hold trusted pointers now: clear them.
	 * Callee-saved ones were restored by the C code to the sandbox's values. */
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %edi, %edi
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	call clear_xmm
	/* The x87 stack is empty across a call (ABI), its control word is the
	 * cell's to keep: save it, clear the rest. */
	fnstcw -8(%rsp)
	CLEAR_X87
	fldcw -8(%rsp)
	movq zvm_sandbox_rsp(%rip), %rsp
	/* The return address comes from sandbox memory: round it to a bundle
	 * start below 4 GiB, exactly like a validated return. */
	popq %r11
	addl $31, %r11d
	andl $-32, %r11d
	jmp *%r11
	.size zvm_trap_entry, .-zvm_trap_entry

	.globl zvm_sandbox_resume
	.type zvm_sandbox_resume, @function
/* void zvm_sandbox_resume(const struct sfi_resume *r = rdi): a template's
 * copy returns from the keep trap: the trap's way out (docs/sfi.md §3),
 * with the kept callee-saved registers, rsp and control words, and rax =
 * r->rax. Layout: rsp 0, rax 8, rbx 16, rbp 24, r12..r15 32..56, mxcsr 64,
 * fcw 68 (cell-stage.h's struct sfi_resume). */
zvm_sandbox_resume:
	movq %rsp, %rax
	andq $-16, %rax
	subq $64, %rax
	movq %rax, zvm_trusted_rsp(%rip)
	CLEAR_X87
	fldcw 68(%rdi)
	ldmxcsr 64(%rdi)
	cld
	call clear_xmm
	movq 16(%rdi), %rbx
	movq 24(%rdi), %rbp
	movq 32(%rdi), %r12
	movq 40(%rdi), %r13
	movq 48(%rdi), %r14
	movq 56(%rdi), %r15
	movq 8(%rdi), %rax
	movq 0(%rdi), %rsp
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %edi, %edi
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	popq %r11
	addl $31, %r11d
	andl $-32, %r11d
	jmp *%r11
	.size zvm_sandbox_resume, .-zvm_sandbox_resume

	.type clear_xmm, @function
clear_xmm:
	pxor %xmm0, %xmm0
	pxor %xmm1, %xmm1
	pxor %xmm2, %xmm2
	pxor %xmm3, %xmm3
	pxor %xmm4, %xmm4
	pxor %xmm5, %xmm5
	pxor %xmm6, %xmm6
	pxor %xmm7, %xmm7
	pxor %xmm8, %xmm8
	pxor %xmm9, %xmm9
	pxor %xmm10, %xmm10
	pxor %xmm11, %xmm11
	pxor %xmm12, %xmm12
	pxor %xmm13, %xmm13
	pxor %xmm14, %xmm14
	pxor %xmm15, %xmm15
	ret
	.size clear_xmm, .-clear_xmm

	.section .rodata
	.p2align 2
default_mxcsr:
	.long 0x1f80

	.bss
	.p2align 4
	.globl zvm_trusted_rsp, zvm_sandbox_rsp, zvm_trap_saved
zvm_trap_saved:
	.zero 48
zvm_trusted_rsp:
	.quad 0
zvm_sandbox_rsp:
	.quad 0
