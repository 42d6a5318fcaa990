/*
 * test_zrt_mem.c — ZRT's memory calls (runtime/zrt/mem.c) natively, on a
 * fake heap trap over a private mapping: what musl's malloc relies on —
 * zeroed pages, no overlap between live mappings, contents kept by
 * mremap, the heap given back when its top is freed, limits and PROT_EXEC
 * refused — plus a random workload checked against a shadow model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "zvm.h"
#include "zrt.h"
#include "zrt-support.h"
#include <fcntl.h>

#define HEAP_SIZE (64ull << 20)
static uint64_t base;

static int setup(void **state)
{
	static struct zvm_info info;
	static struct zvm_channel_info ci[1];
	static const char data[10000] = { 0 };
	static char content[10000];
	static const char *const aliases[] = { "/dev/data" };
	static const unsigned types[] = { 1 };
	const char *inputs[] = { content };
	size_t lens[] = { sizeof(content) };

	(void)state;
	(void)data;
	for (size_t i = 0; i < sizeof(content); i++)
		content[i] = (char)i;
	fake_cell(&info, ci, 1, aliases, types, inputs, lens);
	assert_int_equal(zrt_fs_init(&info), 0);
	base = fake_end; /* the file system's nodes sit below */
	return 0;
}

#define MAP(len) zrt_sys_mmap(0, (len), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)

static int all_zero(uint64_t p, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		if (((unsigned char *)(uintptr_t)p)[i])
			return 0;
	return 1;
}

static void test_map_zeroed_and_reused(void **state)
{
	long a, b;

	(void)state;
	a = MAP(10000);
	assert_true(a > 0);
	assert_int_equal(a & 4095, 0);
	assert_true((uint64_t)a >= fake_start && (uint64_t)a + 12288 <= fake_end);
	assert_true(all_zero((uint64_t)a, 12288));
	memset((void *)(uintptr_t)a, 0xab, 12288);
	b = MAP(4096); /* keeps a from being the top */
	assert_true(b > 0 && b != a);
	assert_int_equal(zrt_sys_munmap((uint64_t)a, 10000), 0);
	a = MAP(8192); /* first fit: the freed pages, zeroed again */
	assert_true(all_zero((uint64_t)a, 8192));
}

static void test_top_given_back(void **state)
{
	long a, b;
	uint64_t end;

	(void)state;
	a = MAP(1 << 20);
	b = MAP(1 << 20);
	end = fake_end;
	assert_int_equal(zrt_sys_munmap((uint64_t)b, 1 << 20), 0);
	assert_true(fake_end == end - (1 << 20));
	assert_int_equal(zrt_sys_munmap((uint64_t)a, 1 << 20), 0);
	assert_true(fake_end == base); /* everything back */
	/* unmapping again, or unmapped memory, is not an error */
	assert_int_equal(zrt_sys_munmap((uint64_t)a, 1 << 20), 0);
	/* outside the heap, or misaligned: EINVAL */
	assert_int_equal(zrt_sys_munmap(4096, 4096), -22);
	assert_int_equal(zrt_sys_munmap((uint64_t)a + 1, 4096), -22);
	assert_int_equal(zrt_sys_munmap((uint64_t)a, 0), -22);
}

static void test_mremap(void **state)
{
	long a, b, c;

	(void)state;
	a = MAP(4096);
	memset((void *)(uintptr_t)a, 7, 4096);
	/* at the top: grows in place */
	b = zrt_sys_mremap((uint64_t)a, 4096, 3 * 4096, MREMAP_MAYMOVE, 0);
	assert_int_equal(b, a);
	assert_int_equal(((unsigned char *)(uintptr_t)b)[4095], 7);
	assert_true(all_zero((uint64_t)b + 4096, 2 * 4096));
	/* blocked by a mapping after it: moves, contents kept */
	c = MAP(4096);
	assert_int_equal(zrt_sys_mremap((uint64_t)b, 3 * 4096, 5 * 4096, 0, 0), -12);
	b = zrt_sys_mremap((uint64_t)b, 3 * 4096, 5 * 4096, MREMAP_MAYMOVE, 0);
	assert_true(b > 0 && b != a);
	assert_int_equal(((unsigned char *)(uintptr_t)b)[0], 7);
	assert_true(all_zero((uint64_t)b + 4096, 4 * 4096));
	/* the old place is free again and comes back zeroed */
	a = MAP(3 * 4096);
	assert_true(all_zero((uint64_t)a, 3 * 4096));
	/* shrinking keeps the start */
	assert_int_equal(zrt_sys_mremap((uint64_t)b, 5 * 4096, 4096, 0, 0), b);
	assert_int_equal(zrt_sys_mremap((uint64_t)b, 4096, 4096, 0x4 /* MREMAP_DONTUNMAP */, 0), -22);
	(void)c;
}

