/* CPU identification
 * Breaks exactly one rule: nondeterministic. */
#include "hostile.inc"
	cpuid
	hlt
