/*
 * int128.c — the libgcc helpers gcc calls for 128-bit integers and bit
 * counts. Division is shift-and-subtract on 64-bit halves, so nothing here
 * makes gcc call these functions from themselves.
 */
#include <stdint.h>

typedef __int128 ti;
typedef unsigned __int128 uti;

/* 128 / 64 -> 64 with the hardware divide; the caller makes sure the
 * quotient fits (hi < d). */
static uint64_t div128by64(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *r)
{
	uint64_t q;

	__asm__("divq %4" : "=a"(q), "=d"(*r) : "a"(lo), "d"(hi), "rm"(d));
	return q;
}

uti __udivmodti4(uti n, uti d, uti *rem);
uti __udivmodti4(uti n, uti d, uti *rem)
{
	uint64_t nh = (uint64_t)(n >> 64), nl = (uint64_t)n;
	uint64_t dh = (uint64_t)(d >> 64), dl = (uint64_t)d;
	uti q;

	if (d == 0)
		__builtin_trap(); /* division by zero: like the hardware's #DE */
	if (dh == 0) {
		/* long division by a 64-bit divisor: two hardware divides */
		uint64_t qh = 0, r;
		if (nh >= dl) {
			qh = nh / dl;
			nh %= dl;
		}
		q = ((uti)qh << 64) | div128by64(nh, nl, dl, &r);
		if (rem)
			*rem = r;
		return q;
	}
	if (d > n) {
		if (rem)
			*rem = n;
		return 0;
	}
	{
		/* d >= 2^64, so the quotient fits in 64 bits: estimate it from the
		 * top 64 bits of d (normalised), then correct by at most one */
		int s = __builtin_clzll(dh);
		uti dn = d << s;
		uint64_t top = (uint64_t)(dn >> 64), qe, r;
		uti prod, nn = n >> 1;

		qe = div128by64((uint64_t)(nn >> 64), (uint64_t)nn, top, &r); /* (n/2) / top */
		qe >>= 63 - s;
		if (qe)
			qe--;
		prod = (uti)qe * d;
		q = qe;
		n -= prod;
		while (n >= d) {
			n -= d;
			q++;
		}
		if (rem)
			*rem = n;
		return q;
	}
}

uti __udivti3(uti a, uti b);
uti __udivti3(uti a, uti b) { return __udivmodti4(a, b, 0); }

uti __umodti3(uti a, uti b);
uti __umodti3(uti a, uti b)
{
	uti r;
	__udivmodti4(a, b, &r);
	return r;
}

ti __divti3(ti a, ti b);
ti __divti3(ti a, ti b)
{
	int neg = (a < 0) ^ (b < 0);
	uti q = __udivmodti4(a < 0 ? -(uti)a : (uti)a, b < 0 ? -(uti)b : (uti)b, 0);
	return neg ? -(ti)q : (ti)q;
}

ti __modti3(ti a, ti b);
ti __modti3(ti a, ti b)
{
	uti r;
	__udivmodti4(a < 0 ? -(uti)a : (uti)a, b < 0 ? -(uti)b : (uti)b, &r);
	return a < 0 ? -(ti)r : (ti)r;
}

ti __divmodti4(ti a, ti b, ti *rem);
ti __divmodti4(ti a, ti b, ti *rem)
{
	ti q = __divti3(a, b);
	*rem = a - q * b;
	return q;
}

ti __multi3(ti a, ti b);
ti __multi3(ti a, ti b)
{
	uint64_t al = (uint64_t)a, bl = (uint64_t)b;
	uti lo = (uti)al * bl;
	uint64_t hi = (uint64_t)((uti)a >> 64) * bl + al * (uint64_t)((uti)b >> 64);
	return (ti)(lo + ((uti)hi << 64));
}

ti __ashlti3(ti a, int s);
ti __ashlti3(ti a, int s) { return (ti)((uti)a << s); }
ti __ashrti3(ti a, int s);
ti __ashrti3(ti a, int s) { return a >> s; }
ti __lshrti3(ti a, int s);
ti __lshrti3(ti a, int s) { return (ti)((uti)a >> s); }
ti __negti2(ti a);
ti __negti2(ti a) { return (ti)(0 - (uti)a); }

int __cmpti2(ti a, ti b);
int __cmpti2(ti a, ti b) { return a < b ? 0 : a > b ? 2 : 1; }
int __ucmpti2(uti a, uti b);
int __ucmpti2(uti a, uti b) { return a < b ? 0 : a > b ? 2 : 1; }

