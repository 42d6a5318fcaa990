/* a 64-byte direct store
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	movdir64b (%eax), %eax
	hlt
