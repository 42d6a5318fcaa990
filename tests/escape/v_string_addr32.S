/* string instructions with addr32
 * Breaks exactly one rule: valid. */
#include "hostile.inc"
	addr32 rep stosb
	addr32 movsq
	addr32 xlat
	hlt
