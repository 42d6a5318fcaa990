/* pushing the fs selector
 * Breaks exactly one rule: segment-register. */
#include "hostile.inc"
	pushq %fs
	hlt
