/*
 * http.c — the HTTP side of `zvm serve` (serve.h): libmicrohttpd with one
 * epoll thread that reads requests, checks tokens and the token bucket,
 * answers what is cheap (runtimes, static files, refusals) and hands the
 * rest to a fixed set of job threads: the connection is suspended while a
 * job thread waits on zvmd or a compiler, so a slow job never holds up
 * the polling thread or another tenant's request. One log line per
 * request when it ends.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>

#include <microhttpd.h>

#include "serve/server.h"

void serve_req_error(struct serve_req *r, unsigned status, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_decref(r->json);
	r->json = json_pack("{s:s}", "message", msg);
	r->status = status;
}

void serve_req_resume(struct serve_req *r)
{
	MHD_resume_connection(r->conn);
}

static void add_rate_headers(struct serve_req *r, struct MHD_Response *resp)
{
	char v[32];

	if (r->rl) {
		snprintf(v, sizeof(v), "%.0f", r->tenant->q.burst);
		MHD_add_response_header(resp, "RateLimit-Limit", v);
		snprintf(v, sizeof(v), "%.0f", r->rl_remaining);
		MHD_add_response_header(resp, "RateLimit-Remaining", v);
		snprintf(v, sizeof(v), "%.0f", ceil(r->rl_reset));
		MHD_add_response_header(resp, "RateLimit-Reset", v);
	}
	if (r->retry_after > 0) {
		snprintf(v, sizeof(v), "%.0f", ceil(r->retry_after));
		MHD_add_response_header(resp, "Retry-After", v);
	}
}

/* Queues r's JSON answer. */
static enum MHD_Result answer(struct serve_req *r)
{
	char *text = json_dumps(r->json ? r->json : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
	size_t len = text ? strlen(text) : 0;
	struct MHD_Response *resp;
	enum MHD_Result rc;

	if (!text)
		return MHD_NO;
	/* a newline ends the body, as curl users expect */
	char *t2 = realloc(text, len + 2);
	if (t2) {
		text = t2;
		text[len++] = '\n';
		text[len] = '\0';
	}
	resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "application/json");
	add_rate_headers(r, resp);
	r->sent = len;
	r->queued = true;
	rc = MHD_queue_response(r->conn, r->status ? r->status : 500, resp);
	MHD_destroy_response(resp);
	return rc;
}

struct serve_stream *serve_stream_new(struct MHD_Connection *conn)
{
	struct serve_stream *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	pthread_mutex_init(&st->lock, NULL);
	st->conn = conn;
	st->refs = 1;
	return st;
}

/* Under st->lock: let the reader go on if it is waiting. */
static void wake(struct serve_stream *st)
{
	if (st->waiting && !st->gone) {
		st->waiting = false;
		MHD_resume_connection(st->conn);
	}
}

void serve_stream_event(struct serve_stream *st, const char *event, const char *data)
{
	size_t need = strlen(event) + strlen(data) + 20;

	pthread_mutex_lock(&st->lock);
	if (!st->gone && st->len + need <= st->cap) {
		st->len += (size_t)sprintf(st->buf + st->len, "event: %s\ndata: %s\n\n", event, data);
	} else if (!st->gone) {
		size_t cap = st->cap ? st->cap : 4096;
		while (cap < st->len + need)
			cap *= 2;
		char *nb = realloc(st->buf, cap);
		if (nb) {
			st->buf = nb;
			st->cap = cap;
			st->len += (size_t)sprintf(st->buf + st->len, "event: %s\ndata: %s\n\n", event, data);
		}
	}
	wake(st);
	pthread_mutex_unlock(&st->lock);
}

void serve_stream_end(struct serve_stream *st)
{
	pthread_mutex_lock(&st->lock);
	st->done = true;
	wake(st);
	pthread_mutex_unlock(&st->lock);
}

void serve_stream_put(struct serve_stream *st)
{
	bool last;

	pthread_mutex_lock(&st->lock);
	last = --st->refs == 0;
	pthread_mutex_unlock(&st->lock);
	if (last) {
		pthread_mutex_destroy(&st->lock);
		free(st->buf);
		free(st);
	}
}

/* libmicrohttpd's reader of a stream, in the polling thread: never waits;
 * with nothing to send it suspends the connection (under the lock, so the
 * job thread's resume always comes after it). */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct serve_stream *st = cls;
	ssize_t n;

	pthread_mutex_lock(&st->lock);
	if (st->len) {
		size_t k = st->len < max ? st->len : max;
		memcpy(buf, st->buf, k);
		memmove(st->buf, st->buf + k, st->len - k);
		st->len -= k;
		n = (ssize_t)k;
	} else if (st->done) {
		n = MHD_CONTENT_READER_END_OF_STREAM;
	} else {
		st->waiting = true;
		MHD_suspend_connection(st->conn);
		n = 0;
	}
	pthread_mutex_unlock(&st->lock);
	return n;
}

