/* the mask on another register
 * Breaks exactly one rule: indirect-branch-unmasked. */
#include "hostile.inc"
	.bundle_lock
	andl $-32, %ecx
	jmp *%rax
	.bundle_unlock
	hlt
