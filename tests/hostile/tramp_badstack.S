/* Calls a trap with rsp pointing at unmapped sandbox memory. Expect:
 * SIGSEGV at the push, before any trusted code runs. */
#include "hostile.inc"
	movl $0x41414141, %esp
	GARBAGE
	call TRAP_WRITE
	.p2align 5
	EXIT 0
