/* a jump past the mask, onto the indirect jump
 * Breaks exactly one rule: locked-group-target. */
#include "hostile.inc"
	jmp 2f
	.bundle_lock
	andl $-32, %eax
2:	jmp *%rax
	.bundle_unlock
	hlt
