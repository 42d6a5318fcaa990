/*
 * manifest.c — one node as the manifest of one cell (docs/manifest.md):
 * its devices and edges as channels, in a fixed order, and the manifest
 * printed in the manifest's own text format (zvm map --dry-run).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/channels.h"
#include "maps/maps.h"

static const char *const dev_alias[ZVM_MAP_NDEV] = {
	"/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/input", "/dev/output", "/dev/image", "/dev/script",
};

void zvm_map_edge_path(char *buf, size_t len, const char *spool, unsigned src, unsigned dst, unsigned replica)
{
	if (replica)
		snprintf(buf, len, "%s/edge-%u-%u.r%u", spool, src, dst, replica);
	else
		snprintf(buf, len, "%s/edge-%u-%u", spool, src, dst);
}

void zvm_map_replica_path(char *buf, size_t len, const char *spool, unsigned node, unsigned dev, unsigned replica)
{
	snprintf(buf, len, "%s/node-%u-%s.r%u", spool, node, zvm_map_dev_name(dev), replica);
}

static int add(struct zvm_manifest *out, const char *uri, const char *alias, bool readable, unsigned type)
{
	struct zvm_channel_decl *d;

	if (out->nchannels >= ZVM_MAX_CHANNELS)
		return -E2BIG;
	d = &out->channels[out->nchannels];
	*d = (struct zvm_channel_decl){
		.type = type,
		.max_reads = readable ? ZVM_NO_LIMIT : 0, .max_read_bytes = readable ? ZVM_NO_LIMIT : 0,
		.max_writes = readable ? 0 : ZVM_NO_LIMIT, .max_write_bytes = readable ? 0 : ZVM_NO_LIMIT };
	out->nchannels++; /* counted first: zvm_manifest_free frees what was set */
	d->uri = strdup(uri);
	d->alias = strdup(alias);
	return d->uri && d->alias ? 0 : -ENOMEM;
}

/* A streamed edge: the caller's pipe end, or a name for --dry-run. */
static void pipe_uri(char *buf, size_t len, int fd, unsigned src, unsigned dst)
{
	if (fd >= 0)
		snprintf(buf, len, "fd:%d", fd);
	else
		snprintf(buf, len, "$PIPE-%u-%u", src, dst);
}

/* Where device d of node i goes in this run. */
static void dev_uri(char *buf, size_t len, const struct zvm_map_node *nd, unsigned i, unsigned d,
		    const struct zvm_map_io *io)
{
	const char *uri = "/dev/null";
	char fdpath[40];

	if (nd->listed[d] && io->dev_fd && io->dev_fd[d] >= 0) {
		/* a fresh open file of the caller's: its own offset */
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", io->dev_fd[d]);
		uri = fdpath;
	} else if (nd->listed[d] && nd->dev_path[d])
		uri = nd->dev_path[d];
	else if (nd->listed[d] && d == ZVM_MAP_STDOUT && io->stdout_uri)
		uri = io->stdout_uri;
	else if (nd->listed[d] && d == ZVM_MAP_STDERR && io->stderr_uri)
		uri = io->stderr_uri;
	if (io->replica && zvm_map_dev_writable(d) && strcmp(uri, "/dev/null"))
		zvm_map_replica_path(buf, len, io->spool, i, d, io->replica);
	else
		snprintf(buf, len, "%s", uri);
}

