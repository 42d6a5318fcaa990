/*
 * expand.c — specs into nodes: host paths resolved (relative to the map's
 * directory, swift:// under --root), wildcards matched (one node per file,
 * sorted by path), `count` copies made, the matched text or the node's name
 * put in place of `*` in the writable paths, and names and written paths
 * checked for clashes.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "maps/maps-internal.h"

/* swift://account/container/object -> root/container/object; no empty,
 * "." or ".." component, so nothing outside root is named. */
static int resolve_swift(struct map_ctx *c, const char *w, const char *jpath, char **out)
{
	const char *rest = w + strlen("swift://"), *acct_end = strchr(rest, '/');
	const char *p;

	if (!c->root)
		return map_fail(c, "%s: '%s' needs --root (swift://account/container/object -> ROOT/container/object)",
				jpath, w);
	if (!acct_end || acct_end == rest || !strchr(acct_end + 1, '/'))
		return map_fail(c, "%s: '%s' is not swift://account/container/object", jpath, w);
	for (p = acct_end + 1; *p;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return map_fail(c, "%s: '%s': empty, '.' or '..' component", jpath, w);
		p += n + (e ? 1 : 0);
		if (e && !*p)
			return map_fail(c, "%s: '%s': empty, '.' or '..' component", jpath, w);
	}
	return asprintf(out, "%s/%s", c->root, acct_end + 1) < 0 ? -ENOMEM : 0;
}

static int resolve(struct map_ctx *c, const char *w, const char *jpath, char **out)
{
	if (!strncmp(w, "swift://", 8))
		return resolve_swift(c, w, jpath, out);
	if (w[0] == '/' || !c->dir || !strcmp(c->dir, "."))
		return (*out = strdup(w)) ? 0 : -ENOMEM;
	return asprintf(out, "%s/%s", c->dir, w) < 0 ? -ENOMEM : 0;
}

/* w with every '*' replaced by sub. */
static char *substitute(const char *w, const char *sub)
{
	size_t n = 0, sl = strlen(sub);
	char *out, *o;

	for (const char *p = w; *p; p++)
		n += *p == '*' ? sl : 1;
	if (!(out = malloc(n + 1)))
		return NULL;
	for (o = out; *w; w++)
		if (*w == '*') {
			memcpy(o, sub, sl);
			o += sl;
		} else {
			*o++ = *w;
		}
	*o = '\0';
	return out;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files matching pattern (a resolved path with one '*' in its last
 * component): what '*' matched, sorted by path. */
static int match(struct map_ctx *c, const char *pattern, const char *w, const char *jpath,
		 char ***out, unsigned *nout)
{
	const char *star = strchr(pattern, '*'), *slash = strrchr(pattern, '/');
	char *dir, *prefix, **v = NULL;
	const char *suffix = star + 1;
	unsigned n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (strchr(star + 1, '*') || (slash && slash > star))
		return map_fail(c, "%s: '%s': one '*', in the file name only", jpath, w);
	dir = slash ? strndup(pattern, (size_t)(slash - pattern + 1)) : strdup(".");
	prefix = strndup(slash ? slash + 1 : pattern, (size_t)(star - (slash ? slash + 1 : pattern)));
	if (!dir || !prefix) {
		rc = -ENOMEM;
		goto out;
	}
	if (!(d = opendir(dir))) {
		rc = map_fail(c, "%s: no file matches '%s' (%s)", jpath, w, strerror(errno));
		goto out;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name), pl = strlen(prefix), sl = strlen(suffix);
		char *full;
		struct stat st;

		if (len < pl + sl || strncmp(de->d_name, prefix, pl) || strcmp(de->d_name + len - sl, suffix))
			continue;
		if (de->d_name[0] == '.' && prefix[0] != '.')
			continue; /* as a shell: '*' does not match a leading dot */
		if (asprintf(&full, "%s%s", slash ? dir : "", de->d_name) < 0) {
			rc = -ENOMEM;
			break;
		}
		rc = stat(full, &st);
		free(full);
		if (rc < 0 || S_ISDIR(st.st_mode)) {
			rc = 0;
			continue;
		}
		if (n >= ZVM_MAP_MAX_NODES) {
			rc = map_fail(c, "%s: '%s' matches more than %u files", jpath, w, ZVM_MAP_MAX_NODES);
			break;
		}
		if (n == cap) {
			char **nv = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));
			if (!nv) {
				rc = -ENOMEM;
				break;
			}
			v = nv;
		}
		if (!(v[n] = strndup(de->d_name + pl, len - pl - sl))) {
			rc = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (!rc && !n)
		rc = map_fail(c, "%s: no file matches '%s'", jpath, w);
	if (rc < 0) {
		for (unsigned i = 0; i < n; i++)
			free(v[i]);
		free(v);
		goto out;
	}
	qsort(v, n, sizeof(*v), cmp_str); /* one directory: by name is by path */
	*out = v;
	*nout = n;
out:
	free(dir);
	free(prefix);
	return rc;
}

