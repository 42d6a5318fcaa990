/* an indirect call with no mask
 * Breaks exactly one rule: indirect-branch-unmasked. */
#include "hostile.inc"
	call *%rax
	hlt
