/*
 * fuzz_serve_request.c — libFuzzer target for zvm serve's request parser
 * (serve/request.c): the first byte picks Piston's execute or /v1/jobs,
 * the rest is the body. Any bytes give either a job whose invariants hold
 * (counts within their caps, names a request may give, decoded bytes
 * NUL-terminated at their length, a version) or -1 with a message and
 * nothing left to free (ASan's leak check).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include "tests/fuzz/fuzz-check.h"

static void check_bytes(const struct serve_bytes *b)
{
	CHECK(b->len == 0 || b->data);
	if (b->data)
		CHECK(b->data[b->len] == '\0');
}

static void check_execute(const struct serve_execute *x)
{
	CHECK(x->language[0]);
	CHECK(x->version[0]);
	CHECK(x->nfiles >= 1 && x->nfiles <= SERVE_MAX_FILES);
	CHECK(x->nruns >= 1 && x->nruns <= SERVE_MAX_RUNS);
	CHECK(x->has_runs || x->nruns == 1);
	for (unsigned i = 0; i < x->nfiles; i++) {
		CHECK(!x->files[i].name[0] || serve_name_ok(x->files[i].name));
		for (unsigned k = 0; k < i; k++)
			CHECK(!x->files[i].name[0] || strcmp(x->files[i].name, x->files[k].name));
		check_bytes(&x->files[i].content);
	}
	for (unsigned i = 0; i < x->nruns; i++) {
		CHECK(x->runs[i].nargs <= SERVE_MAX_ARGS);
		for (unsigned k = 0; k < x->runs[i].nargs; k++)
			CHECK(x->runs[i].args[k] && strlen(x->runs[i].args[k]) <= 4096);
		check_bytes(&x->runs[i].stdin_);
	}
	CHECK(x->lim.run_timeout_ms == -1 || (x->lim.run_timeout_ms >= 1 && x->lim.run_timeout_ms <= 86400000));
	CHECK(x->lim.output_limit >= -1);
}

static void check_job(const struct serve_job_req *j)
{
	CHECK(j->nargs <= SERVE_MAX_ARGS && j->nenv <= SERVE_MAX_ENV && j->nchannels <= SERVE_MAX_CHANNELS);
	for (unsigned i = 0; i < j->nenv; i++)
		CHECK(strchr(j->env[i], '=') && j->env[i][0] != '=');
	for (unsigned i = 0; i < j->nchannels; i++) {
		CHECK(j->channels[i].alias[0] == '/' && strlen(j->channels[i].alias) < 64);
		CHECK(!j->channels[i].output || !j->channels[i].content.data);
		check_bytes(&j->channels[i].content);
	}
	check_bytes(&j->stdin_);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512] = "";

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		struct serve_execute *x = malloc(sizeof(*x));
		CHECK(x);
		if (serve_parse_execute((const char *)data + 1, size - 1, x, err, sizeof(err)) == 0) {
			check_execute(x);
			serve_execute_free(x);
		} else {
			CHECK(err[0]);
			CHECK(x->nfiles == 0 && x->nruns == 0);
		}
		free(x);
	} else {
		struct serve_job_req *j = malloc(sizeof(*j));
		CHECK(j);
		if (serve_parse_job((const char *)data + 1, size - 1, j, err, sizeof(err)) == 0) {
			check_job(j);
			serve_job_req_free(j);
		} else {
			CHECK(err[0]);
			CHECK(j->nargs == 0 && j->nenv == 0 && j->nchannels == 0 && !j->stdin_.data);
		}
		free(j);
	}
	return 0;
}
