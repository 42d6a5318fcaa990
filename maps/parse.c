/*
 * parse.c — the JSON of a system map into one spec per element, with every
 * key, type and string checked. jansson does the JSON; what is refused
 * here is anything the format does not define (unknown keys, wrong types,
 * control characters, sizes above the limits), each named by its JSON
 * path.
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/channels.h"
#include "maps/maps-internal.h"

static const char *const dev_names[ZVM_MAP_NDEV] = {
	"stdin", "stdout", "stderr", "input", "output", "image", "script",
};

const char *zvm_map_dev_name(enum zvm_map_dev d)
{
	return (unsigned)d < ZVM_MAP_NDEV ? dev_names[d] : "?";
}

bool zvm_map_dev_writable(enum zvm_map_dev d)
{
	return d == ZVM_MAP_STDOUT || d == ZVM_MAP_STDERR || d == ZVM_MAP_OUTPUT;
}

int map_fail(struct map_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, c->errlen, "%s: ", c->file);

	if (n >= 0 && (size_t)n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	/* one line, whatever a value or jansson's excerpt held */
	for (char *p = c->err; c->errlen && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -EINVAL;
}

/* A key as messages show it: at most 64 bytes, control bytes as '?', so
 * a message stays one line. */
static const char *shown(char *buf, const char *key)
{
	size_t i;

	for (i = 0; key[i] && i < 64; i++)
		buf[i] = (unsigned char)key[i] < 0x20 || key[i] == 0x7f ? '?' : key[i];
	buf[i] = '\0';
	return buf;
}

/* Every key of obj must be one of known (NULL-ended). */
static int check_keys(struct map_ctx *c, json_t *obj, const char *path, const char *const *known,
		      const char *list)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		unsigned i;
		for (i = 0; known[i] && strcmp(known[i], key); i++)
			;
		char k[65];
		if (!known[i])
			return map_fail(c, "%s: unknown key '%s' (known: %s)", path, shown(k, key), list);
	}
	return 0;
}

/* A string: no NUL, no control characters, at most ZVM_MAP_MAX_STRING. */
static int get_string(struct map_ctx *c, json_t *v, const char *path, char **out)
{
	const char *s;
	size_t len;

	if (!json_is_string(v))
		return map_fail(c, "%s: expected a string", path);
	s = json_string_value(v);
	len = json_string_length(v);
	if (len > ZVM_MAP_MAX_STRING)
		return map_fail(c, "%s: longer than %u bytes", path, ZVM_MAP_MAX_STRING);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return map_fail(c, "%s: control character 0x%02x in string", path, (unsigned char)s[i]);
	if (!(*out = strdup(s)))
		return -ENOMEM;
	return 0;
}

static int get_count(struct map_ctx *c, json_t *v, const char *path, unsigned lo, unsigned hi, unsigned *out)
{
	json_int_t n;

	if (!json_is_integer(v))
		return map_fail(c, "%s: expected an integer", path);
	n = json_integer_value(v);
	if (n < lo || n > hi)
		return map_fail(c, "%s: %lld is outside %u..%u", path, (long long)n, lo, hi);
	*out = (unsigned)n;
	return 0;
}

/* "a b  c" -> a, b, c (ZeroCloud split args on spaces), or ["a", "b c"]. */
static int parse_args(struct map_ctx *c, struct map_spec *s, json_t *v, const char *path)
{
	char p[96];
	size_t i;
	json_t *e;
	int rc;

	if (json_is_string(v)) {
		char *all, *tok, *save;

		if ((rc = get_string(c, v, path, &all)) < 0)
			return rc;
		s->args = calloc(ZVM_MAP_MAX_ARGS, sizeof(char *));
		for (tok = strtok_r(all, " ", &save); s->args && tok; tok = strtok_r(NULL, " ", &save)) {
			if (s->nargs >= ZVM_MAP_MAX_ARGS) {
				free(all);
				return map_fail(c, "%s: more than %u arguments", path, ZVM_MAP_MAX_ARGS);
			}
			if (!(s->args[s->nargs] = strdup(tok)))
				break;
			s->nargs++;
		}
		free(all);
		return s->args && (!tok) ? 0 : -ENOMEM;
	}
	if (!json_is_array(v))
		return map_fail(c, "%s: expected a string or an array of strings", path);
	if (json_array_size(v) > ZVM_MAP_MAX_ARGS)
		return map_fail(c, "%s: more than %u arguments", path, ZVM_MAP_MAX_ARGS);
	if (!(s->args = calloc(json_array_size(v) + 1, sizeof(char *))))
		return -ENOMEM;
	json_array_foreach(v, i, e) {
		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		if ((rc = get_string(c, e, p, &s->args[i])) < 0)
			return rc;
		s->nargs++;
	}
	return 0;
}

