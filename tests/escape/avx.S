/* an AVX instruction
 * Breaks exactly one rule: isa-set. */
#include "hostile.inc"
	vmovdqa %ymm0, %ymm1
	hlt
