/*
 * memcpy.c — the cell's memcpy, in place of musl's (libzlibc.a:
 * docs/runtime.md): musl's x86-64 memcpy is `rep movsq`, whose start-up
 * dominates the short copies most programs make. Up to 64 bytes: a few
 * overlapping loads, then the stores; longer: the head and the last 64
 * bytes loaded first, 64-byte chunks with aligned stores between.
 */
#include "simd.h"

/* n <= 64: all loads, then all stores (safe for any overlap) */
static inline __attribute__((always_inline)) void copy64(unsigned char *d, const unsigned char *s, size_t n)
{
	if (n >= 32) {
		v16 a = LD(s), b = LD(s + 16), c = LD(s + n - 32), e = LD(s + n - 16);
		ST(d, a);
		ST(d + 16, b);
		ST(d + n - 32, c);
		ST(d + n - 16, e);
	} else if (n >= 16) {
		v16 a = LD(s), b = LD(s + n - 16);
		ST(d, a);
		ST(d + n - 16, b);
	} else if (n >= 8) {
		uint64_t a, b;
		__builtin_memcpy(&a, s, 8);
		__builtin_memcpy(&b, s + n - 8, 8);
		__builtin_memcpy(d, &a, 8);
		__builtin_memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		uint32_t a, b;
		__builtin_memcpy(&a, s, 4);
		__builtin_memcpy(&b, s + n - 4, 4);
		__builtin_memcpy(d, &a, 4);
		__builtin_memcpy(d + n - 4, &b, 4);
	} else if (n) {
		unsigned char a = s[0], b = s[n / 2], c = s[n - 1];
		d[0] = a;
		d[n / 2] = b;
		d[n - 1] = c;
	}
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst, *dend;
	const unsigned char *s = src;
	v16 h, t0, t1, t2, t3;
	size_t k;

	if (n <= 64) {
		copy64(d, s, n);
		return dst;
	}
	/* the head and the last 64 bytes first, then aligned stores between */
	h = LD(s);
	t0 = LD(s + n - 64);
	t1 = LD(s + n - 48);
	t2 = LD(s + n - 32);
	t3 = LD(s + n - 16);
	dend = d + n;
	ST(d, h);
	k = 16 - ((uintptr_t)d & 15);
	d += k;
	s += k;
	n -= k;
	for (; n > 64; n -= 64, d += 64, s += 64) {
		v16 a = LD(s), b = LD(s + 16), c = LD(s + 32), e = LD(s + 48);
		_mm_store_si128((v16 *)(void *)d, a);
		_mm_store_si128((v16 *)(void *)(d + 16), b);
		_mm_store_si128((v16 *)(void *)(d + 32), c);
		_mm_store_si128((v16 *)(void *)(d + 48), e);
	}
	ST(dend - 64, t0);
	ST(dend - 48, t1);
	ST(dend - 32, t2);
	ST(dend - 16, t3);
	return dst;
}
