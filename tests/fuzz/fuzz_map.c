/*
 * fuzz_map.c — libFuzzer target for zvm_map_parse (maps/). Any bytes give
 * either a map whose invariants hold (names, limits, edges both ways, a
 * run order that is a permutation with every source before its
 * destinations, a manifest for every node) or -EINVAL with one line
 * "fuzz: ..." and nothing left; nothing leaks (ASan's leak check).
 * Wildcards are matched under a directory that does not exist.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/channels.h"
#include "maps/maps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include "tests/fuzz/fuzz-check.h"

static void check_map(const struct zvm_map *m)
{
	unsigned *pos = calloc(m->nnodes, sizeof(*pos));
	unsigned edges = 0;

	CHECK(pos);
	CHECK(m->nnodes >= 1 && m->nnodes <= ZVM_MAP_MAX_NODES);
	CHECK(m->nedges <= ZVM_MAP_MAX_EDGES);
	for (unsigned k = 0; k < m->nnodes; k++) {
		CHECK(m->order[k] < m->nnodes);
		CHECK(pos[m->order[k]] == 0);
		pos[m->order[k]] = k + 1;
	}
	for (unsigned i = 0; i < m->nnodes; i++) {
		const struct zvm_map_node *nd = &m->node[i];
		struct zvm_map_io io = { .spool = "/spool" };
		struct zvm_manifest man;
		char err[256];

		CHECK(nd->name && nd->name[0] && strlen(nd->name) < 60);
		CHECK(nd->program && nd->argv0);
		CHECK(nd->nargs <= ZVM_MAP_MAX_ARGS && nd->nenv <= ZVM_MAP_MAX_ENV);
		CHECK(nd->replicate >= 1 && nd->replicate <= ZVM_MAP_MAX_REPLICATE);
		CHECK(nd->group < m->ngroups);
		for (unsigned k = 0; k < nd->nout; k++) {
			unsigned y = nd->out[k], found = 0;
			CHECK(y < m->nnodes);
			CHECK(pos[i] < pos[y]); /* sources run first */
			for (unsigned j = 0; j < m->node[y].nin; j++)
				found += m->node[y].in[j] == i;
			CHECK(found == 1);
		}
		edges += nd->nout;
		CHECK(zvm_map_manifest(m, i, &io, &man, err, sizeof(err)) == 0);
		CHECK(man.nchannels == 3 + nd->nin + nd->nout + nd->listed[ZVM_MAP_INPUT] + nd->listed[ZVM_MAP_OUTPUT] +
		      nd->listed[ZVM_MAP_IMAGE] + nd->listed[ZVM_MAP_SCRIPT]);
		CHECK(man.nchannels <= ZVM_MAP_MAX_CHANNELS);
		zvm_manifest_free(&man);
	}
	CHECK(edges == m->nedges);
	free(pos);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zvm_map_options o = { .dir = "/nonexistent-zvm-fuzz", .root = "/nonexistent-zvm-fuzz/root" };
	struct zvm_map m;
	char err[512];
	int rc = zvm_map_parse((const char *)data, size, "fuzz", &o, &m, err, sizeof(err));

	if (rc == 0) {
		check_map(&m);
		zvm_map_free(&m);
	} else {
		CHECK(rc == -EINVAL);
		CHECK(!strncmp(err, "fuzz: ", 6));
		CHECK(!strchr(err, '\n'));
		CHECK(m.nnodes == 0 && m.node == NULL);
	}
	return 0;
}
