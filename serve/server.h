/*
 * server.h — what http.c (libmicrohttpd, the job threads, the log) and
 * api.c (the routes' work) share inside serve/. Not a public header.
 */
#ifndef ZVM_SERVE_SERVER_H
#define ZVM_SERVE_SERVER_H

#include <stdatomic.h>

#include "serve/serve.h"

struct MHD_Daemon;
struct MHD_Connection;
struct MHD_Response;

enum serve_route {
	ROUTE_NONE = 0,
	ROUTE_RUNTIMES, ROUTE_EXECUTE, ROUTE_STATUS, ROUTE_IMAGES, ROUTE_JOBS, ROUTE_MAPS,
};

/* An interpreter image kept in zvmd, uploaded on first use (and again
 * when zvmd has evicted it). */
struct serve_interp {
	const char *path;
	pthread_mutex_t lock;
	bool ready;
	uint8_t digest[32];
};

struct serve_server {
	const struct serve_config *cfg;
	struct serve_tenants *ts;
	struct MHD_Daemon *d;
	int playground_fd;
	struct serve_cache *cache;
	struct serve_interp lua, python;
	/* the job queue: requests that wait on zvmd or a compiler */
	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	struct serve_req *head, *tail;
	bool stopping;
	unsigned nthreads;
	pthread_t *threads;
	atomic_uint inflight;
	atomic_ulong requests;
};

/* One request, from its first header to the log line. */
struct serve_req {
	struct serve_server *srv;
	struct MHD_Connection *conn;
	struct serve_req *next;
	char method[8];
	char url[256];
	char client[64];
	double start;
	enum serve_route route;
	struct serve_tenant *tenant;
	char *body;
	size_t len, cap;
	/* the answer, made here or by a job thread */
	unsigned status;
	json_t *json;               /* the body, when the answer is JSON */
	double retry_after;         /* > 0: a Retry-After header */
	double rl_remaining, rl_reset;
	bool rl;                    /* send RateLimit-* headers */
	size_t sent;
	bool queued;                /* answered (a response was queued) */
	bool suspended;
};

/* The work of a route, in a job thread: fills status and json. */
void serve_api_run(struct serve_req *r);
/* An error answer: {"message": ...}. */
void serve_req_error(struct serve_req *r, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* GET /api/v2/runtimes's list (cheap: answered in the polling thread). */
json_t *serve_api_runtimes(const struct serve_server *s);

#endif
