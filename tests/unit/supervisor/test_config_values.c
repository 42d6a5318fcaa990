/*
 * test_config_values.c — zvmd's configuration reads bytes and seconds with
 * the manifest's parser (channels/units.c): the same strings mean the same
 * values, and what a manifest refuses, the configuration refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "supervisor/config.h"

static void test_units_as_in_manifests(void **state)
{
	struct zvmd_config c;
	char err[256] = "";
	const char *text = "max_memory = 1 GiB\n"
			   "default_memory = 64M\n"
			   "max_timeout = 10 min\n"
			   "default_timeout = 500ms\n"
			   "max_cpu_time = 1h\n"
			   "default_cpu_time = 2.5\n";

	(void)state;
	zvmd_config_defaults(&c);
	if (zvmd_config_parse(&c, text, "z.conf", err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.limits.max_memory, 1ull << 30);
	assert_int_equal(c.limits.default_memory, 64ull << 20);
	assert_true(c.limits.max_timeout == 600.0);
	assert_true(c.limits.default_timeout == 0.5);
	assert_true(c.limits.max_cpu_time == 3600.0);
	assert_true(c.limits.default_cpu_time == 2.5);
}

static const struct {
	const char *line, *why;
} bad[] = {
	{ "max_memory = 1.5G", "bad value '1.5G' for max_memory" },
	{ "max_memory = 64MB", "bad value '64MB'" },
	{ "max_memory = -1", "bad value '-1'" },
	{ "max_memory = +1G", "bad value '+1G'" },
	{ "max_memory = 0x100000", "bad value '0x100000'" },
	{ "max_memory = 17179869184G", "bad value '17179869184G'" },
	{ "max_timeout = 1e3", "bad value '1e3' for max_timeout" },
	{ "max_timeout = inf", "bad value 'inf'" },
	{ "max_timeout = 0x10", "bad value '0x10'" },
	{ "max_timeout = -5", "bad value '-5'" },
	{ "max_timeout = 0.0001", "bad value '0.0001'" },
	{ "max_timeout = 5m", "bad value '5m'" },
	{ "default_cpu_time = 99999999999", "bad value '99999999999'" },
};

static void test_refused_as_in_manifests(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct zvmd_config c;
		char text[128], err[256] = "";

		zvmd_config_defaults(&c);
		snprintf(text, sizeof(text), "# x\n%s\n", bad[i].line);
		if (zvmd_config_parse(&c, text, "z.conf", err, sizeof(err)) == 0)
			fail_msg("'%s' accepted", bad[i].line);
		if (strncmp(err, "z.conf:2: ", 10) || !strstr(err, bad[i].why))
			fail_msg("'%s': message '%s', want '%s'", bad[i].line, err, bad[i].why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units_as_in_manifests),
		cmocka_unit_test(test_refused_as_in_manifests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
