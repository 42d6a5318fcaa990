/*
 * string.c — memcpy, memmove, strlen and strcmp for the cell, 16 bytes at a
 * time with SSE2 (part of x86-64 itself), linked in place of musl's
 * (libzlibc.a: docs/runtime.md). musl's x86-64 memcpy is `rep movsq`,
 * whose start-up dominates the short copies most programs make; its
 * strlen goes a word at a time and its strcmp a byte at a time.
 *
 * Reading past the end of a string is safe only within the page of its
 * last byte: strlen reads aligned 16-byte blocks (never across a page),
 * strcmp reads 16 bytes only where neither string is within 16 bytes of a
 * page end, else a byte at a time.
 *
 * memmove copies forwards or backwards in 64-byte chunks, each loaded
 * whole before it is stored, the far end's 64 bytes loaded first; short or
 * disjoint moves are memcpy's.
 */
#include <emmintrin.h>
#include <stdint.h>
#include <string.h>

typedef __m128i v16;
#define LD(p) _mm_loadu_si128((const v16 *)(const void *)(p))
#define ST(p, v) _mm_storeu_si128((v16 *)(void *)(p), (v))

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

size_t strlen(const char *str)
{
	const char *p = (const char *)((uintptr_t)str & ~(uintptr_t)15);
	v16 zero = _mm_setzero_si128();
	unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_load_si128((const v16 *)(const void *)p), zero));

	m >>= (uintptr_t)str & 15; /* bytes before str do not count */
	if (m)
		return (size_t)__builtin_ctz(m);
	for (;;) {
		p += 16;
		m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_load_si128((const v16 *)(const void *)p), zero));
		if (m)
			return (size_t)(p - str) + (size_t)__builtin_ctz(m);
	}
}

#define NEAR_PAGE_END(p) (((uintptr_t)(p) & 4095) > 4096 - 16)

int strcmp(const char *l, const char *r)
{
	const unsigned char *a = (const unsigned char *)l, *b = (const unsigned char *)r;
	v16 zero = _mm_setzero_si128();

	for (;;) {
		if (NEAR_PAGE_END(a) || NEAR_PAGE_END(b)) {
			for (int i = 0; i < 16; i++, a++, b++)
				if (*a != *b || !*a)
					return *a - *b;
			continue;
		}
		v16 x = LD(a), y = LD(b);
		unsigned m = ((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, y)) ^ 0xffffu) |
			     (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, zero));
		if (m) {
			int i = __builtin_ctz(m);
			return a[i] - b[i];
		}
		a += 16;
		b += 16;
	}
}
