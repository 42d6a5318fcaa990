/* the thread-pointer segment of the trusted runtime
 * Breaks exactly one rule: segment-override. */
#include "hostile.inc"
	movq %fs:0, %rax
	hlt
