/* Tries to rewrite the read-only start-up block whose address rdi holds.
 * Expect: SIGSEGV at that address. */
#include "hostile.inc"
	movl $0x41, (%edi)
	EXIT 0
