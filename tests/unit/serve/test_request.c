/*
 * test_request.c — zvm serve's request parser (serve/request.c): Piston's
 * execute request as an unmodified client sends it, zvm's additions
 * (runs, output_limit), /v1/jobs, and each refusal with the JSON path it
 * names, as a table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "serve/serve.h"

static void test_piston_request(void **state)
{
	/* the request of Piston's README, every field */
	const char *body = "{\"language\":\"js\",\"version\":\"15.10.0\",\"files\":[{\"name\":\"my_cool_code.js\","
			   "\"content\":\"console.log(process.argv)\"}],\"stdin\":\"\",\"args\":[\"1\",\"2\",\"3\"],"
			   "\"compile_timeout\":10000,\"run_timeout\":3000,\"compile_cpu_time\":10000,"
			   "\"run_cpu_time\":3000,\"compile_memory_limit\":-1,\"run_memory_limit\":-1}";
	struct serve_execute *x = malloc(sizeof(*x));
	char err[256];

	assert_int_equal(serve_parse_execute(body, strlen(body), x, err, sizeof(err)), 0);
	assert_string_equal(x->language, "js");
	assert_string_equal(x->version, "15.10.0");
	assert_int_equal(x->nfiles, 1);
	assert_string_equal(x->files[0].name, "my_cool_code.js");
	assert_string_equal(x->files[0].content.data, "console.log(process.argv)");
	assert_int_equal(x->nruns, 1);
	assert_false(x->has_runs);
	assert_int_equal(x->runs[0].nargs, 3);
	assert_string_equal(x->runs[0].args[2], "3");
	assert_int_equal(x->lim.run_timeout_ms, 3000);
	assert_int_equal(x->lim.compile_timeout_ms, 10000);
	assert_int_equal(x->lim.run_memory, -1);   /* Piston's "no limit": the tenant's cap */
	assert_int_equal(x->lim.output_limit, -1);
	serve_execute_free(x);
	free(x);
}

static void test_encodings_and_runs(void **state)
{
	const char *body = "{\"language\":\"c\",\"files\":[{\"content\":\"aGk=\",\"encoding\":\"base64\"},"
			   "{\"content\":\"0041\",\"encoding\":\"hex\"},{\"content\":\"YQ==\",\"encoding\":\"base64\"},"
			   "{\"content\":\"\",\"encoding\":\"base64\"}],"
			   "\"runs\":[{\"stdin\":\"1\"},{\"args\":[\"b\"]},{}],\"output_limit\":0}";
	struct serve_execute *x = malloc(sizeof(*x));
	char err[256];

	assert_int_equal(serve_parse_execute(body, strlen(body), x, err, sizeof(err)), 0);
	assert_string_equal(x->version, "*");      /* absent: any */
	assert_int_equal(x->files[0].content.len, 2);
	assert_memory_equal(x->files[0].content.data, "hi", 2);
	assert_int_equal(x->files[1].content.len, 2);
	assert_memory_equal(x->files[1].content.data, "\x00\x41", 2);
	assert_int_equal(x->files[2].content.len, 1);
	assert_int_equal(x->files[3].content.len, 0);
	assert_true(x->has_runs);
	assert_int_equal(x->nruns, 3);
	assert_string_equal(x->runs[0].stdin_.data, "1");
	assert_string_equal(x->runs[1].args[0], "b");
	assert_int_equal(x->lim.output_limit, 0);
	serve_execute_free(x);
	free(x);
}

