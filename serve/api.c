/*
 * api.c — the routes' work, in a job thread (server.h): Piston's execute
 * (compile once, run each of `runs`), zvm's /v1 images, jobs and status
 * (maps: api-map.c).
 * Every lookup goes through the request's tenant: its limits, its cells,
 * its compiled programs, its uploaded digests.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/zvm-client.h"
#include "serve/server.h"

#define C_VERSION   "12.2.0"   /* Debian 12's gcc, which zvm-cc drives */
#define LUA_VERSION_S "5.4.4"  /* Debian 12's lua5.4 source, build/lua.nexe */
#define PY_VERSION_S  "3.11.2"

struct runtime {
	const char *language, *version, *aliases[3];
};

static const struct runtime c_rt = { "c", C_VERSION, { "gcc", "zvm-cc", NULL } };
static const struct runtime lua_rt = { "lua", LUA_VERSION_S, { "lua5.4", NULL } };
static const struct runtime py_rt = { "python", PY_VERSION_S, { "py", "python3", NULL } };

static json_t *runtime_json(const struct runtime *r)
{
	json_t *a = json_array();

	for (int i = 0; r->aliases[i]; i++)
		json_array_append_new(a, json_string(r->aliases[i]));
	return json_pack("{s:s,s:s,s:o}", "language", r->language, "version", r->version, "aliases", a);
}

json_t *serve_api_runtimes(const struct serve_server *s)
{
	json_t *a = json_array();

	json_array_append_new(a, runtime_json(&c_rt));
	if (s->lua.path)
		json_array_append_new(a, runtime_json(&lua_rt));
	if (s->python.path)
		json_array_append_new(a, runtime_json(&py_rt));
	return a;
}

static bool named(const struct runtime *r, const char *lang)
{
	if (!strcmp(r->language, lang))
		return true;
	for (int i = 0; r->aliases[i]; i++)
		if (!strcmp(r->aliases[i], lang))
			return true;
	return false;
}

/* Piston's versions are semver ranges; zvm has one version of each: "*",
 * the version, or a prefix of it at a dot ("5.4", "5", "5.x"). */
static bool version_ok(const char *want, const char *have)
{
	size_t n = strlen(want);

	if (!strcmp(want, "*") || !strcmp(want, have))
		return true;
	if (n >= 2 && !strcmp(want + n - 2, ".x"))
		n -= 2;
	return n && !strncmp(want, have, n) && have[n] == '.';
}

static const struct runtime *find_runtime(const struct serve_server *s, const char *lang)
{
	if (named(&c_rt, lang))
		return &c_rt;
	if (s->lua.path && named(&lua_rt, lang))
		return &lua_rt;
	if (s->python.path && named(&py_rt, lang))
		return &py_rt;
	return NULL;
}

/* The interpreter's digest in zvmd: uploaded once, again after eviction. */
static int interp_digest(struct serve_server *s, struct serve_interp *in, bool again, uint8_t d[32], char *why,
			 size_t whylen)
{
	int rc = 0;

	pthread_mutex_lock(&in->lock);
	if (again)
		in->ready = false;
	if (!in->ready) {
		struct zvm_report *rep = calloc(1, sizeof(*rep));
		rc = rep ? zvm_client_upload(s->cfg->socket, NULL, in->path, in->digest, rep) : 125;
		if (rc)
			snprintf(why, whylen, "uploading %s to zvmd: %s", in->path, rep ? rep->message : "out of memory");
		else
			in->ready = true;
		free(rep);
	}
	memcpy(d, in->digest, 32);
	pthread_mutex_unlock(&in->lock);
	return rc;
}

/* A result that means "zvmd no longer has this digest" (ERROR 4). */
static bool not_found(const struct serve_run_result *res)
{
	return res->rc == 125 && res->rep && strstr(res->rep->message, "(not found)");
}

/* zvmd's refusals as HTTP: busy 503, unreachable 502. */
static bool zvmd_failed(struct serve_req *r, const struct serve_run_result *res)
{
	if (res->rc == 75) {
		r->retry_after = 1;
		serve_req_error(r, 503, "zvmd is busy: %s", res->rep ? res->rep->message : "");
		return true;
	}
	if (res->rc != 0) {
		serve_req_error(r, 502, "zvmd could not run the job: %s", res->rep ? res->rep->message : "");
		return true;
	}
	return false;
}

