/*
 * fuzz_compile_report.c — libFuzzer target for zvm-compile's report
 * (compile/result.c): any bytes as the compiler's stdout and stderr give
 * one line of JSON that jansson reads back, whose strings are the input
 * where it was valid UTF-8 (the cleaner changes nothing else).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "compile/compile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include "tests/fuzz/fuzz-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t half = size / 2, n;
	struct zc_result r = { .status = (enum zc_status)(size % 5), .exit_code = (int)size - 100,
			       .signal = (int)(size % 40), .out = (char *)data, .out_len = half,
			       .err = (char *)data + half, .err_len = size - half };
	char *s = zc_result_json(&r), *clean;
	json_error_t e;
	json_t *j;

	CHECK(s);
	CHECK(!strchr(s, '\n'));
	j = json_loads(s, JSON_ALLOW_NUL, &e);
	CHECK(j);
	clean = zc_utf8_clean((const char *)data + half, size - half, &n);
	CHECK(clean);
	CHECK(json_string_length(json_object_get(j, "stderr")) == n);
	CHECK(!memcmp(json_string_value(json_object_get(j, "stderr")), clean, n));
	/* valid input passes unchanged */
	if (n == size - half)
		CHECK(!memcmp(clean, data + half, n));
	free(clean);
	json_decref(j);
	free(s);
	return 0;
}
