/* Calls bundle BUNDLE of the trampoline page with garbage in every
 * register (assembled with -DBUNDLE=n, 0..127). Traps 0-2 must return an
 * error and the program exits 0; trap 3 exits with the garbage's low byte
 * (0xbe); every other bundle is HLT: SIGSEGV at 0x10000 + 32*n. */
#include "hostile.inc"
	GARBAGE
	call 0x10000 + 32 * BUNDLE
	.p2align 5
	EXIT 0
