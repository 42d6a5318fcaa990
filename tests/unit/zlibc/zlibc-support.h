/* runtime/zlibc/ compiled natively under zl_* names (zlibc-support.c), so
 * the tests drive the cell's malloc and qsort beside glibc's own. */
#ifndef ZLIBC_SUPPORT_H
#define ZLIBC_SUPPORT_H
#include <stddef.h>

void *zl_malloc(size_t n);
void zl_free(void *p);
void *zl_calloc(size_t n, size_t size);
void *zl_realloc(void *p, size_t n);
void *zl_aligned_alloc(size_t align, size_t n);
int zl_posix_memalign(void **res, size_t align, size_t n);
void *zl_memalign(size_t align, size_t n);
size_t zl_malloc_usable_size(void *p);
void zl_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
void zl_qsort_r(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *, void *), void *arg);
void *zl_memcpy(void *restrict d, const void *restrict s, size_t n);
void *zl_memmove(void *d, const void *s, size_t n);
size_t zl_strlen(const char *s);
int zl_strcmp(const char *a, const char *b);
/* qsort's in-place fallback alone (no buffer): depth levels of quicksort
 * before heapsort (0: heapsort at once), or -1 for qsort's own limit */
void zl_introsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *), int depth);
#endif
