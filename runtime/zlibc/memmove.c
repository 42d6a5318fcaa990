/*
 * memmove.c — the cell's memmove (libzlibc.a: docs/runtime.md), in
 * 64-byte chunks forwards or backwards, each chunk loaded whole before it
 * is stored and the far end's 64 bytes loaded first, so no store reaches a
 * byte not yet read; short or disjoint moves are memcpy's.
 */
#include "simd.h"

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	v16 h0, h1, h2, h3;
	size_t i;

	if (n <= 64 || (uintptr_t)d + n <= (uintptr_t)s || (uintptr_t)s + n <= (uintptr_t)d)
		return memcpy(dst, src, n);
	if (d < s) {
		/* forwards: a store never reaches a byte not yet loaded */
		h0 = LD(s + n - 64);
		h1 = LD(s + n - 48);
		h2 = LD(s + n - 32);
		h3 = LD(s + n - 16);
		for (i = 0; n - i > 64; i += 64) {
			v16 a = LD(s + i), b = LD(s + i + 16), c = LD(s + i + 32), e = LD(s + i + 48);
			ST(d + i, a);
			ST(d + i + 16, b);
			ST(d + i + 32, c);
			ST(d + i + 48, e);
		}
		ST(d + n - 64, h0);
		ST(d + n - 48, h1);
		ST(d + n - 32, h2);
		ST(d + n - 16, h3);
		return dst;
	}
	/* backwards, the mirror image */
	h0 = LD(s);
	h1 = LD(s + 16);
	h2 = LD(s + 32);
	h3 = LD(s + 48);
	for (i = n; i > 64; i -= 64) {
		v16 a = LD(s + i - 64), b = LD(s + i - 48), c = LD(s + i - 32), e = LD(s + i - 16);
		ST(d + i - 16, e);
		ST(d + i - 32, c);
		ST(d + i - 48, b);
		ST(d + i - 64, a);
	}
	ST(d, h0);
	ST(d + 16, h1);
	ST(d + 32, h2);
	ST(d + 48, h3);
	return dst;
}
