/* direct calls to each trap entry
 * Breaks exactly one rule: valid. */
#include "hostile.inc"
	call 0x10000
	.p2align 5
	call 0x10020
	.p2align 5
	call 0x10040
	.p2align 5
	call 0x10060
	.p2align 5
	hlt
