/*
 * test_units.c — the one parser of bytes and seconds (channels/units.c) that
 * manifests, zvmd's configuration and the zvm flags share: exact values,
 * every unit, overflow, garbage, signs. One row per string.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "channels/channels.h"

static const struct {
	const char *text;
	int rc;
	uint64_t want;
} bytes[] = {
	{ "0", 0, 0 },
	{ "4096", 0, 4096 },
	{ "007", 0, 7 },
	{ "1B", 0, 1 },
	{ "1 B", 0, 1 },
	{ "1K", 0, 1024 },
	{ "1k", 0, 1024 },
	{ "64M", 0, 64ull << 20 },
	{ "64m", 0, 64ull << 20 },
	{ "3G", 0, 3ull << 30 },
	{ "2T", 0, 2ull << 40 },
	{ "1KiB", 0, 1024 },
	{ "1 MiB", 0, 1ull << 20 },
	{ "1 GiB", 0, 1ull << 30 },
	{ "1gib", -EINVAL, 0 },         /* "iB" exactly */
	{ "1 TiB", 0, 1ull << 40 },
	{ "18446744073709551615", 0, UINT64_MAX },
	{ "18446744073709551616", -ERANGE, 0 },
	{ "99999999999999999999999", -ERANGE, 0 },
	{ "17179869183G", 0, 17179869183ull << 30 },
	{ "17179869184G", -ERANGE, 0 },
	{ "16777216T", -ERANGE, 0 },
	{ "", -EINVAL, 0 },
	{ "M", -EINVAL, 0 },
	{ " 1", -EINVAL, 0 },
	{ "1 ", -EINVAL, 0 },
	{ "1  M", -EINVAL, 0 },
	{ "1\tM", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ "+1", -EINVAL, 0 },
	{ "1.5M", -EINVAL, 0 },
	{ "0x10", -EINVAL, 0 },
	{ "1e6", -EINVAL, 0 },
	{ "1MB", -EINVAL, 0 },          /* decimal or binary? refused */
	{ "1KB", -EINVAL, 0 },
	{ "1P", -EINVAL, 0 },
	{ "1Mi", -EINVAL, 0 },
	{ "1M1", -EINVAL, 0 },
	{ "12Q", -EINVAL, 0 },
	{ "1,000", -EINVAL, 0 },
};

static void test_bytes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++) {
		uint64_t v = 12345;
		int rc = zvm_parse_bytes(bytes[i].text, &v);

		if (rc != bytes[i].rc)
			fail_msg("'%s': rc %d, want %d", bytes[i].text, rc, bytes[i].rc);
		if (rc == 0 && v != bytes[i].want)
			fail_msg("'%s': %llu, want %llu", bytes[i].text, (unsigned long long)v,
				 (unsigned long long)bytes[i].want);
		if (rc < 0 && v != 12345)
			fail_msg("'%s': the output changed on an error", bytes[i].text);
	}
}

static const struct {
	const char *text;
	int rc;
	double want;
} secs[] = {
	{ "2", 0, 2.0 },
	{ "0.5", 0, 0.5 },
	{ ".25", 0, 0.25 },
	{ "5.", 0, 5.0 },
	{ "0.001", 0, 0.001 },
	{ "31536000", 0, 31536000.0 },
	{ "2s", 0, 2.0 },
	{ "2 s", 0, 2.0 },
	{ "500ms", 0, 0.5 },
	{ "1 ms", 0, 0.001 },
	{ "1.5min", 0, 90.0 },
	{ "10 min", 0, 600.0 },
	{ "2h", 0, 7200.0 },
	{ "8760h", 0, 31536000.0 },
	{ "8761h", -ERANGE, 0 },
	{ "31536001", -ERANGE, 0 },
	{ "0", -ERANGE, 0 },
	{ "0.0009", -ERANGE, 0 },
	{ "0.5ms", -ERANGE, 0 },        /* below 1 ms a timer is "off" */
	{ "0.0000001", -ERANGE, 0 },
	{ "1000000000000000000000000000000000000000000000000000000000000000000000000", -ERANGE, 0 },
	{ "", -EINVAL, 0 },
	{ ".", -EINVAL, 0 },
	{ "s", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ "+1", -EINVAL, 0 },
	{ " 1", -EINVAL, 0 },
	{ "1 ", -EINVAL, 0 },
	{ "1e3", -EINVAL, 0 },
	{ "1e-9", -EINVAL, 0 },
	{ "0x10", -EINVAL, 0 },
	{ "inf", -EINVAL, 0 },
	{ "nan", -EINVAL, 0 },
	{ "1.2.3", -EINVAL, 0 },
	{ "1m", -EINVAL, 0 },           /* minutes or milliseconds? refused */
	{ "1sec", -EINVAL, 0 },
	{ "1  s", -EINVAL, 0 },
	{ "1,5", -EINVAL, 0 },
};

static void test_seconds(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		double v = -7;
		int rc = zvm_parse_seconds(secs[i].text, &v);

		if (rc != secs[i].rc)
			fail_msg("'%s': rc %d, want %d", secs[i].text, rc, secs[i].rc);
		if (rc == 0 && v != secs[i].want)
			fail_msg("'%s': %.17g, want %.17g", secs[i].text, v, secs[i].want);
		if (rc < 0 && v != -7)
			fail_msg("'%s': the output changed on an error", secs[i].text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_seconds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
