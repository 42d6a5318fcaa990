/* port input
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	inb $0x60, %al
	hlt
