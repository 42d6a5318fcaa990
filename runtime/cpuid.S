/*
 * cpuid.S — what `cpuid` answers in a cell. The validator refuses the
 * instruction (it would tell one machine's CPU from another's, and a run
 * must not depend on where it runs), so zvm-cc rewrites every `cpuid`
 * into `call __zvm_cpuid`, here, in both runtimes. The answer is a fixed
 * baseline, the instruction set the validator admits (docs/runtime.md,
 * "cpuid"): x86-64 with SSE to SSE4.2, POPCNT and CMPXCHG16B, no AVX,
 * no OSXSAVE, no PCLMUL or AES, so code that dispatches on cpuid takes
 * its portable path, the same on every machine.
 * In: eax the leaf (ecx the subleaf, unused). Out: eax, ebx, ecx, edx;
 * every other register is kept, the flags are not.
 */
	.text
	.globl __zvm_cpuid
	.type __zvm_cpuid, @function
__zvm_cpuid:
	cmpl $0, %eax
	je 0f
	cmpl $1, %eax
	je 1f
	cmpl $0x80000000, %eax
	je 2f
	cmpl $0x80000001, %eax
	je 3f
	/* leaf 7 (AVX2, BMI, ...) and every other leaf: nothing */
	xorl %eax, %eax
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	ret
0:	/* the highest basic leaf, and the vendor "ZVMSandboxed" */
	movl $7, %eax
	movl $0x534d565a, %ebx
	movl $0x62646e61, %edx
	movl $0x6465786f, %ecx
	ret
1:	/* family 6 model 15 stepping 1; 64-byte lines, one logical CPU;
	 * ecx: SSE3, SSSE3, CX16, SSE4.1, SSE4.2, POPCNT;
	 * edx: FPU, CX8, CMOV, SSE, SSE2 */
	movl $0x000006f1, %eax
	movl $0x00010800, %ebx
	movl $0x00982201, %ecx
	movl $0x06008101, %edx
	ret
2:	/* the highest extended leaf */
	movl $0x80000001, %eax
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	ret
3:	/* edx: long mode */
	xorl %eax, %eax
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	movl $0x20000000, %edx
	ret
	.size __zvm_cpuid, . - __zvm_cpuid
	.section .note.GNU-stack, "", @progbits
