/* and of rsp with a positive 8-bit immediate
 * Breaks exactly one rule: stack-pointer-write. */
#include "hostile.inc"
	andq $15, %rsp
	hlt
