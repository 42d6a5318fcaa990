/* Calls bundle BUNDLE of the trampoline page with garbage in every
 * register (assembled with -DBUNDLE=n, 0..127). Traps 0-2 must return an
 * error and the program exits 0; trap 3 exits with the garbage's low byte
 * (0xbe); every other bundle is HLT: SIGSEGV at 0x10000 + 32*n. */
#include "hostile.inc"
	GARBAGE
	/* a masked indirect call reaches any bundle below 4 GiB: valid code */
	movl $(0x10000 + 32 * BUNDLE), %r11d
	.bundle_lock
	andl $-32, %r11d
	call *%r11
	.bundle_unlock
	.p2align 5
	EXIT 0
