/*
 * test_string.c — the cell's memcpy, memmove, strlen and strcmp
 * (runtime/zlibc/{memcpy,memmove,strlen,strcmp}.c) natively against byte-at-a-time references:
 * every length to 300 and some long ones at every alignment, memmove at
 * every overlap in both directions, and strings that end (or start) at a
 * page next to an inaccessible one, so reading one byte too far faults.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "zlibc-support.h"

static unsigned char pat(size_t i)
{
	return (unsigned char)(i * 151 + (i >> 8) + 1);
}

static const size_t lens[] = { 65, 100, 127, 128, 129, 200, 255, 256, 300, 1000, 4095, 4096, 4097, 65539 };
#define NLENS (sizeof(lens) / sizeof(lens[0]))

static size_t len_at(size_t k) /* 0..300, then the long ones */
{
	return k <= 64 ? k : lens[k - 65];
}

static void test_memcpy(void **state)
{
	size_t cap = 70000 + 64;
	unsigned char *src = malloc(cap), *dst = malloc(cap);

	(void)state;
	for (size_t i = 0; i < cap; i++)
		src[i] = pat(i);
	for (size_t k = 0; k <= 64 + NLENS - 1; k++) {
		size_t n = len_at(k);
		for (size_t so = 0; so < 32; so += (n > 1000 ? 7 : 1))
			for (size_t dof = 0; dof < 32; dof += (n > 1000 ? 5 : 1)) {
				memset(dst, 0xee, n + 64);
				assert_ptr_equal(zl_memcpy(dst + dof, src + so, n), dst + dof);
				for (size_t i = 0; i < n + 64; i++) {
					unsigned char want = i >= dof && i < dof + n ? src[so + i - dof] : 0xee;
					if (dst[i] != want)
						fail_msg("memcpy n %zu src+%zu dst+%zu: byte %zu is %u, want %u", n, so, dof, i,
							 dst[i], want);
				}
			}
	}
	free(src);
	free(dst);
}

static void test_memmove_overlaps(void **state)
{
	size_t cap = 70000 + 256;
	unsigned char *buf = malloc(cap), *want = malloc(cap);

	(void)state;
	for (size_t k = 0; k <= 64 + NLENS - 1; k++) {
		size_t n = len_at(k);
		for (long shift = -80; shift <= 80; shift += (n > 1000 ? 3 : 1)) {
			size_t from = 100, to = (size_t)(100 + shift);
			for (size_t i = 0; i < n + 200; i++)
				buf[i] = want[i] = pat(i);
			for (size_t i = 0; i < n; i++) /* the reference: through a copy */
				want[to + i] = pat(from + i);
			assert_ptr_equal(zl_memmove(buf + to, buf + from, n), buf + to);
			if (memcmp(buf, want, n + 200))
				for (size_t i = 0; i < n + 200; i++)
					if (buf[i] != want[i])
						fail_msg("memmove n %zu shift %ld: byte %zu is %u, want %u", n, shift, i, buf[i],
							 want[i]);
		}
	}
	free(buf);
	free(want);
}

/* two pages: the second inaccessible, or (before) the first */
static unsigned char *guarded(int guard_before)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *m = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(m != MAP_FAILED);
	assert_int_equal(mprotect(guard_before ? m : m + pg, (size_t)pg, PROT_NONE), 0);
	return guard_before ? m + pg : m;
}

static void test_strlen_at_page_edges(void **state)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *end_page = guarded(0), *start_page = guarded(1);

	(void)state;
	memset(end_page, 'x', (size_t)pg);
	memset(start_page, 'y', (size_t)pg);
	for (size_t n = 0; n < 300; n++) {
		/* ends on the page's last byte */
		char *s = (char *)end_page + pg - 1 - n;
		s[n] = 0;
		assert_int_equal(zl_strlen(s), n);
		s[n] = 'x';
		/* starts at a page start, at every alignment after it */
		for (size_t a = 0; a < 16; a++) {
			char *t = (char *)start_page + a;
			t[n] = 0;
			assert_int_equal(zl_strlen(t), n);
			t[n] = 'y';
		}
	}
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void test_strcmp(void **state)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *pa = guarded(0), *pb = guarded(0);

	(void)state;
	for (size_t n = 0; n < 70; n++)
		for (size_t ea = 0; ea < 20; ea += 3) /* how far before the page end each string ends */
			for (size_t eb = 0; eb < 20; eb += 4) {
				char *a = (char *)pa + pg - 1 - ea - n, *b = (char *)pb + pg - 1 - eb - n;
				for (size_t i = 0; i < n; i++)
					a[i] = b[i] = (char)('a' + i % 26);
				a[n] = b[n] = 0;
				assert_int_equal(zl_strcmp(a, b), 0);
				for (size_t i = 0; i < n; i++) {
					for (int delta = -1; delta <= 1; delta += 2) {
						b[i] = (char)(a[i] + delta);
						assert_int_equal(sign(zl_strcmp(a, b)), sign(strcmp(a, b)));
						assert_int_equal(sign(zl_strcmp(a, b)), -delta);
					}
					b[i] = (char)0x80; /* bytes compare as unsigned */
					assert_true(zl_strcmp(a, b) < 0);
					assert_true(zl_strcmp(b, a) > 0);
					b[i] = a[i];
				}
				if (n) { /* one a prefix of the other */
					b[n - 1] = 0;
					assert_true(zl_strcmp(a, b) > 0);
					assert_true(zl_strcmp(b, a) < 0);
					b[n - 1] = a[n - 1];
				}
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy),
		cmocka_unit_test(test_memmove_overlaps),
		cmocka_unit_test(test_strlen_at_page_edges),
		cmocka_unit_test(test_strcmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
