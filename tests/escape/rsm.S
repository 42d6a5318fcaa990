/* return from system management mode (Zydis does not mark it privileged)
 * Breaks exactly one rule: privileged-instruction. */
#include "hostile.inc"
	rsm
	hlt
