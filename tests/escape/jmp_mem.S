/* an indirect jump through memory
 * Breaks exactly one rule: indirect-through-memory. */
#include "hostile.inc"
	jmp *(%rsp)
	hlt
