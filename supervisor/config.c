/*
 * config.c — zvmd's configuration file.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channels/channels.h"
#include "supervisor/config.h"

void zvmd_config_defaults(struct zvmd_config *c)
{
	memset(c, 0, sizeof(*c));
	c->pool_size = 8;
	c->queue_max = 256;
	snprintf(c->socket_path, sizeof(c->socket_path), "/run/zvm.sock");
	c->socket_mode = 0660;
	c->uid_base = 2100000000u; /* far from any real user; one uid per slot */
	c->gid_base = 2100000000u;
	snprintf(c->cgroup_parent, sizeof(c->cgroup_parent), "zvm");
	c->deny_sockets_bpf = true;
	c->zygote = true;
	c->image_cache = 256;
	c->image_cache_bytes = 1ull << 30;
	c->max_connections = 4096;
	c->uid_connections = 64;
	c->uid_queued = 64;
	c->uid_cache_bytes = 256ull << 20;
	c->request_timeout = 5;
	c->validate_timeout = 30;
	c->validators = 2;
	c->map_nodes = 1024;
	c->uid_map_nodes = 2048;
	c->uid_map_fds = 8192;
	c->map_timeout = 600;
	c->templates_max = 64;
	c->uid_templates = 4;
	c->limits = (struct zvmd_limits){
		.default_memory = 256ull << 20, .max_memory = 2ull << 30,
		.default_timeout = 10, .max_timeout = 600,
		.default_cpu_time = 10, .max_cpu_time = 600 };
}

enum kind { K_UINT, K_OCTAL, K_STRING, K_BOOL, K_SIZE, K_SECONDS };

static const struct key {
	const char *name;
	enum kind kind;
	size_t offset, size;
	const char *doc;
} keys[] = {
#define F(field) offsetof(struct zvmd_config, field), sizeof(((struct zvmd_config *)0)->field)
	{ "pool_size", K_UINT, F(pool_size), "warm workers kept ready" },
	{ "queue_max", K_UINT, F(queue_max), "jobs waiting for a worker before 'busy'" },
	{ "socket", K_STRING, F(socket_path), "path of the Unix socket" },
	{ "socket_mode", K_OCTAL, F(socket_mode), "permissions of the socket" },
	{ "socket_group", K_STRING, F(socket_group), "group owning the socket" },
	{ "allowed_group", K_STRING, F(allowed_group), "clients must be root or in this group" },
	{ "uid_base", K_UINT, F(uid_base), "slot i runs as uid_base + i" },
	{ "gid_base", K_UINT, F(gid_base), "slot i runs as gid_base + i" },
	{ "cgroup_parent", K_STRING, F(cgroup_parent), "cgroup (relative) holding the cells" },
	{ "deny_sockets_bpf", K_BOOL, F(deny_sockets_bpf), "attach cgroup-BPF socket/device deny" },
	{ "zygote", K_BOOL, F(zygote), "fork workers from one exec'd zvm-worker (no: exec each)" },
	{ "image_cache", K_UINT, F(image_cache), "validated images kept" },
	{ "image_cache_bytes", K_SIZE, F(image_cache_bytes), "bytes of validated images kept" },
	{ "max_connections", K_UINT, F(max_connections), "client connections open at once, all uids" },
	{ "uid_connections", K_UINT, F(uid_connections), "client connections open at once, per uid" },
	{ "uid_queued", K_UINT, F(uid_queued), "jobs validating or queued at once, per uid" },
	{ "uid_cache_bytes", K_SIZE, F(uid_cache_bytes), "bytes of one uid's images in the cache" },
	{ "request_timeout", K_SECONDS, F(request_timeout), "time for a whole request to arrive" },
	{ "validate_timeout", K_SECONDS, F(validate_timeout), "time to read and validate one image" },
	{ "validators", K_UINT, F(validators), "validator helpers at work at once" },
	{ "validator_uid", K_UINT, F(validator_uid), "uid and gid of the validator helpers (0: uid_base - 1)" },
	{ "validator_path", K_STRING, F(validator_path), "the zvm-validator program (default: beside zvmd)" },
	{ "worker_path", K_STRING, F(worker_path), "the zvm-worker program (default: beside zvmd)" },
	{ "map_nodes", K_UINT, F(map_nodes), "nodes of one system map (replicas counted)" },
	{ "uid_map_nodes", K_UINT, F(uid_map_nodes), "nodes of one uid's maps at once" },
	{ "uid_map_fds", K_UINT, F(uid_map_fds), "channel fds one uid's maps hold at once" },
	{ "map_timeout", K_SECONDS, F(map_timeout), "cap on a system map's whole wall time" },
	{ "templates_max", K_UINT, F(templates_max), "templates kept, all uids" },
	{ "uid_templates", K_UINT, F(uid_templates), "templates of one uid (its least recently used one goes first)" },
	{ "default_memory", K_SIZE, F(limits.default_memory), "memory of a job that names none" },
	{ "max_memory", K_SIZE, F(limits.max_memory), "cap on a job's memory" },
	{ "default_timeout", K_SECONDS, F(limits.default_timeout), "wall time of a job that names none" },
	{ "max_timeout", K_SECONDS, F(limits.max_timeout), "cap on a job's wall time" },
	{ "default_cpu_time", K_SECONDS, F(limits.default_cpu_time), "CPU time of a job that names none" },
	{ "max_cpu_time", K_SECONDS, F(limits.max_cpu_time), "cap on a job's CPU time" },
#undef F
};

