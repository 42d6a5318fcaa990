/*
 * map.h — `zvm map`, between its parts: the command (cmd_map.c), running
 * the nodes as one-shot cells (map-run.c) and the job's report
 * (map-report.c). docs/system-map.md.
 */
#ifndef ZVM_TOOLS_MAP_H
#define ZVM_TOOLS_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "maps/maps.h"
#include "sfi/sfi.h"

/* A node's exit status when its replicas disagree (docs/system-map.md). */
#define ZVM_EXIT_REPLICA_MISMATCH 120
/* A node whose write to a spooled edge was cut by its share of the
 * map's spool cap (--spool-bytes). */
#define ZVM_EXIT_SPOOL_LIMIT 119
#define ZVM_MAP_DEFAULT_SPOOL_BYTES (1ull << 30)

/* How one run of a map goes, for either runner (local or through zvmd). */
struct map_run_options {
	bool use_cache;             /* the validation cache */
	unsigned jobs;              /* cells at once, >= 1 */
	double timeout;             /* the whole map's wall limit, seconds; 0: none */
	uint64_t spool_bytes;       /* the edges' spool files together; ZVM_NO_LIMIT: no cap */
	bool progress;              /* a progress line on stderr (a terminal) */
};

struct map_result {
	struct zvm_report rep;      /* the first replica's, or the majority's */
	bool mismatch;              /* replicas disagree */
	char mismatch_what[80];     /* the channel's alias, or "exit status" */
	unsigned agree;             /* replicas that agree with the one kept */
	char brief[1024];           /* one line, when the node did not end ok */
	bool spool_full;            /* a spooled edge's write was cut by its share */
	char spool_edge[80];        /* that edge's alias, /dev/out/<dst> */
	bool map_timeout;           /* the map's wall limit ended it, or it never started */
	bool finished;              /* the runner filled the above */
};

/* Results live in shared memory: a child process runs each node. */
struct map_result *zvm_map_results_alloc(unsigned n);
void zvm_map_results_free(struct map_result *r, unsigned n);

/* What a map needs of the options before it runs: every set of nodes
 * joined by streamed edges fits in o->jobs, and each spooled edge file
 * gets at least one byte of o->spool_bytes. 0, or -EINVAL with why. */
int zvm_map_run_check(const struct zvm_map *m, const struct map_run_options *o, char *err, size_t errlen);
/* The bytes each spooled edge file may take (max_write_bytes); 0: no cap. */
uint64_t zvm_map_edge_bytes(const struct zvm_map *m, const struct map_run_options *o);

/* Runs every node, at most o->jobs at once, each after the nodes it reads
 * from (a streamed set all at once); results[i] for node i. Returns 0,
 * or -errno when the spool could not be made or a runner not started
 * (message on stderr). When o->timeout passes, running cells are killed
 * and they and the nodes not started end `timeout` (map_timeout set).
 * SIGINT, SIGTERM, SIGHUP stop the map: running cells are killed, the
 * spool is removed, and the process ends by that signal. */
int zvm_map_run(const struct zvm_map *m, struct map_result *res, const struct map_run_options *o);

/* The node's own exit status, and the worst of the job: nodes the map's
 * wall limit ended over failures (spool limit included) over replica
 * mismatches over non-zero exit codes over 0; the first in node order
 * among equals. Returns the node index, or -1 when all exited 0. */
int zvm_map_result_status(const struct map_result *r);
int zvm_map_worst(const struct zvm_map *m, const struct map_result *res);
const char *zvm_map_result_state(const struct map_result *r);

void zvm_map_report_text(FILE *f, const struct zvm_map *m, const struct map_result *res, double wall);
void zvm_map_report_json(FILE *f, const struct zvm_map *m, const struct map_result *res, double wall);

#endif
