/* a table lookup through rbx
 * Breaks exactly one rule: string-without-addr32. */
#include "hostile.inc"
	xlat
	hlt
