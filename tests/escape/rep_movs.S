/* a string copy through rsi/rdi
 * Breaks exactly one rule: string-without-addr32. */
#include "hostile.inc"
	rep movsb
	hlt
