/*
 * api-map.c — POST /v1/maps (docs/http.md): a system map run through
 * zvmd with libzvm-client's map call. The body's map (map-request.c) is
 * checked against the tenant before anything runs: its images must be
 * digests this tenant uploaded, its limits within the tenant's caps, its
 * cells within the tenant's concurrency. Inputs are sealed memfds,
 * outputs memfds capped in the cell at output_limit, edges spooled under
 * state_dir; the answer is the map's report with each node's outputs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/zvm-client.h"
#include "serve/server.h"

/* A map's edges together on serve's disk (docs/http.md). */
#define MAP_SPOOL_BYTES (64ull << 20)
/* Its outputs together: this many times the tenant's max_output. */
#define MAP_OUTPUT_FACTOR 16

static const char *const dev_name[ZVM_MAP_NDEV] = {
	"stdin", "stdout", "stderr", "input", "output", "image", "script",
};
static const char *const dev_alias[ZVM_MAP_NDEV] = {
	"/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/input", "/dev/output", "/dev/image", "/dev/script",
};

/* The node limits a map sets, against the tenant's caps (403); those it
 * leaves to the defaults brought down to the caps. */
static bool node_limits(struct serve_req *r, struct zvm_map *m)
{
	const struct serve_quota *q = &r->tenant->q;
	double max_s = (double)q->max_timeout_ms / 1000;

	for (unsigned i = 0; i < m->nnodes; i++) {
		struct zvm_map_node *nd = &m->node[i];
		unsigned g = nd->group;

		if ((nd->given & ZVM_GIVEN_MEMORY) && nd->memory > q->max_memory) {
			serve_req_error(r, 403, "map[%u].limits.Memory: %llu bytes is above tenant %s's max_memory (%llu)",
					g, (unsigned long long)nd->memory, r->tenant->name,
					(unsigned long long)q->max_memory);
			return false;
		}
		if ((nd->given & ZVM_GIVEN_TIMEOUT) && nd->timeout > max_s) {
			serve_req_error(r, 403, "map[%u].limits.Timeout: %g s is above tenant %s's max_timeout (%g s)", g,
					nd->timeout, r->tenant->name, max_s);
			return false;
		}
		if ((nd->given & ZVM_GIVEN_CPU_TIME) && nd->cpu_time > max_s) {
			serve_req_error(r, 403, "map[%u].limits.CpuTime: %g s is above tenant %s's max_timeout (%g s)", g,
					nd->cpu_time, r->tenant->name, max_s);
			return false;
		}
		/* the default manifest's 256 MiB and 10 s, at most the caps */
		if (!(nd->given & ZVM_GIVEN_MEMORY) && q->max_memory < (256u << 20)) {
			nd->memory = q->max_memory;
			nd->given |= ZVM_GIVEN_MEMORY;
		}
		if (!(nd->given & ZVM_GIVEN_TIMEOUT) && max_s < 10) {
			nd->timeout = max_s;
			nd->given |= ZVM_GIVEN_TIMEOUT;
		}
		if (!(nd->given & ZVM_GIVEN_CPU_TIME) && nd->timeout > max_s) {
			nd->cpu_time = max_s;
			nd->given |= ZVM_GIVEN_CPU_TIME;
		}
	}
	return true;
}

/* A memfd's bytes, at most limit; truncated when the cell's channel hit
 * its limit or the file holds more. */
static json_t *output_json(int fd, uint64_t limit, bool hit)
{
	struct serve_output o = { 0 };
	struct stat st;
	json_t *j;

	if (fstat(fd, &st) < 0)
		return json_null();
	o.len = (uint64_t)st.st_size < limit ? (size_t)st.st_size : (size_t)limit;
	if (!(o.data = malloc(o.len + 1)))
		return json_null();
	if (o.len && pread(fd, o.data, o.len, 0) != (ssize_t)o.len)
		o.len = 0;
	o.data[o.len] = '\0';
	o.truncated = hit || (uint64_t)st.st_size > limit;
	j = json_pack("{s:o,s:b}", "content", serve_output_json(&o), "truncated", o.truncated);
	free(o.data);
	return j ? j : json_null();
}