static int popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (int)((x * 0x0101010101010101ull) >> 56);
}

int __popcountdi2(int64_t x);
int __popcountdi2(int64_t x) { return popcount64((uint64_t)x); }
int __popcountti2(ti x);
int __popcountti2(ti x) { return popcount64((uint64_t)x) + popcount64((uint64_t)((uti)x >> 64)); }
int __paritydi2(int64_t x);
int __paritydi2(int64_t x) { return popcount64((uint64_t)x) & 1; }
int __parityti2(ti x);
int __parityti2(ti x) { return __popcountti2(x) & 1; }

static int clz64(uint64_t x)
{
	int n = 0;
	while (!(x & (1ull << 63))) {
		x <<= 1;
		n++;
	}
	return n;
}

static int ctz64(uint64_t x)
{
	int n = 0;
	while (!(x & 1)) {
		x >>= 1;
		n++;
	}
	return n;
}

int __clzti2(uti x);
int __clzti2(uti x)
{
	uint64_t hi = (uint64_t)(x >> 64);
	return hi ? clz64(hi) : 64 + clz64((uint64_t)x);
}

int __ctzti2(uti x);
int __ctzti2(uti x)
{
	uint64_t lo = (uint64_t)x;
	return lo ? ctz64(lo) : 64 + ctz64((uint64_t)(x >> 64));
}

int __ffsti2(ti x);
int __ffsti2(ti x) { return x ? __ctzti2((uti)x) + 1 : 0; }
int __clzdi2(uint64_t x);
int __clzdi2(uint64_t x) { return clz64(x); }
int __ctzdi2(uint64_t x);
int __ctzdi2(uint64_t x) { return ctz64(x); }

int32_t __bswapsi2(int32_t x);
int32_t __bswapsi2(int32_t x)
{
	uint32_t u = (uint32_t)x;
	return (int32_t)((u >> 24) | ((u >> 8) & 0xff00) | ((u << 8) & 0xff0000) | (u << 24));
}

int64_t __bswapdi2(int64_t x);
int64_t __bswapdi2(int64_t x)
{
	uint64_t u = (uint64_t)x;
	return (int64_t)(((uint64_t)(uint32_t)__bswapsi2((int32_t)u) << 32) | (uint32_t)__bswapsi2((int32_t)(u >> 32)));
}

/* -ftrapv arithmetic: overflow ends the program like the hardware would. */
int64_t __addvdi3(int64_t a, int64_t b);
int64_t __addvdi3(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		__builtin_trap();
	return r;
}

int64_t __subvdi3(int64_t a, int64_t b);
int64_t __subvdi3(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_sub_overflow(a, b, &r))
		__builtin_trap();
	return r;
}

int64_t __mulvdi3(int64_t a, int64_t b);
int64_t __mulvdi3(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_mul_overflow(a, b, &r))
		__builtin_trap();
	return r;
}

int32_t __addvsi3(int32_t a, int32_t b);
int32_t __addvsi3(int32_t a, int32_t b)
{
	int32_t r;
	if (__builtin_add_overflow(a, b, &r))
		__builtin_trap();
	return r;
}

int32_t __subvsi3(int32_t a, int32_t b);
int32_t __subvsi3(int32_t a, int32_t b)
{
	int32_t r;
	if (__builtin_sub_overflow(a, b, &r))
		__builtin_trap();
	return r;
}

int32_t __mulvsi3(int32_t a, int32_t b);
int32_t __mulvsi3(int32_t a, int32_t b)
{
	int32_t r;
	if (__builtin_mul_overflow(a, b, &r))
		__builtin_trap();
	return r;
}

int64_t __negvdi2(int64_t a);
int64_t __negvdi2(int64_t a)
{
	if (a == INT64_MIN)
		__builtin_trap();
	return -a;
}

int32_t __negvsi2(int32_t a);
int32_t __negvsi2(int32_t a)
{
	if (a == INT32_MIN)
		__builtin_trap();
	return -a;
}

int64_t __absvdi2(int64_t a);
int64_t __absvdi2(int64_t a)
{
	if (a == INT64_MIN)
		__builtin_trap();
	return a < 0 ? -a : a;
}

int32_t __absvsi2(int32_t a);
int32_t __absvsi2(int32_t a)
{
	if (a == INT32_MIN)
		__builtin_trap();
	return a < 0 ? -a : a;
}
