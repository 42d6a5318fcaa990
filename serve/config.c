/*
 * config.c — `zvm serve`'s configuration (docs/http.md, "Configuration"):
 * `key = value` lines, `#` comments, `[tenant NAME]` sections holding one
 * tenant's quotas; the command line sets the same keys after the file.
 * Bytes and seconds are written as everywhere in zvm (channels/units.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channels/channels.h"
#include "serve/serve.h"

static void beside(char *out, size_t len, const char *bindir, const char *rel)
{
	snprintf(out, len, "%s/%s", bindir, rel);
}

void serve_config_defaults(struct serve_config *c, const char *bindir)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen_host, sizeof(c->listen_host), "127.0.0.1");
	c->port = 8080;
	snprintf(c->socket, sizeof(c->socket), "/run/zvm.sock");
	/* the build's layout (build/bin/zvm-serve: build/playground,
	 * build/lua.nexe); an installed one (/usr/local/bin) uses share/zvm */
	beside(c->compiler, sizeof(c->compiler), bindir, "zvm-compile");
	beside(c->playground, sizeof(c->playground), bindir, "../playground");
	if (access(c->playground, F_OK))
		beside(c->playground, sizeof(c->playground), bindir, "../share/zvm/playground");
	beside(c->lua, sizeof(c->lua), bindir, "../lua.nexe");
	if (access(c->lua, R_OK))
		beside(c->lua, sizeof(c->lua), bindir, "../share/zvm/lua.nexe");
	beside(c->python, sizeof(c->python), bindir, "../python.nexe");
	if (access(c->python, R_OK))
		beside(c->python, sizeof(c->python), bindir, "../share/zvm/python.nexe");
	snprintf(c->state_dir, sizeof(c->state_dir), "/tmp");
	snprintf(c->user, sizeof(c->user), "nobody");
	c->job_threads = 32;
	c->max_connections = 4096;
	c->request_timeout_s = 10;
	c->max_body = 1u << 20;
	c->max_image = 64u << 20;
	c->cache_entries = 1024;
	c->drain_s = 30;
	c->quota = (struct serve_quota){
		.concurrent = 8, .cpu_per_min = 60, .max_memory = 256u << 20,
		.max_output = 1u << 20, .rate = 100, .burst = 200, .max_timeout_ms = 10000 };
}

static int num(const char *key, const char *v, double min, double max, double *out, char *err, size_t errlen)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *end || !(d >= min && d <= max)) {
		snprintf(err, errlen, "%s: '%s' is not a number in %g..%g", key, v, min, max);
		return -1;
	}
	*out = d;
	return 0;
}

static int str(const char *key, const char *v, char *out, size_t len, char *err, size_t errlen)
{
	if (strlen(v) >= len) {
		snprintf(err, errlen, "%s: longer than %zu bytes", key, len - 1);
		return -1;
	}
	strcpy(out, v);
	return 0;
}

static int bytes(const char *key, const char *v, uint64_t *out, char *err, size_t errlen)
{
	if (zvm_parse_bytes(v, out) < 0) {
		snprintf(err, errlen, "%s: '%s' is not a size (e.g. 64K, 1 MiB)", key, v);
		return -1;
	}
	return 0;
}

static int secs(const char *key, const char *v, double *out, char *err, size_t errlen)
{
	if (zvm_parse_seconds(v, out) < 0) {
		snprintf(err, errlen, "%s: '%s' is not a duration (e.g. 10, 500ms, 2 min)", key, v);
		return -1;
	}
	return 0;
}

static int set_listen(struct serve_config *c, const char *v, char *err, size_t errlen)
{
	const char *colon = strrchr(v, ':');
	double port;

	if (!colon || colon == v || (size_t)(colon - v) >= sizeof(c->listen_host)) {
		snprintf(err, errlen, "listen: '%s' is not HOST:PORT", v);
		return -1;
	}
	if (num("listen", colon + 1, 0, 65535, &port, err, errlen) < 0)
		return -1;
	memcpy(c->listen_host, v, (size_t)(colon - v));
	c->listen_host[colon - v] = '\0';
	c->port = (unsigned)port;
	return 0;
}

