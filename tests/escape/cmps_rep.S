/* a string compare through rsi/rdi
 * Breaks exactly one rule: string-without-addr32. */
#include "hostile.inc"
	repe cmpsb
	hlt