/* A limit the request asked for (ms or bytes, -1: none) against the
 * tenant's cap: the value to use, or -1 with a 403 answered. */
static int64_t limit(struct serve_req *r, const char *key, int64_t asked, int64_t dflt, int64_t cap,
		     const char *capkey)
{
	if (asked < 0)
		return dflt < cap ? dflt : cap;
	if (asked > cap) {
		serve_req_error(r, 403, "%s: %lld is above tenant %s's %s (%lld)", key, (long long)asked,
				r->tenant->name, capkey, (long long)cap);
		return -1;
	}
	return asked;
}

static void execute(struct serve_req *r)
{
	struct serve_server *s = r->srv;
	struct serve_execute *x = malloc(sizeof(*x));
	const struct serve_quota *q = &r->tenant->q;
	const struct runtime *rt;
	char err[512];
	int64_t run_ms, run_cpu, run_mem, out_lim, cc_ms, cc_cpu, cc_mem;
	uint8_t digest[32];
	json_t *compile = NULL, *runs = NULL, *o;
	int tar = -1;
	double cpu = 0, retry;
	bool began = false, cached = false;

	if (!x) {
		serve_req_error(r, 503, "out of memory");
		return;
	}
	if (serve_parse_execute(r->body ? r->body : "", r->len, x, err, sizeof(err)) < 0) {
		serve_req_error(r, 400, "%s", err);
		free(x);
		return;
	}
	rt = find_runtime(s, x->language);
	if (!rt || !version_ok(x->version, rt->version)) {
		serve_req_error(r, 400, "%s-%s runtime is unknown", x->language, x->version);
		goto out;
	}
	if ((run_ms = limit(r, "run_timeout", x->lim.run_timeout_ms, 3000, q->max_timeout_ms, "max_timeout")) < 0 ||
	    (run_cpu = limit(r, "run_cpu_time", x->lim.run_cpu_ms, run_ms, q->max_timeout_ms, "max_timeout")) < 0 ||
	    (run_mem = limit(r, "run_memory_limit", x->lim.run_memory, (int64_t)q->max_memory,
			     (int64_t)q->max_memory, "max_memory")) < 0 ||
	    (out_lim = limit(r, "output_limit", x->lim.output_limit, SERVE_DEFAULT_OUTPUT, (int64_t)q->max_output,
			     "max_output")) < 0 ||
	    (cc_ms = limit(r, "compile_timeout", x->lim.compile_timeout_ms, 10000, 60000, "compile cap")) < 0 ||
	    (cc_cpu = limit(r, "compile_cpu_time", x->lim.compile_cpu_ms, cc_ms, 60000, "compile cap")) < 0 ||
	    (cc_mem = limit(r, "compile_memory_limit", x->lim.compile_memory, 512 << 20,
			    (int64_t)(q->max_memory > (512u << 20) ? q->max_memory : 512u << 20), "max_memory")) < 0)
		goto out;
	if (run_mem && run_mem < (1 << 20)) {
		serve_req_error(r, 400, "run_memory_limit: %lld bytes is below zvm's minimum of 1 MiB",
				(long long)run_mem);
		goto out;
	}
	if (serve_tenant_begin(r->tenant, serve_now(), &retry, err, sizeof(err)) < 0) {
		r->retry_after = retry;
		serve_req_error(r, 429, "%s", err);
		goto out;
	}
	began = true;
	/* default names: Piston's are file0.code...; a C compiler wants .c */
	for (unsigned i = 0; i < x->nfiles; i++)
		if (!x->files[i].name[0])
			snprintf(x->files[i].name, sizeof(x->files[i].name),
				 rt == &c_rt ? (i ? "file%u.c" : "main.c") : (i ? "file%u.code" : "main.code"), i);
	if (rt == &c_rt) {
		struct serve_compile c = {
			.cfg = s->cfg, .cache = s->cache, .tenant = r->tenant->name, .language = "c",
			.files = x->files, .nfiles = x->nfiles, .wall_ms = cc_ms, .cpu_ms = cc_cpu,
			.memory = cc_mem, .output = out_lim };
		int rc = serve_compile(&c, digest, &compile, &cached, err, sizeof(err));

		if (rc < 0) {
			serve_req_error(r, 500, "compile stage: %s", err);
			goto out;
		}
		if (rc == 1) {
			r->status = 200;
			r->json = json_pack("{s:s,s:s,s:o}", "language", rt->language, "version", rt->version,
					    "compile", compile);
			compile = NULL;
			goto out;
		}
		if (!cached)
			json_object_set_new(compile, "cached", json_false());
		else
			compile = json_pack("{s:s,s:s,s:s,s:i,s:n,s:n,s:n,s:b}", "stdout", "", "stderr", "",
					    "output", "", "code", 0, "signal", "message", "status", "cached", 1);
	} else {
		if (interp_digest(s, rt == &lua_rt ? &s->lua : &s->python, false, digest, err, sizeof(err))) {
			serve_req_error(r, 502, "%s", err);
			goto out;
		}
		tar = serve_tar(x->files, x->nfiles);
		if (tar < 0) {
			serve_req_error(r, 503, "building the source image: %s", strerror(-tar));
			goto out;
		}
	}
	runs = json_array();
	for (unsigned i = 0; i < x->nruns; i++) {
		struct serve_run_input *in = &x->runs[i];
		char *args[SERVE_MAX_ARGS + 1];
		unsigned nargs = 0;
		struct serve_run_result res;
		struct serve_run job = {
			.sock = s->cfg->socket, .digest = digest, .image_fd = -1, .stdin_ = &in->stdin_,
			.tar_fd = tar, .args = args,
			.lim = { .timeout_s = (double)run_ms / 1000, .cpu_s = (double)run_cpu / 1000,
				 .memory = (uint64_t)run_mem, .output = (uint64_t)out_lim } };

		if (rt == &c_rt) {
			job.argv0 = "main";
		} else {
			job.argv0 = rt == &lua_rt ? "lua" : "python3";
			args[nargs++] = x->files[0].name;
		}
		for (unsigned k = 0; k < in->nargs; k++)
			args[nargs++] = in->args[k];
		job.nargs = nargs;
		for (int attempt = 0;; attempt++) {
			serve_run(&job, &res);
			if (!not_found(&res) || attempt)
				break;
			/* zvmd evicted the image: upload it again, once */
			serve_run_result_free(&res);
			if (rt == &c_rt) {
				serve_cache_drop(s->cache, r->tenant->name, digest);
				struct serve_compile c = {
					.cfg = s->cfg, .cache = s->cache, .tenant = r->tenant->name, .language = "c",
					.files = x->files, .nfiles = x->nfiles, .wall_ms = cc_ms, .cpu_ms = cc_cpu,
					.memory = cc_mem, .output = out_lim };
				json_t *again = NULL;
				bool c2;
				if (serve_compile(&c, digest, &again, &c2, err, sizeof(err)) != 0) {
					json_decref(again);
					serve_req_error(r, 500, "compile stage (again, after zvmd evicted it): %s", err);
					goto out;
				}
				json_decref(again);
			} else if (interp_digest(s, rt == &lua_rt ? &s->lua : &s->python, true, digest, err,
						 sizeof(err))) {
				serve_req_error(r, 502, "%s", err);
				goto out;
			}
		}
		if (zvmd_failed(r, &res)) {
			serve_run_result_free(&res);
			goto out;
		}
		cpu += res.rep->cpu_user_s + res.rep->cpu_sys_s;
		json_array_append_new(runs, serve_result_json(&res, (uint64_t)out_lim));
		serve_run_result_free(&res);
	}
	o = json_pack("{s:s,s:s,s:O}", "language", rt->language, "version", rt->version, "run",
		      json_array_get(runs, 0));
	if (compile) {
		json_object_set_new(o, "compile", compile);
		compile = NULL;
	}
	if (x->has_runs)
		json_object_set(o, "runs", runs);
	r->status = 200;
	r->json = o;
out:
	if (began)
		serve_tenant_done(r->tenant, serve_now(), cpu);
	if (tar >= 0)
		close(tar);
	json_decref(compile);
	json_decref(runs);
	serve_execute_free(x);
	free(x);
}

