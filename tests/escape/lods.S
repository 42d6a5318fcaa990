/* a string load through rsi
 * Breaks exactly one rule: string-without-addr32. */
#include "hostile.inc"
	lodsq
	hlt
