/*
 * test_valcache.c — the validation cache's key: an entry vouches for an
 * image only under the validator identity and the options it was stored
 * with. Entries from another build of the validator (another id, or the
 * old fixed ".v1" name) are not found.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "sfi/sfi.h"
#include "sfi/valcache-internal.h"
#include "validator-id.h"

static char dir[64];
static struct sfi_image img;
static const struct sfi_options det = { .deterministic = true }, nondet = { .deterministic = false };

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/zvm-valcache-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	setenv("ZVM_CACHE_DIR", dir, 1);
	memset(&img, 0, sizeof(img));
	for (int i = 0; i < 32; i++)
		img.sha256[i] = (uint8_t)(0xa0 + i);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void touch(const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
}

static void digest_hex(char out[65])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", img.sha256[i]);
}

static void test_id_is_derived(void **state)
{
	const char *id = sfi_validator_id();

	/* the generated hash, then the Zydis library's version */
	assert_int_equal(strlen(SFI_VALIDATOR_ID), 64);
	assert_int_equal(strspn(SFI_VALIDATOR_ID, "0123456789abcdef"), 64);
	assert_memory_equal(id, SFI_VALIDATOR_ID, 64);
	assert_string_equal(id + 64 + 18, "");
	assert_memory_equal(id + 64, "-z", 2);
}

static void test_other_id_not_found(void **state)
{
	assert_int_equal(sfi_valcache_lookup(&img, &det), 0);
	assert_int_equal(sfi_valcache_store_as("rules-before-the-change", &img, &det), 0);
	assert_int_equal(sfi_valcache_lookup_as("rules-before-the-change", &img, &det), 1);
	/* the current validator, or any other, does not take its word */
	assert_int_equal(sfi_valcache_lookup_as("rules-after-the-change", &img, &det), 0);
	assert_int_equal(sfi_valcache_lookup(&img, &det), 0);
	/* stored now, found now, under these options only */
	assert_int_equal(sfi_valcache_store(&img, &det), 0);
	assert_int_equal(sfi_valcache_lookup(&img, &det), 1);
	assert_int_equal(sfi_valcache_lookup(&img, &nondet), 0);
	assert_int_equal(sfi_valcache_lookup_as("rules-before-the-change", &img, &nondet), 0);
}

/* The name every entry had while the key was a constant (".v1"): three
 * rule changes later, such an entry must not vouch for anything. */
static void test_old_fixed_version_not_found(void **state)
{
	char hex[65], name[256];

	img.sha256[0] ^= 0xff;
	digest_hex(hex);
	snprintf(name, sizeof(name), "%s.v1.det", hex);
	touch(name);
	snprintf(name, sizeof(name), "%s.v1.nondet", hex);
	touch(name);
	assert_int_equal(sfi_valcache_lookup(&img, &det), 0);
	assert_int_equal(sfi_valcache_lookup(&img, &nondet), 0);
	/* and the name the current build uses does */
	snprintf(name, sizeof(name), "%s.%s.det", hex, sfi_validator_id());
	touch(name);
	assert_int_equal(sfi_valcache_lookup(&img, &det), 1);
}

/* A directory others may write to is not a cache. */
static void test_unsafe_dir_ignored(void **state)
{
	img.sha256[1] ^= 0xff;
	assert_int_equal(sfi_valcache_store(&img, &det), 0);
	assert_int_equal(sfi_valcache_lookup(&img, &det), 1);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(sfi_valcache_lookup(&img, &det), 0);
	assert_true(sfi_valcache_store(&img, &det) < 0);
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(sfi_valcache_lookup(&img, &det), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_is_derived),
		cmocka_unit_test(test_other_id_not_found),
		cmocka_unit_test(test_old_fixed_version_not_found),
		cmocka_unit_test(test_unsafe_dir_ignored),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
