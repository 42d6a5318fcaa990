/* an approximate reciprocal
 * Breaks exactly one rule: nondeterministic. */
#include "hostile.inc"
	rcpps %xmm1, %xmm0
	hlt