static int parse_env(struct map_ctx *c, struct map_spec *s, json_t *v, const char *path)
{
	const char *key;
	char p[160];
	json_t *e;
	int rc;

	if (!json_is_object(v))
		return map_fail(c, "%s: expected an object of strings", path);
	if (json_object_size(v) > ZVM_MAP_MAX_ENV)
		return map_fail(c, "%s: more than %u variables", path, ZVM_MAP_MAX_ENV);
	if (!(s->env = calloc(json_object_size(v) + 1, sizeof(char *))))
		return -ENOMEM;
	json_object_foreach(v, key, e) {
		char *val, shown_key[65];

		snprintf(p, sizeof(p), "%s.%s", path, shown(shown_key, key));
		if (!key[0] || strchr(key, '=') || strlen(key) > 255)
			return map_fail(c, "%s: a variable's name is 1 to 255 bytes without '='", p);
		for (const char *k = key; *k; k++)
			if ((unsigned char)*k < 0x20 || *k == 0x7f)
				return map_fail(c, "%s: control character in a variable's name", path);
		if ((rc = get_string(c, e, p, &val)) < 0)
			return rc;
		if (asprintf(&s->env[s->nenv], "%s=%s", key, val) < 0) {
			free(val);
			return -ENOMEM;
		}
		free(val);
		s->nenv++;
	}
	return 0;
}

static int parse_exec(struct map_ctx *c, struct map_spec *s, json_t *v, const char *path)
{
	static const char *const keys[] = { "path", "name", "args", "env", NULL };
	char p[64];
	json_t *e;
	int rc;

	if (!json_is_object(v))
		return map_fail(c, "%s: expected an object", path);
	if ((rc = check_keys(c, v, path, keys, "path, name, args, env")) < 0)
		return rc;
	snprintf(p, sizeof(p), "%s.path", path);
	if (!(e = json_object_get(v, "path")))
		return map_fail(c, "%s: missing", p);
	if ((rc = get_string(c, e, p, &s->exec_path)) < 0)
		return rc;
	if (!s->exec_path[0])
		return map_fail(c, "%s: empty", p);
	if ((e = json_object_get(v, "name"))) {
		snprintf(p, sizeof(p), "%s.name", path);
		if ((rc = get_string(c, e, p, &s->exec_name)) < 0)
			return rc;
	}
	snprintf(p, sizeof(p), "%s.args", path);
	if ((e = json_object_get(v, "args")) && (rc = parse_args(c, s, e, p)) < 0)
		return rc;
	snprintf(p, sizeof(p), "%s.env", path);
	if ((e = json_object_get(v, "env")) && (rc = parse_env(c, s, e, p)) < 0)
		return rc;
	return 0;
}

static int parse_devices(struct map_ctx *c, struct map_spec *s, json_t *v, const char *path)
{
	static const char *const keys[] = { "name", "path", NULL };
	char p[96];
	size_t i;
	json_t *d;
	int rc;

	if (!json_is_array(v))
		return map_fail(c, "%s: expected an array", path);
	json_array_foreach(v, i, d) {
		char *name = NULL;
		unsigned k;
		json_t *e;

		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		if (!json_is_object(d))
			return map_fail(c, "%s: expected an object", p);
		if ((rc = check_keys(c, d, p, keys, "name, path")) < 0)
			return rc;
		snprintf(p, sizeof(p), "%s[%zu].name", path, i);
		if (!(e = json_object_get(d, "name")))
			return map_fail(c, "%s: missing", p);
		if ((rc = get_string(c, e, p, &name)) < 0)
			return rc;
		for (k = 0; k < ZVM_MAP_NDEV && strcmp(dev_names[k], name); k++)
			;
		if (k == ZVM_MAP_NDEV) {
			rc = map_fail(c, "%s: unknown device '%.64s' (known: stdin, stdout, stderr, input, output, image, script)", p, name);
			free(name);
			return rc;
		}
		free(name);
		if (s->listed[k])
			return map_fail(c, "%s: '%s' is listed twice (first at %s[%u])", p, dev_names[k], path,
					s->dev_index[k]);
		s->listed[k] = true;
		s->dev_index[k] = (unsigned)i;
		snprintf(p, sizeof(p), "%s[%zu].path", path, i);
		if ((e = json_object_get(d, "path"))) {
			if ((rc = get_string(c, e, p, &s->dev_path[k])) < 0)
				return rc;
			if (!s->dev_path[k][0])
				return map_fail(c, "%s: empty", p);
		} else if (k != ZVM_MAP_STDOUT && k != ZVM_MAP_STDERR) {
			/* only stdout and stderr have a meaning without a path */
			return map_fail(c, "%s: missing (only stdout and stderr may go without one)", p);
		}
	}
	return 0;
}

