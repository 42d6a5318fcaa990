/*
 * strlen.c — the cell's strlen (libzlibc.a: docs/runtime.md), 16 bytes at
 * a time (musl's goes a word at a time). It reads aligned 16-byte blocks,
 * which never cross into a page the string does not reach.
 */
#include "simd.h"

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
