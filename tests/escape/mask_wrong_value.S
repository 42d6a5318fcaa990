/* a mask that keeps low bits
 * Breaks exactly one rule: indirect-branch-unmasked. */
#include "hostile.inc"
	.bundle_lock
	andl $-16, %eax
	jmp *%rax
	.bundle_unlock
	hlt
