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

/* Once node i's nrep replicas have ended (rep[k], run from man[k]): the
 * one kept, whether they agree, the majority's outputs copied over the
 * first's, the one-line brief (map-settle.c). Sets r->finished. */
void zvm_map_settle(struct map_result *r, const struct zvm_manifest *man, struct zvm_report *const *rep, unsigned nrep);
/* A spooled edge cut by its share (edge_bytes; 0: no cap): the node
 * fails as `spool limit`, naming the edge. */
void zvm_map_check_spool(struct map_result *r, uint64_t edge_bytes);
/* Where node i's stdout (or, err, stderr) listed without a path is kept in the spool. */
void zvm_map_stdio_path(char *buf, size_t len, const char *spool, unsigned node, bool err);
/* Every spooled edge out of node i exists for its destination; empty: as
 * an empty file (a node that failed, or never ran). */
void zvm_map_edges_exist(const struct zvm_map *m, unsigned i, const char *spool, bool empty);
/* Node i's stdout and stderr listed without a path, from the spool onto ours. */
void zvm_map_flush_output(const struct zvm_map *m, unsigned i, const char *spool);
int zvm_map_copy_fd(int in, int out);
/* The spool directory and all in it, removed. */
void zvm_map_spool_remove(const char *spool);
/* Makes sure the spool goes even if we are killed: a child in a session of
 * its own removes it once the returned fd (keep it open while the spool is
 * in use; it is close-on-exec) is closed by our end, whatever the end. */
int zvm_map_spool_guard(const char *spool);

/* Runs the map through zvmd at sock (map-zvmd.c): images uploaded, every
 * node's channels opened here and passed, the whole map in one MAP
 * request; results as zvm_map_run's. o->timeout: the whole map's wall
 * seconds (0: zvmd's map_timeout, which also caps it); o->spool_bytes as
 * locally; o->jobs and o->use_cache are zvmd's business. Edges are always
 * spooled (a streamed node's bytes are the same). Returns 0, or an exit
 * status (zvmd unreachable or refusing, printed on stderr). */
int zvm_map_run_zvmd(const struct zvm_map *m, struct map_result *res, const char *sock,
		     const struct map_run_options *o);

void zvm_map_report_text(FILE *f, const struct zvm_map *m, const struct map_result *res, double wall);
void zvm_map_report_json(FILE *f, const struct zvm_map *m, const struct map_result *res, double wall);

#endif