static void upload(struct serve_req *r)
{
	struct zvm_report *rep = calloc(1, sizeof(*rep));
	uint8_t d[32];
	char hex[65];
	int fd, rc;

	if (!rep) {
		serve_req_error(r, 503, "out of memory");
		return;
	}
	if (!r->len) {
		serve_req_error(r, 400, "the body must be the image (a .nexe), not empty");
		goto out;
	}
	fd = serve_memfd("upload.nexe", r->body, r->len);
	if (fd < 0) {
		serve_req_error(r, 503, "memfd: %s", strerror(-fd));
		goto out;
	}
	rc = zvm_client_upload_fd(r->srv->cfg->socket, NULL, fd, d, rep);
	close(fd);
	if (rc == 126) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		if (f) {
			zvm_report_print_json(f, rep);
			fclose(f);
		}
		serve_req_error(r, 422, "zvmd refused the image: %s", zvm_state_name(rep->state));
		json_object_set_new(r->json, "report", text ? json_loadb(text, len, 0, NULL) : json_null());
		free(text);
	} else if (rc == -75 || rc == 75) {
		r->retry_after = 1;
		serve_req_error(r, 503, "zvmd is busy: %s", rep->message);
	} else if (rc) {
		serve_req_error(r, 502, "zvmd: %s", rep->message);
	} else if (serve_tenant_add_image(r->tenant, d) < 0) {
		serve_req_error(r, 503, "out of memory");
	} else {
		serve_digest_hex(d, hex);
		r->status = 201;
		r->json = json_pack("{s:s,s:I}", "digest", hex, "bytes", (json_int_t)r->len);
	}
