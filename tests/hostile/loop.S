/* An endless loop: must end by the wall-time or the CPU-time limit. */
#include "hostile.inc"
1:	jmp 1b
