/* int3, ud2, SSE4.2, popcnt, cmpxchg16b with 32-bit addressing
 * Breaks exactly one rule: valid. */
#include "hostile.inc"
	int3
	ud2
	pcmpistri $0, %xmm1, %xmm0
	popcntq %rax, %rbx
	lock cmpxchg16b (%eax)
	crc32q %rax, %rbx
	hlt