static bool limit_hit(const struct zvm_report *rep, const char *alias)
{
	for (unsigned c = 0; c < rep->nchannels; c++)
		if (!strcmp(rep->ch[c].alias, alias))
			return rep->ch[c].limit_hit;
	return false;
}

/* The map's report (zvm map --report json's) with each node's outputs. */
static json_t *answer(const struct serve_map_req *mr, const struct map_result *res, const int *fd, uint64_t limit,
		      double wall)
{
	const struct zvm_map *m = mr->map;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	json_t *o, *nodes;

	if (!f)
		return NULL;
	zvm_map_report_json(f, m, res, wall);
	fclose(f);
	o = json_loadb(text, len, 0, NULL);
	free(text);
	nodes = o ? json_object_get(o, "nodes") : NULL;
	for (unsigned i = 0; nodes && i < m->nnodes; i++) {
		json_t *outs = json_object();
		for (unsigned d = 0; d < ZVM_MAP_NDEV; d++) {
			int f2 = fd[i * ZVM_MAP_NDEV + d];
			if (mr->dev[i * ZVM_MAP_NDEV + d] != SERVE_MAP_OUTPUT || f2 < 0)
				continue;
			json_object_set_new(outs, dev_name[d], output_json(f2, limit, limit_hit(&res[i].rep, dev_alias[d])));
		}
		json_object_set_new(json_array_get(nodes, i), "outputs", outs);
	}
	if (o)
		json_object_set_new(o, "output_limit", json_integer((json_int_t)limit));
	return o;
}

