/*
 * test_images.c — zvmd's image cache (supervisor/images.h) with real sealed
 * memfds: entries per uid, a job's dup outliving its entry, LRU eviction
 * (the uid's own oldest first), the byte caps under a random sequence of
 * adds checked against a model, and det/nondet validity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "supervisor/images.h"

static const struct sfi_options DET = { .deterministic = true };
static const struct sfi_options NONDET = { .deterministic = false };

/* A digest that names image n (the cache never hashes: the helper did). */
static void digest(unsigned n, uint8_t sha[32])
{
	memset(sha, 0, 32);
	memcpy(sha, &n, sizeof(n));
	sha[31] = 0xa5;
}

/* A sealed memfd of size bytes, each byte (n + i) & 0xff. */
static int sealed(unsigned n, uint64_t size)
{
	int fd = memfd_create("t-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	uint8_t *buf = malloc(size);

	assert_true(fd >= 0 && buf);
	for (uint64_t i = 0; i < size; i++)
		buf[i] = (uint8_t)(n + i);
	assert_int_equal(pwrite(fd, buf, size, 0), (ssize_t)size);
	assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL), 0);
	free(buf);
	return fd;
}

/* fd holds image n of size bytes, exactly. */
static bool holds(int fd, unsigned n, uint64_t size)
{
	uint8_t b[4096];
	ssize_t got = pread(fd, b, sizeof(b), 0);

	assert_true(size < sizeof(b));
	if (got != (ssize_t)size)
		return false;
	for (uint64_t i = 0; i < size; i++)
		if (b[i] != (uint8_t)(n + i))
			return false;
	return true;
}

/* Adds image n for uid under opt, closing the caller's memfd after. */
static int add(struct zvm_images *c, uid_t uid, unsigned n, uint64_t size, const struct sfi_options *opt)
{
	uint8_t sha[32];
	int fd = sealed(n, size), rc;

	digest(n, sha);
	rc = zvm_images_add(c, uid, sha, fd, size, opt);
	close(fd);
	return rc;
}

static struct zvm_image_entry *find(struct zvm_images *c, uid_t uid, unsigned n, const struct sfi_options *opt)
{
	uint8_t sha[32];

	digest(n, sha);
	return zvm_images_find(c, uid, sha, opt);
}

static void init(struct zvm_images *c, unsigned entries, uint64_t max, uint64_t uid_max)
{
	struct zvm_images_limits lim = { entries, max, uid_max };

	assert_int_equal(zvm_images_init(c, &lim), 0);
}

static void test_entries_are_per_uid(void **state)
{
	struct zvm_images c;
	struct zvm_image_entry *e;
	int fd;

	(void)state;
	init(&c, 8, 1 << 20, 1 << 20);
	assert_int_equal(add(&c, 1000, 7, 100, &DET), 0);
	assert_null(find(&c, 1001, 7, &DET));
	assert_null(find(&c, 1001, 7, &NONDET));
	assert_null(find(&c, 0, 7, &DET)); /* not even root's view */
	e = find(&c, 1000, 7, &DET);
	assert_non_null(e);
	fd = zvm_images_take(e);
	assert_true(fd >= 0);
	assert_true(holds(fd, 7, 100));
	close(fd);
	/* the same bytes uploaded by another uid are a second entry, charged to it */
	assert_int_equal(add(&c, 1001, 7, 100, &DET), 0);
	assert_int_equal(zvm_images_uid_bytes(&c, 1000), 100);
	assert_int_equal(zvm_images_uid_bytes(&c, 1001), 100);
	assert_int_equal(c.bytes, 200);
	zvm_images_free(&c);
}