out:
	free(rep);
}

struct streamed {
	struct serve_run run;
	struct serve_run_result res;
	int done_fd;                /* an eventfd: the run ended */
};

static void *stream_submit(void *arg)
{
	struct streamed *sj = arg;
	uint64_t one = 1;

	serve_run(&sj->run, &sj->res);
	/* the worker's copies are gone with it: these were the last writers */
	close(sj->run.out_fds[0]);
	close(sj->run.out_fds[1]);
	if (write(sj->done_fd, &one, sizeof(one)) < 0)
		perror("zvm-serve: eventfd");
	return NULL;
}

/* One stream's bytes as an event. */
static void stream_chunk(struct serve_stream *st, const char *event, const char *buf, size_t n)
{
	struct serve_output o = { .data = (char *)buf, .len = n };
	json_t *js = serve_output_json(&o);
	char *text = json_dumps(js, JSON_ENCODE_ANY | JSON_COMPACT);

	if (text)
		serve_stream_event(st, event, text);
	free(text);
	json_decref(js);
}

/* A /v1 job whose stdout and stderr go out as server-sent events while it
 * runs ("event: stdout", "event: stderr", each data a JSON string), then
 * "event: result" with the run object. Runs after the answer's headers
 * are out: nothing of r is touched after the resume (the client may be
 * gone, and r freed, by the time the job ends). true when it streamed;
 * false with r answered (a stream that could not start). */
