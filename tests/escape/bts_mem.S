/* bit test and set with a register offset into memory
 * Breaks exactly one rule: bit-test-memory. */
#include "hostile.inc"
	btsq %rax, (%rsp)
	hlt
