/*
 * test_map_request.c — POST /v1/maps's parser (serve/map-request.c): a
 * map with digests and inline devices becomes an ordinary expanded map
 * whose paths are all serve's own, each device classified; and each
 * refusal, naming its JSON path, as a table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "maps/maps.h"
#include "serve/serve.h"

#define D64 "abababababababababababababababababababababababababababababababab"

static void test_map_rewritten(void **state)
{
	const char *body = "{\"map\":[{\"name\":\"m\",\"count\":2,\"exec\":{\"digest\":\"" D64 "\",\"args\":\"-v x\"},"
			   "\"devices\":[{\"name\":\"stdin\",\"content\":\"aGk=\",\"encoding\":\"base64\"},{\"name\":\"stdout\"}],"
			   "\"connect\":[\"r\"]},{\"name\":\"r\",\"exec\":{\"digest\":\"" D64 "\"},"
			   "\"devices\":[{\"name\":\"input\",\"content\":\"x\"},{\"name\":\"output\"}]}],"
			   "\"timeout\":2000,\"output_limit\":10}";
	struct serve_map_req *mr = malloc(sizeof(*mr));
	char err[512] = "";
	const struct zvm_map *m;

	assert_int_equal(serve_parse_map(body, strlen(body), mr, err, sizeof(err)), 0);
	m = mr->map;
	assert_int_equal(m->nnodes, 3);
	assert_int_equal(mr->ngroups, 2);
	assert_int_equal(mr->digest[1][0], 0xab);
	assert_int_equal(mr->ninputs, 2);
	assert_int_equal(mr->input[0].len, 2);
	assert_memory_equal(mr->input[0].data, "hi", 2);
	assert_string_equal(m->node[0].name, "m-1");
	assert_string_equal(m->node[0].program, "/zvm-serve/image/0");
	assert_string_equal(m->node[2].program, "/zvm-serve/image/1");
	assert_int_equal(m->node[1].nargs, 2);
	/* both m's read input 0; their stdouts are outputs of their own */
	assert_int_equal(mr->dev[0 * ZVM_MAP_NDEV + ZVM_MAP_STDIN], 0);
	assert_int_equal(mr->dev[1 * ZVM_MAP_NDEV + ZVM_MAP_STDIN], 0);
	assert_int_equal(mr->dev[1 * ZVM_MAP_NDEV + ZVM_MAP_STDOUT], SERVE_MAP_OUTPUT);
	assert_string_equal(m->node[1].dev_path[ZVM_MAP_STDOUT], "/zvm-serve/out/stdout/m-2");
	assert_int_equal(mr->dev[1 * ZVM_MAP_NDEV + ZVM_MAP_STDERR], SERVE_MAP_NONE);
	assert_int_equal(mr->dev[2 * ZVM_MAP_NDEV + ZVM_MAP_INPUT], 1);
	assert_int_equal(mr->dev[2 * ZVM_MAP_NDEV + ZVM_MAP_OUTPUT], SERVE_MAP_OUTPUT);
	assert_int_equal(mr->noutputs, 3);
	assert_int_equal(mr->timeout_ms, 2000);
	assert_int_equal(mr->output_limit, 10);
	assert_int_equal(m->node[2].nin, 2);
	serve_map_req_free(mr);
	free(mr);
}

