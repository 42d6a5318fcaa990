/* inspecting a segment descriptor
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	lar %ax, %bx
	hlt