int zvm_map_manifest(const struct zvm_map *m, unsigned i, const struct zvm_map_io *io, struct zvm_manifest *out,
		     char *err, size_t errlen)
{
	const struct zvm_map_node *nd = &m->node[i];
	char uri[4200], alias[80];
	int rc;

	memset(out, 0, sizeof(*out));
	/* the default limits; the channels are declared here */
	if ((rc = zvm_manifest_default(nd->program, out)) < 0)
		goto fail;
	if (nd->given & ZVM_GIVEN_MEMORY)
		out->memory = nd->memory;
	if (nd->given & ZVM_GIVEN_TIMEOUT)
		out->timeout = nd->timeout;
	if (nd->given & ZVM_GIVEN_CPU_TIME)
		out->cpu_time = nd->cpu_time;
	out->given |= nd->given;
	for (unsigned c = 0; c < 3; c++) {
		free(out->channels[c].uri);
		free(out->channels[c].alias);
	}
	out->nchannels = 0;
	for (unsigned d = 0; d < ZVM_MAP_NDEV; d++) {
		if (d > ZVM_MAP_STDERR && !nd->listed[d])
			continue;
		dev_uri(uri, sizeof(uri), nd, i, d, io);
		/* random reads for the inputs a program may seek in (ZRT's image needs it) */
		if ((rc = add(out, uri, dev_alias[d], !zvm_map_dev_writable(d),
			      d >= ZVM_MAP_INPUT && !zvm_map_dev_writable(d) ? 1 : 0)) < 0)
			goto fail;
	}
	for (unsigned k = 0; k < nd->nin; k++) {
		if (zvm_map_in_streamed(m, i, k))
			pipe_uri(uri, sizeof(uri), io->in_fd ? io->in_fd[k] : -1, nd->in[k], i);
		else
			zvm_map_edge_path(uri, sizeof(uri), io->spool, nd->in[k], i, 0);
		snprintf(alias, sizeof(alias), "/dev/in/%s", m->node[nd->in[k]].name);
		if ((rc = add(out, uri, alias, true, 0)) < 0)
			goto fail;
	}
	for (unsigned k = 0; k < nd->nout; k++) {
		bool piped = zvm_map_out_streamed(m, i, k);

		if (piped)
			pipe_uri(uri, sizeof(uri), io->out_fd ? io->out_fd[k] : -1, i, nd->out[k]);
		else
			zvm_map_edge_path(uri, sizeof(uri), io->spool, i, nd->out[k], io->replica);
		snprintf(alias, sizeof(alias), "/dev/out/%s", m->node[nd->out[k]].name);
		if ((rc = add(out, uri, alias, false, 0)) < 0)
			goto fail;
		/* the spool's cap, split over its files (docs/system-map.md) */
		if (!piped && io->edge_bytes)
			out->channels[out->nchannels - 1].max_write_bytes = io->edge_bytes;
	}
	for (unsigned k = 0; k < nd->nargs; k++)
		if (!(out->args[out->nargs++] = strdup(nd->args[k]))) {
			rc = -ENOMEM;
			goto fail;
		}
	for (unsigned k = 0; k < nd->nenv; k++)
		if (!(out->env[out->nenv++] = strdup(nd->env[k]))) {
			rc = -ENOMEM;
			goto fail;
		}
	return 0;
fail:
	snprintf(err, errlen, "node %s: %s", nd->name, rc == -E2BIG ? "more than 64 channels" : strerror(-rc));
	zvm_manifest_free(out);
	return rc;
}

static void limit(FILE *f, uint64_t v, const char *unit)
{
	if (v == ZVM_NO_LIMIT)
		fprintf(f, "unlimited%s", unit);
	else
		fprintf(f, "%llu%s", (unsigned long long)v, unit);
}

void zvm_map_manifest_print(FILE *f, const struct zvm_manifest *m)
{
	fprintf(f, "Program = %s\n", m->program);
	fprintf(f, "Memory = %llu\n", (unsigned long long)m->memory);
	fprintf(f, "Timeout = %g\n", m->timeout);
	if (m->cpu_time)
		fprintf(f, "CpuTime = %g\n", m->cpu_time);
	fprintf(f, "Deterministic = %s\n", m->deterministic ? "yes" : "no");
	for (unsigned i = 0; i < m->nargs; i++)
		fprintf(f, "Arg = %s\n", m->args[i]);
	for (unsigned i = 0; i < m->nenv; i++)
		fprintf(f, "Env = %s\n", m->env[i]);
	for (unsigned i = 0; i < m->nchannels; i++) {
		const struct zvm_channel_decl *c = &m->channels[i];
		fprintf(f, "Channel = %s, %s, %u, ", c->uri, c->alias, c->type);
		limit(f, c->max_reads, ", ");
		limit(f, c->max_read_bytes, ", ");
		limit(f, c->max_writes, ", ");
		limit(f, c->max_write_bytes, "\n");
	}
}
