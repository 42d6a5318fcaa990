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
	/* bytes of request bodies held, all connections: at most max_inflight
	 * (a tenant's many slow uploads cannot make serve hold GiBs) */
	atomic_ulong body_bytes;
};

/* A streamed answer (server-sent events): frames a job thread appends
 * and libmicrohttpd's reader takes, the connection suspended while there
 * is nothing to send. Held by the request, the response and the job
 * thread: the last to let go frees it. */
struct serve_stream {
	pthread_mutex_t lock;
	struct MHD_Connection *conn;
	int refs;
	bool waiting;               /* the reader found nothing and suspended the connection */
	bool done;                  /* the last frame is in */
	bool gone;                  /* the request ended (the connection is no more) */
	char *buf;
	size_t len, cap;
};

struct serve_stream *serve_stream_new(struct MHD_Connection *conn);
/* Appends "event: EVENT\ndata: DATA\n\n" (data one line: JSON). */
void serve_stream_event(struct serve_stream *st, const char *event, const char *data);
void serve_stream_end(struct serve_stream *st);
void serve_stream_put(struct serve_stream *st);

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
	size_t counted;             /* bytes of s->body_bytes this request holds (reserved or allocated) */
	/* the answer, made here or by a job thread */
	unsigned status;
	json_t *json;               /* the body, when the answer is JSON */
	double retry_after;         /* > 0: a Retry-After header */
	double rl_remaining, rl_reset;
	bool rl;                    /* send RateLimit-* headers */
	size_t sent;
	bool queued;                /* answered (a response was queued) */
	bool suspended;
	struct serve_stream *stream;
};

/* The work of a route, in a job thread: fills status and json; false.
 * Or, for a stream, sets r->stream, resumes the connection itself (the
 * answer's headers go out) and goes on writing events: true, r no longer
 * to be touched. */
bool serve_api_run(struct serve_req *r);
/* POST /v1/maps (api-map.c): fills status and json. */
void serve_api_map(struct serve_req *r);
/* Lets a suspended request go on (libmicrohttpd's resume). */
void serve_req_resume(struct serve_req *r);
/* An error answer: {"message": ...}. */
void serve_req_error(struct serve_req *r, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* GET /api/v2/runtimes's list (cheap: answered in the polling thread). */
json_t *serve_api_runtimes(const struct serve_server *s);

#endif
