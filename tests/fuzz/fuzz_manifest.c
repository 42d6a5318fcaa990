/*
 * fuzz_manifest.c — libFuzzer target for zvm_manifest_parse. Any text gives
 * either a manifest whose invariants hold or -EINVAL with "fuzz:LINE: ..."
 * where LINE is a line of the input; nothing leaks (ASan's leak check).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/channels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include "tests/fuzz/fuzz-check.h"

static unsigned count_lines(const uint8_t *data, size_t size)
{
	unsigned n = 0;

	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n + 1;
}

static void check_string(const char *s)
{
	CHECK(s != NULL);
	for (; *s; s++)
		CHECK((unsigned char)*s >= 0x20 || *s == '\t');
}

static void check_manifest(const struct zvm_manifest *m, unsigned lines)
{
	check_string(m->program);
	CHECK(m->program[0] != '\0');
	CHECK(m->memory >= (1ull << 20) && m->memory <= (3ull << 30));
	CHECK(m->timeout >= 0.001 && m->timeout <= 86400.0 * 365);
	CHECK(m->cpu_time == 0 || (m->cpu_time >= 0.001 && m->cpu_time <= m->timeout));
	CHECK(m->nargs <= ZVM_MAX_ARGS && m->nenv <= ZVM_MAX_ENV && m->nchannels <= ZVM_MAX_CHANNELS);
	for (unsigned i = 0; i < m->nargs; i++)
		check_string(m->args[i]);
	for (unsigned i = 0; i < m->nenv; i++) {
		check_string(m->env[i]);
		CHECK(m->env[i][0] != '=' && strchr(m->env[i], '='));
	}
	for (unsigned i = 0; i < m->nchannels; i++) {
		const struct zvm_channel_decl *c = &m->channels[i];
		check_string(c->uri);
		check_string(c->alias);
		CHECK(c->uri[0] != '\0' && c->alias[0] == '/' && strlen(c->alias) <= 63);
		CHECK(c->type <= 3);
		CHECK(c->line >= 1 && c->line <= lines);
		CHECK(i == 0 || c->line > m->channels[i - 1].line);
		for (unsigned j = 0; j < i; j++)
			CHECK(strcmp(c->alias, m->channels[j].alias) != 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zvm_manifest m;
	char err[512] = "";
	unsigned lines = count_lines(data, size), at;
	int rc = zvm_manifest_parse((const char *)data, size, "fuzz", &m, err, sizeof(err));

	if (rc < 0) {
		/* The only failures are a parse error with its line, or no memory. */
		CHECK(rc == -EINVAL || rc == -ENOMEM);
		if (rc == -EINVAL) {
			CHECK(sscanf(err, "fuzz:%u: ", &at) == 1);
			CHECK(at >= 1 && at <= lines);
		}
		/* and a failed parse owns nothing */
		CHECK(m.program == NULL && m.nargs == 0 && m.nenv == 0 && m.nchannels == 0);
		return 0;
	}
	CHECK(rc == 0);
	check_manifest(&m, lines);
	zvm_manifest_free(&m);
	return 0;
}
