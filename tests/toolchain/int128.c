/* 128-bit arithmetic (libgcc helpers), switch statements, bit counts. */
#include <stdio.h>

static const char *name(int d)
{
	switch (d) {
	case 0: return "zero"; case 1: return "one"; case 2: return "two"; case 3: return "three";
	case 4: return "four"; case 5: return "five"; case 6: return "six"; case 7: return "seven";
	default: return "many";
	}
}

int main(void)
{
	unsigned __int128 a = ((unsigned __int128)0x0123456789abcdefull << 64) | 0xfedcba9876543210ull;
	__int128 s = -(__int128)a / 3;
	unsigned __int128 q = a / 1000000007u, r = a % 1000000007u;

	printf("q %llx %llx r %llu\n", (unsigned long long)(q >> 64), (unsigned long long)q, (unsigned long long)r);
	printf("s %lld %llu\n", (long long)(s >> 64), (unsigned long long)s);
	printf("mod %lld div %lld\n", (long long)(s % 1000), (long long)(a / (a >> 3)));
	printf("popcount %d clz %d ctz %d\n", __builtin_popcountll(0xf0f0f0f0f0ull), __builtin_clzll(1ull << 40),
	       __builtin_ctzll(1ull << 40));
	{
		/* at run time: gcc emits "rep bsf" for ctz, which zvm-cc rewrites */
		volatile unsigned long long v = 0x1000ull;
		volatile unsigned w = 0x80u;
		printf("ctz at run time %d %d clz %d\n", __builtin_ctzll(v), __builtin_ctz(w), __builtin_clzll(v));
	}
	for (int i = 0; i < 10; i++)
		printf("%s%c", name(i), i < 9 ? ' ' : '\n');
	printf("double from int128 %.1f\n", (double)(a >> 20));
	return 0;
}