static const struct { const char *body, *error; } bad[] = {
	{ "", "body: not JSON at line 1" },
	{ "[]", "body: must be a JSON object" },
	{ "{\"language\":\"c\",\"language\":\"c\"}", "body: not JSON" },
	{ "{\"files\":[{\"content\":\"\"}]}", "language: is required" },
	{ "{\"language\":\"\",\"files\":[{\"content\":\"\"}]}", "language: must not be empty" },
	{ "{\"language\":7,\"files\":[]}", "language: must be a string" },
	{ "{\"language\":\"c\"}", "files: is required" },
	{ "{\"language\":\"c\",\"files\":[]}", "files: is required" },
	{ "{\"language\":\"c\",\"files\":\"x\"}", "files: is required" },
	{ "{\"language\":\"c\",\"files\":[1]}", "files[0]: must be an object" },
	{ "{\"language\":\"c\",\"files\":[{\"content\":\"\"},{\"content\":2}]}", "files[1].content: is required" },
	{ "{\"language\":\"c\",\"files\":[{\"name\":\"../x\",\"content\":\"\"}]}", "files[0].name: must be" },
	{ "{\"language\":\"c\",\"files\":[{\"name\":\"a/b\",\"content\":\"\"}]}", "files[0].name: must be" },
	{ "{\"language\":\"c\",\"files\":[{\"name\":\"..\",\"content\":\"\"}]}", "files[0].name: must be" },
	{ "{\"language\":\"c\",\"files\":[{\"name\":\"-o\",\"content\":\"\"}]}", "files[0].name: must be" },
	{ "{\"language\":\"c\",\"files\":[{\"name\":\"a.c\",\"content\":\"\"},{\"name\":\"a.c\",\"content\":\"\"}]}",
	  "files[1].name: 'a.c' given twice" },
	{ "{\"language\":\"c\",\"files\":[{\"content\":\"\",\"encoding\":\"rot13\"}]}", "files[0].encoding: must be one of" },
	{ "{\"language\":\"c\",\"files\":[{\"content\":\"abc\",\"encoding\":\"base64\"}]}", "files[0].content: base64 of length 3" },
	{ "{\"language\":\"c\",\"files\":[{\"content\":\"a=bc\",\"encoding\":\"base64\"}]}", "files[0].content: '=' inside base64" },
	{ "{\"language\":\"c\",\"files\":[{\"content\":\"!!!!\",\"encoding\":\"base64\"}]}", "files[0].content: not base64" },
	{ "{\"language\":\"c\",\"files\":[{\"content\":\"abc\",\"encoding\":\"hex\"}]}", "files[0].content: hex of odd length" },
	{ "{\"language\":\"c\",\"files\":[{\"content\":\"zz\",\"encoding\":\"hex\"}]}", "files[0].content: not hex at offset 0" },
	{ "{\"language\":\"c\",\"files\":[{\"content\":\"\"}],\"stdin\":5}", "stdin: must be a string" },
	{ "{\"language\":\"c\",\"files\":[{\"content\":\"\"}],\"args\":\"a\"}", "args: must be an array" },
	{ "{\"language\":\"c\",\"files\":[{\"content\":\"\"}],\"args\":[1]}", "args[0]: must be a string" },
	{ "{\"language\":\"c\",\"files\":[{\"content\":\"\"}],\"run_timeout\":\"3\"}", "run_timeout: must be a number" },
	{ "{\"language\":\"c\",\"files\":[{\"content\":\"\"}],\"run_timeout\":0}", "run_timeout: 0 is outside" },
	{ "{\"language\":\"c\",\"files\":[{\"content\":\"\"}],\"run_timeout\":1.5}", "run_timeout: must be a whole number" },
	{ "{\"language\":\"c\",\"files\":[{\"content\":\"\"}],\"output_limit\":-1}", "output_limit: -1 is outside" },
	{ "{\"language\":\"c\",\"files\":[{\"content\":\"\"}],\"runs\":[]}", "runs: must be an array of 1 to" },
	{ "{\"language\":\"c\",\"files\":[{\"content\":\"\"}],\"runs\":[{}],\"stdin\":\"\"}", "runs: give stdin and args in each run" },
	{ "{\"language\":\"c\",\"files\":[{\"content\":\"\"}],\"runs\":[{},7]}", "runs[1]: must be an object" },
	{ "{\"language\":\"c\",\"files\":[{\"content\":\"\"}],\"runs\":[{\"args\":[null]}]}", "runs[0].args[0]: must be a string" },
};

static void test_refusals(void **state)
{
	struct serve_execute *x = malloc(sizeof(*x));
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		int rc = serve_parse_execute(bad[i].body, strlen(bad[i].body), x, err, sizeof(err));
		if (rc != -1 || !strstr(err, bad[i].error))
			fail_msg("%s: rc %d, error '%s', wanted '%s'", bad[i].body, rc, err, bad[i].error);
		assert_int_equal(x->nfiles, 0);
	}
	free(x);
}

