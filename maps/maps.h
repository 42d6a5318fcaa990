/*
 * maps.h — system maps (docs/system-map.md): many cells wired into one job.
 *
 * A map is ZeroCloud's JSON array of nodes. zvm_map_load parses it
 * (jansson) and expands it: wildcards in readable device paths make one
 * node per matching file, `count` makes N, `connect` becomes edges between
 * every node of one group and every node of another, and the groups are
 * ordered so that every node runs after the nodes it reads from. Every
 * error is found here, before anything runs, and names the file and the
 * JSON path ("job.json: [1].devices[0].path: no file matches 'in/<star>.txt'").
 *
 * The expander reads directories (for wildcards) and nothing else; it
 * opens no file. zvm_map_manifest turns one node into the manifest of one
 * cell (channels/channels.h), which the caller runs.
 * Error contract: 0 or -errno (-EINVAL for a bad map, err filled).
 */
#ifndef ZVM_MAPS_H
#define ZVM_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct zvm_manifest;

/* Limits (docs/system-map.md): a map above them is an error. */
#define ZVM_MAP_MAX_FILE     (1u << 20)  /* bytes of JSON */
#define ZVM_MAP_MAX_NODES    1024        /* after expansion, before replication */
#define ZVM_MAP_MAX_EDGES    16384
#define ZVM_MAP_MAX_ARGS     256         /* per node, argv[0] not counted */
#define ZVM_MAP_MAX_ENV      256
#define ZVM_MAP_MAX_NAME     48          /* bytes of a node's name as written */
#define ZVM_MAP_MAX_STRING   4095        /* bytes of any string (paths, args, env) */
#define ZVM_MAP_MAX_REPLICATE 3
#define ZVM_MAP_MAX_CHANNELS 64          /* per cell: stdio + devices + in + out */

enum zvm_map_dev {
	ZVM_MAP_STDIN, ZVM_MAP_STDOUT, ZVM_MAP_STDERR, ZVM_MAP_INPUT, ZVM_MAP_OUTPUT,
	ZVM_MAP_IMAGE, ZVM_MAP_SCRIPT, ZVM_MAP_NDEV,
};
const char *zvm_map_dev_name(enum zvm_map_dev d);   /* "stdin", ... */
bool zvm_map_dev_writable(enum zvm_map_dev d);

struct zvm_map_node {
	char *name;                 /* "map-3", or the group's name if it made one node */
	unsigned group;             /* index in zvm_map.group */
	char *program;              /* host path of the image */
	char *argv0;                /* exec.name, else the node's name */
	unsigned nargs; char **args;
	unsigned nenv; char **env;  /* "NAME=value" */
	/* one of each kind at most; listed[d] false: not in the map */
	bool listed[ZVM_MAP_NDEV];
	char *dev_path[ZVM_MAP_NDEV]; /* host path; NULL for stdout/stderr: zvm map's own */
	unsigned nin, nout;
	unsigned *in, *out;         /* node indexes, ascending */
	unsigned replicate;         /* 1..3 */
	/* limits from the map's "limits"; given: ZVM_GIVEN_* of those set */
	uint64_t memory;
	double timeout, cpu_time;
	unsigned given;
	/* "stream": its out edges are pipes, its destinations run with it.
	 * stream_head: the node whose start starts this one (itself unless
	 * it reads a streamed edge); stream_size: nodes started with it, on
	 * a head (1 for a node with no streamed edge). */
	bool stream;
	unsigned stream_head, stream_size;
};

struct zvm_map_group {
	char *name;
	unsigned first, n;          /* its nodes: node[first .. first+n) */
	unsigned nconnect;
	unsigned *connect;          /* group indexes */
};

struct zvm_map {
	unsigned nnodes, ngroups, nedges;
	struct zvm_map_node *node;
	struct zvm_map_group *group;
	unsigned *order;            /* node indexes in run order: sources first */
};

struct zvm_map_options {
	const char *dir;            /* relative paths are relative to it ("." if NULL) */
	const char *root;           /* swift://account/container/object -> root/container/object */
};

/* Parses and expands map text; name is the file as given, for messages. */
int zvm_map_parse(const char *text, size_t len, const char *name, const struct zvm_map_options *o,
		  struct zvm_map *m, char *err, size_t errlen);
/* Reads the file (at most ZVM_MAP_MAX_FILE bytes); relative paths are
 * relative to its directory unless o->dir says otherwise. */
int zvm_map_load(const char *path, const struct zvm_map_options *o, struct zvm_map *m,
		 char *err, size_t errlen);
void zvm_map_free(struct zvm_map *m);

/* Where a node's channels go on the host, for one run of it. */
struct zvm_map_io {
	const char *spool;          /* directory of the edge spools and replica outputs */
	const char *stdout_uri;     /* stdout listed without a path (NULL: /dev/null) */
	const char *stderr_uri;
	/* streamed edges: in_fd[k] for in[k] and out_fd[k] for out[k], the
	 * caller's pipe ends (given as fd:N); NULL or -1 on a streamed edge
	 * prints it as $PIPE-src-dst (--dry-run). Spooled edges ignore them. */
	const int *in_fd, *out_fd;
	/* bytes each spooled edge may take (max_write_bytes); 0: no limit */
	uint64_t edge_bytes;
	unsigned replica;           /* 0: the real outputs; k > 0: every output into the spool */
	/* dev_fd[d] >= 0: device d (listed) is that descriptor of ours,
	 * reopened as /proc/self/fd/N instead of its path; NULL: paths */
	const int *dev_fd;
};

/* Edge k into / out of node i is a pipe (its source streams). */
bool zvm_map_in_streamed(const struct zvm_map *m, unsigned i, unsigned k);
bool zvm_map_out_streamed(const struct zvm_map *m, unsigned i, unsigned k);
/* Spool files the edges of a map make: spooled edges times their
 * source's replicas (the unit --spool-bytes is split over). */
uint64_t zvm_map_spool_files(const struct zvm_map *m);

/* The spool file of the edge src -> dst (node indexes), or of replica k's
 * copy of it; into buf. */
void zvm_map_edge_path(char *buf, size_t len, const char *spool, unsigned src, unsigned dst, unsigned replica);
/* Where replica k > 0 of node i writes its device dev (a writable one). */
void zvm_map_replica_path(char *buf, size_t len, const char *spool, unsigned node, unsigned dev, unsigned replica);
/* The manifest of node i: stdin, stdout, stderr as channels 0-2 (a device
 * not listed: /dev/null), then input, output, image, script, then
 * /dev/in/<source> and /dev/out/<destination> in node order. */
int zvm_map_manifest(const struct zvm_map *m, unsigned i, const struct zvm_map_io *io,
		     struct zvm_manifest *out, char *err, size_t errlen);

/* A manifest in the text format of docs/manifest.md. */
void zvm_map_manifest_print(FILE *f, const struct zvm_manifest *m);

#endif