static bool job_stream(struct serve_req *r, struct serve_job_req *j, struct serve_run *run)
{
	struct serve_tenant *tenant = r->tenant;
	struct streamed *sj = calloc(1, sizeof(*sj));
	struct serve_stream *st = serve_stream_new(r->conn);
	int out[2] = { -1, -1 }, err[2] = { -1, -1 };
	pthread_t th;
	char buf[16384];

	if (!sj || !st || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 ||
	    (sj->done_fd = eventfd(0, EFD_CLOEXEC)) < 0) {
		serve_req_error(r, 503, "setting the stream up: %s", strerror(errno));
		goto fail;
	}
	sj->run = *run;
	sj->run.piped = true;
	sj->run.out_fds[0] = out[1];
	sj->run.out_fds[1] = err[1];
	if (pthread_create(&th, NULL, stream_submit, sj)) {
		serve_req_error(r, 503, "starting the job's thread");
		close(sj->done_fd);
		goto fail;
	}
	out[1] = err[1] = -1; /* the submit thread's now */
	st->refs++;           /* the request's, let go in on_completed */
	r->stream = st;
	serve_req_resume(r);
	r = NULL;
	for (bool ended = false;;) {
		struct pollfd p[3] = { { .fd = out[0], .events = POLLIN }, { .fd = err[0], .events = POLLIN },
				       { .fd = sj->done_fd, .events = POLLIN } };
		bool any = false;

		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		for (int k = 0; k < 2; k++)
			if (p[k].fd >= 0 && (p[k].revents & (POLLIN | POLLHUP))) {
				ssize_t n = read(p[k].fd, buf, sizeof(buf));
				if (n > 0) {
					stream_chunk(st, k ? "stderr" : "stdout", buf, (size_t)n);
					any = true;
				} else if (n == 0) {
					close(k ? err[0] : out[0]);
					if (k)
						err[0] = -1;
					else
						out[0] = -1;
				}
			}
		if (p[2].revents & POLLIN)
			ended = true;
		if (ended && out[0] < 0 && err[0] < 0)
			break;
		(void)any;
	}
	pthread_join(th, NULL);
	close(sj->done_fd);
	serve_tenant_done(tenant, serve_now(), sj->res.rep ? sj->res.rep->cpu_user_s + sj->res.rep->cpu_sys_s : 0);
	{
		json_t *o = sj->res.rc == 0 ? serve_result_json(&sj->res, run->lim.output)
					    : json_pack("{s:s}", "message", sj->res.rep ? sj->res.rep->message : "");
		char *text = json_dumps(o, JSON_COMPACT);
		serve_stream_event(st, sj->res.rc == 0 ? "result" : "error", text ? text : "{}");
		free(text);
		json_decref(o);
	}
	serve_stream_end(st);
	serve_stream_put(st);
	serve_run_result_free(&sj->res);
	free(sj);
	return true;
fail:
	serve_tenant_done(tenant, serve_now(), 0);
	for (int k = 0; k < 2; k++) {
		if (out[k] >= 0)
			close(out[k]);
		if (err[k] >= 0)
			close(err[k]);
	}
	if (st)
		serve_stream_put(st);
	free(sj);
	return false;
}

