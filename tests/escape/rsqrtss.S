/* an approximate reciprocal square root
 * Breaks exactly one rule: nondeterministic. */
#include "hostile.inc"
	rsqrtss %xmm1, %xmm0
	hlt
