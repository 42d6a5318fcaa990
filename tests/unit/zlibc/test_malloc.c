/*
 * test_malloc.c — the cell's malloc (runtime/zlibc/malloc.c) natively, on
 * glibc's mmap: size classes and alignment, a random workload of malloc,
 * calloc, realloc, aligned_alloc and free checked against a model (every
 * live block holds a pattern of its own, checked before it changes hands,
 * so an overlap or a lost byte shows), memory reuse, errors, and double
 * frees that abort.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "zlibc-support.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_sizes_and_alignment(void **state)
{
	(void)state;
	for (size_t n = 0; n < 70000; n += n < 300 ? 1 : 97) {
		char *p = zl_malloc(n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		assert_true(zl_malloc_usable_size(p) >= n);
		memset(p, 0x5a, n);
		zl_free(p);
	}
	/* within a class, the block is reused (LIFO): nothing leaks */
	char *a = zl_malloc(40);
	zl_free(a);
	assert_ptr_equal(zl_malloc(33), a);
	zl_free(a);
	assert_int_equal(zl_malloc_usable_size(NULL), 0);
	zl_free(NULL);
}

struct slot {
	unsigned char *p;
	size_t n;
	unsigned char seed;
};

static void fill(struct slot *s)
{
	for (size_t i = 0; i < s->n; i++)
		s->p[i] = (unsigned char)(s->seed + i * 7);
}

static void check(const struct slot *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s->p[i] != (unsigned char)(s->seed + i * 7))
			fail_msg("block %p (%zu bytes): byte %zu is %u", (void *)s->p, s->n, i, s->p[i]);
}

static size_t rand_size(void)
{
	uint64_t r = next_rand();
	switch (r % 16) {
	case 0:
		return (size_t)(r >> 8) % 300000; /* large: own mappings */
	case 1: case 2:
		return (size_t)(r >> 8) % 66000; /* across the small/large line */
	default:
		return (size_t)(r >> 8) % 200;
	}
}

#define SLOTS 512

static void test_random_against_model(void **state)
{
	static struct slot s[SLOTS];
	size_t live = 0;

	(void)state;
	for (int op = 0; op < 200000; op++) {
		struct slot *x = &s[next_rand() % SLOTS];
		unsigned kind = (unsigned)(next_rand() % 10);

		if (x->p && kind < 4) { /* free */
			check(x, x->n);
			zl_free(x->p);
			x->p = NULL;
			live--;
		} else if (x->p) { /* realloc */
			size_t n = rand_size();
			unsigned char *q = zl_realloc(x->p, n);
			assert_non_null(q);
			assert_int_equal((uintptr_t)q % 16, 0);
			x->p = q;
			check(x, n < x->n ? n : x->n);
			x->n = n;
			assert_true(zl_malloc_usable_size(q) >= n);
			x->seed = (unsigned char)next_rand();
			fill(x);
		} else {
			size_t n = rand_size();
			if (kind < 6) {
				x->p = zl_malloc(n);
			} else if (kind < 8) {
				x->p = zl_calloc(1, n);
				assert_non_null(x->p);
				for (size_t i = 0; i < n; i++)
					if (x->p[i])
						fail_msg("calloc(%zu): byte %zu is %u", n, i, x->p[i]);
			} else {
				size_t align = (size_t)32 << (next_rand() % 8); /* 32 .. 4096 */
				x->p = zl_aligned_alloc(align, n);
				assert_non_null(x->p);
				assert_int_equal((uintptr_t)x->p % align, 0);
			}
			assert_non_null(x->p);
			assert_true(zl_malloc_usable_size(x->p) >= n);
			x->n = n;
			x->seed = (unsigned char)next_rand();
			fill(x);
			live++;
		}
	}
	for (int i = 0; i < SLOTS; i++)
		if (s[i].p) {
			check(&s[i], s[i].n);
			zl_free(s[i].p);
			s[i].p = NULL;
			live--;
		}
	assert_int_equal(live, 0);
}

