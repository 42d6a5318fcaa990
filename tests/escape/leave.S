/* leave (rsp from rbp)
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	leave
	hlt
