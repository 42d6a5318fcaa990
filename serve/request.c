/*
 * request.c — a request body into a job (serve.h): Piston's execute
 * request and zvm's /v1/jobs. Pure: jansson and memory only, so the
 * fuzzer (tests/fuzz/fuzz_serve_request.c) drives it directly. Every
 * error names the JSON path that is wrong.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "serve/serve.h"

int serve_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

bool serve_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > SERVE_NAME_MAX || !strcmp(name, ".") || !strcmp(name, "..") || name[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int serve_parse_digest(const char *hex, uint8_t out[32])
{
	if (!hex || strlen(hex) != 64)
		return -1;
	for (int i = 0; i < 32; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void serve_digest_hex(const uint8_t d[32], char out[65])
{
	static const char x[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		out[2 * i] = x[d[i] >> 4];
		out[2 * i + 1] = x[d[i] & 15];
	}
	out[64] = '\0';
}

/* s (len bytes) decoded by encoding into b: 0 or -1 (the why in err). */
int serve_decode(const char *path, const char *s, size_t len, const char *enc, struct serve_bytes *b, char *err,
		  size_t errlen)
{
	b->data = NULL;
	b->len = 0;
	if (!enc || !strcmp(enc, "utf8")) {
		b->data = malloc(len + 1);
		if (!b->data)
			return serve_fail(err, errlen, "%s: out of memory", path);
		memcpy(b->data, s, len);
		b->len = len;
	} else if (!strcmp(enc, "hex")) {
		if (len % 2)
			return serve_fail(err, errlen, "%s: hex of odd length %zu", path, len);
		b->data = malloc(len / 2 + 1);
		if (!b->data)
			return serve_fail(err, errlen, "%s: out of memory", path);
		for (size_t i = 0; i < len / 2; i++) {
			int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
			if (hi < 0 || lo < 0) {
				free(b->data);
				b->data = NULL;
				return serve_fail(err, errlen, "%s: not hex at offset %zu", path, 2 * i);
			}
			b->data[i] = (char)(hi << 4 | lo);
		}
		b->len = len / 2;
	} else if (!strcmp(enc, "base64")) {
		size_t pad = 0;
		int n;

		if (len % 4 || len > (size_t)INT32_MAX)
			return serve_fail(err, errlen, "%s: base64 of length %zu, not a multiple of 4", path, len);
		for (size_t i = 0; i < len; i++)
			if (s[i] == '=' && i + 2 < len)
				return serve_fail(err, errlen, "%s: '=' inside base64 at offset %zu", path, i);
		if (len && s[len - 1] == '=')
			pad = len > 1 && s[len - 2] == '=' ? 2 : 1;
		b->data = malloc(len / 4 * 3 + 1);
		if (!b->data)
			return serve_fail(err, errlen, "%s: out of memory", path);
		n = EVP_DecodeBlock((unsigned char *)b->data, (const unsigned char *)s, (int)len);
		if (n < 0 || (size_t)n < pad) {
			free(b->data);
			b->data = NULL;
			return serve_fail(err, errlen, "%s: not base64", path);
		}
		b->len = (size_t)n - pad;
	} else {
		return serve_fail(err, errlen, "%s: unknown encoding", path);
	}
	b->data[b->len] = '\0';
	return 0;
}

static void bytes_free(struct serve_bytes *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

/* An optional string member into a fixed buffer. */
static int get_name(json_t *o, const char *key, char *out, size_t outlen, bool required, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);

	if (!v) {
		if (required)
			return serve_fail(err, errlen, "%s: is required (a string)", key);
		return 0;
	}
	if (!json_is_string(v))
		return serve_fail(err, errlen, "%s: must be a string", key);
	if (json_string_length(v) >= outlen || strlen(json_string_value(v)) != json_string_length(v))
		return serve_fail(err, errlen, "%s: longer than %zu bytes or holds a NUL", key, outlen - 1);
	strcpy(out, json_string_value(v));
	return 0;
}

