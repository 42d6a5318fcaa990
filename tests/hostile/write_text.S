/* Tries to patch its own (validated) code. Expect: SIGSEGV (W^X). */
#include "hostile.inc"
	movl $0x11000, %eax
	movb $0xc3, (%eax)
	EXIT 0
