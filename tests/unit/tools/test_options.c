/*
 * test_options.c — which gcc flags zvm-cc passes and which it refuses,
 * one row per flag.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tools/zvm-cc/options.h"

static const struct {
	const char *flag;
	const char *why; /* substring of the reason, or NULL: allowed */
} rows[] = {
	{ "-O2", NULL },
	{ "-funroll-loops", NULL },
	{ "-fno-pic", NULL },
	{ "-fno-stack-protector", NULL },
	{ "-fPIC", NULL }, /* position-independent code links statically like any other */
	{ "-fpic", NULL },
	{ "-fPIE", NULL },
	{ "-fpie", NULL },
	{ "-fstack-protector-strong", "%fs:40" },
	{ "-fcf-protection=full", "endbr64" },
	{ "-fcf-protection=none", NULL },
	{ "-fjump-tables", "jump tables" },
	{ "-flto=auto", "LTO" },
	{ "-fsplit-stack", "%fs" },
	{ "-fsanitize=address", "shadow" },
	{ "-fsanitize=undefined", NULL },
	{ "-msse4.2", NULL },
	{ "-msse4", NULL },
	{ "-msse4a", "x86-64-v2" },
	{ "-mpopcnt", NULL },
	{ "-mavx", "x86-64-v2" },
	{ "-mavx2", "x86-64-v2" },
	{ "-mavx512f", "x86-64-v2" },
	{ "-mbmi", "x86-64-v2" },
	{ "-mmovbe", "x86-64-v2" },
	{ "-maes", "x86-64-v2" },
	{ "-mno-avx", NULL },
	{ "-mno-red-zone", NULL },
	{ "-mred-zone", "red zone" },
	{ "-mtune=native", NULL },
	{ "-march=native", "-march=x86-64-v2" },
	{ "-march=x86-64-v2", NULL },
	{ "-mcmodel=small", NULL },
	{ "-mcmodel=large", "small code model" },
	{ "-m32", "x86-64" },
	{ "-mx32", "x86-64" },
	{ "-m64", NULL },
	{ "-mtls-dialect=gnu2", "TLS descriptors" },
	{ "-mtls-dialect=gnu", NULL },
	{ "-shared", "ar rcs libNAME.a" }, /* says how to build the static library instead */
	{ "-pie", "static" },
	{ "-Wall", NULL },
	{ "-std=c11", NULL },
};

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *why = zvm_cc_refused(rows[i].flag);
		if (!rows[i].why && why)
			fail_msg("%s: refused (%s), should pass", rows[i].flag, why);
		if (rows[i].why && (!why || !strstr(why, rows[i].why)))
			fail_msg("%s: want a refusal mentioning '%s', got %s", rows[i].flag, rows[i].why,
				 why ? why : "none");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_rows) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