static void test_take_survives_eviction(void **state)
{
	struct zvm_images c;
	struct zvm_image_entry *e;
	int fd;

	(void)state;
	init(&c, 1, 1 << 20, 1 << 20); /* one slot: the next image reuses it */
	assert_int_equal(add(&c, 1000, 1, 300, &DET), 0);
	e = find(&c, 1000, 1, &DET);
	assert_non_null(e);
	fd = zvm_images_take(e);
	assert_true(fd >= 0);
	/* another tenant's upload evicts it and takes over the very entry */
	assert_int_equal(add(&c, 2000, 2, 200, &DET), 0);
	assert_null(find(&c, 1000, 1, &DET));
	assert_ptr_equal(find(&c, 2000, 2, &DET), e);
	/* the job still runs its own image, sealed as it was */
	assert_true(holds(fd, 1, 300));
	assert_int_equal(fcntl(fd, F_GET_SEALS) & (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW),
			 F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW);
	close(fd);
	/* and freeing the cache does not close it from under a job either */
	e = find(&c, 2000, 2, &DET);
	fd = zvm_images_take(e);
	zvm_images_free(&c);
	assert_true(holds(fd, 2, 200));
	close(fd);
}

static void test_lru_order(void **state)
{
	struct zvm_images c;

	(void)state;
	init(&c, 3, 1 << 20, 1 << 20);
	assert_int_equal(add(&c, 1, 1, 10, &DET), 0);
	assert_int_equal(add(&c, 1, 2, 10, &DET), 0);
	assert_int_equal(add(&c, 2, 3, 10, &DET), 0);
	assert_non_null(find(&c, 1, 1, &DET)); /* 1 is now newer than 2 */
	assert_int_equal(add(&c, 2, 4, 10, &DET), 0); /* full: the oldest (2) goes */
	assert_null(find(&c, 1, 2, &DET));
	assert_non_null(find(&c, 1, 1, &DET));
	assert_non_null(find(&c, 2, 3, &DET));
	assert_non_null(find(&c, 2, 4, &DET));
	zvm_images_free(&c);
}

static void test_uid_evicts_its_own_first(void **state)
{
	struct zvm_images c;

	(void)state;
	init(&c, 16, 1000, 300);
	assert_int_equal(add(&c, 1, 1, 100, &DET), 0); /* oldest of all, another uid's */
	assert_int_equal(add(&c, 2, 2, 100, &DET), 0);
	assert_int_equal(add(&c, 2, 3, 100, &DET), 0);
	assert_int_equal(add(&c, 2, 4, 100, &DET), 0);
	assert_non_null(find(&c, 2, 2, &DET)); /* 3 is now uid 2's oldest */
	/* uid 2 is at its cap: its own oldest goes, not uid 1's older image */
	assert_int_equal(add(&c, 2, 5, 100, &DET), 0);
	assert_null(find(&c, 2, 3, &DET));
	assert_non_null(find(&c, 1, 1, &DET));
	assert_non_null(find(&c, 2, 2, &DET));
	assert_non_null(find(&c, 2, 4, &DET));
	assert_non_null(find(&c, 2, 5, &DET));
	assert_int_equal(zvm_images_uid_bytes(&c, 2), 300);
	/* a larger one makes room by several of its own */
	assert_int_equal(add(&c, 2, 6, 250, &DET), 0);
	assert_int_equal(zvm_images_uid_bytes(&c, 2), 250);
	assert_non_null(find(&c, 1, 1, &DET));
	zvm_images_free(&c);
}

static void test_too_large_is_efbig(void **state)
{
	struct zvm_images c;

	(void)state;
	init(&c, 4, 1000, 300);
	assert_int_equal(add(&c, 1, 1, 100, &DET), 0);
	assert_int_equal(add(&c, 1, 2, 301, &DET), -EFBIG); /* over uid_max_bytes */
	assert_null(find(&c, 1, 2, &DET));
	assert_non_null(find(&c, 1, 1, &DET)); /* and nothing was evicted for it */
	assert_int_equal(c.bytes, 100);
	zvm_images_free(&c);
	init(&c, 4, 200, 300);
	assert_int_equal(add(&c, 1, 1, 100, &DET), 0);
	assert_int_equal(add(&c, 1, 2, 201, &DET), -EFBIG); /* over max_bytes */
	assert_null(find(&c, 1, 2, &DET));
	assert_non_null(find(&c, 1, 1, &DET));
	assert_int_equal(c.bytes, 100);
	zvm_images_free(&c);
}