/* An optional integer member: -1 when absent; min..max, or -1 when
 * allow_minus1 (Piston's "no limit": the tenant's cap). */
int serve_get_int(json_t *o, const char *path, const char *key, int64_t *out, int64_t min, int64_t max,
		   bool allow_minus1, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);
	json_int_t n;

	*out = -1;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_real(v)) {
		double d = json_real_value(v);
		/* out of every range first: converting it would be undefined */
		if (!(d >= (double)(allow_minus1 && min > -1 ? -1 : min) && d <= (double)max))
			return serve_fail(err, errlen, "%s%s: %g is outside %lld..%lld", path, key, d, (long long)min,
				    (long long)max);
		if (d != (double)(json_int_t)d)
			return serve_fail(err, errlen, "%s%s: must be a whole number", path, key);
		n = (json_int_t)d;
	} else if (json_is_integer(v)) {
		n = json_integer_value(v);
	} else {
		return serve_fail(err, errlen, "%s%s: must be a number", path, key);
	}
	if (n == -1 && allow_minus1)
		return 0;
	if (n < min || n > max)
		return serve_fail(err, errlen, "%s%s: %lld is outside %lld..%lld", path, key, (long long)n, (long long)min,
			    (long long)max);
	*out = n;
	return 0;
}

/* stdin (a string) and args (an array of strings) of one run. */
static int get_run(json_t *o, const char *path, struct serve_run_input *r, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, "stdin"), *a;
	char p[64];
	size_t i;

	memset(r, 0, sizeof(*r));
	if (v && !json_is_null(v)) {
		if (!json_is_string(v))
			return serve_fail(err, errlen, "%sstdin: must be a string", path);
		snprintf(p, sizeof(p), "%sstdin", path);
		if (serve_decode(p, json_string_value(v), json_string_length(v), NULL, &r->stdin_, err, errlen) < 0)
			return -1;
	}
	a = json_object_get(o, "args");
	if (a && !json_is_null(a)) {
		if (!json_is_array(a)) {
			bytes_free(&r->stdin_);
			return serve_fail(err, errlen, "%sargs: must be an array of strings", path);
		}
		if (json_array_size(a) > SERVE_MAX_ARGS) {
			bytes_free(&r->stdin_);
			return serve_fail(err, errlen, "%sargs: more than %d arguments", path, SERVE_MAX_ARGS);
		}
		json_array_foreach(a, i, v) {
			if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
			    json_string_length(v) > 4096) {
				for (unsigned k = 0; k < r->nargs; k++)
					free(r->args[k]);
				r->nargs = 0;
				bytes_free(&r->stdin_);
				return serve_fail(err, errlen, "%sargs[%zu]: must be a string of at most 4096 bytes, no NUL",
					    path, i);
			}
			r->args[r->nargs] = strdup(json_string_value(v));
			if (!r->args[r->nargs])
				return serve_fail(err, errlen, "%sargs: out of memory", path);
			r->nargs++;
		}
	}
	return 0;
}

static void run_free(struct serve_run_input *r)
{
	bytes_free(&r->stdin_);
	for (unsigned k = 0; k < r->nargs; k++)
		free(r->args[k]);
	r->nargs = 0;
}

void serve_execute_free(struct serve_execute *x)
{
	for (unsigned i = 0; i < x->nfiles; i++)
		bytes_free(&x->files[i].content);
	for (unsigned i = 0; i < x->nruns; i++)
		run_free(&x->runs[i]);
	x->nfiles = x->nruns = 0;
}

json_t *serve_load_object(const char *body, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);

	if (!root) {
		serve_fail(err, errlen, "body: not JSON at line %d, column %d: %s", je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		serve_fail(err, errlen, "body: must be a JSON object");
		return NULL;
	}
	return root;
}

