/*
 * serve.h — `zvm serve`: an HTTP API in front of zvmd (docs/http.md), the
 * one public header of serve/. Piston's /api/v2 and zvm's own /v1, tenants
 * by bearer token, quotas and a token bucket, static playground files.
 *
 * Parts: request.c turns a request body into a job description (pure: no
 * I/O, fuzzed by tests/fuzz/fuzz_serve_request.c); tenant.c the tokens
 * file, quotas and rate limits; config.c the configuration file and flags;
 * job.c one run through libzvm-client (memfd channels, the report as
 * JSON); compile.c the compile stage (zvm-compile) and its per-tenant
 * cache; api.c the routes; http.c libmicrohttpd, the job threads and the
 * log; static.c the playground files; main.c the program.
 *
 * serve is one uid to zvmd: zvmd keeps uids apart, serve keeps tenants
 * apart (digests, compiled programs and results are looked up by tenant
 * first; a tenant's request never names another's).
 */
#ifndef ZVM_SERVE_H
#define ZVM_SERVE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define SERVE_MAX_FILES      64
#define SERVE_MAX_RUNS       64
#define SERVE_MAX_ARGS       64
#define SERVE_MAX_ENV        64
#define SERVE_MAX_CHANNELS   16
#define SERVE_NAME_MAX       64
#define SERVE_DEFAULT_OUTPUT (64u << 10)

/* ---- a request body as a job (request.c; pure) -------------------------- */

struct serve_bytes {
	char *data;                 /* NUL-terminated for convenience; may hold NULs */
	size_t len;
};

struct serve_file {
	char name[SERVE_NAME_MAX + 1];
	struct serve_bytes content;
};

struct serve_run_input {
	struct serve_bytes stdin_;
	unsigned nargs;
	char *args[SERVE_MAX_ARGS];
};

/* Limits a request asks for; -1 where it names none (the tenant's default). */
struct serve_limits {
	int64_t compile_timeout_ms, run_timeout_ms;
	int64_t compile_cpu_ms, run_cpu_ms;
	int64_t compile_memory, run_memory;
	int64_t output_limit;       /* bytes per stream (zvm's own key) */
};

/* POST /api/v2/execute */
struct serve_execute {
	char language[SERVE_NAME_MAX + 1];
	char version[SERVE_NAME_MAX + 1];
	unsigned nfiles;
	struct serve_file files[SERVE_MAX_FILES];
	unsigned nruns;             /* 1 without "runs": the request's own stdin and args */
	struct serve_run_input runs[SERVE_MAX_RUNS];
	bool has_runs;              /* "runs" was given: answer with "runs": [...] */
	struct serve_limits lim;
};

struct serve_channel_in {
	char alias[64];
	bool output;                /* written by the program, returned in the answer */
	struct serve_bytes content; /* an input's bytes */
};

/* POST /v1/jobs ("stream": true: server-sent events as the run writes) */
struct serve_job_req {
	uint8_t digest[32];
	unsigned nargs;
	char *args[SERVE_MAX_ARGS];
	unsigned nenv;
	char *env[SERVE_MAX_ENV];
	struct serve_bytes stdin_;
	unsigned nchannels;
	struct serve_channel_in channels[SERVE_MAX_CHANNELS];
	int64_t timeout_ms, cpu_ms, memory, output_limit;   /* -1: the tenant's default */
	bool stream;
};

/* POST /v1/maps (map-request.c): a system map (docs/system-map.md) whose
 * images are digests (exec.digest) and devices inline (content and
 * encoding for an input; an output named alone, returned). */
#define SERVE_MAP_MAX_INPUTS  256   /* inline inputs in one map */
#define SERVE_MAP_MAX_OUTPUTS 256   /* output streams once expanded */
#define SERVE_MAP_NONE   (-1)
#define SERVE_MAP_OUTPUT (-2)
struct zvm_map;
struct serve_map_req {
	struct zvm_map *map;        /* parsed and expanded (maps/maps.h) */
	unsigned ngroups;           /* the body's map[] entries */
	uint8_t (*digest)[32];      /* per entry: its image */
	unsigned ninputs;
	struct serve_bytes input[SERVE_MAP_MAX_INPUTS];
	/* per node i and device d, dev[i * ZVM_MAP_NDEV + d]: an input's
	 * index, SERVE_MAP_OUTPUT (returned), or SERVE_MAP_NONE (not listed) */
	int *dev;
	unsigned noutputs;
	int64_t timeout_ms, output_limit;   /* -1: the tenant's */
};

/* Each returns 0, or -1 with err naming the JSON path and what is wrong
 * ("files[0].encoding: must be one of utf8, base64, hex"); nothing is left
 * to free on error. The structures are large: heap them. */
int serve_parse_execute(const char *body, size_t len, struct serve_execute *x, char *err, size_t errlen);
void serve_execute_free(struct serve_execute *x);
int serve_parse_job(const char *body, size_t len, struct serve_job_req *j, char *err, size_t errlen);
void serve_job_req_free(struct serve_job_req *j);
int serve_parse_map(const char *body, size_t len, struct serve_map_req *mr, char *err, size_t errlen);
void serve_map_req_free(struct serve_map_req *mr);
/* Shared by the parsers: the body as a JSON object; an optional integer
 * member (-1 when absent); s decoded by enc (NULL: utf8, base64, hex). */
