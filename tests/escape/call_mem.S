/* an indirect call through memory
 * Breaks exactly one rule: indirect-through-memory. */
#include "hostile.inc"
	call *8(%rsp)
	hlt