static int parse_connect(struct map_ctx *c, struct map_spec *s, json_t *v, const char *path)
{
	char p[64];
	size_t i;
	json_t *e;
	int rc;

	if (!json_is_array(v))
		return map_fail(c, "%s: expected an array of node names", path);
	if (!(s->connect = calloc(json_array_size(v) + 1, sizeof(char *))))
		return -ENOMEM;
	json_array_foreach(v, i, e) {
		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		if ((rc = get_string(c, e, p, &s->connect[i])) < 0)
			return rc;
		s->nconnect++;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(s->connect[j], s->connect[i]))
				return map_fail(c, "%s: '%.64s' is named twice", p, s->connect[i]);
	}
	return 0;
}

/* A limit's value as the manifest parser reads its text (channels/units.c):
 * a string as it is, a JSON number as decimal text. */
static int limit_text(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.9f", json_real_value(v)); /* 1e-5 -> 0.000010000: too small, refused */
	else
		return -EINVAL;
	return 0;
}

/* "limits": {"Memory": "64M", "Timeout": 2, "CpuTime": "500ms"}, the
 * manifest's keys with the manifest's ranges (docs/manifest.md). */
static int parse_limits(struct map_ctx *c, struct map_spec *s, json_t *v, const char *path)
{
	static const char *const keys[] = { "Memory", "Timeout", "CpuTime", NULL };
	char p[64], text[512];
	json_t *e;
	int rc;

	if (!json_is_object(v))
		return map_fail(c, "%s: expected an object", path);
	if ((rc = check_keys(c, v, path, keys, "Memory, Timeout, CpuTime")) < 0)
		return rc;
	if ((e = json_object_get(v, "Memory"))) {
		snprintf(p, sizeof(p), "%s.Memory", path);
		if ((json_is_real(e) || limit_text(e, text, sizeof(text)) < 0 || zvm_parse_bytes(text, &s->memory) < 0 ||
		     s->memory < ZVM_MIN_MEMORY || s->memory > ZVM_MAX_MEMORY))
			return map_fail(c, "%s: expected bytes (like 64M, \"1 GiB\" or 1048576) from 1M to 3G", p);
		s->given |= ZVM_GIVEN_MEMORY;
	}
	for (int k = 0; k < 2; k++) {
		const char *key = k ? "CpuTime" : "Timeout";
		double *out = k ? &s->cpu_time : &s->timeout;

		if (!(e = json_object_get(v, key)))
			continue;
		snprintf(p, sizeof(p), "%s.%s", path, key);
		if (limit_text(e, text, sizeof(text)) < 0 || zvm_parse_seconds(text, out) < 0)
			return map_fail(c, "%s: expected seconds (like 2, 0.5 or \"500ms\") from %g to %.0f", p,
					ZVM_MIN_SECONDS, ZVM_MAX_SECONDS);
		s->given |= k ? ZVM_GIVEN_CPU_TIME : ZVM_GIVEN_TIMEOUT;
	}
	/* as a manifest: CPU time at most the wall limit (given or default) */
	if ((s->given & ZVM_GIVEN_CPU_TIME) &&
	    s->cpu_time > (s->given & ZVM_GIVEN_TIMEOUT ? s->timeout : ZVM_DEFAULT_TIMEOUT))
		return map_fail(c, "%s.CpuTime: %g exceeds %s %g", path, s->cpu_time,
				s->given & ZVM_GIVEN_TIMEOUT ? "Timeout" : "the default Timeout",
				s->given & ZVM_GIVEN_TIMEOUT ? s->timeout : ZVM_DEFAULT_TIMEOUT);
	return 0;
}

/* Names become file names and channel aliases (/dev/in/NAME): keep them
 * to letters, digits, '_', '-' and '.' (not first). */
static int check_name(struct map_ctx *c, const char *name, const char *path)
{
	size_t len = strlen(name);

	if (!len || len > ZVM_MAP_MAX_NAME)
		return map_fail(c, "%s: a name is 1 to %u bytes", path, ZVM_MAP_MAX_NAME);
	if (name[0] == '.' || name[0] == '-')
		return map_fail(c, "%s: '%s' must not start with '%c'", path, name, name[0]);
	for (size_t i = 0; i < len; i++) {
		char ch = name[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '_' || ch == '-' || ch == '.'))
			return map_fail(c, "%s: '%s': names use letters, digits, '_', '-' and '.'", path, name);
	}
	return 0;
}

