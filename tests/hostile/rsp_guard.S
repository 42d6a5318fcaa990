/* rsp-relative access with the largest displacement: lands in the 4 GiB
 * guard above the sandbox. Expect: SIGSEGV above 4 GiB. */
#include "hostile.inc"
	movq 0x7ffffff0(%rsp), %rax
	EXIT 0