json_t *serve_load_object(const char *body, size_t len, char *err, size_t errlen);
int serve_get_int(json_t *o, const char *path, const char *key, int64_t *out, int64_t min, int64_t max,
		  bool allow_minus1, char *err, size_t errlen);
int serve_decode(const char *path, const char *s, size_t len, const char *enc, struct serve_bytes *b, char *err,
		 size_t errlen);
/* "hex" (64 digits) into 32 bytes: 0 or -1. */
int serve_parse_digest(const char *hex, uint8_t out[32]);
void serve_digest_hex(const uint8_t d[32], char out[65]);
/* A file name a request may give: 1..64 of [A-Za-z0-9._-], not "." or
 * "..", no leading '-'. */
bool serve_name_ok(const char *name);
/* Writes the message into err (errlen 0: none) and returns -1: the
 * request parsers' one way to refuse, naming the JSON path. */
int serve_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- tenants (tenant.c) -------------------------------------------------- */

struct serve_quota {
	unsigned concurrent;        /* cells running at once */
	double cpu_per_min;         /* CPU seconds per minute (fixed one-minute windows) */
	uint64_t max_memory;        /* bytes, a run's and a compile's cap */
	uint64_t max_output;        /* bytes per stream */
	double rate, burst;         /* token bucket: requests per second, bucket size */
	int64_t max_timeout_ms;     /* a run's wall cap */
};

struct serve_tenant {
	char name[SERVE_NAME_MAX + 1];
	struct serve_quota q;
	pthread_mutex_t lock;
	unsigned active;
	double tokens, cpu_used;
	double last_refill, window_start;
	/* images this tenant uploaded through /v1 (digests), its own */
	unsigned nimages, cimages;
	uint8_t (*images)[32];
	uint64_t requests, jobs, refused;
};

struct serve_tenants {
	unsigned n;
	struct serve_tenant *t;
	unsigned ntokens;
	struct { char *token; unsigned tenant; } *tokens;
	bool locked;                /* the tenants' locks are initialised */
	bool open;                  /* no tokens file: one tenant, "local", loopback only */
};

/* Loads `TOKEN TENANT` lines (# comments); tenants get quota q unless the
 * configuration names theirs (serve_tenant_quota). 0 or -1 (err: file:line). */
int serve_tenants_load(struct serve_tenants *ts, const char *path, const struct serve_quota *q, char *err,
		       size_t errlen);
/* The one tenant of a server without tokens. */
int serve_tenants_open(struct serve_tenants *ts, const struct serve_quota *q);
struct serve_tenant *serve_tenant_named(struct serve_tenants *ts, const char *name);
/* The tenant of "Bearer TOKEN" (constant-time compare), or NULL. */
struct serve_tenant *serve_tenant_auth(struct serve_tenants *ts, const char *authorization);

/* The token bucket: true if a request may go on; else *retry_after
 * seconds. Fills remaining/reset for the RateLimit-* headers. */
bool serve_tenant_take(struct serve_tenant *t, double now, double *retry_after, double *remaining, double *reset);
/* A cell for this tenant: 0, or -1 with *retry_after and why (concurrency
 * or CPU minutes used up). serve_tenant_done gives it back with the CPU
 * seconds it used. */
int serve_tenant_begin(struct serve_tenant *t, double now, double *retry_after, char *why, size_t whylen);
void serve_tenant_done(struct serve_tenant *t, double now, double cpu_s);
/* The same for n cells at once (a map's): all of them or none. */
int serve_tenant_begin_cells(struct serve_tenant *t, double now, unsigned n, double *retry_after, char *why,
			     size_t whylen);
void serve_tenant_done_cells(struct serve_tenant *t, double now, unsigned n, double cpu_s);
/* The tenant's own images (/v1 uploads). */
int serve_tenant_add_image(struct serve_tenant *t, const uint8_t d[32]);
bool serve_tenant_has_image(struct serve_tenant *t, const uint8_t d[32]);
void serve_tenants_free(struct serve_tenants *ts);

/* ---- configuration (config.c) -------------------------------------------- */

struct serve_config {
	char listen_host[64];
	unsigned port;
	char socket[256];
	char tokens[256];
	char playground[512];
	char compiler[512];         /* zvm-compile */
	char lua[512], python[512]; /* the interpreters' images; "" when absent */
	char state_dir[256];        /* compile directories */
	char user[64];              /* the user to run as when started as root */
	unsigned job_threads;       /* threads blocking on zvmd for jobs */
	unsigned max_connections;
	unsigned request_timeout_s; /* a request's deadline (idle and whole body) */
	uint64_t max_body, max_image;
	uint64_t max_inflight;      /* bytes of bodies being received, all requests */
	unsigned cache_entries;     /* compiled programs kept, all tenants */
	double drain_s;             /* SIGTERM: how long running requests may finish */
	struct serve_quota quota;   /* every tenant's, unless [tenant NAME] says */
	unsigned ntenant_quotas;
	struct { char name[SERVE_NAME_MAX + 1]; struct serve_quota q; } tenant_quotas[64];
};