static void stream_free(void *cls)
{
	serve_stream_put(cls);
}

static enum MHD_Result answer_stream(struct serve_req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;

	pthread_mutex_lock(&r->stream->lock);
	r->stream->refs++; /* the response's */
	pthread_mutex_unlock(&r->stream->lock);
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, stream_read, r->stream, stream_free);
	if (!resp) {
		serve_stream_put(r->stream);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "text/event-stream");
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	add_rate_headers(r, resp);
	r->status = 200;
	r->queued = true;
	rc = MHD_queue_response(r->conn, 200, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result answer_error(struct serve_req *r, unsigned status, const char *msg)
{
	serve_req_error(r, status, "%s", msg);
	return answer(r);
}

static enum MHD_Result static_file(struct serve_req *r)
{
	const char *ctype;
	uint64_t size;
	int fd = serve_static_open(r->srv->playground_fd, r->url, &ctype, &size);
	struct MHD_Response *resp;
	enum MHD_Result rc;

	if (fd < 0)
		return answer_error(r, 404, "no such file");
	resp = MHD_create_response_from_fd64(size, fd);
	if (!resp) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	r->status = 200;
	r->sent = size;
	r->queued = true;
	rc = MHD_queue_response(r->conn, 200, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum serve_route route_of(const char *url, const char *method, bool *api, bool *method_ok)
{
	static const struct { const char *url, *method; enum serve_route r; } routes[] = {
		{ "/api/v2/runtimes", "GET", ROUTE_RUNTIMES }, { "/api/v2/execute", "POST", ROUTE_EXECUTE },
		{ "/v1/status", "GET", ROUTE_STATUS },        { "/v1/images", "POST", ROUTE_IMAGES },
		{ "/v1/jobs", "POST", ROUTE_JOBS },            { "/v1/maps", "POST", ROUTE_MAPS },
	};

	*api = !strncmp(url, "/api/", 5) || !strncmp(url, "/v1/", 4) || !strcmp(url, "/v1");
	*method_ok = false;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (!strcmp(url, routes[i].url)) {
			*method_ok = !strcmp(method, routes[i].method);
			return routes[i].r;
		}
	return ROUTE_NONE;
}

static void enqueue(struct serve_server *s, struct serve_req *r)
{
	pthread_mutex_lock(&s->qlock);
	r->next = NULL;
	if (s->tail)
		s->tail->next = r;
	else
		s->head = r;
	s->tail = r;
	pthread_cond_signal(&s->qcond);
	pthread_mutex_unlock(&s->qlock);
}

static void *job_thread(void *arg)
{
	struct serve_server *s = arg;

	for (;;) {
		struct serve_req *r;

		pthread_mutex_lock(&s->qlock);
		while (!s->head && !s->stopping)
			pthread_cond_wait(&s->qcond, &s->qlock);
		r = s->head;
		if (!r) {
			pthread_mutex_unlock(&s->qlock);
			return NULL;
		}
		s->head = r->next;
		if (!s->head)
			s->tail = NULL;
		pthread_mutex_unlock(&s->qlock);
		/* a stream's job resumed the connection itself, and let go of r */
		if (!serve_api_run(r))
			MHD_resume_connection(r->conn);
	}
}

/* Counts the bytes a request's body will hold against max_inflight: true,
 * or false with the 503 made (Retry-After 1). */
static bool count_body(struct serve_server *s, struct serve_req *r, size_t bytes)
{
	size_t more = bytes - r->counted;

	if (atomic_fetch_add(&s->body_bytes, more) + more > s->cfg->max_inflight) {
		atomic_fetch_sub(&s->body_bytes, more);
		r->retry_after = 1;
		serve_req_error(r, 503, "request bodies being received hold max_inflight (%llu bytes): try again",
				(unsigned long long)s->cfg->max_inflight);
		return false;
	}
	r->counted = bytes;
	return true;
}

/* The first call for a request: who, which route, may it go on. Returns
 * MHD_YES having answered (a refusal) or not (read the body). */
static enum MHD_Result first_call(struct serve_req *r, const char *url, const char *method)
{
	struct serve_server *s = r->srv;
	const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Length");
	bool api, method_ok;
	double retry;

	r->route = route_of(url, method, &api, &method_ok);
	if (!api) {
		if (strcmp(method, "GET") && strcmp(method, "HEAD"))
			return answer_error(r, 405, "only GET and HEAD outside the API");
		return static_file(r);
	}
	if (r->route == ROUTE_NONE)
		return answer_error(r, 404, "no such API path (docs/http.md lists them)");
	if (!method_ok)
		return answer_error(r, 405, "wrong method for this path (docs/http.md)");
	r->tenant = serve_tenant_auth(s->ts, MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
									 "Authorization"));
	if (!r->tenant) {
		bool given = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization") != NULL;
		serve_req_error(r, 401, given ? "unknown token" : "an Authorization: Bearer TOKEN header is required");
		struct MHD_Response *resp;
		char *text = json_dumps(r->json, JSON_COMPACT);
		size_t len = text ? strlen(text) : 0;
		resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
		if (!resp)
			return MHD_NO;
		MHD_add_response_header(resp, "Content-Type", "application/json");
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"zvm\"");
		r->sent = len;
		r->queued = true;
		enum MHD_Result rc = MHD_queue_response(r->conn, 401, resp);
		MHD_destroy_response(resp);
		return rc;
	}
	r->rl = true;
	if (!serve_tenant_take(r->tenant, r->start, &retry, &r->rl_remaining, &r->rl_reset)) {
		r->retry_after = retry;
		serve_req_error(r, 429, "tenant %s is over its rate (%g requests/s, burst %g): retry after %.0f s",
				r->tenant->name, r->tenant->q.rate, r->tenant->q.burst, ceil(retry));
		return answer(r);
	}
	if (cl) {
		char *end;
		unsigned long long n = strtoull(cl, &end, 10);
		uint64_t max = r->route == ROUTE_IMAGES ? s->cfg->max_image : s->cfg->max_body;
		if (*end || n > max) {
			serve_req_error(r, 413, "a body of %s bytes is over the limit of %llu", cl,
					(unsigned long long)max);
			return answer(r);
		}
		/* reserved before a byte is read: a refusal here is a real answer
		 * (libmicrohttpd closes without one once a body is coming) */
		if (n && !count_body(s, r, (size_t)n + 1))
			return answer(r);
	}
	if (r->route == ROUTE_RUNTIMES) {
		r->status = 200;
		r->json = serve_api_runtimes(s);
		return answer(r);
	}
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *data, size_t *size, void **con_cls)
{
	struct serve_server *s = cls;
	struct serve_req *r = *con_cls;

	if (!r) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		*con_cls = r;
		atomic_fetch_add(&s->inflight, 1);
		atomic_fetch_add(&s->requests, 1);
		r->srv = s;
		r->conn = conn;
		r->start = serve_now();
		snprintf(r->method, sizeof(r->method), "%s", method);
		snprintf(r->url, sizeof(r->url), "%s", url);
		if (ci && ci->client_addr) {
			const struct sockaddr *sa = ci->client_addr;
			if (sa->sa_family == AF_INET)
				inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->client,
					  sizeof(r->client));
			else if (sa->sa_family == AF_INET6)
				inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->client,
					  sizeof(r->client));
		}
		if (strlen(url) >= sizeof(r->url))
			return answer_error(r, 414, "the path is longer than 255 bytes");
		return first_call(r, url, method);
	}
	if (r->queued) {
		/* answered early (a refusal): whatever else comes is dropped */
		*size = 0;
		return MHD_YES;
	}
	if (*size) {
		uint64_t max = r->route == ROUTE_IMAGES ? s->cfg->max_image : s->cfg->max_body;

		if (serve_now() - r->start > s->cfg->request_timeout_s) {
			*size = 0;
			return answer_error(r, 408, "the request did not arrive within request_timeout");
		}
		if (r->len + *size > max) {
			*size = 0;
			serve_req_error(r, 413, "the body is over the limit of %llu bytes", (unsigned long long)max);
			return answer(r);
		}
		if (r->len + *size + 1 > r->cap) {
			size_t cap = r->cap ? r->cap : 4096;
			while (cap < r->len + *size + 1)
				cap *= 2;
			if (cap > r->counted && !count_body(s, r, cap)) {
				*size = 0;
				return answer(r);
			}
			char *nb = realloc(r->body, cap);
			if (!nb)
				return answer_error(r, 503, "out of memory");
			r->body = nb;
			r->cap = cap;
		}
		memcpy(r->body + r->len, data, *size);
		r->len += *size;
		r->body[r->len] = '\0';
		*size = 0;
		return MHD_YES;
	}
	/* the whole request is here */
	if (r->suspended)
		return r->stream ? answer_stream(r) : answer(r); /* back from a job thread */
	r->suspended = true;
	MHD_suspend_connection(conn);
	enqueue(s, r);
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct serve_server *s = cls;
	struct serve_req *r = *con_cls;

	if (!r)
		return;
	/* one line per request: client, tenant, method, path, status, bytes, ms */
	fprintf(stderr, "zvm-serve: %s %s %s %s %u %zu %.3f ms%s\n", r->client[0] ? r->client : "-",
		r->tenant ? r->tenant->name : "-", r->method, r->url, r->queued ? r->status : 0, r->sent,
		(serve_now() - r->start) * 1000, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? ""
		: toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? " (timed out)" : " (aborted)");
	if (r->stream) {
		pthread_mutex_lock(&r->stream->lock);
		r->stream->gone = true;
		pthread_mutex_unlock(&r->stream->lock);
		serve_stream_put(r->stream);
	}
	json_decref(r->json);
	atomic_fetch_sub(&s->body_bytes, r->counted);
	free(r->body);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&s->inflight, 1);
}