static void test_calloc_after_reuse(void **state)
{
	static const size_t sizes[] = { 1, 24, 100, 4000, 65536, 65537, 200000 };

	(void)state;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];
		unsigned char *p = zl_malloc(n);
		memset(p, 0xaa, n);
		zl_free(p);
		p = zl_calloc(n, 1);
		assert_non_null(p);
		for (size_t i = 0; i < n; i++)
			if (p[i])
				fail_msg("calloc(%zu) after a free: byte %zu is %u", n, i, p[i]);
		zl_free(p);
	}
}

static void test_realloc_across_classes(void **state)
{
	static const size_t steps[] = { 1, 17, 130, 5000, 65536, 70000, 1 << 20, 3 << 20, 100000, 60000, 64, 0, 10 };
	unsigned char *p = NULL;
	size_t have = 0;

	(void)state;
	for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		size_t n = steps[k];
		p = zl_realloc(p, n);
		assert_non_null(p);
		for (size_t i = 0; i < (n < have ? n : have); i++)
			if (p[i] != (unsigned char)(i * 13))
				fail_msg("realloc %zu -> %zu: byte %zu is %u", have, n, i, p[i]);
		for (size_t i = 0; i < n; i++)
			p[i] = (unsigned char)(i * 13);
		have = n;
	}
	zl_free(p);
	/* an aligned block grows like any other and can be freed after */
	p = zl_aligned_alloc(256, 100);
	memset(p, 7, 100);
	p = zl_realloc(p, 50000);
	for (int i = 0; i < 100; i++)
		assert_int_equal(p[i], 7);
	zl_free(p);
}

static void test_errors(void **state)
{
	void *p = &p;

	(void)state;
	errno = 0;
	assert_null(zl_malloc(SIZE_MAX));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(zl_calloc(SIZE_MAX / 2, 3));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(zl_aligned_alloc(48, 10));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	char *q = zl_malloc(10);
	assert_null(zl_realloc(q, SIZE_MAX - 8));
	assert_int_equal(errno, ENOMEM);
	zl_free(q);
	assert_int_equal(zl_posix_memalign(&p, 4, 10), EINVAL);
	assert_int_equal(zl_posix_memalign(&p, 24, 10), EINVAL);
	assert_ptr_equal(p, &p); /* untouched on failure */
	errno = 123;
	assert_int_equal(zl_posix_memalign(&p, 64, 10), 0);
	assert_int_equal(errno, 123);
	assert_int_equal((uintptr_t)p % 64, 0);
	zl_free(p);
	p = zl_memalign(8192, 3);
	assert_int_equal((uintptr_t)p % 8192, 0);
	zl_free(p);
}

/* what: 0 small double free, 1 large, 2 aligned, 3 realloc of a freed block */
static int child_status(int what)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		/* cmocka catches signals to report them: not in the child */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGABRT, SIG_DFL);
		char *p = what == 1 ? zl_malloc(100000) : what == 2 ? zl_aligned_alloc(128, 40) : zl_malloc(40);
		zl_free(p);
		if (what == 3)
			zl_realloc(p, 10);
		else
			zl_free(p);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void test_double_free_aborts(void **state)
{
	(void)state;
	for (int what = 0; what < 4; what++) {
		int st = child_status(what);
		/* a large block's header is unmapped natively: SIGSEGV is as good */
		if (!WIFSIGNALED(st) || (WTERMSIG(st) != SIGABRT && !(what == 1 && WTERMSIG(st) == SIGSEGV)))
			fail_msg("double free #%d: status %#x, not an abort", what, st);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes_and_alignment),
		cmocka_unit_test(test_random_against_model),
		cmocka_unit_test(test_calloc_after_reuse),
		cmocka_unit_test(test_realloc_across_classes),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_double_free_aborts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