/* true when the job was streamed (the connection resumed here) */
static bool job(struct serve_req *r)
{
	struct serve_job_req *j = malloc(sizeof(*j));
	const struct serve_quota *q = &r->tenant->q;
	struct serve_run_result res;
	char err[512], hex[65];
	double retry;
	int64_t ms, cpu, mem, out;
	json_t *o, *chs;

	bool streamed = false;

	if (!j) {
		serve_req_error(r, 503, "out of memory");
		return false;
	}
	if (serve_parse_job(r->body ? r->body : "", r->len, j, err, sizeof(err)) < 0) {
		serve_req_error(r, 400, "%s", err);
		free(j);
		return false;
	}
	/* a digest this tenant never uploaded is unknown, whoever else did */
	if (!serve_tenant_has_image(r->tenant, j->digest)) {
		serve_digest_hex(j->digest, hex);
		serve_req_error(r, 404, "no image %s for tenant %s (POST /v1/images first)", hex, r->tenant->name);
		goto out;
	}
	if ((ms = limit(r, "timeout", j->timeout_ms, q->max_timeout_ms, q->max_timeout_ms, "max_timeout")) < 0 ||
	    (cpu = limit(r, "cpu_time", j->cpu_ms, ms, q->max_timeout_ms, "max_timeout")) < 0 ||
	    (mem = limit(r, "memory", j->memory, (int64_t)q->max_memory, (int64_t)q->max_memory, "max_memory")) < 0 ||
	    (out = limit(r, "output_limit", j->output_limit, SERVE_DEFAULT_OUTPUT, (int64_t)q->max_output,
			 "max_output")) < 0)
		goto out;
	if (serve_tenant_begin(r->tenant, serve_now(), &retry, err, sizeof(err)) < 0) {
		r->retry_after = retry;
		serve_req_error(r, 429, "%s", err);
		goto out;
	}
	{
		struct serve_run run = {
			.sock = r->srv->cfg->socket, .digest = j->digest, .image_fd = -1, .argv0 = "program",
			.nargs = j->nargs, .args = j->args, .nenv = j->nenv, .env = j->env, .stdin_ = &j->stdin_,
			.nchannels = j->nchannels, .channels = j->channels, .tar_fd = -1,
			.lim = { .timeout_s = (double)ms / 1000, .cpu_s = (double)cpu / 1000, .memory = (uint64_t)mem,
				 .output = (uint64_t)out } };
		if (j->stream) {
			streamed = job_stream(r, j, &run); /* true: r is not ours any more */
			goto out;
		}
		serve_run(&run, &res);
	}
	serve_tenant_done(r->tenant, serve_now(), res.rep ? res.rep->cpu_user_s + res.rep->cpu_sys_s : 0);
	if (zvmd_failed(r, &res)) {
		if (not_found(&res))
			serve_req_error(r, 410, "zvmd no longer holds this image (evicted): upload it again");
		serve_run_result_free(&res);
		goto out;
	}
	o = serve_result_json(&res, (uint64_t)out);
	chs = json_object();
	for (unsigned i = 0, k = 0; i < j->nchannels; i++)
		if (j->channels[i].output && k < res.nextra) {
			struct serve_output *e = &res.extra[k++];
			json_t *c = json_pack("{s:s%,s:b}", "content", e->data ? e->data : "", e->len, "truncated",
					      e->truncated);
			json_object_set_new(chs, j->channels[i].alias, c ? c : json_null());
		}
	json_object_set_new(o, "channels", chs);
	serve_run_result_free(&res);
	r->status = 200;
	r->json = o;
out:
	serve_job_req_free(j);
	free(j);
	return streamed;
}

static void status(struct serve_req *r)
{
	struct serve_tenant *t = r->tenant;
	struct zvm_status st;
	char why[256];
	int rc = zvm_client_status(r->srv->cfg->socket, NULL, &st, why, sizeof(why));
	json_t *mine;

	pthread_mutex_lock(&t->lock);
	mine = json_pack("{s:s,s:i,s:f,s:I,s:I,s:I,s:i,s:f,s:i}", "tenant", t->name, "active", t->active,
			 "cpu_seconds_this_minute", t->cpu_used, "requests", (json_int_t)t->requests, "jobs",
			 (json_int_t)t->jobs, "refused", (json_int_t)t->refused, "images", t->nimages,
			 "rate_tokens", t->tokens, "concurrent", t->q.concurrent);
	pthread_mutex_unlock(&t->lock);
	r->json = json_pack("{s:o}", "tenant", mine);
	if (rc) {
		json_object_set_new(r->json, "zvmd", json_pack("{s:s}", "error", why));
		r->status = 502;
		return;
	}
	json_object_set_new(r->json, "zvmd",
			    json_pack("{s:i,s:i,s:i,s:i,s:i,s:I,s:I,s:I,s:f}", "pool", st.pool, "warm", st.warm,
				      "busy", st.busy, "queued", st.queued, "queue_max", st.queue_max, "jobs",
				      (json_int_t)st.jobs, "ok", (json_int_t)st.ok, "failed", (json_int_t)st.failed,
				      "uptime", st.uptime_s));
	r->status = 200;
}

bool serve_api_run(struct serve_req *r)
{
	switch (r->route) {
	case ROUTE_EXECUTE:
		execute(r);
		break;
	case ROUTE_IMAGES:
		upload(r);
		break;
	case ROUTE_JOBS:
		if (job(r))
			return true;
		break;
	case ROUTE_STATUS:
		status(r);
		break;
	case ROUTE_MAPS:
		serve_api_map(r);
		break;
	default:
		serve_req_error(r, 500, "no handler for this route");
	}
	if (!r->json)
		serve_req_error(r, 500, "the handler gave no answer");
	return false;
}
