/* a string store through rdi
 * Breaks exactly one rule: string-without-addr32. */
#include "hostile.inc"
	stosq
	hlt
