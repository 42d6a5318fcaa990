/*
 * config.h — zvmd's configuration: a `key = value` file plus flags.
 * Pure: parsing touches nothing but the text. Errors as "file:line: why".
 */
#ifndef ZVM_CONFIG_H
#define ZVM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct zvmd_limits {
	uint64_t default_memory, max_memory;
	double default_timeout, max_timeout;
	double default_cpu_time, max_cpu_time;
};

struct zvmd_config {
	unsigned pool_size;
	unsigned queue_max;
	char socket_path[108];
	unsigned socket_mode;      /* e.g. 0660 */
	char socket_group[64];     /* group owning the socket; "" = root's */
	char allowed_group[64];    /* clients must be root or in this group; "" = anyone who can connect */
	uid_t uid_base;
	gid_t gid_base;
	char cgroup_parent[128];
	bool deny_sockets_bpf;
	bool zygote;               /* workers forked by the zygote, not exec'd one by one */
	unsigned image_cache;      /* validated images kept */
	uint64_t image_cache_bytes; /* bytes of validated images kept, all uids */
	struct zvmd_limits limits;
	/* What one client uid may hold at once (docs/zvmd.md): connections,
	 * jobs waiting (validating or queued), and bytes in the image cache. */
	unsigned max_connections;  /* all uids; above it new connections are refused */
	unsigned uid_connections;
	unsigned uid_queued;
	uint64_t uid_cache_bytes;
	double request_timeout;    /* a whole request must arrive within this */
	double validate_timeout;   /* reading + hashing + validating one image */
	unsigned validators;       /* validator helpers at work at once */
	uid_t validator_uid;       /* their uid and gid; 0 = uid_base - 1 */
	char validator_path[256];  /* "" = zvm-validator beside zvmd */
	char worker_path[256];     /* "" = zvm-worker beside zvmd */
	/* Templates (docs/zvmd.md): kept cells, all uids and per uid. */
	unsigned templates_max;
	unsigned uid_templates;
	/* System maps (MAP, docs/protocol.md): nodes of one map, nodes of one
	 * uid's maps together, and the cap on a map's whole wall time. */
	unsigned map_nodes;
	unsigned uid_map_nodes;
	unsigned uid_map_fds;      /* channel fds one uid's maps hold at once */
	double map_timeout;
};

void zvmd_config_defaults(struct zvmd_config *c);
/* Parses text into c (keys not present keep their value). -EINVAL with
 * "name:line: message" in err on a bad line or an unknown key. */
int zvmd_config_parse(struct zvmd_config *c, const char *text, const char *name, char *err, size_t errlen);
int zvmd_config_load(struct zvmd_config *c, const char *path, char *err, size_t errlen);

#endif