static int parse_files(json_t *root, struct serve_execute *x, char *err, size_t errlen)
{
	json_t *files = json_object_get(root, "files"), *f;
	size_t i;

	if (!json_is_array(files) || json_array_size(files) == 0)
		return serve_fail(err, errlen, "files: is required (an array of at least one file)");
	if (json_array_size(files) > SERVE_MAX_FILES)
		return serve_fail(err, errlen, "files: more than %d files", SERVE_MAX_FILES);
	json_array_foreach(files, i, f) {
		struct serve_file *sf = &x->files[i];
		json_t *c = json_object_get(f, "content"), *n, *e;
		const char *enc = NULL;
		char p[64];

		if (!json_is_object(f))
			return serve_fail(err, errlen, "files[%zu]: must be an object", i);
		if (!json_is_string(c))
			return serve_fail(err, errlen, "files[%zu].content: is required (a string)", i);
		n = json_object_get(f, "name");
		if (n && !json_is_null(n)) {
			if (!json_is_string(n) || json_string_length(n) > SERVE_NAME_MAX ||
			    strlen(json_string_value(n)) != json_string_length(n) ||
			    !serve_name_ok(json_string_value(n)))
				return serve_fail(err, errlen,
					    "files[%zu].name: must be 1 to %d of A-Z a-z 0-9 . _ - (no '/', no '..')", i,
					    SERVE_NAME_MAX);
			strcpy(sf->name, json_string_value(n));
		}
		for (unsigned k = 0; sf->name[0] && k < i; k++)
			if (!strcmp(x->files[k].name, sf->name))
				return serve_fail(err, errlen, "files[%zu].name: '%s' given twice", i, sf->name);
		e = json_object_get(f, "encoding");
		if (e && !json_is_null(e)) {
			if (!json_is_string(e) || (strcmp(json_string_value(e), "utf8") &&
						   strcmp(json_string_value(e), "base64") &&
						   strcmp(json_string_value(e), "hex")))
				return serve_fail(err, errlen, "files[%zu].encoding: must be one of utf8, base64, hex", i);
			enc = json_string_value(e);
		}
		snprintf(p, sizeof(p), "files[%zu].content", i);
		if (serve_decode(p, json_string_value(c), json_string_length(c), enc, &sf->content, err, errlen) < 0)
			return -1;
		x->nfiles = (unsigned)i + 1;
	}
	return 0;
}

int serve_parse_execute(const char *body, size_t len, struct serve_execute *x, char *err, size_t errlen)
{
	json_t *root = serve_load_object(body, len, err, errlen), *runs;
	struct serve_limits *l = &x->lim;
	int rc = -1;

	memset(x, 0, sizeof(*x));
	if (!root)
		return -1;
	if (get_name(root, "language", x->language, sizeof(x->language), true, err, errlen) < 0 ||
	    get_name(root, "version", x->version, sizeof(x->version), false, err, errlen) < 0)
		goto out;
	if (!x->language[0]) {
		serve_fail(err, errlen, "language: must not be empty");
		goto out;
	}
	if (!x->version[0])
		strcpy(x->version, "*");
	if (parse_files(root, x, err, errlen) < 0)
		goto out;
	/* Piston's limits: milliseconds and bytes, -1 for "as much as allowed" */
	if (serve_get_int(root, "", "compile_timeout", &l->compile_timeout_ms, 1, 86400000, true, err, errlen) < 0 ||
	    serve_get_int(root, "", "run_timeout", &l->run_timeout_ms, 1, 86400000, true, err, errlen) < 0 ||
	    serve_get_int(root, "", "compile_cpu_time", &l->compile_cpu_ms, 1, 86400000, true, err, errlen) < 0 ||
	    serve_get_int(root, "", "run_cpu_time", &l->run_cpu_ms, 1, 86400000, true, err, errlen) < 0 ||
	    serve_get_int(root, "", "compile_memory_limit", &l->compile_memory, 1, INT64_MAX, true, err, errlen) < 0 ||
	    serve_get_int(root, "", "run_memory_limit", &l->run_memory, 1, INT64_MAX, true, err, errlen) < 0 ||
	    serve_get_int(root, "", "output_limit", &l->output_limit, 0, INT64_MAX, false, err, errlen) < 0)
		goto out;
	runs = json_object_get(root, "runs");
	if (runs && !json_is_null(runs)) {
		json_t *r;
		size_t i;

		if (json_object_get(root, "stdin") || json_object_get(root, "args")) {
			serve_fail(err, errlen, "runs: give stdin and args in each run, not beside runs");
			goto out;
		}
		if (!json_is_array(runs) || json_array_size(runs) == 0 || json_array_size(runs) > SERVE_MAX_RUNS) {
			serve_fail(err, errlen, "runs: must be an array of 1 to %d runs", SERVE_MAX_RUNS);
			goto out;
		}
		x->has_runs = true;
		json_array_foreach(runs, i, r) {
			char p[32];

			snprintf(p, sizeof(p), "runs[%zu].", i);
			if (!json_is_object(r)) {
				serve_fail(err, errlen, "runs[%zu]: must be an object", i);
				goto out;
			}
			if (get_run(r, p, &x->runs[i], err, errlen) < 0)
				goto out;
			x->nruns = (unsigned)i + 1;
		}
	} else {
		if (get_run(root, "", &x->runs[0], err, errlen) < 0)
			goto out;
		x->nruns = 1;
	}
	rc = 0;
out:
	json_decref(root);
	if (rc < 0)
		serve_execute_free(x);
	return rc;
}

