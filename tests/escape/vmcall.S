/* a hypervisor call
 * Breaks exactly one rule: privileged-instruction. */
#include "hostile.inc"
	vmcall
	hlt