static char **copy_strv(char *const *v, unsigned n)
{
	char **o = calloc(n + 1, sizeof(char *));

	for (unsigned i = 0; o && i < n; i++)
		if (!(o[i] = strdup(v[i]))) {
			while (i--)
				free(o[i]);
			free(o);
			return NULL;
		}
	return o;
}

/* Node k of spec s; sub is what '*' stands for in its writable paths. */
static int make_node(struct map_ctx *c, unsigned si, struct zvm_map_node *nd, unsigned k, unsigned n,
		     const char *sub, int wild, const char *wild_path)
{
	struct map_spec *s = &c->spec[si];
	char jp[64];
	int rc;

	nd->group = si;
	nd->replicate = s->replicate;
	nd->memory = s->memory;
	nd->timeout = s->timeout;
	nd->cpu_time = s->cpu_time;
	nd->given = s->given;
	nd->stream = s->stream;
	if ((n == 1 ? (nd->name = strdup(s->name)) == NULL : asprintf(&nd->name, "%s-%u", s->name, k + 1) < 0))
		return -ENOMEM;
	if (!sub)
		sub = nd->name;
	snprintf(jp, sizeof(jp), "[%u].exec.path", si);
	if ((rc = resolve(c, s->exec_path, jp, &nd->program)) < 0)
		return rc;
	if (!(nd->argv0 = strdup(s->exec_name ? s->exec_name : nd->name)))
		return -ENOMEM;
	if (!(nd->args = copy_strv(s->args, s->nargs)))
		return -ENOMEM;
	nd->nargs = s->nargs;
	if (!(nd->env = copy_strv(s->env, s->nenv)))
		return -ENOMEM;
	nd->nenv = s->nenv;
	for (unsigned d = 0; d < ZVM_MAP_NDEV; d++) {
		char *w;

		nd->listed[d] = s->listed[d];
		if (!s->dev_path[d])
			continue;
		snprintf(jp, sizeof(jp), "[%u].devices[%u].path", si, s->dev_index[d]);
		if ((int)d == wild) {
			if (!(nd->dev_path[d] = substitute(wild_path, sub)))
				return -ENOMEM;
			continue;
		}
		if (!zvm_map_dev_writable(d)) {
			rc = resolve(c, s->dev_path[d], jp, &nd->dev_path[d]);
		} else {
			if (!(w = substitute(s->dev_path[d], sub)))
				return -ENOMEM;
			rc = resolve(c, w, jp, &nd->dev_path[d]);
			free(w);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int expand_spec(struct map_ctx *c, unsigned si, struct zvm_map *m)
{
	struct map_spec *s = &c->spec[si];
	char **subs = NULL, *wild_path = NULL, jp[64];
	unsigned n = 1, nsubs = 0;
	int wild = -1, rc = 0;

	if (strchr(s->exec_path, '*'))
		return map_fail(c, "[%u].exec.path: a wildcard belongs in a device's path", si);
	for (unsigned d = 0; d < ZVM_MAP_NDEV; d++) {
		if (zvm_map_dev_writable(d) || !s->dev_path[d] || !strchr(s->dev_path[d], '*'))
			continue;
		snprintf(jp, sizeof(jp), "[%u].devices[%u].path", si, s->dev_index[d]);
		if (wild >= 0)
			return map_fail(c, "%s: a second wildcard (the first is in devices[%u]): one per node", jp,
					s->dev_index[wild]);
		wild = (int)d;
	}
	if (wild >= 0) {
		snprintf(jp, sizeof(jp), "[%u].devices[%u].path", si, s->dev_index[wild]);
		if (s->count)
			return map_fail(c, "[%u].count: a node with a wildcard in %s takes no count", si, jp);
		if ((rc = resolve(c, s->dev_path[wild], jp, &wild_path)) < 0)
			return rc;
		if ((rc = match(c, wild_path, s->dev_path[wild], jp, &subs, &nsubs)) < 0)
			goto out;
		n = nsubs;
	} else if (s->count) {
		n = s->count;
	}
	if (m->nnodes + n > ZVM_MAP_MAX_NODES) {
		rc = map_fail(c, "[%u]: more than %u nodes in the map once expanded", si, ZVM_MAP_MAX_NODES);
		goto out;
	}
	c->spec[si].count = n; /* how many it made, for graph.c */
	m->group[si].first = m->nnodes;
	m->group[si].n = n;
	for (unsigned k = 0; k < n; k++) {
		struct zvm_map_node *nd = &m->node[m->nnodes++];
		if ((rc = make_node(c, si, nd, k, n, subs ? subs[k] : NULL, wild, wild_path)) < 0)
			goto out;
	}
out:
	for (unsigned i = 0; i < nsubs; i++)
		free(subs[i]);
	free(subs);
	free(wild_path);
	return rc;
}

struct owner { const char *key; unsigned node, dev; };

static int cmp_owner(const void *a, const void *b)
{
	const struct owner *x = a, *y = b;
	int r = strcmp(x->key, y->key);
	return r ? r : (x->node > y->node) - (x->node < y->node);
}

/* No two nodes (or groups) share a name; no two outputs share a path. */
static int check_clashes(struct map_ctx *c, struct zvm_map *m)
{
	struct owner *o = calloc(m->nnodes * 3 + c->nspec + 1, sizeof(*o));
	unsigned n = 0;
	int rc = 0;

	if (!o)
		return -ENOMEM;
	for (unsigned i = 0; i < c->nspec; i++)
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(c->spec[i].name, c->spec[j].name)) {
				rc = map_fail(c, "[%u].name: duplicate node name '%s' (also [%u])", i, c->spec[i].name, j);
				goto out;
			}
	for (unsigned i = 0; i < m->nnodes; i++)
		o[n++] = (struct owner){ m->node[i].name, i, ZVM_MAP_NDEV };
	qsort(o, n, sizeof(*o), cmp_owner);
	for (unsigned i = 1; i < n; i++)
		if (!strcmp(o[i].key, o[i - 1].key)) {
			rc = map_fail(c, "[%u].name: duplicate node name '%s' (made by [%u] and [%u])",
				      m->node[o[i].node].group, o[i].key, m->node[o[i - 1].node].group,
				      m->node[o[i].node].group);
			goto out;
		}
	n = 0;
	for (unsigned i = 0; i < m->nnodes; i++)
		for (unsigned d = 0; d < ZVM_MAP_NDEV; d++)
			if (zvm_map_dev_writable(d) && m->node[i].dev_path[d] &&
			    strcmp(m->node[i].dev_path[d], "/dev/null"))
				o[n++] = (struct owner){ m->node[i].dev_path[d], i, d };
	qsort(o, n, sizeof(*o), cmp_owner);
	for (unsigned i = 1; i < n; i++)
		if (!strcmp(o[i].key, o[i - 1].key)) {
			const struct zvm_map_node *a = &m->node[o[i - 1].node], *b = &m->node[o[i].node];
			rc = map_fail(c, "[%u].devices[%u].path: nodes %s and %s both write '%s'", b->group,
				      c->spec[b->group].dev_index[o[i].dev], a->name, b->name, o[i].key);
			goto out;
		}
out:
	free(o);
	return rc;
}

int map_expand(struct map_ctx *c, struct zvm_map *m)
{
	int rc;

	if (!(m->node = calloc(ZVM_MAP_MAX_NODES, sizeof(*m->node))) ||
	    !(m->group = calloc(c->nspec, sizeof(*m->group))))
		return -ENOMEM;
	m->ngroups = c->nspec;
	for (unsigned i = 0; i < c->nspec; i++)
		if (!(m->group[i].name = strdup(c->spec[i].name)))
			return -ENOMEM;
	for (unsigned i = 0; i < c->nspec; i++)
		if ((rc = expand_spec(c, i, m)) < 0)
			return rc;
	return check_clashes(c, m);
}
