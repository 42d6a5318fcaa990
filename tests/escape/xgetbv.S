/* reading the extended control register
 * Breaks exactly one rule: nondeterministic. */
#include "hostile.inc"
	xorl %ecx, %ecx
	xgetbv
	hlt