static void test_refusals(void **state)
{
	static const struct { const char *body, *msg; } t[] = {
		{ "[]", "body: must be a JSON object" },
		{ "{\"map\":[", "body: not JSON at line 1" },
		{ "{}", "map: is required" },
		{ "{\"map\":[]}", "map: is required" },
		{ "{\"map\":[1]}", "map[0]: must be an object" },
		{ "{\"map\":[{\"name\":\"a\"}]}", "map[0].exec: must be an object" },
		{ "{\"map\":[{\"name\":\"a\",\"exec\":{\"path\":\"/bin/sh\"}}]}", "map[0].exec.path: a host path is not taken" },
		{ "{\"map\":[{\"name\":\"a\",\"exec\":{\"digest\":\"12\"}}]}", "map[0].exec.digest: must be 64 hex" },
		{ "{\"map\":[{\"name\":\"a\",\"exec\":{\"digest\":\"" D64 "\"},\"devices\":[{\"name\":\"stdin\","
		  "\"path\":\"/etc/shadow\"}]}]}", "map[0].devices[0].path: a host path is not taken" },
		{ "{\"map\":[{\"name\":\"a\",\"exec\":{\"digest\":\"" D64 "\"},\"devices\":[{\"name\":\"stdin\"}]}]}",
		  "map[0].devices[0].content: stdin needs its bytes inline" },
		{ "{\"map\":[{\"name\":\"a\",\"exec\":{\"digest\":\"" D64 "\"},\"devices\":[{\"name\":\"stdout\","
		  "\"content\":\"x\"}]}]}", "map[0].devices[0].content: stdout is written by the node" },
		{ "{\"map\":[{\"name\":\"a\",\"exec\":{\"digest\":\"" D64 "\"},\"devices\":[{\"name\":\"stdin\","
		  "\"content\":\"x\",\"encoding\":\"rot13\"}]}]}", "map[0].devices[0].content: unknown encoding" },
		{ "{\"map\":[{\"name\":\"a\",\"exec\":{\"digest\":\"" D64 "\"},\"devices\":[{\"name\":\"tty\","
		  "\"content\":\"x\"}]}]}", "map[0].devices[0].name: unknown device 'tty'" },
		{ "{\"map\":[{\"name\":\"a\",\"exec\":{\"digest\":\"" D64 "\"},\"devices\":[{\"name\":\"stdin\","
		  "\"content\":\"x\",\"mode\":1}]}]}", "map[0].devices[0]: unknown key 'mode'" },
		{ "{\"map\":[{\"name\":\"a\",\"exec\":{\"digest\":\"" D64 "\"},\"connect\":[\"a\"]}]}", "map[0].connect" },
		{ "{\"map\":[{\"name\":\"a\",\"exec\":{\"digest\":\"" D64 "\"},\"connect\":[\"b\"]},"
		  "{\"name\":\"b\",\"exec\":{\"digest\":\"" D64 "\"},\"connect\":[\"a\"]}]}", "cycle" },
		{ "{\"map\":[{\"name\":\"a\",\"exec\":{\"digest\":\"" D64 "\"}}],\"x\":1}", "x: unknown key" },
		{ "{\"map\":[{\"name\":\"a\",\"exec\":{\"digest\":\"" D64 "\"}}],\"timeout\":1e300}", "timeout: " },
		{ "{\"map\":[{\"name\":\"a\",\"exec\":{\"digest\":\"" D64 "\"}}],\"timeout\":0}", "timeout: 0 is outside" },
		{ "{\"map\":[{\"name\":\"a\",\"count\":300,\"exec\":{\"digest\":\"" D64 "\"},\"devices\":[{\"name\":\"stdout\"}]}]}",
		  "more than 256 output streams" },
	};
	struct serve_map_req *mr = malloc(sizeof(*mr));

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char err[512] = "";
		int rc = serve_parse_map(t[i].body, strlen(t[i].body), mr, err, sizeof(err));
		if (rc != -1 || !strstr(err, t[i].msg))
			fail_msg("case %zu (%s): rc %d, message '%s', expected '%s'", i, t[i].body, rc, err, t[i].msg);
		assert_null(mr->map);
		assert_null(mr->digest);
		assert_int_equal(mr->ninputs, 0);
	}
	free(mr);
}

static void test_ten_thousand_nodes(void **state)
{
	size_t n = 10000, len = 0;
	char *body = malloc(n * 3 + 32), err[512] = "";
	struct serve_map_req *mr = malloc(sizeof(*mr));

	len += (size_t)sprintf(body, "{\"map\":[");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(body + len, "%s{}", i ? "," : "");
	len += (size_t)sprintf(body + len, "]}");
	assert_int_equal(serve_parse_map(body, len, mr, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "10000 entries; at most 1024 nodes"));
	free(body);
	free(mr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_rewritten),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_ten_thousand_nodes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