static int set_value(struct zvmd_config *c, const struct key *k, const char *v)
{
	char *end;
	void *at = (char *)c + k->offset;

	errno = 0;
	switch (k->kind) {
	case K_UINT:
	case K_OCTAL: {
		unsigned long long x = strtoull(v, &end, k->kind == K_OCTAL ? 8 : 10);
		if (errno || end == v || *end || *v == '-' || x > 0xffffffffu)
			return -EINVAL;
		/* permission bits only: no setuid/setgid/sticky on the socket */
		if (k->kind == K_OCTAL && x > 0777)
			return -EINVAL;
		*(unsigned *)at = (unsigned)x;
		return 0;
	}
	case K_SIZE:
		/* bytes and seconds as manifests and the CLI write them */
		return zvm_parse_bytes(v, (uint64_t *)at);
	case K_SECONDS:
		return zvm_parse_seconds(v, (double *)at);
	case K_BOOL:
		if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
			*(bool *)at = true;
		else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
			*(bool *)at = false;
		else
			return -EINVAL;
		return 0;
	case K_STRING:
		if (strlen(v) >= k->size)
			return -ENAMETOOLONG;
		memcpy(at, v, strlen(v) + 1);
		return 0;
	}
	return -EINVAL;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Slot i runs as uid_base + i, gid_base + i; the validator helpers as
 * validator_uid or uid_base - 1. Each must be a real unprivileged id:
 * not 0 (root), not (uid_t)-1 (setresuid's "unchanged", so the process
 * would stay root), no wrap-around, and a helper never shares a worker's
 * uid (it could signal or ptrace that worker). */
static int check_identities(const struct zvmd_config *c, const char *name, char *err, size_t errlen)
{
	uint64_t vuid = c->validator_uid ? c->validator_uid : (uint64_t)c->uid_base - 1;

	if (c->uid_base == 0 || (uint64_t)c->uid_base + c->pool_size > 0xffffffffull) {
		snprintf(err, errlen, "%s: uid_base %u: the slots' uids (uid_base to uid_base + pool_size - 1) "
			 "must be 1 to 4294967294", name, (unsigned)c->uid_base);
		return -EINVAL;
	}
	if (c->gid_base == 0 || (uint64_t)c->gid_base + c->pool_size > 0xffffffffull) {
		snprintf(err, errlen, "%s: gid_base %u: the slots' gids (gid_base to gid_base + pool_size - 1) "
			 "must be 1 to 4294967294", name, (unsigned)c->gid_base);
		return -EINVAL;
	}
	if (vuid == 0 || vuid >= 0xffffffffull || (vuid >= c->uid_base && vuid < (uint64_t)c->uid_base + c->pool_size) ||
	    (vuid >= c->gid_base && vuid < (uint64_t)c->gid_base + c->pool_size)) {
		snprintf(err, errlen, "%s: the validator helpers' uid and gid (validator_uid, default uid_base - 1) "
			 "is %llu: it must be 1 to 4294967294 and no slot's uid or gid", name, (unsigned long long)vuid);
		return -EINVAL;
	}
	return 0;
}

int zvmd_config_parse(struct zvmd_config *c, const char *text, const char *name, char *err, size_t errlen)
{
	unsigned lineno = 0;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024], *key, *val, *eq;
		const struct key *k = NULL;

		lineno++;
		if (len >= sizeof(line)) {
			snprintf(err, errlen, "%s:%u: line longer than %zu bytes", name, lineno, sizeof(line) - 1);
			return -EINVAL;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : p + len;
		key = trim(line);
		if (!*key || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%u: expected 'key = value'", name, lineno);
			return -EINVAL;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strcmp(keys[i].name, key))
				k = &keys[i];
		if (!k) {
			snprintf(err, errlen, "%s:%u: unknown key '%s'", name, lineno, key);
			return -EINVAL;
		}
		if (set_value(c, k, val) < 0) {
			snprintf(err, errlen, "%s:%u: bad value '%s' for %s (%s)", name, lineno, val, key, k->doc);
			return -EINVAL;
		}
	}
	if (c->pool_size == 0 || c->pool_size > 4096) {
		snprintf(err, errlen, "%s: pool_size must be 1..4096", name);
		return -EINVAL;
	}
	if (check_identities(c, name, err, errlen) < 0)
		return -EINVAL;
	if (c->image_cache == 0 || c->validators == 0 || c->validators > 64 || c->uid_connections == 0 ||
	    c->uid_queued == 0 || c->max_connections == 0 || c->map_nodes == 0 || c->uid_map_nodes == 0 ||
	    c->uid_map_fds == 0) {
		snprintf(err, errlen, "%s: image_cache, validators (1..64), max_connections, uid_connections, "
			 "uid_queued, map_nodes, uid_map_nodes and uid_map_fds must be at least 1", name);
		return -EINVAL;
	}
	if (c->templates_max == 0 || c->uid_templates == 0) {
		snprintf(err, errlen, "%s: templates_max and uid_templates must be at least 1", name);
		return -EINVAL;
	}
	if (c->limits.default_memory > c->limits.max_memory) {
		snprintf(err, errlen, "%s: default_memory exceeds max_memory", name);
		return -EINVAL;
	}
	if (c->limits.default_timeout > c->limits.max_timeout) {
		snprintf(err, errlen, "%s: default_timeout (%g) exceeds max_timeout (%g)", name,
			 c->limits.default_timeout, c->limits.max_timeout);
		return -EINVAL;
	}
	if (c->limits.default_cpu_time > c->limits.max_cpu_time) {
		snprintf(err, errlen, "%s: default_cpu_time (%g) exceeds max_cpu_time (%g)", name,
			 c->limits.default_cpu_time, c->limits.max_cpu_time);
		return -EINVAL;
	}
	return 0;
}

int zvmd_config_load(struct zvmd_config *c, const char *path, char *err, size_t errlen)
{
	char buf[65536];
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
		if (n == sizeof(buf) - 1) {
			close(fd);
			snprintf(err, errlen, "%s: larger than %zu bytes", path, sizeof(buf) - 1);
			return -EFBIG;
		}
	}
	close(fd);
	buf[n] = '\0';
	if (memchr(buf, '\0', n)) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		return -EINVAL;
	}
	rc = zvmd_config_parse(c, buf, path, err, errlen);
	return rc;
}