void serve_config_defaults(struct serve_config *c, const char *bindir);
/* `key = value` lines, `[tenant NAME]` sections for quotas of one tenant. */
int serve_config_load(struct serve_config *c, const char *path, char *err, size_t errlen);
/* One key (a flag or a line); 0 or -1 with err. */
int serve_config_set(struct serve_config *c, struct serve_quota *q, const char *key, const char *value, char *err,
		     size_t errlen);

/* ---- running jobs (job.c, compile.c) ------------------------------------- */

struct serve_run_limits {
	double timeout_s, cpu_s;    /* 0: zvmd's default */
	uint64_t memory;            /* 0: zvmd's default */
	uint64_t output;            /* bytes per output stream */
};

struct serve_output {
	char *data;
	size_t len;
	bool truncated;             /* the program wrote more than the limit */
};

struct zvm_report;
struct serve_run_result {
	int rc;                     /* libzvm-client's: 0 a report, 75 busy, 125 refused, 127 */
	struct zvm_report *rep;     /* heap */
	struct serve_output out, err;
	unsigned nextra;
	struct serve_output extra[SERVE_MAX_CHANNELS]; /* output channels of a /v1 job */
};

/* One program run through zvmd: by digest, or by image fd when image_fd
 * >= 0. Extra channels (an image tar, /v1's inline channels) follow
 * stdio; every channel is a memfd, outputs read back after the run. */
struct serve_run {
	const char *sock;
	const uint8_t *digest;
	int image_fd;
	const char *argv0;
	unsigned nargs;
	char *const *args;
	unsigned nenv;
	char *const *env;
	const struct serve_bytes *stdin_;
	unsigned nchannels;
	const struct serve_channel_in *channels;
	int tar_fd;                 /* -1, or /dev/image (a Lua program's source) */
	bool piped;                 /* stdout and stderr are out_fds (a stream's pipes), not memfds */
	int out_fds[2];
	struct serve_run_limits lim;
};

int serve_run(const struct serve_run *r, struct serve_run_result *res);
void serve_run_result_free(struct serve_run_result *res);
/* A memfd holding bytes (sealed against change), or -errno. */
int serve_memfd(const char *name, const void *data, size_t len);
/* A ustar archive of files[] in a memfd (a Lua program's /dev/image), or -errno. */
int serve_tar(const struct serve_file *files, unsigned n);
/* Piston's "run" object from a result (stdout, stderr, output, code,
 * signal, message, status, cpu_time, wall_time, memory) plus zvm's
 * "report" and "truncated". */
json_t *serve_result_json(const struct serve_run_result *res, uint64_t output_limit);
/* Bytes as a JSON string, each byte that is not UTF-8 as U+FFFD. */
json_t *serve_output_json(const struct serve_output *o);
/* The status code for a report: NULL (ok, exit 0), RE, SG, TO, OL, EL, XX,
 * and zvm's own: ML (memory), VF (validation failed), SV (seccomp). */
const char *serve_status_code(const struct serve_run_result *res);

/* The compile stage: a C program's digest for this tenant, from its
 * cache or compiled with zvm-compile and uploaded. *compile gets Piston's
 * "compile" object when the compiler ran (NULL on a cache hit). Returns 0
 * with digest, 1 when the compile failed (the program is in *compile), or
 * -1 with why (the compiler could not run; zvmd refused the image). */
struct serve_cache;
struct serve_compile {
	const struct serve_config *cfg;
	struct serve_cache *cache;
	const char *tenant;
	const char *language;
	const struct serve_file *files;
	unsigned nfiles;
	int64_t wall_ms, cpu_ms, memory, output;
};
int serve_compile(const struct serve_compile *c, uint8_t digest[32], json_t **compile, bool *cached, char *why,
		  size_t whylen);
struct serve_cache *serve_cache_new(unsigned entries);
void serve_cache_free(struct serve_cache *c);
/* Forgets an entry whose digest zvmd no longer has (evicted). */
void serve_cache_drop(struct serve_cache *c, const char *tenant, const uint8_t digest[32]);
unsigned serve_cache_count(struct serve_cache *c);

/* ---- the server (http.c, api.c, static.c) -------------------------------- */

struct serve_server;
struct serve_server *serve_start(const struct serve_config *cfg, struct serve_tenants *ts, char *err,
				 size_t errlen);
/* Stops accepting, lets running requests finish (up to drain_s), stops:
 * 0; or 1 when some were still running at the end (then nothing is
 * freed: the caller exits). */
int serve_stop(struct serve_server *s);

/* The file under the playground dirfd for an URL path: an fd of a
 * regular file and its content type, or -errno (-ENOENT for anything
 * that is not a regular file beneath it). */
int serve_static_open(int dirfd, const char *url, const char **ctype, uint64_t *size);
double serve_now(void);

#endif