static int interp_init(struct serve_interp *i, const char *path)
{
	i->path = path && path[0] && access(path, R_OK) == 0 ? path : NULL;
	return pthread_mutex_init(&i->lock, NULL);
}

/* The job threads told to stop and joined (they use the daemon, so
 * first), then the daemon stopped, then the rest freed: for serve_stop,
 * and for a serve_start that failed half-way (no daemon yet; no thread
 * array when its allocation failed). */
static void server_free(struct serve_server *s)
{
	pthread_mutex_lock(&s->qlock);
	s->stopping = true;
	pthread_cond_broadcast(&s->qcond);
	pthread_mutex_unlock(&s->qlock);
	for (unsigned i = 0; s->threads && i < s->nthreads; i++)
		pthread_join(s->threads[i], NULL);
	if (s->d)
		MHD_stop_daemon(s->d);
	free(s->threads);
	serve_cache_free(s->cache);
	if (s->playground_fd >= 0)
		close(s->playground_fd);
	free(s);
}

struct serve_server *serve_start(const struct serve_config *cfg, struct serve_tenants *ts, char *err, size_t errlen)
{
	struct serve_server *s = calloc(1, sizeof(*s));
	struct sockaddr_storage ss = { 0 };
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC |
			 MHD_USE_TURBO;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = cfg;
	s->ts = ts;
	s->playground_fd = open(cfg->playground, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->playground_fd < 0)
		fprintf(stderr, "zvm-serve: playground %s: %s (only the API is served)\n", cfg->playground,
			strerror(errno));
	s->cache = serve_cache_new(cfg->cache_entries);
	interp_init(&s->lua, cfg->lua);
	interp_init(&s->python, cfg->python);
	pthread_mutex_init(&s->qlock, NULL);
	pthread_cond_init(&s->qcond, NULL);
	if (inet_pton(AF_INET, cfg->listen_host, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)cfg->port);
	} else if (inet_pton(AF_INET6, cfg->listen_host, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)cfg->port);
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen, "listen: '%s' is not an IPv4 or IPv6 address", cfg->listen_host);
		goto fail;
	}
	s->nthreads = cfg->job_threads;
	s->threads = calloc(s->nthreads, sizeof(*s->threads));
	if (!s->threads || !s->cache) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (unsigned i = 0; i < s->nthreads; i++)
		if (pthread_create(&s->threads[i], NULL, job_thread, s)) {
			s->nthreads = i;
			snprintf(err, errlen, "starting job threads: %s", strerror(errno));
			goto fail;
		}
	s->d = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, s,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections,
				MHD_OPTION_CONNECTION_TIMEOUT, cfg->request_timeout_s,
				MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, errlen, "cannot listen on %s:%u (in use, or not an address of this host)",
			 cfg->listen_host, cfg->port);
		goto fail;
	}
	return s;
fail:
	server_free(s);
	return NULL;
}

int serve_stop(struct serve_server *s)
{
	MHD_socket l = MHD_quiesce_daemon(s->d);
	double end = serve_now() + s->cfg->drain_s;
	unsigned left;

	if (l != MHD_INVALID_SOCKET)
		close(l);
	/* running requests finish and are answered; new ones are refused by
	 * the kernel (no listening socket) */
	while ((left = atomic_load(&s->inflight)) && serve_now() < end)
		usleep(10000);
	if (left)
		fprintf(stderr, "zvm-serve: %u requests still running after drain = %g s: stopping anyway\n", left,
			s->cfg->drain_s);
	else
		fprintf(stderr, "zvm-serve: drained, stopped\n");
	if (left)
		return 1; /* job threads still use the daemon: the caller exits */
	server_free(s);
	return 0;
}