static void test_fixed_and_limits(void **state)
{
	long a;

	(void)state;
	a = zrt_sys_mmap(base + 8 * 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	assert_int_equal(a, (long)(base + 8 * 4096));
	/* the gap below it is free for others */
	a = MAP(8 * 4096);
	assert_int_equal(a, (long)base);
	assert_int_equal(zrt_sys_mmap(fake_limit, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), -12);
	assert_int_equal(zrt_sys_mmap(0x1000, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), -12);
	assert_int_equal(MAP(HEAP_SIZE), -12);
	assert_int_equal(MAP(0), -22);
	assert_int_equal(zrt_sys_mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), -1);
	assert_int_equal(zrt_sys_mprotect(fake_start, 4096, PROT_READ | PROT_EXEC), -13);
	assert_int_equal(zrt_sys_mprotect(fake_start, 4096, PROT_NONE), 0);
	assert_int_equal(zrt_sys_mprotect(fake_start + 1, 4096, PROT_READ), -22);
}

static void test_file_mapping(void **state)
{
	long a, fd;

	(void)state;
	fd = zrt_sys_openat(AT_FDCWD, "/dev/data", O_RDONLY, 0);
	assert_true(fd >= 0);
	/* a private mapping of a channel: a copy of its bytes from the offset */
	a = zrt_sys_mmap(0, 12288, PROT_READ, MAP_PRIVATE, (int)fd, 4096);
	assert_true(a > 0);
	assert_int_equal(((unsigned char *)(uintptr_t)a)[0], (unsigned char)4096);
	assert_int_equal(((unsigned char *)(uintptr_t)a)[5000], (unsigned char)(4096 + 5000));
	assert_int_equal(((unsigned char *)(uintptr_t)a)[6000], 0); /* past the end of the data */
	assert_int_equal(zrt_sys_mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0), -19);
	assert_int_equal(zrt_sys_mmap(0, 4096, PROT_READ, MAP_PRIVATE, 99, 0), -9);
	/* and of a regular file */
	fd = zrt_sys_openat(AT_FDCWD, "/f", O_RDWR | O_CREAT, 0644);
	assert_int_equal(zrt_sys_write((int)fd, "mapped!", 7), 7);
	a = zrt_sys_mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, (int)fd, 0);
	assert_true(a > 0);
	assert_memory_equal((void *)(uintptr_t)a, "mapped!\0", 8);
}

/* An address hint is taken where the range is free (Linux does; gawk's
 * persistent heap relies on it), else ignored. */