static int parse_node(struct map_ctx *c, struct map_spec *s, json_t *v, size_t idx)
{
	static const char *const keys[] = { "name", "exec", "devices", "count", "connect", "replicate", "limits",
					    "stream", NULL };
	char path[32], p[64];
	json_t *e;
	int rc;

	snprintf(path, sizeof(path), "[%zu]", idx);
	s->replicate = 1;
	if (!json_is_object(v))
		return map_fail(c, "%s: expected an object (a node)", path);
	if ((rc = check_keys(c, v, path, keys, "name, exec, devices, count, connect, replicate, limits, stream")) < 0)
		return rc;
	snprintf(p, sizeof(p), "%s.name", path);
	if (!(e = json_object_get(v, "name")))
		return map_fail(c, "%s: missing", p);
	if ((rc = get_string(c, e, p, &s->name)) < 0 || (rc = check_name(c, s->name, p)) < 0)
		return rc;
	snprintf(p, sizeof(p), "%s.exec", path);
	if (!(e = json_object_get(v, "exec")))
		return map_fail(c, "%s: missing", p);
	if ((rc = parse_exec(c, s, e, p)) < 0)
		return rc;
	snprintf(p, sizeof(p), "%s.devices", path);
	if ((e = json_object_get(v, "devices")) && (rc = parse_devices(c, s, e, p)) < 0)
		return rc;
	snprintf(p, sizeof(p), "%s.count", path);
	if ((e = json_object_get(v, "count")) && (rc = get_count(c, e, p, 1, ZVM_MAP_MAX_NODES, &s->count)) < 0)
		return rc;
	snprintf(p, sizeof(p), "%s.connect", path);
	if ((e = json_object_get(v, "connect")) && (rc = parse_connect(c, s, e, p)) < 0)
		return rc;
	snprintf(p, sizeof(p), "%s.replicate", path);
	if ((e = json_object_get(v, "replicate")) &&
	    (rc = get_count(c, e, p, 1, ZVM_MAP_MAX_REPLICATE, &s->replicate)) < 0)
		return rc;
	snprintf(p, sizeof(p), "%s.limits", path);
	if ((e = json_object_get(v, "limits")) && (rc = parse_limits(c, s, e, p)) < 0)
		return rc;
	snprintf(p, sizeof(p), "%s.stream", path);
	if ((e = json_object_get(v, "stream"))) {
		if (!json_is_boolean(e))
			return map_fail(c, "%s: expected true or false", p);
		s->stream = json_is_true(e);
	}
	return 0;
}

int map_parse_specs(struct map_ctx *c, const char *text, size_t len)
{
	json_error_t jerr;
	json_t *root;
	size_t i;
	json_t *v;
	int rc = 0;

	if (len > ZVM_MAP_MAX_FILE)
		return map_fail(c, "larger than %u bytes", ZVM_MAP_MAX_FILE);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return map_fail(c, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
	if (!json_is_array(root)) {
		rc = map_fail(c, "expected a JSON array of nodes");
		goto out;
	}
	if (json_array_size(root) == 0) {
		rc = map_fail(c, "no nodes");
		goto out;
	}
	if (json_array_size(root) > ZVM_MAP_MAX_NODES) {
		rc = map_fail(c, "more than %u nodes", ZVM_MAP_MAX_NODES);
		goto out;
	}
	if (!(c->spec = calloc(json_array_size(root), sizeof(*c->spec)))) {
		rc = -ENOMEM;
		goto out;
	}
	json_array_foreach(root, i, v) {
		c->nspec++; /* counted first: map_specs_free frees what was set */
		if ((rc = parse_node(c, &c->spec[i], v, i)) < 0)
			goto out;
	}
out:
	json_decref(root);
	if (rc == -ENOMEM)
		map_fail(c, "out of memory");
	return rc;
}

static void free_strv(char **v, unsigned n)
{
	for (unsigned i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void map_specs_free(struct map_ctx *c)
{
	for (unsigned i = 0; i < c->nspec; i++) {
		struct map_spec *s = &c->spec[i];
		free(s->name);
		free(s->exec_path);
		free(s->exec_name);
		free_strv(s->args, s->nargs);
		free_strv(s->env, s->nenv);
		for (unsigned d = 0; d < ZVM_MAP_NDEV; d++)
			free(s->dev_path[d]);
		free_strv(s->connect, s->nconnect);
	}
	free(c->spec);
	c->spec = NULL;
	c->nspec = 0;
}
