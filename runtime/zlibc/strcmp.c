/*
 * strcmp.c — the cell's strcmp (libzlibc.a: docs/runtime.md), 16 bytes at
 * a time (musl's goes a byte at a time). 16 bytes are read only where
 * neither string is within 16 bytes of a page end; else a byte at a time,
 * so nothing is read from a page the strings do not reach.
 */
#include "simd.h"

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
