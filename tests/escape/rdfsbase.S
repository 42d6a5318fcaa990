/* reading the trusted thread pointer
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	rdfsbase %rax
	hlt