static void test_job(void **state)
{
	const char *good = "{\"digest\":\"45EC13e40c8463628f8c5b48deb75b925d144a92cd4e599f12e478e5e2cda409\","
			   "\"args\":[\"a\"],\"env\":[\"K=v\"],\"stdin\":\"in\",\"timeout\":500,"
			   "\"channels\":[{\"alias\":\"/dev/input\",\"content\":\"6869\",\"encoding\":\"hex\"},"
			   "{\"alias\":\"/dev/out\",\"output\":true}]}";
	static const struct { const char *body, *error; } jbad[] = {
		{ "{}", "digest: is required" },
		{ "{\"digest\":\"45ec\"}", "digest: is required" },
		{ "{\"digest\":\"" "zz" "ec13e40c8463628f8c5b48deb75b925d144a92cd4e599f12e478e5e2cda409\"}", "digest: is required" },
		{ "{\"digest\":\"45ec13e40c8463628f8c5b48deb75b925d144a92cd4e599f12e478e5e2cda409\",\"env\":[\"novalue\"]}",
		  "env[0]: must be NAME=value" },
		{ "{\"digest\":\"45ec13e40c8463628f8c5b48deb75b925d144a92cd4e599f12e478e5e2cda409\",\"channels\":[{\"alias\":\"rel\",\"content\":\"\"}]}",
		  "channels[0].alias: must be an absolute name" },
		{ "{\"digest\":\"45ec13e40c8463628f8c5b48deb75b925d144a92cd4e599f12e478e5e2cda409\",\"channels\":[{\"alias\":\"/dev/stdout\",\"output\":true}]}",
		  "channels[0].alias: /dev/stdout is the job's own" },
		{ "{\"digest\":\"45ec13e40c8463628f8c5b48deb75b925d144a92cd4e599f12e478e5e2cda409\",\"channels\":[{\"alias\":\"/a\",\"output\":true,\"content\":\"x\"}]}",
		  "channels[0].content: an output channel has no content" },
		{ "{\"digest\":\"45ec13e40c8463628f8c5b48deb75b925d144a92cd4e599f12e478e5e2cda409\",\"channels\":[{\"alias\":\"/a\"}]}",
		  "channels[0].content: is required" },
		{ "{\"digest\":\"45ec13e40c8463628f8c5b48deb75b925d144a92cd4e599f12e478e5e2cda409\",\"channels\":[{\"alias\":\"/a\",\"content\":\"\"},{\"alias\":\"/a\",\"content\":\"\"}]}",
		  "channels[1].alias: '/a' given twice" },
		{ "{\"digest\":\"45ec13e40c8463628f8c5b48deb75b925d144a92cd4e599f12e478e5e2cda409\",\"stream\":1}",
		  "stream: must be true or false" },
	};
	struct serve_job_req *j = malloc(sizeof(*j));
	char err[256], hex[65];

	assert_int_equal(serve_parse_job(good, strlen(good), j, err, sizeof(err)), 0);
	serve_digest_hex(j->digest, hex);
	assert_string_equal(hex, "45ec13e40c8463628f8c5b48deb75b925d144a92cd4e599f12e478e5e2cda409");
	assert_int_equal(j->nchannels, 2);
	assert_string_equal(j->channels[0].content.data, "hi");
	assert_true(j->channels[1].output);
	assert_int_equal(j->timeout_ms, 500);
	assert_int_equal(j->memory, -1);
	assert_string_equal(j->env[0], "K=v");
	assert_false(j->stream);
	serve_job_req_free(j);
	for (size_t i = 0; i < sizeof(jbad) / sizeof(jbad[0]); i++) {
		err[0] = '\0';
		int rc = serve_parse_job(jbad[i].body, strlen(jbad[i].body), j, err, sizeof(err));
		if (rc != -1 || !strstr(err, jbad[i].error))
			fail_msg("%s: rc %d, error '%s', wanted '%s'", jbad[i].body, rc, err, jbad[i].error);
	}
	free(j);
}

/* a program's bytes in a JSON answer: valid UTF-8 as it is, each invalid
 * byte (a stray continuation, a cut sequence, a surrogate, an overlong
 * form) one U+FFFD */
static void test_output_json(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} rows[] = {
		{ "", 0, "" },
		{ "h\xc3\xa9llo\n", 7, "h\xc3\xa9llo\n" },
		{ "a\xff" "b", 3, "a\xef\xbf\xbd" "b" },
		{ "\x80\x80", 2, "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "x\xe2\x82", 3, "x\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xc0\xafz", 3, "\xef\xbf\xbd\xef\xbf\xbdz" },
		{ "nul\0in", 6, "nul\0in" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct serve_output o = { .data = (char *)rows[i].in, .len = rows[i].len };
		json_t *s = serve_output_json(&o);
		size_t want = strlen(rows[i].want) + (i == 7 ? 3 : 0);
		assert_non_null(s);
		if (json_string_length(s) != want || memcmp(json_string_value(s), rows[i].want, want))
			fail_msg("row %zu: %zu bytes, wanted %zu", i, json_string_length(s), want);
		json_decref(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_json),
		cmocka_unit_test(test_piston_request),
		cmocka_unit_test(test_encodings_and_runs),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_job),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
