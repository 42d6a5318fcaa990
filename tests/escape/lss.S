/* loading ss:esp from memory
 * Breaks exactly one rule: forbidden-instruction. */
#include "hostile.inc"
	lss (%eax), %esp
	hlt
