/*
 * fuzz_zlibc.c — the cell's malloc, qsort and string functions
 * (runtime/zlibc/, compiled natively under zl_* names) driven by the input:
 * a sequence of allocator operations checked against a model (each live
 * block holds its own pattern), then the rest of the input sorted by qsort
 * and by the introsort fallback and compared with a reference, then
 * memmove/strlen/strcmp at input-chosen offsets against byte loops.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/zlibc/zlibc-support.h"

#define SLOTS 64
static unsigned char *blk[SLOTS];
static size_t len[SLOTS];
static unsigned char tag[SLOTS];

static void fill(int i)
{
	for (size_t k = 0; k < len[i]; k++)
		blk[i][k] = (unsigned char)(tag[i] + k);
}

static void check(int i, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (blk[i][k] != (unsigned char)(tag[i] + k))
			abort();
}

static const uint16_t *keys_lo, *keys_hi;
static int cmp16(const void *a, const void *b)
{
	const uint16_t *x = a, *y = b;
	if (x < keys_lo || x >= keys_hi || y < keys_lo || y >= keys_hi)
		abort(); /* the comparator got something outside the array */
	return (*x > *y) - (*x < *y);
}
static int ref16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	return (x > y) - (x < y);
}

static void sorts(const uint8_t *d, size_t n)
{
	size_t m = n / 2;
	uint16_t *a = malloc(m * 2 + 2), *b = malloc(m * 2 + 2), *c = malloc(m * 2 + 2);

	memcpy(a, d, m * 2);
	memcpy(b, d, m * 2);
	memcpy(c, d, m * 2);
	qsort(c, m, 2, ref16);
	keys_lo = a;
	keys_hi = a + m;
	zl_qsort(a, m, 2, cmp16);
	keys_lo = b;
	keys_hi = b + m;
	zl_introsort(b, m, 2, cmp16, (int)(n % 5) - 1); /* -1: qsort's limit; 0..3 levels */
	if (memcmp(a, c, m * 2) || memcmp(b, c, m * 2))
		abort();
	free(a);
	free(b);
	free(c);
}

static void strings(const uint8_t *d, size_t n)
{
	unsigned char buf[600], want[600];
	char s1[300], s2[300];
	size_t from, to, k;

	if (n < 4)
		return;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = want[i] = (unsigned char)(i * 7 + d[i % n]);
	from = ((size_t)d[0] | (size_t)(d[1] & 1) << 8) % 300;
	to = ((size_t)d[2] | (size_t)(d[3] & 1) << 8) % 300;
	k = n % 300; /* from + k and to + k stay inside the 600 bytes */
	memmove(want + to, buf + from, k); /* glibc's, the reference */
	zl_memmove(buf + to, buf + from, k);
	if (memcmp(buf, want, sizeof(buf)))
		abort();
	k = n < sizeof(s1) - 1 ? n : sizeof(s1) - 1;
	memcpy(s1, d, k);
	s1[k] = 0;
	memcpy(s2, d, k);
	s2[k] = 0;
	if (k)
		s2[d[0] % k] = (char)d[1];
	for (size_t o = 0; o < 17 && o <= k; o++) {
		if (zl_strlen(s1 + o) != strlen(s1 + o))
			abort();
		int r = zl_strcmp(s1 + o, s2 + o), w = strcmp(s1 + o, s2 + o);
		if ((r > 0) != (w > 0) || (r < 0) != (w < 0))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	size_t i = 0;

	/* allocator ops: 4 bytes each, up to the first 0xff op byte */
	for (; i + 4 <= n && d[i] != 0xff; i += 4) {
		int s = d[i + 1] % SLOTS;
		size_t sz = ((size_t)d[i + 2] | (size_t)d[i + 3] << 8) << (d[i] >> 6); /* up to 512 KiB */
		switch (d[i] % 5) {
		case 0:
		case 1:
			if (blk[s]) {
				check(s, len[s]);
				zl_free(blk[s]);
			}
			blk[s] = d[i] % 5 ? zl_calloc(1, sz) : zl_malloc(sz);
			if (!blk[s])
				abort();
			for (size_t k = 0; d[i] % 5 && k < sz; k++)
				if (blk[s][k])
					abort();
			break;
		case 2:
			if (blk[s]) {
				unsigned char *q = zl_realloc(blk[s], sz);
				if (!q)
					abort();
				blk[s] = q;
				check(s, sz < len[s] ? sz : len[s]);
			} else {
				blk[s] = zl_aligned_alloc((size_t)16 << (d[i + 2] % 10), sz);
				if (!blk[s] || zl_malloc_usable_size(blk[s]) < sz)
					abort();
			}
			break;
		default:
			if (blk[s]) {
				check(s, len[s]);
				zl_free(blk[s]);
				blk[s] = NULL;
			}
			continue;
		}
		len[s] = sz;
		tag[s] = d[i + 3];
		fill(s);
	}
	for (int s = 0; s < SLOTS; s++) {
		if (blk[s]) {
			check(s, len[s]);
			zl_free(blk[s]);
		}
		blk[s] = NULL;
	}
	if (i < n) {
		sorts(d + i, n - i);
		strings(d + i, n - i);
	}
	return 0;
}
