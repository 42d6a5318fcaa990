/* gs-relative access even with 32-bit addressing
 * Breaks exactly one rule: segment-override. */
#include "hostile.inc"
	addr32 movl %gs:(%eax), %ebx
	hlt
