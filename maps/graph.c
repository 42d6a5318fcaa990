/*
 * graph.c — connect: names to groups, groups to edges between their nodes
 * (every node of a to every node of b), the per-cell channel limit, and the
 * run order (a group after every group it reads from; a cycle is an error,
 * named by its path).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps/maps-internal.h"

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return (x > y) - (x < y);
}

static int find_group(const struct zvm_map *m, const char *name)
{
	for (unsigned g = 0; g < m->ngroups; g++)
		if (!strcmp(m->group[g].name, name))
			return (int)g;
	return -1;
}

static bool reads_from(const struct zvm_map *m, unsigned b, unsigned a)
{
	for (unsigned k = 0; k < m->group[a].nconnect; k++)
		if (m->group[a].connect[k] == b)
			return true;
	return false;
}

/* Some groups are left with predecessors among themselves: walk back
 * through them until a group repeats, and name that loop. */
static int name_cycle(struct map_ctx *c, const struct zvm_map *m, const bool *left)
{
	unsigned *walk = calloc(m->ngroups + 1, sizeof(*walk)), n = 0, x = 0, start;
	char msg[512];
	size_t off = 0;

	if (!walk)
		return -ENOMEM;
	while (!left[x])
		x++;
	for (;;) {
		unsigned p, i;
		for (i = 0; i < n && walk[i] != x; i++)
			;
		if (i < n) {
			start = i;
			break;
		}
		walk[n++] = x;
		for (p = 0; p < m->ngroups && !(left[p] && reads_from(m, x, p)); p++)
			;
		x = p; /* exists: every group left has a predecessor left */
	}
	/* walk[start..n) is the loop backwards: print it forwards, from the
	 * group that comes first in the map */
	unsigned len = n - start, first = 0;
	for (unsigned i = 0; i < len; i++)
		if (walk[n - 1 - i] < walk[n - 1 - first])
			first = i;
	for (unsigned i = 0; i <= len && off < sizeof(msg); i++)
		off += (size_t)snprintf(msg + off, sizeof(msg) - off, "%s%s", i ? " -> " : "",
					m->group[walk[n - 1 - (first + i) % len]].name);
	x = walk[n - 1 - first];
	free(walk);
	return map_fail(c, "[%u].connect: a cycle: %s", x, msg);
}

/* Groups in an order where each comes after those it reads from; among
 * those ready, the first in the map. */
static int order(struct map_ctx *c, struct zvm_map *m)
{
	unsigned *indeg = calloc(m->ngroups, sizeof(*indeg)), done = 0, k = 0;
	bool *left = calloc(m->ngroups, sizeof(*left));
	int rc = 0;

	if (!indeg || !left || !(m->order = calloc(m->nnodes, sizeof(*m->order)))) {
		rc = -ENOMEM;
		goto out;
	}
	for (unsigned a = 0; a < m->ngroups; a++) {
		left[a] = true;
		for (unsigned j = 0; j < m->group[a].nconnect; j++)
			indeg[m->group[a].connect[j]]++;
	}
	while (done < m->ngroups) {
		unsigned g;
		for (g = 0; g < m->ngroups && !(left[g] && indeg[g] == 0); g++)
			;
		if (g == m->ngroups) {
			rc = name_cycle(c, m, left);
			goto out;
		}
		left[g] = false;
		done++;
		for (unsigned j = 0; j < m->group[g].nconnect; j++)
			indeg[m->group[g].connect[j]]--;
		for (unsigned i = 0; i < m->group[g].n; i++)
			m->order[k++] = m->group[g].first + i;
	}
out:
	free(indeg);
	free(left);
	return rc;
}

bool zvm_map_in_streamed(const struct zvm_map *m, unsigned i, unsigned k)
{
	return m->node[m->node[i].in[k]].stream;
}

bool zvm_map_out_streamed(const struct zvm_map *m, unsigned i, unsigned k)
{
	(void)k;
	return m->node[i].stream;
}

uint64_t zvm_map_spool_files(const struct zvm_map *m)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < m->nnodes; i++)
		if (!m->node[i].stream)
			n += (uint64_t)m->node[i].nout * m->node[i].replicate;
	return n;
}

/* Cells cannot poll: a streamed edge may only go to a node that reads
 * nothing else, or it could wait on one input while its source blocks on
 * the pipe. Pipes cannot be replayed: no replicas on either side. Then
 * each node's head, the node whose start starts it, in run order. */
