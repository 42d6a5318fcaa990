/* pop into rsp
 * Breaks exactly one rule: stack-pointer-write. */
#include "hostile.inc"
	popq %rsp
	hlt