static void test_hint(void **state)
{
	long a, h, far;

	(void)state;
	a = MAP(8192);
	assert_true(a > 0);
	h = zrt_sys_mmap((uint64_t)a, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(h > 0 && h != a); /* in use: elsewhere */
	far = a + (16 << 20);
	h = zrt_sys_mmap((uint64_t)far, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_int_equal(h, far); /* above the top: taken, the gap below stays usable */
	assert_true(all_zero((uint64_t)far, 8192));
	h = MAP(1 << 20);
	assert_true(h > a && h < far);
	memset((void *)(uintptr_t)h, 1, 1 << 20);
	assert_int_equal(zrt_sys_munmap((uint64_t)h, 1 << 20), 0);
	/* inside a free range below the top (not where first fit goes) */
	assert_int_equal(zrt_sys_mmap((uint64_t)h + 8192, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), h + 8192);
	assert_true(all_zero((uint64_t)h + 8192, 4096));
	assert_true(zrt_sys_mmap(fake_limit, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) > 0); /* outside: ignored */
}

static void test_brk(void **state)
{
	long b0, b1, m;

	(void)state;
	b0 = zrt_sys_brk(0);
	assert_true(b0 > 0);
	b1 = zrt_sys_brk((uint64_t)b0 + 10000);
	assert_int_equal(b1, b0 + 10000);
	memset((void *)(uintptr_t)b0, 1, 10000);
	m = MAP(4096); /* now something is mapped above the break */
	assert_true(m >= b0 + 12288);
	assert_int_equal(zrt_sys_brk((uint64_t)b0 + 100000), b0 + 10000); /* refused: unchanged */
	assert_int_equal(zrt_sys_brk((uint64_t)b0 + 4000), b0 + 4000);   /* shrinking works */
	assert_int_equal(zrt_sys_brk(1), b0 + 4000);                     /* below the start: unchanged */
}

static void test_zrt_alloc(void **state)
{
	char *s[200], *big, *r;

	(void)state;
	for (int i = 0; i < 200; i++) {
		size_t n = (size_t)(i * 13 % 2100) + 1;
		s[i] = zrt_alloc(n);
		assert_non_null(s[i]);
		assert_int_equal((uintptr_t)s[i] & 15, 0);
		assert_true(all_zero((uint64_t)(uintptr_t)s[i], n));
		memset(s[i], i, n);
	}
	for (int i = 0; i < 200; i++) {
		size_t n = (size_t)(i * 13 % 2100) + 1;
		for (size_t k = 0; k < n; k++)
			assert_int_equal((unsigned char)s[i][k], (unsigned char)i);
	}
	for (int i = 0; i < 200; i += 2)
		zrt_free(s[i], (size_t)(i * 13 % 2100) + 1);
	r = zrt_alloc(30); /* reused, zeroed */
	assert_true(all_zero((uint64_t)(uintptr_t)r, 30));
	big = zrt_alloc(100000);
	memset(big, 5, 100000);
	big = zrt_realloc(big, 100000, 300000);
	assert_non_null(big);
	assert_int_equal(big[99999], 5);
	assert_true(all_zero((uint64_t)(uintptr_t)big + 100000, 200000));
	r = zrt_realloc(r, 30, 5000);
	assert_true(all_zero((uint64_t)(uintptr_t)r, 5000));
	big = zrt_realloc(big, 300000, 10);
	assert_int_equal(big[9], 5);
	zrt_free(big, 10);
}

/* Random mmap/munmap/mremap against a shadow: live mappings never overlap,
 * each keeps its fill byte, new memory is zero. */
static void test_random_workload(void **state)
{
	enum { SLOTS = 64 };
	struct { long addr; uint64_t len; unsigned char fill; } m[SLOTS] = { 0 };
	uint64_t x = 12345;

	(void)state;
	for (int step = 0; step < 4000; step++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		int k = (int)(x % SLOTS);
		uint64_t len = ((x >> 8) % 64 + 1) * 4096;
		if (!m[k].addr) {
			long a = MAP(len);
			assert_true(a > 0);
			assert_true(all_zero((uint64_t)a, len));
			for (int j = 0; j < SLOTS; j++)
				if (m[j].addr)
					assert_true((uint64_t)a + len <= (uint64_t)m[j].addr || (uint64_t)m[j].addr + m[j].len <= (uint64_t)a);
			m[k].addr = a;
			m[k].len = len;
			m[k].fill = (unsigned char)(step | 1);
			memset((void *)(uintptr_t)a, m[k].fill, len);
		} else if ((x >> 20) % 3 == 0) {
			long a = zrt_sys_mremap((uint64_t)m[k].addr, m[k].len, len, MREMAP_MAYMOVE, 0);
			uint64_t keep = len < m[k].len ? len : m[k].len;
			assert_true(a > 0);
			for (uint64_t i = 0; i < keep; i += 512)
				assert_int_equal(((unsigned char *)(uintptr_t)a)[i], m[k].fill);
			if (len > m[k].len)
				assert_true(all_zero((uint64_t)a + m[k].len, len - m[k].len));
			m[k].addr = a;
			m[k].len = len;
			memset((void *)(uintptr_t)a, m[k].fill, len);
		} else {
			for (uint64_t i = 0; i < m[k].len; i += 512)
				assert_int_equal(((unsigned char *)(uintptr_t)m[k].addr)[i], m[k].fill);
			assert_int_equal(zrt_sys_munmap((uint64_t)m[k].addr, m[k].len), 0);
			m[k].addr = 0;
		}
	}
	for (int k = 0; k < SLOTS; k++)
		if (m[k].addr)
			zrt_sys_munmap((uint64_t)m[k].addr, m[k].len);
	assert_true(fake_end == base); /* all of it given back */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_map_zeroed_and_reused, setup),
		cmocka_unit_test_setup(test_top_given_back, setup),
		cmocka_unit_test_setup(test_mremap, setup),
		cmocka_unit_test_setup(test_fixed_and_limits, setup),
		cmocka_unit_test_setup(test_file_mapping, setup),
		cmocka_unit_test_setup(test_hint, setup),
		cmocka_unit_test_setup(test_brk, setup),
		cmocka_unit_test_setup(test_zrt_alloc, setup),
		cmocka_unit_test_setup(test_random_workload, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
