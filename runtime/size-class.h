/*
 * size-class.h — the size classes both of the cell's allocators use (the
 * small runtime's runtime/malloc.c and the default libc's
 * runtime/zlibc/malloc.c): 16 to 128 bytes by 16, then four classes per
 * power of two up to 64 KiB. Inlined: the class is computed on every
 * malloc and free, and a call there costs 20%.
 */
#ifndef ZVM_RUNTIME_SIZE_CLASS_H
#define ZVM_RUNTIME_SIZE_CLASS_H

#include <stddef.h>

#define NCLASS (8 + 4 * 9)

static inline __attribute__((always_inline)) int class_of(size_t n)
{
	int k;
	size_t quarter;

	if (n <= 128)
		return n ? (int)((n - 1) >> 4) : 0;
	k = 63 - __builtin_clzll((unsigned long long)(n - 1)); /* 2^k < n <= 2^(k+1) */
	quarter = (size_t)1 << (k - 2);
	return 8 + (k - 7) * 4 + (int)((n - ((size_t)1 << k) + quarter - 1) / quarter) - 1;
}

static inline size_t class_size(int c)
{
	int k, j;

	if (c < 8)
		return (size_t)(c + 1) << 4;
	k = 7 + (c - 8) / 4;
	j = (c - 8) % 4 + 1;
	return ((size_t)1 << k) + ((size_t)j << (k - 2));
}

#endif
