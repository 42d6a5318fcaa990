/* replacing the thread-pointer base
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	wrfsbase %rax
	hlt
