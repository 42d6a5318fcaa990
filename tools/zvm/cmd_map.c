/*
 * cmd_map.c — `zvm map`: a system map (docs/system-map.md) run locally as
 * one-shot cells, a few at a time, or printed with --dry-run. The parsing
 * and expansion are maps/'s; running is map-run.c's (locally) or
 * libzvm-client's zvm_client_map (--socket); the report libzvm-client's.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "channels/channels.h"
#include "tools/zvm/commands.h"
#include "tools/zvm/job.h"
#include "tools/zvm/map.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: zvm map [options] MAP.json\n"
		"Runs a system map (docs/system-map.md): a JSON array of nodes, each one or\n"
		"more cells, wired by `connect`. Locally: one-shot cells, a few at a time,\n"
		"each after the nodes it reads from; edges spooled in temporary files.\n"
		"With --socket, the same map on zvmd's warm pool, the same bytes.\n"
		"Exit status: the worst node's (docs/report.md; 119 spool limit, 120 replica\n"
		"mismatch); 2 usage, 125 a map that does not parse or expand; with --socket\n"
		"75 when zvmd is busy or at a per-uid limit (try again).\n\n"
		"  --dry-run               print the nodes and each one's manifest, run nothing\n"
		"  --report FORMAT         the job's report on stderr: text or json; none: nothing.\n"
		"                          Default: one line per node that did not end ok\n"
		"  --report-file FILE      the report (text, or --report json) into FILE\n"
		"  --root DIR              swift://account/container/object is DIR/container/object\n"
		"  -s, --socket PATH       run it through zvmd's warm pool at PATH (docs/zvmd.md)\n"
		"  --no-cache              validate every image even if the cache knows it\n"
		"  -j, --jobs N            at most N cells at once (1-64; default: the CPUs, at most 8,\n"
		"                          or the largest set of streamed nodes if that is more)\n"
		"  --timeout SECONDS       the whole map's wall limit (like 30, 1.5 min); running cells\n"
		"                          are killed, nodes not started end too (124). Default: none\n"
		"  --spool-bytes BYTES     the edges' spool files together (like 64M; default 1G; or\n"
		"                          unlimited), split evenly over them; a node over its share\n"
		"                          ends 'spool limit' (119)\n"
		"  -h, --help              this text\n");
}

enum { O_DRY = 256, O_REPORT, O_REPORT_FILE, O_ROOT, O_NO_CACHE, O_TIMEOUT, O_SPOOL_BYTES };
#define MAX_JOBS 64

static const struct option opts[] = {
	{ "dry-run", no_argument, NULL, O_DRY },
	{ "report", required_argument, NULL, O_REPORT },
	{ "report-file", required_argument, NULL, O_REPORT_FILE },
	{ "root", required_argument, NULL, O_ROOT },
	{ "no-cache", no_argument, NULL, O_NO_CACHE },
	{ "jobs", required_argument, NULL, 'j' },
	{ "socket", required_argument, NULL, 's' },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "spool-bytes", required_argument, NULL, O_SPOOL_BYTES },
	{ "help", no_argument, NULL, 'h' },
	{ 0 } };

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dry_run(const struct zvm_map *m, const struct map_run_options *ro)
{
	for (unsigned k = 0; k < m->nnodes; k++) {
		const struct zvm_map_node *nd = &m->node[m->order[k]];
		struct zvm_map_io io = { .spool = "$SPOOL", .stdout_uri = "/dev/stdout", .stderr_uri = "/dev/stderr",
					 .edge_bytes = zvm_map_edge_bytes(m, ro->spool_bytes) };
		struct zvm_manifest man;
		char err[512];

		printf("%s# node %s (runs %u of %u; argv[0] %s; replicate %u)\n", k ? "\n" : "", nd->name, k + 1,
		       m->nnodes, nd->argv0, nd->replicate);
		if (zvm_map_manifest(m, m->order[k], &io, &man, err, sizeof(err)) < 0) {
			fprintf(stderr, "zvm map: %s\n", err);
			return 125;
		}
		zvm_map_manifest_print(stdout, &man);
		zvm_manifest_free(&man);
	}
	return 0;
}

/* Through zvmd: each node's stdout and stderr without a path onto ours,
 * in node order, as the local runner prints them. */
static void node_output(void *arg, unsigned node, int out_fd, int err_fd)
{
	(void)arg;
	(void)node;
	if (out_fd >= 0) {
		fflush(stdout);
		zvm_map_copy_fd(out_fd, 1);
	}
	if (err_fd >= 0) {
		fflush(stderr);
		zvm_map_copy_fd(err_fd, 2);
	}
}

static void report(enum zvm_report_format format, const char *file, const struct zvm_map *m, const struct map_result *res,
		   double wall)
{
	FILE *f = stderr;

	if (file && !(f = fopen(file, "we"))) {
		fprintf(stderr, "zvm map: --report-file %s: %s\n", file, strerror(errno));
		return;
	}
	if (format == ZVM_REPORT_JSON)
		zvm_map_report_json(f, m, res, wall);
	else
		zvm_map_report_text(f, m, res, wall);
	if (file && fclose(f) != 0)
		fprintf(stderr, "zvm map: --report-file %s: %s\n", file, strerror(errno));
}