void serve_job_req_free(struct serve_job_req *j)
{
	for (unsigned i = 0; i < j->nargs; i++)
		free(j->args[i]);
	for (unsigned i = 0; i < j->nenv; i++)
		free(j->env[i]);
	for (unsigned i = 0; i < j->nchannels; i++)
		bytes_free(&j->channels[i].content);
	bytes_free(&j->stdin_);
	j->nargs = j->nenv = j->nchannels = 0;
}

static int parse_channels(json_t *root, struct serve_job_req *j, char *err, size_t errlen)
{
	json_t *chs = json_object_get(root, "channels"), *c;
	size_t i;

	if (!chs || json_is_null(chs))
		return 0;
	if (!json_is_array(chs) || json_array_size(chs) > SERVE_MAX_CHANNELS)
		return serve_fail(err, errlen, "channels: must be an array of at most %d channels", SERVE_MAX_CHANNELS);
	json_array_foreach(chs, i, c) {
		struct serve_channel_in *ch = &j->channels[i];
		json_t *a = json_object_get(c, "alias"), *o, *v, *e;
		const char *al, *enc = NULL;
		char p[48];

		if (!json_is_object(c))
			return serve_fail(err, errlen, "channels[%zu]: must be an object", i);
		if (!json_is_string(a))
			return serve_fail(err, errlen, "channels[%zu].alias: is required (a string)", i);
		al = json_string_value(a);
		if (al[0] != '/' || json_string_length(a) >= sizeof(ch->alias) || strlen(al) != json_string_length(a))
			return serve_fail(err, errlen, "channels[%zu].alias: must be an absolute name of at most 63 bytes", i);
		if (!strcmp(al, "/dev/stdin") || !strcmp(al, "/dev/stdout") || !strcmp(al, "/dev/stderr"))
			return serve_fail(err, errlen, "channels[%zu].alias: %s is the job's own (use stdin)", i, al);
		for (unsigned k = 0; k < i; k++)
			if (!strcmp(j->channels[k].alias, al))
				return serve_fail(err, errlen, "channels[%zu].alias: '%s' given twice", i, al);
		strcpy(ch->alias, al);
		o = json_object_get(c, "output");
		if (o && !json_is_boolean(o))
			return serve_fail(err, errlen, "channels[%zu].output: must be true or false", i);
		ch->output = o && json_is_true(o);
		v = json_object_get(c, "content");
		if (ch->output && v)
			return serve_fail(err, errlen, "channels[%zu].content: an output channel has no content", i);
		if (!ch->output) {
			if (!json_is_string(v))
				return serve_fail(err, errlen, "channels[%zu].content: is required (a string) for an input", i);
			e = json_object_get(c, "encoding");
			if (e && (!json_is_string(e) || (strcmp(json_string_value(e), "utf8") &&
							 strcmp(json_string_value(e), "base64") &&
							 strcmp(json_string_value(e), "hex"))))
				return serve_fail(err, errlen, "channels[%zu].encoding: must be one of utf8, base64, hex", i);
			enc = e ? json_string_value(e) : NULL;
			snprintf(p, sizeof(p), "channels[%zu].content", i);
			if (serve_decode(p, json_string_value(v), json_string_length(v), enc, &ch->content, err, errlen) < 0)
				return -1;
		}
		j->nchannels = (unsigned)i + 1;
	}
	return 0;
}

