/*
 * map.h — `zvm map`, between its parts: the command (cmd_map.c), running
 * the nodes as one-shot cells (map-run.c) and the job's report
 * (map-report.c). docs/system-map.md.
 */
#ifndef ZVM_TOOLS_MAP_H
#define ZVM_TOOLS_MAP_H

#include <stdbool.h>
#include <stdio.h>

#include "maps/maps.h"
#include "sfi/sfi.h"

/* A node's exit status when its replicas disagree (docs/system-map.md). */
#define ZVM_EXIT_REPLICA_MISMATCH 120

struct map_result {
	struct zvm_report rep;      /* the first replica's, or the majority's */
	bool mismatch;              /* replicas disagree */
	char mismatch_what[80];     /* the channel's alias, or "exit status" */
	unsigned agree;             /* replicas that agree with the one kept */
	char brief[1024];           /* one line, when the node did not end ok */
	bool finished;              /* the runner filled the above */
};

/* Results live in shared memory: a child process runs each node. */
struct map_result *zvm_map_results_alloc(unsigned n);
void zvm_map_results_free(struct map_result *r, unsigned n);

/* Runs every node, at most jobs at once, each after the nodes it reads
 * from; results[i] for node i. Returns 0, or -errno when the spool could
 * not be made or a runner not started (message on stderr). SIGINT,
 * SIGTERM, SIGHUP stop the map: running cells are killed, the spool is
 * removed, and the process ends by that signal. */
int zvm_map_run(const struct zvm_map *m, struct map_result *res, bool use_cache, unsigned jobs);

/* The node's own exit status, and the worst of the job: failures over
 * replica mismatches over non-zero exit codes over 0; the first in node
 * order among equals. Returns the node index, or -1 when all exited 0. */
int zvm_map_result_status(const struct map_result *r);
int zvm_map_worst(const struct zvm_map *m, const struct map_result *res);
const char *zvm_map_result_state(const struct map_result *r);

void zvm_map_report_text(FILE *f, const struct zvm_map *m, const struct map_result *res, double wall);
void zvm_map_report_json(FILE *f, const struct zvm_map *m, const struct map_result *res, double wall);

#endif