void serve_api_map(struct serve_req *r)
{
	struct serve_server *s = r->srv;
	const struct serve_quota *q = &r->tenant->q;
	struct serve_map_req *mr = malloc(sizeof(*mr));
	struct map_result *res = NULL;
	int *fd = NULL, *infd = NULL, rc;
	unsigned cells = 0, slots = 0;
	int64_t timeout_ms, out_lim;
	char err[1024], hex[65];
	double retry, t0, cpu = 0;

	if (!mr) {
		serve_req_error(r, 503, "out of memory");
		return;
	}
	if (serve_parse_map(r->body ? r->body : "", r->len, mr, err, sizeof(err)) < 0) {
		serve_req_error(r, 400, "%s", err);
		free(mr);
		return;
	}
	/* a digest this tenant never uploaded is unknown, whoever else did:
	 * all checked before anything runs */
	for (unsigned g = 0; g < mr->ngroups; g++)
		if (!serve_tenant_has_image(r->tenant, mr->digest[g])) {
			serve_digest_hex(mr->digest[g], hex);
			serve_req_error(r, 404, "map[%u].exec.digest: no image %s for tenant %s (POST /v1/images first)",
					g, hex, r->tenant->name);
			goto out;
		}
	timeout_ms = mr->timeout_ms < 0 ? q->max_timeout_ms : mr->timeout_ms;
	out_lim = mr->output_limit < 0 ? SERVE_DEFAULT_OUTPUT : mr->output_limit;
	if (timeout_ms > q->max_timeout_ms) {
		serve_req_error(r, 403, "timeout: %lld is above tenant %s's max_timeout (%lld)", (long long)timeout_ms,
				r->tenant->name, (long long)q->max_timeout_ms);
		goto out;
	}
	if ((uint64_t)out_lim > q->max_output) {
		serve_req_error(r, 403, "output_limit: %lld is above tenant %s's max_output (%llu)", (long long)out_lim,
				r->tenant->name, (unsigned long long)q->max_output);
		goto out;
	}
	if ((uint64_t)out_lim * mr->noutputs > MAP_OUTPUT_FACTOR * q->max_output) {
		serve_req_error(r, 403, "map: %u output streams of output_limit %lld bytes is above tenant %s's %d x "
				"max_output (%llu bytes) for one map", mr->noutputs, (long long)out_lim, r->tenant->name,
				MAP_OUTPUT_FACTOR, (unsigned long long)(MAP_OUTPUT_FACTOR * q->max_output));
		goto out;
	}
	if (!node_limits(r, mr->map))
		goto out;
	/* through zvmd every edge is spooled, as zvm map --socket does: a
	 * streamed node's bytes are the same */
	for (unsigned i = 0; i < mr->map->nnodes; i++)
		mr->map->node[i].stream = false;
	/* a map takes as many of the tenant's cells as zvmd may run of it at
	 * once (all its cells, at most the tenant's concurrency), for its
	 * whole run: zvmd, not serve, paces the cells */
	for (unsigned i = 0; i < mr->map->nnodes; i++)
		cells += mr->map->node[i].replicate;
	slots = cells < q->concurrent ? cells : q->concurrent;
	if (serve_tenant_begin_cells(r->tenant, serve_now(), slots, &retry, err, sizeof(err)) < 0) {
		r->retry_after = retry;
		serve_req_error(r, 429, "%s", err);
		slots = 0;
		goto out;
	}
	fd = malloc(sizeof(int) * ZVM_MAP_NDEV * mr->map->nnodes);
	infd = malloc(sizeof(int) * (mr->ninputs ? mr->ninputs : 1));
	res = zvm_map_results_alloc(mr->map->nnodes);
	if (!fd || !infd || !res) {
		serve_req_error(r, 503, "out of memory");
		goto out;
	}
	for (unsigned k = 0; k < mr->ninputs; k++)
		infd[k] = -1;
	for (unsigned k = 0; k < ZVM_MAP_NDEV * mr->map->nnodes; k++)
		fd[k] = -1;
	for (unsigned k = 0; k < mr->ninputs; k++)
		if ((infd[k] = serve_memfd("map-input", mr->input[k].data, mr->input[k].len)) < 0) {
			serve_req_error(r, 503, "memfd: %s", strerror(-infd[k]));
			goto out;
		}
	for (unsigned k = 0; k < ZVM_MAP_NDEV * mr->map->nnodes; k++) {
		int v = mr->dev[k];
		if (v == SERVE_MAP_OUTPUT && (fd[k] = memfd_create("map-output", MFD_CLOEXEC)) < 0) {
			serve_req_error(r, 503, "memfd: %s", strerror(errno));
			goto out;
		}
		if (v >= 0 && (unsigned)v < mr->ninputs)
			fd[k] = infd[v];
	}
	{
		struct zvm_client_map job = {
			.map = mr->map, .digest = (const uint8_t(*)[32])mr->digest, .dev_fd = fd,
			.timeout = (double)timeout_ms / 1000, .spool_bytes = MAP_SPOOL_BYTES,
			.output_bytes = (uint64_t)out_lim, .spool_dir = s->cfg->state_dir };
		t0 = serve_now();
		rc = zvm_client_map(s->cfg->socket, NULL, &job, res, err, sizeof(err));
	}
	for (unsigned i = 0; i < mr->map->nnodes; i++)
		cpu += (res[i].rep.cpu_user_s + res[i].rep.cpu_sys_s) * mr->map->node[i].replicate;
	if (rc == 75) {
		r->retry_after = 1;
		serve_req_error(r, 503, "zvmd is busy: %s", err);
	} else if (rc && strstr(err, "(not found)")) {
		serve_req_error(r, 410, "zvmd no longer holds an image of this map (evicted): upload it again");
	} else if (rc) {
		serve_req_error(r, 502, "zvmd could not run the map: %s", err);
	} else if (!(r->json = answer(mr, res, fd, (uint64_t)out_lim, serve_now() - t0))) {
		serve_req_error(r, 503, "out of memory");
	} else {
		r->status = 200;
	}
out:
	if (slots)
		serve_tenant_done_cells(r->tenant, serve_now(), slots, cpu);
	for (unsigned k = 0; fd && k < ZVM_MAP_NDEV * mr->map->nnodes; k++)
		if (fd[k] >= 0 && mr->dev[k] == SERVE_MAP_OUTPUT)
			close(fd[k]);
	for (unsigned k = 0; infd && k < mr->ninputs; k++)
		if (infd[k] >= 0)
			close(infd[k]);
	if (res)
		zvm_map_results_free(res, mr->map->nnodes);
	free(fd);
	free(infd);
	serve_map_req_free(mr);
	free(mr);
}
