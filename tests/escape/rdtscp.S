/* the time-stamp counter and CPU number
 * Breaks exactly one rule: nondeterministic. */
#include "hostile.inc"
	rdtscp
	hlt