int cmd_map(int argc, char **argv)
{
	struct zvm_map_options mo = { 0 };
	const char *report_file = NULL, *sock = NULL;
	enum zvm_report_format format = ZVM_REPORT_BRIEF;
	int c, status = 0, w;
	bool dry = false, jobs_given = false;
	struct map_result *res;
	struct zvm_map m;
	char err[1024];
	double t0 = now_s();
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct map_run_options ro = { .use_cache = true, .jobs = cpus < 1 ? 1 : cpus > 8 ? 8 : (unsigned)cpus,
				      .spool_bytes = ZVM_MAP_DEFAULT_SPOOL_BYTES };
	char *end;
	long n;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:hj:s:", opts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return 0;
		case 'j':
			n = strtol(optarg, &end, 10);
			if (*end || end == optarg || n < 1 || n > MAX_JOBS) {
				fprintf(stderr, "zvm map: --jobs '%s': expected 1 to %d\n", optarg, MAX_JOBS);
				return ZVM_EXIT_USAGE;
			}
			ro.jobs = (unsigned)n;
			jobs_given = true;
			break;
		case O_TIMEOUT:
			if (zvm_parse_seconds(optarg, &ro.timeout) < 0) {
				fprintf(stderr, "zvm map: --timeout '%s': expected seconds (like 30, 0.5 or 2 min) from %g to %.0f\n",
					optarg, ZVM_MIN_SECONDS, ZVM_MAX_SECONDS);
				return ZVM_EXIT_USAGE;
			}
			break;
		case O_SPOOL_BYTES:
			if (!strcmp(optarg, "unlimited")) {
				ro.spool_bytes = ZVM_NO_LIMIT;
			} else if (zvm_parse_bytes(optarg, &ro.spool_bytes) < 0 || !ro.spool_bytes ||
				   ro.spool_bytes == ZVM_NO_LIMIT) {
				fprintf(stderr, "zvm map: --spool-bytes '%s': expected bytes (like 64M or 1 GiB), or unlimited\n",
					optarg);
				return ZVM_EXIT_USAGE;
			}
			break;
		case O_DRY: dry = true; break;
		case 's': sock = optarg; break;
		case O_ROOT: mo.root = optarg; break;
		case O_NO_CACHE: ro.use_cache = false; break;
		case O_REPORT_FILE: report_file = optarg; break;
		case O_REPORT:
			if (zvm_report_format_parse(optarg, &format) < 0) {
				fprintf(stderr, "zvm map: --report '%s': expected text, json or none\n", optarg);
				return ZVM_EXIT_USAGE;
			}
			break;
		case ':':
			fprintf(stderr, "zvm map: %s needs a value (see zvm map --help)\n", argv[optind - 1]);
			return ZVM_EXIT_USAGE;
		default:
			fprintf(stderr, "zvm map: unknown option '%s' (see zvm map --help)\n", argv[optind - 1]);
			return ZVM_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return ZVM_EXIT_USAGE;
	}
	if (format == ZVM_REPORT_NONE && report_file) {
		fprintf(stderr, "zvm map: --report none and --report-file: choose one\n");
		return ZVM_EXIT_USAGE;
	}
	if (zvm_map_load(argv[optind], &mo, &m, err, sizeof(err)) < 0) {
		fprintf(stderr, "zvm map: %s\n", err);
		return 125;
	}
	/* through zvmd every edge is spooled (a streamed run's bytes, and
	 * a share of the cap each): nodes run when workers free up */
	for (unsigned i = 0; sock && i < m.nnodes; i++)
		m.node[i].stream = false;
	/* without -j, room for the largest set of streamed nodes (they mostly
	 * wait on their pipes); with -j, what was asked, or a refusal */
	for (unsigned i = 0; !jobs_given && i < m.nnodes; i++)
		if (m.node[i].stream_size > ro.jobs && m.node[i].stream_size <= MAX_JOBS)
			ro.jobs = m.node[i].stream_size;
	if (zvm_map_run_check(&m, &ro, err, sizeof(err)) < 0) {
		fprintf(stderr, "zvm map: %s\n", err);
		zvm_map_free(&m);
		return ZVM_EXIT_USAGE;
	}
	/* a progress line only where someone watches, and only for maps that take a while */
	ro.progress = !dry && m.nnodes > 8 && isatty(STDERR_FILENO);
	if (dry) {
		status = dry_run(&m, &ro);
		zvm_map_free(&m);
		return status;
	}
	if (!(res = zvm_map_results_alloc(m.nnodes))) {
		fprintf(stderr, "zvm map: out of memory\n");
		zvm_map_free(&m);
		return 127;
	}
	if (sock) {
		/* zvmd has its own pool and cache: -j and --no-cache are the local
		 * runner's; o.timeout 0: zvmd's map_timeout, which also caps it */
		struct zvm_client_map job = { .map = &m, .timeout = ro.timeout, .spool_bytes = ro.spool_bytes,
					      .progress = ro.progress, .signals = true, .output = node_output };
		if ((status = zvm_client_map(sock, "zvm map", &job, res, NULL, 0)) != 0)
			goto out;
	} else if (zvm_map_local(&m, res, &ro) < 0) {
		status = 127;
		goto out;
	}
	w = zvm_map_worst(&m, res);
	status = w < 0 ? 0 : zvm_map_result_status(&res[w]);
	if (report_file || format == ZVM_REPORT_TEXT || format == ZVM_REPORT_JSON)
		report(format, report_file, &m, res, now_s() - t0);
	if (format == ZVM_REPORT_BRIEF || report_file)
		for (unsigned i = 0; i < m.nnodes; i++)
			if (res[i].brief[0])
				fprintf(stderr, "zvm map: node %s: %s\n", m.node[i].name, res[i].brief);
out:
	zvm_map_results_free(res, m.nnodes);
	zvm_map_free(&m);
	return status;
}
