/*
 * zvm-client.h — libzvm-client: submitting jobs to zvmd from a process of
 * your own (docs/client.md). The one public header of client/; `zvm
 * submit`, `zvm status`, `zvm upload` and `zvm map --socket` are its first
 * users. It links the wire protocol (protocol/), the manifest and channel
 * opening of channels/ and libc, nothing of the local runner: no Zydis,
 * libseccomp, libbpf or dynamic libcrypto (build/lib/libzvm-client.a;
 * link it with $(CLIENT_LDLIBS), see the Makefile). The map call also
 * needs maps/ (in the archive too) and jansson: $(CLIENT_MAP_LDLIBS).
 *
 * Every call opens its own connection (zvmd answers one request per
 * connection, docs/protocol.md) and is safe to call from several threads
 * at once. Results are an exit status as `zvm submit` would end with:
 * 0 done (a report or a digest filled), 75 zvmd busy or at a limit (try
 * again later), 125 zvmd unreachable or refusing, 126 an image zvmd would
 * not take, 127 a malformed answer. On anything but 0 the report's
 * message says why.
 *
 * `cmd` arguments: a prefix for messages printed on stderr (as the CLI
 * does), or NULL to print nothing (a service: read rep->message instead).
 */
#ifndef ZVM_CLIENT_H
#define ZVM_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "maps/maps.h"
#include "protocol/protocol.h"

#define ZVM_DEFAULT_SOCKET "/run/zvm.sock"

/* A connected socket, or -errno. */
int zvm_client_connect(const char *path);
/* Reads zvmd's answer into a malloc'ed *payload (free it): returns the
 * message type, -1 on a broken connection, or -(100 + code) for an ERROR
 * (why, in both cases, into why[] when whylen > 0; printed on stderr as
 * "CMD: zvmd refused the request (busy): text" when cmd is not NULL). */
int zvm_client_read_answer(int fd, const char *cmd, uint8_t **payload, size_t *len, char *why, size_t whylen);
/* zvm_client_read_answer without why[]. */
int zvm_client_answer(int fd, const char *cmd, uint8_t **payload, size_t *len);
/* The exit status for an answer that was no report: 75 when zvmd was busy
 * or at a limit (try again later), else 125. */
int zvm_client_refusal_status(int answer);

/* Uploads an image (UPLOAD): 0 with its digest; 126 when zvmd refused the
 * image (*rep: validation failed, or not an image) or 125 when it cannot
 * be opened here (*rep's message says why); or minus an exit status when
 * zvmd could not be used (unreachable: -125; busy or at a limit: -75;
 * *rep's message says why, a refusal also printed as it came). The _fd
 * form takes an open descriptor (not closed). */
int zvm_client_upload(const char *sock, const char *cmd, const char *path, uint8_t digest[32],
		      struct zvm_report *rep);
int zvm_client_upload_fd(const char *sock, const char *cmd, int image, uint8_t digest[32],
			 struct zvm_report *rep);

/* Sends one SUBMIT (s's fd indexes into fds[nfds]: fds[0] the image, or a
 * placeholder when by digest, then the channels) and reads the report into
 * *rep: 0, or 75 / 125 / 127 as above. */
int zvm_client_submit(const char *sock, const char *cmd, const struct zvm_submit *s, const int *fds,
		      unsigned nfds, struct zvm_report *rep);

/* The common job in one call: a program by descriptor or by digest (from
 * zvm_client_upload), its arguments, and three descriptors as channels
 * 0-2 (/dev/stdin, /dev/stdout, /dev/stderr inside), zvmd's default
 * limits. */
struct zvm_client_job {
	int image_fd;               /* the .nexe, read-only; or -1 and digest or template */
	const uint8_t *digest;      /* 32 bytes, when image_fd is -1 */
	/* docs/zvmd.md, "Templates": with image_fd -1 and no digest, a copy of
	 * the template of this name (the uid's own, else a global one); with
	 * an image, the job's cell is kept as that template (keep: ZVM_TPL_MAKE,
	 * or ZVM_TPL_MAKE_GLOBAL as root). NULL: no template. */
	const char *template_name;
	unsigned keep;
	const char *argv0;          /* the program's argv[0]; NULL: "program" */
	unsigned nargs;             /* argv[1..] */
	const char *const *args;
	int stdio[3];               /* channels 0 (read), 1 and 2 (written) */
};
int zvm_client_run(const char *sock, const char *cmd, const struct zvm_client_job *job, struct zvm_report *rep);

/* zvmd's pool, queue and totals (STATUS): 0, or 125 / 75 (why in why[]). */
int zvm_client_status(const char *sock, const char *cmd, struct zvm_status *st, char *why, size_t whylen);

/* ---- system maps through zvmd (client/map*.c, docs/client.md) ----------- */

/* A node's exit status when its replicas disagree (docs/system-map.md). */
#define ZVM_EXIT_REPLICA_MISMATCH 120
/* A node whose write to a spooled edge was cut by its share of the
 * map's spool cap (--spool-bytes). */
#define ZVM_EXIT_SPOOL_LIMIT 119
#define ZVM_MAP_DEFAULT_SPOOL_BYTES (1ull << 30)

/* One node's outcome, for either runner (local one-shot cells, or zvmd). */
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

/* Results in shared memory (the local runner's children fill them). */
struct map_result *zvm_map_results_alloc(unsigned n);
void zvm_map_results_free(struct map_result *r, unsigned n);

/* A map job for zvmd: the map as maps/ parsed and expanded it, where its
 * images come from, where its devices go, its limits. */