static void test_set_limits_shrinks(void **state)
{
	struct zvm_images c;
	struct zvm_images_limits lim = { 16, 250, 1000 };

	(void)state;
	init(&c, 16, 1000, 1000);
	for (unsigned n = 1; n <= 6; n++)
		assert_int_equal(add(&c, n % 2, n, 100, &DET), 0); /* uid 1: 1 3 5, uid 0: 2 4 6 */
	assert_int_equal(c.bytes, 600);
	zvm_images_set_limits(&c, &lim); /* all uids: 250 -> the four oldest go */
	assert_int_equal(c.bytes, 200);
	assert_non_null(find(&c, 1, 5, &DET));
	assert_non_null(find(&c, 0, 6, &DET));
	for (unsigned n = 1; n <= 4; n++)
		assert_null(find(&c, n % 2, n, &DET));
	zvm_images_free(&c);

	init(&c, 16, 1000, 1000);
	for (unsigned n = 1; n <= 6; n++)
		assert_int_equal(add(&c, n % 2, n, 100, &DET), 0);
	lim = (struct zvm_images_limits){ 16, 1000, 150 }; /* one uid: 150 -> each keeps its newest */
	zvm_images_set_limits(&c, &lim);
	assert_int_equal(zvm_images_uid_bytes(&c, 0), 100);
	assert_int_equal(zvm_images_uid_bytes(&c, 1), 100);
	assert_non_null(find(&c, 1, 5, &DET));
	assert_non_null(find(&c, 0, 6, &DET));
	/* the new caps hold for later adds too */
	assert_int_equal(add(&c, 1, 7, 151, &DET), -EFBIG);
	assert_int_equal(add(&c, 1, 8, 100, &DET), 0);
	assert_null(find(&c, 1, 5, &DET));
	zvm_images_free(&c);
}

static void test_det_nondet(void **state)
{
	struct zvm_images c;

	(void)state;
	init(&c, 4, 1000, 1000);
	assert_int_equal(add(&c, 1, 1, 10, &NONDET), 0);
	assert_non_null(find(&c, 1, 1, &NONDET));
	assert_null(find(&c, 1, 1, &DET)); /* validated only under the looser rules */
	assert_int_equal(add(&c, 1, 2, 10, &DET), 0);
	assert_non_null(find(&c, 1, 2, &DET));
	assert_non_null(find(&c, 1, 2, &NONDET)); /* the stricter verdict serves both */
	/* validated again under the strict rules: the same entry, now both */
	assert_int_equal(add(&c, 1, 1, 10, &DET), 0);
	assert_non_null(find(&c, 1, 1, &DET));
	assert_int_equal(c.bytes, 20);
	zvm_images_free(&c);
}

/* ---- random adds against a model ---------------------------------------- */

struct model_entry {
	bool used;
	uid_t uid;
	unsigned n;
	uint64_t size, last;
};

#define M_ENTRIES 6
#define M_MAX 400
#define M_UID_MAX 220

static struct model_entry model[M_ENTRIES];
static uint64_t model_clock;

static uint64_t model_uid_bytes(uid_t uid, bool all)
{
	uint64_t b = 0;

	for (int i = 0; i < M_ENTRIES; i++)
		if (model[i].used && (all || model[i].uid == uid))
			b += model[i].size;
	return b;
}

static struct model_entry *model_lru(bool only_uid, uid_t uid)
{
	struct model_entry *best = NULL;

	for (int i = 0; i < M_ENTRIES; i++)
		if (model[i].used && (!only_uid || model[i].uid == uid) && (!best || model[i].last < best->last))
			best = &model[i];
	return best;
}

static struct model_entry *model_lookup(uid_t uid, unsigned n)
{
	for (int i = 0; i < M_ENTRIES; i++)
		if (model[i].used && model[i].uid == uid && model[i].n == n)
			return &model[i];
	return NULL;
}

