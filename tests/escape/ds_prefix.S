/* a ds prefix, which 64-bit mode ignores, on a load
 * Breaks exactly one rule: ignored-prefix. */
#include "hostile.inc"
	ds movl (%eax), %eax
	hlt
