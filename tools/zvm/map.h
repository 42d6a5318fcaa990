/*
 * map.h — `zvm map`, between its parts: the command (cmd_map.c) and the
 * local runner, one-shot cells (map-run.c). Running a map through zvmd,
 * settling a node's replicas and the map's report are libzvm-client's
 * (client/zvm-client.h, client/map*.c). docs/system-map.md.
 */
#ifndef ZVM_TOOLS_MAP_H
#define ZVM_TOOLS_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "client/zvm-client.h"
#include "maps/maps.h"
#include "sfi/sfi.h"

/* How one run of a map goes, for either runner (local or through zvmd). */
struct map_run_options {
	bool use_cache;             /* the validation cache */
	unsigned jobs;              /* cells at once, >= 1 */
	double timeout;             /* the whole map's wall limit, seconds; 0: none */
	uint64_t spool_bytes;       /* the edges' spool files together; ZVM_NO_LIMIT: no cap */
	bool progress;              /* a progress line on stderr (a terminal) */
};

/* What a map needs of the options before it runs: every set of nodes
 * joined by streamed edges fits in o->jobs, and each spooled edge file
 * gets at least one byte of o->spool_bytes. 0, or -EINVAL with why. */
int zvm_map_run_check(const struct zvm_map *m, const struct map_run_options *o, char *err, size_t errlen);

/* Runs every node, at most o->jobs at once, each after the nodes it reads
 * from (a streamed set all at once); results[i] for node i. Returns 0,
 * or -errno when the spool could not be made or a runner not started
 * (message on stderr). When o->timeout passes, running cells are killed
 * and they and the nodes not started end `timeout` (map_timeout set).
 * SIGINT, SIGTERM, SIGHUP stop the map: running cells are killed, the
 * spool is removed, and the process ends by that signal. */
int zvm_map_run(const struct zvm_map *m, struct map_result *res, const struct map_run_options *o);

#endif
