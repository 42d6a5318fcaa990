/* runtime/zlibc/ (malloc, qsort, memcpy, memmove, strlen, strcmp) under test,
 * public name is renamed zl_*, so glibc's malloc and qsort stay the test
 * program's own. qsort.c's malloc calls become the cell allocator's,
 * malloc.c's memcpy the cell's memcpy. */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "zlibc-support.h"

#define malloc zl_malloc
#define free zl_free
#define calloc zl_calloc
#define realloc zl_realloc
#define aligned_alloc zl_aligned_alloc
#define posix_memalign zl_posix_memalign
#define memalign zl_memalign
#define malloc_usable_size zl_malloc_usable_size
#define qsort zl_qsort
#define qsort_r zl_qsort_r
#define memcpy zl_memcpy
#define memmove zl_memmove
#define strlen zl_strlen
#define strcmp zl_strcmp
#include "runtime/zlibc/memcpy.c"
#include "runtime/zlibc/memmove.c"
#include "runtime/zlibc/strlen.c"
#include "runtime/zlibc/strcmp.c"
#include "runtime/zlibc/malloc.c"
#include "runtime/zlibc/qsort.c"

void zl_introsort(void *base, size_t n, size_t size, int (*c)(const void *, const void *), int depth)
{
	struct sorter s = { .cmp = c, .size = size };
	unsigned d = 0;

	for (size_t k = n; k > 1; k >>= 1)
		d += 2;
	if (n > 1 && size)
		introsort(&s, base, n, depth < 0 ? d : (unsigned)depth);
}
