/* int128.c — the libgcc helpers: 128-bit division, multiply, shifts,
 * bit counts, conversions to and from floating point, integer powers,
 * complex arithmetic, -ftrapv-style checked arithmetic. Values come
 * through volatiles so gcc must call the helpers. */
#include <stdio.h>
#include <stdint.h>

typedef __int128 i128;
typedef unsigned __int128 u128;

static void p128(const char *what, u128 v)
{
	printf("%s %016llx%016llx\n", what, (unsigned long long)(v >> 64), (unsigned long long)v);
}

int main(void)
{
	volatile u128 seed = ((u128)0x0123456789abcdefull << 64) | 0xfedcba9876543210ull;
	volatile i128 neg = -(i128)1234567890123456789ll * 1000003;
	volatile int sh = 77, e = 13;
	volatile double d = 1.2345678901234567e30, half = 0.5;
	volatile float f = 3.4e20f;
	volatile long long vl = 123456789;
	u128 x = seed, acc = 0;

	for (int i = 0; i < 2000; i++) {
		u128 y = x * 0x9e3779b97f4a7c15ull + (u128)i;
		u128 dv = (y >> (i % 120)) | 1;
		acc += x / dv + x % dv;
		acc ^= (u128)((i128)x / (i128)(dv | 3)) + (u128)((i128)x % (i128)(dv | 3));
		x = y ^ (y >> 17);
	}
	p128("acc", acc);
	p128("div", seed / 1000000007u);
	p128("mod", seed % 1000000007u);
	p128("sdiv", (u128)(neg / 97));
	p128("smod", (u128)(neg % 97));
	p128("big", seed / (seed >> 40));
	p128("mul", seed * seed);
	p128("shl", seed << sh);
	p128("shr", seed >> sh);
	p128("sar", (u128)(neg >> sh));
	printf("popcount %d %d parity %d\n", __builtin_popcountll((unsigned long long)seed), __builtin_popcountll((unsigned long long)(seed >> 64)),
	       __builtin_parityll((unsigned long long)seed));
	/* ctz: gcc emits "rep bsf", which zvm-cc rewrites to bsf (tzcnt is
	 * outside the admitted ISA) */
	printf("clz %d ffs %d ctz %d\n", __builtin_clzll((unsigned long long)(seed >> 64)), __builtin_ffsll((long long)seed),
	       __builtin_ctzll((unsigned long long)seed | (1ull << 63)));
	printf("to double %.17g %.17g %.17g\n", (double)seed, (double)neg, (double)(seed >> 11));
	printf("to float %.9g %.9g\n", (double)(float)seed, (double)(float)neg);
	p128("from double", (u128)d);
	p128("from neg double", (u128)(i128)(-d));
	p128("from float", (u128)f);
	printf("powi %.17g %.17g %.9g\n", __builtin_powi(1.0001, 10000), __builtin_powi(half, -e), (double)__builtin_powif(1.5f, e));
	{
		volatile double a = 1.5, b = -2.25, c = 0.75, dd = 3.5;
		double _Complex z1 = a + b * 1.0i, z2 = c + dd * 1.0i, m = z1 * z2, q = z1 / z2;
		volatile float fa = 1.5f, fb = 2.5f;
		float _Complex w = (fa + fb * 1.0if) / (fb - fa * 1.0if), wm = (fa + fb * 1.0if) * (fb - fa * 1.0if);
		printf("complex %.17g %.17g %.17g %.17g\n", __real__ m, __imag__ m, __real__ q, __imag__ q);
		printf("complex float %.9g %.9g %.9g %.9g\n", (double)__real__ w, (double)__imag__ w, (double)__real__ wm,
		       (double)__imag__ wm);
	}
	printf("bswap %08x %016llx\n", __builtin_bswap32((unsigned)vl), (unsigned long long)__builtin_bswap64((unsigned long long)vl));
	{
		long long r;
		printf("overflow %d %d\n", __builtin_mul_overflow(vl, vl * vl, &r), __builtin_add_overflow(vl, vl, &r));
	}
	return 0;
}