static int model_add(uid_t uid, unsigned n, uint64_t size)
{
	struct model_entry *e = model_lookup(uid, n);

	if (!e) {
		if (size > M_MAX || size > M_UID_MAX)
			return -EFBIG;
		while (model_uid_bytes(uid, false) + size > M_UID_MAX)
			model_lru(true, uid)->used = false;
		while (model_uid_bytes(0, true) + size > M_MAX)
			model_lru(false, 0)->used = false;
		for (int i = 0; i < M_ENTRIES && !e; i++)
			if (!model[i].used)
				e = &model[i];
		if (!e)
			e = model_lru(false, 0);
		*e = (struct model_entry){ true, uid, n, size, 0 };
	}
	e->last = ++model_clock;
	return 0;
}

static void check_against_model(struct zvm_images *c)
{
	uint64_t total = 0;
	unsigned count = 0;

	assert_true(c->bytes <= M_MAX);
	for (unsigned i = 0; i < c->lim.max_entries; i++) {
		const struct zvm_image_entry *e = &c->e[i];
		if (e->memfd < 0)
			continue;
		count++;
		total += e->size;
		assert_true(zvm_images_uid_bytes(c, e->uid) <= M_UID_MAX);
	}
	assert_int_equal(total, c->bytes);
	assert_int_equal(total, model_uid_bytes(0, true));
	for (int i = 0; i < M_ENTRIES; i++)
		count -= model[i].used;
	assert_int_equal(count, 0);
	for (int i = 0; i < M_ENTRIES; i++) {
		struct zvm_image_entry *e;
		uint8_t sha[32];
		int fd;

		if (!model[i].used)
			continue;
		digest(model[i].n, sha);
		/* a lookup would touch the LRU clock: read the table instead */
		e = NULL;
		for (unsigned j = 0; j < c->lim.max_entries && !e; j++)
			if (c->e[j].memfd >= 0 && c->e[j].uid == model[i].uid && !memcmp(c->e[j].sha256, sha, 32))
				e = &c->e[j];
		if (!e)
			fail_msg("uid %u image %u: in the model, not in the cache", (unsigned)model[i].uid,
				 model[i].n);
		fd = zvm_images_take(e);
		assert_true(fd >= 0);
		assert_true(holds(fd, model[i].n, model[i].size));
		close(fd);
	}
}

static void test_random_adds_hold_the_caps(void **state)
{
	struct zvm_images c;
	unsigned seed = 12345;

	(void)state;
	memset(model, 0, sizeof(model));
	model_clock = 0;
	init(&c, M_ENTRIES, M_MAX, M_UID_MAX);
	for (int step = 0; step < 3000; step++) {
		uid_t uid = rand_r(&seed) % 3;
		unsigned n = rand_r(&seed) % 12;
		/* the same digest is always the same bytes */
		uint64_t size = 1 + (n * 37) % 240;

		if (rand_r(&seed) % 4 == 0) {
			struct model_entry *m = model_lookup(uid, n);
			struct zvm_image_entry *e = find(&c, uid, n, &DET);
			assert_int_equal(m != NULL, e != NULL);
			if (m)
				m->last = ++model_clock;
			continue;
		}
		int want = model_add(uid, n, size), got = add(&c, uid, n, size, &DET);
		if (want != got)
			fail_msg("step %d: add uid %u image %u (%llu bytes): %d, model %d", step, (unsigned)uid, n,
				 (unsigned long long)size, got, want);
		check_against_model(&c);
	}
	zvm_images_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries_are_per_uid),
		cmocka_unit_test(test_take_survives_eviction),
		cmocka_unit_test(test_lru_order),
		cmocka_unit_test(test_uid_evicts_its_own_first),
		cmocka_unit_test(test_too_large_is_efbig),
		cmocka_unit_test(test_set_limits_shrinks),
		cmocka_unit_test(test_det_nondet),
		cmocka_unit_test(test_random_adds_hold_the_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
