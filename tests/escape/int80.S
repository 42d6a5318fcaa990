/* the 32-bit system call gate
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	movl $20, %eax
	int $0x80
	hlt
