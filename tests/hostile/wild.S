/* Stores through 32-bit addresses all over the sandbox. Expect: SIGSEGV
 * at 0xdeadbeef, in the sandbox, host untouched. */
#include "hostile.inc"
	movl $0xdeadbeef, %eax
	movq $42, (%eax)
	EXIT 0
