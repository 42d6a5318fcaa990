/* an indirect jump with no mask
 * Breaks exactly one rule: indirect-branch-unmasked. */
#include "hostile.inc"
	jmp *%rax
	hlt
