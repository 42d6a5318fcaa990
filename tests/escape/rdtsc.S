/* the time-stamp counter
 * Breaks exactly one rule: nondeterministic. */
#include "hostile.inc"
	rdtsc
	hlt
