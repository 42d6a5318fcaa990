/*
 * fuzz_serve_map.c — libFuzzer target for POST /v1/maps's parser
 * (serve/map-request.c, with maps/'s parser behind it). Any bytes give
 * either a map whose invariants hold — every image and device path in it
 * is one of serve's own (/zvm-serve/...), never a tenant's host path;
 * every node's entry has a digest; each device is an inline input that
 * exists, a returned output, or not listed; outputs within their cap —
 * or -1 with a message and nothing left to free (ASan's leak check).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "maps/maps.h"
#include "serve/serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include "tests/fuzz/fuzz-check.h"

static bool ours(const char *p)
{
	return p && !strncmp(p, "/zvm-serve/", 11) && !strstr(p, "..");
}

static void check_map(const struct serve_map_req *mr)
{
	const struct zvm_map *m = mr->map;
	unsigned outputs = 0;

	CHECK(m && m->nnodes >= 1 && m->nnodes <= ZVM_MAP_MAX_NODES);
	CHECK(mr->ngroups == m->ngroups && mr->digest && mr->dev);
	CHECK(mr->ninputs <= SERVE_MAP_MAX_INPUTS && mr->noutputs <= SERVE_MAP_MAX_OUTPUTS);
	for (unsigned k = 0; k < mr->ninputs; k++)
		CHECK(mr->input[k].len == 0 || (mr->input[k].data && mr->input[k].data[mr->input[k].len] == '\0'));
	for (unsigned i = 0; i < m->nnodes; i++) {
		const struct zvm_map_node *nd = &m->node[i];
		CHECK(nd->group < mr->ngroups);
		CHECK(ours(nd->program));
		for (unsigned d = 0; d < ZVM_MAP_NDEV; d++) {
			int v = mr->dev[i * ZVM_MAP_NDEV + d];
			CHECK(!nd->dev_path[d] || ours(nd->dev_path[d]));
			if (!nd->listed[d]) {
				CHECK(v == SERVE_MAP_NONE);
			} else if (zvm_map_dev_writable(d)) {
				CHECK(v == SERVE_MAP_OUTPUT);
				outputs++;
			} else {
				CHECK(v >= 0 && (unsigned)v < mr->ninputs);
			}
		}
	}
	CHECK(outputs == mr->noutputs);
	CHECK(mr->timeout_ms == -1 || (mr->timeout_ms >= 1 && mr->timeout_ms <= 86400000));
	CHECK(mr->output_limit >= -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct serve_map_req *mr = malloc(sizeof(*mr));
	char err[1024] = "";

	CHECK(mr);
	if (serve_parse_map((const char *)data, size, mr, err, sizeof(err)) == 0) {
		check_map(mr);
		serve_map_req_free(mr);
	} else {
		CHECK(err[0]);
		CHECK(!mr->map && !mr->digest && !mr->dev && mr->ninputs == 0);
	}
	free(mr);
	return 0;
}
