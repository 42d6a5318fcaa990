/* flushing a cache line
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	clflush (%rsp)
	hlt