/* A quota key into q: 1 when key is one, 0 when it is not, -1 on a bad value. */
static int set_quota(struct serve_quota *q, const char *key, const char *v, char *err, size_t errlen)
{
	double d;

	if (!strcmp(key, "concurrent")) {
		if (num(key, v, 1, 4096, &d, err, errlen) < 0)
			return -1;
		q->concurrent = (unsigned)d;
	} else if (!strcmp(key, "cpu_per_minute")) {
		if (secs(key, v, &q->cpu_per_min, err, errlen) < 0)
			return -1;
	} else if (!strcmp(key, "max_memory")) {
		if (bytes(key, v, &q->max_memory, err, errlen) < 0)
			return -1;
	} else if (!strcmp(key, "max_output")) {
		if (bytes(key, v, &q->max_output, err, errlen) < 0)
			return -1;
	} else if (!strcmp(key, "rate")) {
		if (num(key, v, 0.001, 1e6, &q->rate, err, errlen) < 0)
			return -1;
	} else if (!strcmp(key, "burst")) {
		if (num(key, v, 1, 1e6, &q->burst, err, errlen) < 0)
			return -1;
	} else if (!strcmp(key, "max_timeout")) {
		if (secs(key, v, &d, err, errlen) < 0)
			return -1;
		q->max_timeout_ms = (int64_t)(d * 1000);
	} else {
		return 0;
	}
	return 1;
}

int serve_config_set(struct serve_config *c, struct serve_quota *q, const char *key, const char *v, char *err,
		     size_t errlen)
{
	double d;
	int rc = set_quota(q, key, v, err, errlen);

	if (rc)
		return rc < 0 ? -1 : 0;
	if (q != &c->quota) {
		snprintf(err, errlen, "%s: not a tenant's key (concurrent, cpu_per_minute, max_memory, max_output, "
			 "rate, burst, max_timeout)", key);
		return -1;
	}
	if (!strcmp(key, "listen"))
		return set_listen(c, v, err, errlen);
	if (!strcmp(key, "socket"))
		return str(key, v, c->socket, sizeof(c->socket), err, errlen);
	if (!strcmp(key, "tokens"))
		return str(key, v, c->tokens, sizeof(c->tokens), err, errlen);
	if (!strcmp(key, "playground"))
		return str(key, v, c->playground, sizeof(c->playground), err, errlen);
	if (!strcmp(key, "compiler"))
		return str(key, v, c->compiler, sizeof(c->compiler), err, errlen);
	if (!strcmp(key, "lua"))
		return str(key, v, c->lua, sizeof(c->lua), err, errlen);
	if (!strcmp(key, "python"))
		return str(key, v, c->python, sizeof(c->python), err, errlen);
	if (!strcmp(key, "state_dir"))
		return str(key, v, c->state_dir, sizeof(c->state_dir), err, errlen);
	if (!strcmp(key, "user"))
		return str(key, v, c->user, sizeof(c->user), err, errlen);
	if (!strcmp(key, "job_threads") || !strcmp(key, "max_connections") || !strcmp(key, "cache_entries")) {
		if (num(key, v, 1, 1 << 20, &d, err, errlen) < 0)
			return -1;
		*(key[0] == 'j' ? &c->job_threads : key[0] == 'm' ? &c->max_connections : &c->cache_entries) =
			(unsigned)d;
		return 0;
	}
	if (!strcmp(key, "request_timeout")) {
		if (secs(key, v, &d, err, errlen) < 0)
			return -1;
		c->request_timeout_s = d < 1 ? 1 : (unsigned)d;
		return 0;
	}
	if (!strcmp(key, "drain"))
		return secs(key, v, &c->drain_s, err, errlen);
	if (!strcmp(key, "max_body"))
		return bytes(key, v, &c->max_body, err, errlen);
	if (!strcmp(key, "max_image"))
		return bytes(key, v, &c->max_image, err, errlen);
	snprintf(err, errlen, "unknown key '%s'", key);
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int serve_config_load(struct serve_config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	struct serve_quota *q = &c->quota;
	char line[1024], e[256];
	unsigned lineno = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq;

		lineno++;
		if (strchr(line, '#'))
			*strchr(line, '#') = '\0';
		s = trim(line);
		if (!*s)
			continue;
		if (!strncmp(s, "[tenant ", 8) && s[strlen(s) - 1] == ']') {
			char *name = trim(s + 8);
			name[strlen(name) - 1] = '\0';
			name = trim(name);
			if (!serve_name_ok(name) || c->ntenant_quotas >= 64) {
				snprintf(err, errlen, "%s:%u: [tenant %s]: a bad name, or more than 64 sections", path,
					 lineno, name);
				goto fail;
			}
			snprintf(c->tenant_quotas[c->ntenant_quotas].name, SERVE_NAME_MAX + 1, "%s", name);
			/* a section starts from the defaults given above it */
			c->tenant_quotas[c->ntenant_quotas].q = c->quota;
			q = &c->tenant_quotas[c->ntenant_quotas++].q;
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%u: expected 'key = value' or '[tenant NAME]'", path, lineno);
			goto fail;
		}
		*eq = '\0';
		if (serve_config_set(c, q, trim(s), trim(eq + 1), e, sizeof(e)) < 0) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, e);
			goto fail;
		}
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	return -1;
}
