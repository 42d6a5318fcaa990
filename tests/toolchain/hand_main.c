/* Calls the hand-written assembly functions (hand.s, hand_pp.S). */
#include <stdio.h>

long asm_sum(const long *p, long n);
long asm_scale(long x);

int main(void)
{
	long v[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	printf("asm_sum %ld asm_scale %ld\n", asm_sum(v, 10), asm_scale(14));
	return 0;
}