struct zvm_client_map {
	const struct zvm_map *map;  /* every node's stream false: edges are spooled through zvmd */
	/* per group (m->group[g], the map's JSON entries): the image zvmd
	 * holds for our uid (zvm_client_upload); NULL: each node's program
	 * uploaded from its path, each distinct path once */
	const uint8_t (*digest)[32];
	/* per node i, dev_fd[i * ZVM_MAP_NDEV + d]: a descriptor for device
	 * d instead of its path (reopened through /proc/self/fd for each
	 * cell, so cells reading one input each start at its first byte;
	 * a writable one is truncated when its cell starts), -1: the path.
	 * NULL: every device by path. */
	const int *dev_fd;
	double timeout;             /* the whole map's wall seconds; 0: zvmd's map_timeout (which caps it) */
	uint64_t spool_bytes;       /* the edges' spool files together; ZVM_NO_LIMIT: no cap */
	uint64_t output_bytes;      /* each device a node writes (not edges); 0: no cap */
	const char *spool_dir;      /* where the edges' spool goes; NULL: $TMPDIR, else /tmp */
	bool progress;              /* "N of M cells done" on stderr (a terminal) */
	/* SIGINT, SIGTERM, SIGHUP stop the map (cells killed, spool removed)
	 * and end the process by that signal: a command's behaviour. false:
	 * no handlers (a service; its threads keep their signals). */
	bool signals;
	/* stdout and stderr listed without a path: their bytes, node by node
	 * in node order as soon as a node and all before it have ended (-1
	 * when not listed so). Read them before returning; NULL: discarded. */
	void (*output)(void *arg, unsigned node, int out_fd, int err_fd);
	void *arg;
};

/* Runs the map through zvmd at sock: images uploaded unless given by
 * digest, every node's channels opened here and passed, the whole map in
 * one MAP request (nothing runs unless all of it reached zvmd); replicas
 * settled and reports made here. res[i] for node i (zvm_map_results_alloc).
 * Outputs by path appear once their cell has ended (a map zvmd refuses
 * leaves them as they were). Edges are always spooled (a streamed node's
 * bytes are the same: the caller clears stream, else 125). Returns 0, or an exit status as the other calls:
 * 75 busy or at a limit, 125 unreachable or refusing (the whole map:
 * an unknown digest is "(not found)"), 127 a malformed answer or out of
 * memory; why in why[] (and on stderr with cmd's prefix). */
int zvm_client_map(const char *sock, const char *cmd, const struct zvm_client_map *job, struct map_result *res,
		   char *why, size_t whylen);

/* The bytes each spooled edge file may take out of spool_bytes (its
 * share, max_write_bytes); 0: no cap. */
uint64_t zvm_map_edge_bytes(const struct zvm_map *m, uint64_t spool_bytes);

/* The node's own exit status, and the worst of the job: nodes the map's
 * wall limit ended over failures (spool limit included) over replica
 * mismatches over non-zero exit codes over 0; the first in node order
 * among equals. Returns the node index, or -1 when all exited 0. */
int zvm_map_result_status(const struct map_result *r);
int zvm_map_worst(const struct zvm_map *m, const struct map_result *res);
const char *zvm_map_result_state(const struct map_result *r);
/* The map's report: a line per node and a summary, or one JSON object
 * (docs/system-map.md). */
void zvm_map_report_text(FILE *f, const struct zvm_map *m, const struct map_result *res, double wall);
void zvm_map_report_json(FILE *f, const struct zvm_map *m, const struct map_result *res, double wall);

/* Both runners, once node i's nrep replicas have ended (rep[k], run from
 * man[k]): the one kept, whether they agree, the majority's outputs
 * copied over the first's, the one-line brief. Sets r->finished. */
void zvm_map_settle(struct map_result *r, const struct zvm_manifest *man, struct zvm_report *const *rep, unsigned nrep);
/* A spooled edge cut by its share (edge_bytes; 0: no cap): the node
 * fails as `spool limit`, naming the edge. */
void zvm_map_check_spool(struct map_result *r, uint64_t edge_bytes);
/* Where node i's stdout (or, err, stderr) listed without a path is kept in the spool. */
void zvm_map_stdio_path(char *buf, size_t len, const char *spool, unsigned node, bool err);
/* Every spooled edge out of node i exists for its destination; empty: as
 * an empty file (a node that failed, or never ran). */
void zvm_map_edges_exist(const struct zvm_map *m, unsigned i, const char *spool, bool empty);
/* Node i's stdout and stderr listed without a path, from the spool onto
 * our fds 1 and 2 (the local runner's way; the zvmd runner's caller
 * chooses, zvm_client_map's output). */
void zvm_map_flush_output(const struct zvm_map *m, unsigned i, const char *spool);
int zvm_map_copy_fd(int in, int out);
/* The spool directory and all in it, removed. */
void zvm_map_spool_remove(const char *spool);
/* Makes sure the spool goes even if we are killed: a child in a session of
 * its own removes it once the returned fd (keep it open while the spool is
 * in use; it is close-on-exec) is closed by our end, whatever the end. */
int zvm_map_spool_guard(const char *spool);

/* The one line a failed run prints (docs/report.md): man is the manifest
 * it ran from, limits_exact whether its limits are what applied (a local
 * run) or zvmd capped them. */
void zvm_client_report_brief(char *buf, size_t len, const struct zvm_manifest *man, bool limits_exact,
			     const struct zvm_report *rep);

#endif
