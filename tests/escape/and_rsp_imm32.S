/* and of rsp with a 32-bit immediate
 * Breaks exactly one rule: stack-pointer-write. */
#include "hostile.inc"
	andq $-4096, %rsp
	hlt