static int check_streams(struct map_ctx *c, struct zvm_map *m)
{
	for (unsigned i = 0; i < m->nnodes; i++) {
		const struct zvm_map_node *nd = &m->node[i];

		if (!nd->stream)
			continue;
		for (unsigned k = 0; k < nd->nout; k++) {
			const struct zvm_map_node *d = &m->node[nd->out[k]];
			if (d->nin != 1)
				return map_fail(c, "[%u].stream: %s reads %u edges, one of them streamed from %s; a streamed "
					       "edge must be its destination's only input (cells cannot poll)",
						nd->group, d->name, d->nin, nd->name);
			if (d->replicate > 1 || nd->replicate > 1)
				return map_fail(c, "[%u].stream: %s -> %s: a streamed edge joins nodes of replicate 1 "
					       "(a pipe is read once)", nd->group, nd->name, d->name);
		}
	}
	for (unsigned k = 0; k < m->nnodes; k++) {
		struct zvm_map_node *nd = &m->node[m->order[k]];
		nd->stream_head = nd->nin == 1 && m->node[nd->in[0]].stream ? m->node[nd->in[0]].stream_head : m->order[k];
		nd->stream_size = 0;
		m->node[nd->stream_head].stream_size++;
	}
	return 0;
}

int map_connect(struct map_ctx *c, struct zvm_map *m)
{
	uint64_t edges = 0;
	int rc;

	for (unsigned a = 0; a < m->ngroups; a++) {
		struct map_spec *s = &c->spec[a];
		struct zvm_map_group *ga = &m->group[a];

		if (!(ga->connect = calloc(s->nconnect + 1, sizeof(unsigned))))
			return -ENOMEM;
		for (unsigned j = 0; j < s->nconnect; j++) {
			int b = find_group(m, s->connect[j]);
			if (b < 0)
				return map_fail(c, "[%u].connect[%u]: no node named '%s'", a, j, s->connect[j]);
			ga->connect[ga->nconnect++] = (unsigned)b;
			edges += (uint64_t)ga->n * m->group[b].n;
			if (edges > ZVM_MAP_MAX_EDGES)
				return map_fail(c, "[%u].connect: more than %u edges in the map", a, ZVM_MAP_MAX_EDGES);
		}
	}
	m->nedges = (unsigned)edges;
	/* count, then fill, each node's sources and destinations */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < m->nnodes; i++) {
			struct zvm_map_node *nd = &m->node[i];
			if (pass == 1) {
				if (!(nd->in = calloc(nd->nin + 1, sizeof(unsigned))) ||
				    !(nd->out = calloc(nd->nout + 1, sizeof(unsigned))))
					return -ENOMEM;
			}
			nd->nin = nd->nout = 0;
		}
		for (unsigned a = 0; a < m->ngroups; a++)
			for (unsigned j = 0; j < m->group[a].nconnect; j++) {
				const struct zvm_map_group *ga = &m->group[a], *gb = &m->group[ga->connect[j]];
				for (unsigned x = ga->first; x < ga->first + ga->n; x++)
					for (unsigned y = gb->first; y < gb->first + gb->n; y++) {
						if (pass == 1) {
							m->node[x].out[m->node[x].nout] = y;
							m->node[y].in[m->node[y].nin] = x;
						}
						m->node[x].nout++;
						m->node[y].nin++;
					}
			}
	}
	for (unsigned i = 0; i < m->nnodes; i++) {
		struct zvm_map_node *nd = &m->node[i];
		unsigned ch = 3 + nd->nin + nd->nout;

		for (unsigned d = ZVM_MAP_INPUT; d < ZVM_MAP_NDEV; d++)
			ch += nd->listed[d];
		if (ch > ZVM_MAP_MAX_CHANNELS)
			return map_fail(c, "[%u]: node %s would have %u channels (at most %u: stdin, stdout, stderr, "
				   "its devices and one per edge)", nd->group, nd->name, ch, ZVM_MAP_MAX_CHANNELS);
		qsort(nd->in, nd->nin, sizeof(unsigned), cmp_uint);
		qsort(nd->out, nd->nout, sizeof(unsigned), cmp_uint);
	}
	if ((rc = order(c, m)) < 0)
		return rc;
	return check_streams(c, m);
}
