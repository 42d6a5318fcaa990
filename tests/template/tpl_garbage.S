/* Asks to be kept with garbage in every register but rsp. Expect: kept;
 * each copy returns from the trap with that garbage in the callee-saved
 * registers and its start-up block in rax (> 1), and exits 7 if so. */
#include "hostile.inc"
	GARBAGE
	movl $1, %edi               /* ZVM_HEAP_KEEP */
	call TRAP_HEAP
	.p2align 5
	cmpq $1, %rax
	jbe 1f
	movabs $0xdeadbeefcafebabe, %rcx
	cmpq %rcx, %rbx
	jne 1f
	cmpq %rcx, %r15
	jne 1f
	EXIT 7
1:	EXIT 1
