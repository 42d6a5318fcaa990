/* hardware randomness
 * Breaks exactly one rule: nondeterministic. */
#include "hostile.inc"
	rdrand %eax
	hlt
