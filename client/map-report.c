/*
 * map-report.c — the report of a map: one line per node and a summary
 * (text), or one JSON object with each node's single-cell report
 * (docs/report.md) under its name; and the job's state and exit status,
 * the worst node's.
 */
#include <stdlib.h>
#include <string.h>

#include "client/zvm-client.h"

int zvm_map_result_status(const struct map_result *r)
{
	if (r->spool_full)
		return ZVM_EXIT_SPOOL_LIMIT;
	if (r->mismatch)
		return ZVM_EXIT_REPLICA_MISMATCH;
	return zvm_state_exit_status(r->rep.state, r->rep.exit_code, r->rep.signal);
}

const char *zvm_map_result_state(const struct map_result *r)
{
	if (r->spool_full)
		return "spool limit";
	return r->mismatch ? "replica mismatch" : zvm_state_name(r->rep.state);
}

static int rank(const struct map_result *r)
{
	if (r->map_timeout)
		return 4; /* the job ended by its own limit: that is its state */
	if (r->rep.state != ZVM_STATE_OK || r->spool_full)
		return 3;
	if (r->mismatch)
		return 2;
	return r->rep.exit_code ? 1 : 0;
}

int zvm_map_worst(const struct zvm_map *m, const struct map_result *res)
{
	int worst = -1;

	for (unsigned i = 0; i < m->nnodes; i++)
		if (rank(&res[i]) > (worst < 0 ? 0 : rank(&res[worst])))
			worst = (int)i;
	return worst;
}

static void bytes(const struct zvm_report *r, unsigned long long *in, unsigned long long *out)
{
	*in = *out = 0;
	for (unsigned c = 0; c < r->nchannels; c++) {
		*in += r->ch[c].read_bytes;
		*out += r->ch[c].write_bytes;
	}
}

void zvm_map_report_text(FILE *f, const struct zvm_map *m, const struct map_result *res, double wall)
{
	unsigned failed = 0;
	int w = zvm_map_worst(m, res);

	for (unsigned i = 0; i < m->nnodes; i++) {
		const struct map_result *r = &res[i];
		unsigned long long in, out;

		bytes(&r->rep, &in, &out);
		failed += rank(r) > 0;
		fprintf(f, "zvm map: %s: %s, exit status %d, wall %.3f s, cpu %.3f s, in %llu bytes, out %llu bytes",
			m->node[i].name, zvm_map_result_state(r), zvm_map_result_status(r), r->rep.wall_s,
			r->rep.cpu_user_s + r->rep.cpu_sys_s, in, out);
		if (m->node[i].replicate > 1)
			fprintf(f, ", %u of %u replicas agree", r->agree, m->node[i].replicate);
		if (r->brief[0] && (r->rep.state != ZVM_STATE_OK || r->spool_full))
			fprintf(f, " (%s)", r->brief);
		if (r->mismatch)
			fprintf(f, " (on %s)", r->mismatch_what);
		fputc('\n', f);
	}
	fprintf(f, "zvm map: %s, %u node%s, %u not ok%s%s, wall %.3f s, exit status %d\n",
		w < 0 ? "ok" : zvm_map_result_state(&res[w]), m->nnodes, m->nnodes == 1 ? "" : "s", failed,
		w < 0 ? "" : ", first worst ", w < 0 ? "" : m->node[w].name, wall,
		w < 0 ? 0 : zvm_map_result_status(&res[w]));
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	fputc('"', f);
}

/* The single-cell JSON report of r, its braces taken off, after our fields. */
static void node_json(FILE *f, const struct zvm_map_node *nd, const struct map_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	fprintf(f, "{\"name\":\"%s\",\"node_state\":\"%s\",\"node_exit_status\":%d,\"replicas\":%u,"
		   "\"replicas_agree\":%u", nd->name, zvm_map_result_state(r), zvm_map_result_status(r),
		nd->replicate, r->agree);
	if (r->mismatch)
		fprintf(f, ",\"mismatch\":\"%s\"", r->mismatch_what);
	if (r->spool_full)
		fprintf(f, ",\"spool_limit\":\"%s\"", r->spool_edge);
	if (r->map_timeout)
		fprintf(f, ",\"map_timeout\":true");
	if (r->spool_full || r->map_timeout) {
		fprintf(f, ",\"node_message\":");
		json_string(f, r->brief);
	}
	if (mem) {
		zvm_report_print_json(mem, &r->rep);
		fclose(mem);
	}
	/* "{...}\n" -> ",..." */
	if (buf && len > 3 && buf[0] == '{')
		fprintf(f, ",%.*s}", (int)(len - 3), buf + 1);
	else
		fputc('}', f);
	free(buf);
}

void zvm_map_report_json(FILE *f, const struct zvm_map *m, const struct map_result *res, double wall)
{
	int w = zvm_map_worst(m, res);

	fprintf(f, "{\"state\":\"%s\",\"exit_status\":%d,\"wall_seconds\":%.6f",
		w < 0 ? "ok" : zvm_map_result_state(&res[w]), w < 0 ? 0 : zvm_map_result_status(&res[w]), wall);
	if (w >= 0)
		fprintf(f, ",\"worst_node\":\"%s\"", m->node[w].name);
	fprintf(f, ",\"nodes\":[");
	for (unsigned i = 0; i < m->nnodes; i++) {
		if (i)
			fputc(',', f);
		node_json(f, &m->node[i], &res[i]);
	}
	fprintf(f, "]}\n");
}
