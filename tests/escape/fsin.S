/* an x87 transcendental
 * Breaks exactly one rule: nondeterministic. */
#include "hostile.inc"
	fsin
	hlt
