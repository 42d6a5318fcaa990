/* a direct system call
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	movl $39, %eax
	syscall
	hlt
