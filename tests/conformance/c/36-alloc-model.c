// conformance:
/* The allocator against a model: random malloc/calloc/realloc/aligned_alloc/
 * posix_memalign/free across the small/large line, each live block holding
 * its own pattern, checked before it changes hands; alignment, usable size,
 * calloc zeroing after reuse, errors. Prints only what any libc must give. */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

#define SLOTS 300
static unsigned char *ptr[SLOTS];
static size_t len[SLOTS];
static unsigned char tag[SLOTS];
static unsigned long bad;

static void fill(int i)
{
	for (size_t k = 0; k < len[i]; k++)
		ptr[i][k] = (unsigned char)(tag[i] + k * 7);
}

static void check(int i, size_t n, const char *what)
{
	for (size_t k = 0; k < n; k++)
		if (ptr[i][k] != (unsigned char)(tag[i] + k * 7)) {
			if (bad++ < 5)
				printf("%s: slot %d byte %zu of %zu changed\n", what, i, k, n);
			return;
		}
}

static size_t rsize(void)
{
	uint64_t r = rnd();
	return r % 16 == 0 ? (size_t)(r >> 8) % 400000 : r % 16 < 3 ? (size_t)(r >> 8) % 70000 : (size_t)(r >> 8) % 300;
}

int main(void)
{
	unsigned long ops[6] = { 0 };
	void *p;

	for (int op = 0; op < 60000; op++) {
		int i = (int)(rnd() % SLOTS), kind = (int)(rnd() % 10);
		if (ptr[i] && kind < 4) {
			check(i, len[i], "free");
			free(ptr[i]);
			ptr[i] = NULL;
			ops[0]++;
		} else if (ptr[i]) {
			size_t n = rsize() + 1; /* realloc(p, 0) differs: glibc frees */
			unsigned char *q = realloc(ptr[i], n);
			if (!q) {
				printf("realloc(%zu) failed\n", n);
				return 1;
			}
			ptr[i] = q;
			check(i, n < len[i] ? n : len[i], "realloc");
			len[i] = n;
			tag[i] = (unsigned char)rnd();
			fill(i);
			ops[1]++;
		} else {
			size_t n = rsize(), align = (size_t)32 << (rnd() % 8);
			if (kind < 6) {
				ptr[i] = malloc(n);
				ops[2]++;
			} else if (kind < 8) {
				ptr[i] = calloc(n, 1);
				for (size_t k = 0; ptr[i] && k < n; k++)
					if (ptr[i][k] && bad++ < 5)
						printf("calloc(%zu): byte %zu not zero\n", n, k);
				ops[3]++;
			} else if (kind == 8) {
				ptr[i] = aligned_alloc(align, (n + align - 1) / align * align);
				ops[4]++;
			} else {
				ptr[i] = posix_memalign(&p, align, n) ? NULL : p;
				ops[5]++;
			}
			if (!ptr[i]) {
				printf("allocation of %zu failed\n", n);
				return 1;
			}
			if ((uintptr_t)ptr[i] % (kind < 8 ? 16 : align) && bad++ < 5)
				printf("misaligned: %zu-byte block, kind %d\n", n, kind);
			if (malloc_usable_size(ptr[i]) < n && bad++ < 5)
				printf("usable size below %zu\n", n);
			len[i] = n;
			tag[i] = (unsigned char)rnd();
			fill(i);
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		if (ptr[i])
			check(i, len[i], "final");
		free(ptr[i]);
	}
	printf("free %lu realloc %lu malloc %lu calloc %lu aligned_alloc %lu posix_memalign %lu\n", ops[0], ops[1],
	       ops[2], ops[3], ops[4], ops[5]);

	/* calloc after the same sizes were dirtied and freed */
	static const size_t sizes[] = { 8, 100, 5000, 65536, 70000, 300000 };
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		unsigned char *q = malloc(sizes[k]);
		memset(q, 0xaa, sizes[k]);
		free(q);
		q = calloc(1, sizes[k]);
		for (size_t j = 0; j < sizes[k]; j++)
			if (q[j]) {
				printf("calloc(%zu) after free: byte %zu not zero\n", sizes[k], j);
				break;
			}
		free(q);
	}

	errno = 0;
	p = malloc(SIZE_MAX);
	printf("malloc(SIZE_MAX): %s, errno %s\n", p ? "a block" : "NULL", errno == ENOMEM ? "ENOMEM" : "?");
	errno = 0;
	p = calloc(SIZE_MAX / 2, 3);
	printf("calloc overflow: %s, errno %s\n", p ? "a block" : "NULL", errno == ENOMEM ? "ENOMEM" : "?");
	printf("posix_memalign(align 24): %s\n", posix_memalign(&p, 24, 8) == EINVAL ? "EINVAL" : "?");
	printf("%lu bad\n", bad);
	return bad != 0;
}
