/*
 * map.c — zvm_map_parse / zvm_map_load / zvm_map_free: the parser, the
 * expander and the graph in order, and nothing half-built left on error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maps/maps-internal.h"

int zvm_map_parse(const char *text, size_t len, const char *name, const struct zvm_map_options *o,
		  struct zvm_map *m, char *err, size_t errlen)
{
	struct map_ctx c = { .file = name, .err = err, .errlen = errlen, .dir = o ? o->dir : NULL,
			     .root = o ? o->root : NULL };
	int rc;

	memset(m, 0, sizeof(*m));
	if (err && errlen)
		err[0] = '\0';
	rc = map_parse_specs(&c, text, len);
	if (!rc)
		rc = map_expand(&c, m);
	if (!rc)
		rc = map_connect(&c, m);
	if (rc == -ENOMEM)
		map_fail(&c, "out of memory");
	map_specs_free(&c);
	if (rc < 0)
		zvm_map_free(m);
	return rc;
}

int zvm_map_load(const char *path, const struct zvm_map_options *o, struct zvm_map *m, char *err,
		 size_t errlen)
{
	struct zvm_map_options opt = o ? *o : (struct zvm_map_options){ 0 };
	size_t cap = ZVM_MAP_MAX_FILE + 1, got = 0;
	char *buf, *dir = NULL;
	int fd, rc;
	ssize_t n;

	memset(m, 0, sizeof(*m));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (!(buf = malloc(cap))) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	while (got < cap && (n = read(fd, buf + got, cap - got)) != 0) {
		if (n < 0) {
			rc = -errno;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			free(buf);
			return rc;
		}
		got += (size_t)n;
	}
	close(fd);
	if (!opt.dir) {
		const char *slash = strrchr(path, '/');
		dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
		opt.dir = dir;
	}
	rc = (opt.dir || dir) ? zvm_map_parse(buf, got, path, &opt, m, err, errlen) : -ENOMEM;
	free(dir);
	free(buf);
	return rc;
}

static void free_strv(char **v, unsigned n)
{
	for (unsigned i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void zvm_map_free(struct zvm_map *m)
{
	for (unsigned i = 0; m->node && i < m->nnodes; i++) {
		struct zvm_map_node *nd = &m->node[i];
		free(nd->name);
		free(nd->program);
		free(nd->argv0);
		free_strv(nd->args, nd->nargs);
		free_strv(nd->env, nd->nenv);
		for (unsigned d = 0; d < ZVM_MAP_NDEV; d++)
			free(nd->dev_path[d]);
		free(nd->in);
		free(nd->out);
	}
	for (unsigned g = 0; m->group && g < m->ngroups; g++) {
		free(m->group[g].name);
		free(m->group[g].connect);
	}
	free(m->node);
	free(m->group);
	free(m->order);
	memset(m, 0, sizeof(*m));
}
