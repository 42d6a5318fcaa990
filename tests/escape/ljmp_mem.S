/* a far jump through memory
 * Breaks exactly one rule: far-branch. */
#include "hostile.inc"
	rex64 ljmp *(%rsp)
	hlt
