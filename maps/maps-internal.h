/* maps-internal.h — between the parser (parse.c), the expander (expand.c)
 * and the graph (graph.c) of maps/; not part of the interface. */
#ifndef ZVM_MAPS_INTERNAL_H
#define ZVM_MAPS_INTERNAL_H

#include "maps/maps.h"

/* One element of the JSON array, as written (paths not yet resolved). */
struct map_spec {
	char *name, *exec_path, *exec_name;
	unsigned nargs; char **args;
	unsigned nenv; char **env;
	bool listed[ZVM_MAP_NDEV];
	char *dev_path[ZVM_MAP_NDEV];   /* NULL: listed without a path */
	unsigned dev_index[ZVM_MAP_NDEV]; /* its index in "devices", for messages */
	unsigned count;                 /* 0: not given */
	unsigned nconnect; char **connect;
	unsigned replicate;
	uint64_t memory;                /* limits: given bits say which were set */
	double timeout, cpu_time;
	unsigned given;                 /* ZVM_GIVEN_* (channels/channels.h) */
	bool stream;                    /* its out edges are pipes */
};

struct map_ctx {
	const char *file;               /* for messages */
	char *err; size_t errlen;
	const char *dir, *root;
	struct map_spec *spec; unsigned nspec;
};

__attribute__((format(printf, 2, 3)))
int map_fail(struct map_ctx *c, const char *fmt, ...);
/* JSON -> specs (parse.c) */
int map_parse_specs(struct map_ctx *c, const char *text, size_t len);
void map_specs_free(struct map_ctx *c);
/* specs -> nodes (expand.c), then edges and order (graph.c) */
int map_expand(struct map_ctx *c, struct zvm_map *m);
int map_connect(struct map_ctx *c, struct zvm_map *m);

#endif
