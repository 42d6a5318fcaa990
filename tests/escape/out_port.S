/* port output
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	outb %al, $0x80
	hlt
