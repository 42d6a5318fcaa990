/* rsp from a 64-bit lea
 * Breaks exactly one rule: stack-pointer-write. */
#include "hostile.inc"
	leaq 8(%rsp), %rsp
	hlt