static int parse_strings(json_t *root, const char *key, char **out, unsigned *n, unsigned max, bool env, char *err,
			 size_t errlen)
{
	json_t *a = json_object_get(root, key), *v;
	size_t i;

	if (!a || json_is_null(a))
		return 0;
	if (!json_is_array(a) || json_array_size(a) > max)
		return serve_fail(err, errlen, "%s: must be an array of at most %u strings", key, max);
	json_array_foreach(a, i, v) {
		const char *s = json_is_string(v) ? json_string_value(v) : NULL;

		if (!s || strlen(s) != json_string_length(v) || json_string_length(v) > 4096)
			return serve_fail(err, errlen, "%s[%zu]: must be a string of at most 4096 bytes, no NUL", key, i);
		if (env && (!strchr(s, '=') || s[0] == '='))
			return serve_fail(err, errlen, "%s[%zu]: must be NAME=value", key, i);
		out[i] = strdup(s);
		if (!out[i])
			return serve_fail(err, errlen, "%s: out of memory", key);
		*n = (unsigned)i + 1;
	}
	return 0;
}

int serve_parse_job(const char *body, size_t len, struct serve_job_req *j, char *err, size_t errlen)
{
	json_t *root = serve_load_object(body, len, err, errlen), *d, *v, *st;
	int rc = -1;

	memset(j, 0, sizeof(*j));
	if (!root)
		return -1;
	d = json_object_get(root, "digest");
	if (!json_is_string(d) || serve_parse_digest(json_string_value(d), j->digest) < 0) {
		serve_fail(err, errlen, "digest: is required (64 hex digits, from POST /v1/images)");
		goto out;
	}
	if (parse_strings(root, "args", j->args, &j->nargs, SERVE_MAX_ARGS, false, err, errlen) < 0 ||
	    parse_strings(root, "env", j->env, &j->nenv, SERVE_MAX_ENV, true, err, errlen) < 0)
		goto out;
	v = json_object_get(root, "stdin");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v)) {
			serve_fail(err, errlen, "stdin: must be a string");
			goto out;
		}
		if (serve_decode("stdin", json_string_value(v), json_string_length(v), NULL, &j->stdin_, err, errlen) < 0)
			goto out;
	}
	if (parse_channels(root, j, err, errlen) < 0 ||
	    serve_get_int(root, "", "timeout", &j->timeout_ms, 1, 86400000, false, err, errlen) < 0 ||
	    serve_get_int(root, "", "cpu_time", &j->cpu_ms, 1, 86400000, false, err, errlen) < 0 ||
	    serve_get_int(root, "", "memory", &j->memory, 1, INT64_MAX, false, err, errlen) < 0 ||
	    serve_get_int(root, "", "output_limit", &j->output_limit, 0, INT64_MAX, false, err, errlen) < 0)
		goto out;
	st = json_object_get(root, "stream");
	if (st && !json_is_boolean(st)) {
		serve_fail(err, errlen, "stream: must be true or false");
		goto out;
	}
	j->stream = st && json_is_true(st);
	rc = 0;
out:
	json_decref(root);
	if (rc < 0)
		serve_job_req_free(j);
	return rc;
}
