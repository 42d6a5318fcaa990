/*
 * manifest.c — parsing ZeroVM-style manifests (docs/manifest.md).
 *
 * One `Key = value` per line, `#` comments. Unlike the original, an unknown
 * key, a repeated singular key, a malformed number or a value that does not
 * fit is an error naming the file and line: nothing is ignored or cut.
 * Relative paths (Program, channel URIs) are relative to the manifest's
 * directory, so a manifest and its files can move together.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channels/channels.h"
#include "runtime/include/zvm.h"

#define MAX_LINE 4096
#define MAX_MANIFEST (1u << 20)
#define MIN_MEMORY (1ull << 20)
#define MAX_MEMORY (3ull << 30)

struct parser {
	const char *name;
	unsigned line;
	char *err;
	size_t errlen;
	const char *dir;      /* for relative paths; NULL = as given */
	unsigned seen;        /* bit per singular key */
};

__attribute__((format(printf, 2, 3)))
static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->errlen, "%s:%u: ", p->name, p->line);

	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A limit: a count, or "unlimited". */
static int parse_limit(const char *s, uint64_t *out)
{
	if (!strcmp(s, "unlimited")) {
		*out = ZVM_NO_LIMIT;
		return 0;
	}
	return parse_u64(s, out);
}

static int parse_size(const char *s, uint64_t *out)
{
	char buf[64], *end;
	size_t n = strlen(s);
	int shift = 0;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n + 1);
	end = buf + n - 1;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		*end = '\0';
	if (parse_u64(buf, out) < 0 || *out > (UINT64_MAX >> shift))
		return -EINVAL;
	*out <<= shift;
	return 0;
}

static int parse_limit_bytes(const char *s, uint64_t *out)
{
	if (!strcmp(s, "unlimited")) {
		*out = ZVM_NO_LIMIT;
		return 0;
	}
	return parse_size(s, out);
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!isdigit((unsigned char)*s) && *s != '.')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v <= 0 || v > 86400 * 365)
		return -EINVAL;
	*out = v;
	return 0;
}

static char *resolve(struct parser *p, const char *path)
{
	char *out;

	if (path[0] == '/' || !p->dir || !strncmp(path, "fd:", 3))
		return strdup(path);
	if (asprintf(&out, "%s/%s", p->dir, path) < 0)
		return NULL;
	return out;
}

/* Channel = uri, alias, type, gets, get_size, puts, put_size */
static int parse_channel(struct parser *p, struct zvm_manifest *m, char *v)
{
	static const char *const names[7] = { "uri", "alias", "type", "gets", "get_size", "puts", "put_size" };
	char *field[7];
	struct zvm_channel_decl *c;
	uint64_t type;
	int nf = 0;

	for (char *s = v; nf < 7; nf++) {
		char *comma = strchr(s, ',');
		if (comma)
			*comma = '\0';
		field[nf] = trim(s);
		if (!comma) {
			nf++;
			break;
		}
		s = comma + 1;
		if (nf == 6)
			return perr(p, "Channel has more than 7 fields (uri, alias, type, gets, get_size, puts, put_size)");
	}
	if (nf != 7)
		return perr(p, "Channel needs 7 fields (uri, alias, type, gets, get_size, puts, put_size), got %d", nf);
	for (int i = 0; i < 7; i++)
		if (!*field[i])
			return perr(p, "Channel field %s is empty", names[i]);
	if (m->nchannels == ZVM_MAX_CHANNELS)
		return perr(p, "more than %d channels", ZVM_MAX_CHANNELS);
	if (parse_u64(field[2], &type) < 0 || type > 3)
		return perr(p, "Channel type '%s' must be 0, 1, 2 or 3", field[2]);
	if (field[1][0] != '/')
		return perr(p, "Channel alias '%s' must be an absolute name like /dev/input", field[1]);
	if (strlen(field[1]) >= 64)
		return perr(p, "Channel alias '%s' is longer than 63 bytes", field[1]);
	for (unsigned i = 0; i < m->nchannels; i++)
		if (!strcmp(m->channels[i].alias, field[1]))
			return perr(p, "Channel alias '%s' is declared twice (first on line %u)", field[1],
				    m->channels[i].line);
	c = &m->channels[m->nchannels];
	memset(c, 0, sizeof(*c));
	c->type = (unsigned)type;
	c->line = p->line;
	for (int i = 3; i < 7; i++) {
		uint64_t *dst[] = { &c->max_reads, &c->max_read_bytes, &c->max_writes, &c->max_write_bytes };
		bool bytes = i == 4 || i == 6; /* get_size, put_size take K/M/G */
		if (bytes ? parse_limit_bytes(field[i], dst[i - 3]) < 0 : parse_limit(field[i], dst[i - 3]) < 0)
			return perr(p, "Channel %s '%s' must be %s or 'unlimited'", names[i], field[i],
				    bytes ? "bytes (suffix K, M or G allowed)" : "a count");
	}
	c->alias = strdup(field[1]);
	c->uri = !strncmp(field[0], "/dev/std", 8) ? strdup(field[0]) : resolve(p, field[0]);
	if (!c->alias || !c->uri) {
		free(c->alias);
		free(c->uri);
		return -ENOMEM;
	}
	m->nchannels++;
	return 0;
}

enum { SEEN_PROGRAM = 1, SEEN_MEMORY = 2, SEEN_TIMEOUT = 4, SEEN_CPU = 8, SEEN_DET = 16,
       SEEN_SEED = 32, SEEN_EPOCH = 64 };

static int once(struct parser *p, unsigned bit, const char *key)
{
	if (p->seen & bit)
		return perr(p, "%s is given twice", key);
	p->seen |= bit;
	return 0;
}

static int add_string(struct parser *p, char **arr, unsigned *n, unsigned max, const char *v, const char *what)
{
	if (*n == max)
		return perr(p, "more than %u %s", max, what);
	arr[*n] = strdup(v);
	if (!arr[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int parse_line(struct parser *p, struct zvm_manifest *m, char *key, char *v)
{
	int rc;

	if (!strcmp(key, "Program")) {
		if ((rc = once(p, SEEN_PROGRAM, key)) < 0)
			return rc;
		if (!*v)
			return perr(p, "Program is empty");
		m->program = resolve(p, v);
		return m->program ? 0 : -ENOMEM;
	}
	if (!strcmp(key, "Memory")) {
		if ((rc = once(p, SEEN_MEMORY, key)) < 0)
			return rc;
		if (parse_size(v, &m->memory) < 0 || m->memory < MIN_MEMORY || m->memory > MAX_MEMORY)
			return perr(p, "Memory '%s' must be bytes (suffix K, M or G allowed) from 1M to 3G", v);
		return 0;
	}
	if (!strcmp(key, "Timeout")) {
		if ((rc = once(p, SEEN_TIMEOUT, key)) < 0)
			return rc;
		return parse_seconds(v, &m->timeout) < 0 ? perr(p, "Timeout '%s' must be positive seconds", v) : 0;
	}
	if (!strcmp(key, "CpuTime")) {
		if ((rc = once(p, SEEN_CPU, key)) < 0)
			return rc;
		return parse_seconds(v, &m->cpu_time) < 0 ? perr(p, "CpuTime '%s' must be positive seconds", v) : 0;
	}
	if (!strcmp(key, "Deterministic")) {
		if ((rc = once(p, SEEN_DET, key)) < 0)
			return rc;
		if (!strcmp(v, "yes"))
			m->deterministic = true;
		else if (!strcmp(v, "no"))
			m->deterministic = false;
		else
			return perr(p, "Deterministic '%s' must be yes or no", v);
		return 0;
	}
	if (!strcmp(key, "Seed")) {
		if ((rc = once(p, SEEN_SEED, key)) < 0)
			return rc;
		return parse_u64(v, &m->seed) < 0 ? perr(p, "Seed '%s' must be an unsigned integer", v) : 0;
	}
	if (!strcmp(key, "Epoch")) {
		if ((rc = once(p, SEEN_EPOCH, key)) < 0)
			return rc;
		return parse_u64(v, &m->epoch_ns) < 0 ? perr(p, "Epoch '%s' must be nanoseconds since 1970", v) : 0;
	}
	if (!strcmp(key, "Arg"))
		return add_string(p, m->args, &m->nargs, ZVM_MAX_ARGS, v, "Arg lines");
	if (!strcmp(key, "Env")) {
		if (!strchr(v, '=') || v[0] == '=')
			return perr(p, "Env '%s' must be NAME=value", v);
		return add_string(p, m->env, &m->nenv, ZVM_MAX_ENV, v, "Env lines");
	}
	if (!strcmp(key, "Channel"))
		return parse_channel(p, m, v);
	return perr(p, "unknown key '%s' (known: Program, Memory, Timeout, CpuTime, Deterministic, Seed, Epoch, Arg, Env, Channel)",
		    key);
}

static void set_defaults(struct zvm_manifest *m)
{
	memset(m, 0, sizeof(*m));
	m->memory = ZVM_DEFAULT_MEMORY;
	m->timeout = ZVM_DEFAULT_TIMEOUT;
	m->deterministic = true;
}

static int parse(const char *text, size_t len, struct parser *p, struct zvm_manifest *m)
{
	size_t pos = 0;
	int rc;

	set_defaults(m);
	if (len > MAX_MANIFEST) {
		p->line = 0;
		return perr(p, "manifest larger than %u bytes", MAX_MANIFEST);
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char line[MAX_LINE + 1], *key, *eq;

		p->line++;
		if (n > MAX_LINE)
			rc = perr(p, "line longer than %d bytes", MAX_LINE);
		else if (memchr(text + pos, '\0', n))
			rc = perr(p, "NUL byte in line");
		else {
			memcpy(line, text + pos, n);
			line[n] = '\0';
			key = trim(line);
			rc = 0;
			if (*key && *key != '#') {
				eq = strchr(key, '=');
				if (!eq)
					rc = perr(p, "expected 'Key = value'");
				else {
					*eq = '\0';
					rc = parse_line(p, m, trim(key), trim(eq + 1));
				}
			}
		}
		if (rc < 0)
			goto fail;
		pos += n + (nl ? 1 : 0);
	}
	if (!m->program) {
		rc = perr(p, "no Program line");
		goto fail;
	}
	if (m->cpu_time > m->timeout) {
		rc = perr(p, "CpuTime %.3f exceeds Timeout %.3f", m->cpu_time, m->timeout);
		goto fail;
	}
	return 0;
fail:
	zvm_manifest_free(m);
	return rc;
}

int zvm_manifest_parse(const char *text, size_t len, const char *name, struct zvm_manifest *m,
		       char *err, size_t errlen)
{
	struct parser p = { .name = name, .err = err, .errlen = errlen };

	return parse(text, len, &p, m);
}

int zvm_manifest_load(const char *path, struct zvm_manifest *m, char *err, size_t errlen)
{
	struct parser p = { .name = path, .err = err, .errlen = errlen };
	char *text, *dir, *slash;
	struct stat st;
	size_t got = 0;
	int fd, rc;

	set_defaults(m);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_MANIFEST) {
		close(fd);
		snprintf(err, errlen, "%s: not a regular file of at most %u bytes", path, MAX_MANIFEST);
		return -EINVAL;
	}
	text = malloc(st.st_size + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, text + got, st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	dir = strdup(path);
	if (!dir) {
		free(text);
		return -ENOMEM;
	}
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	p.dir = slash ? (dir[0] ? dir : "/") : NULL;
	rc = parse(text, got, &p, m);
	free(dir);
	free(text);
	return rc;
}

int zvm_manifest_default(const char *program, struct zvm_manifest *m)
{
	static const char *const stdio[3] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };

	set_defaults(m);
	m->program = strdup(program);
	if (!m->program)
		return -ENOMEM;
	for (unsigned i = 0; i < 3; i++) {
		struct zvm_channel_decl *c = &m->channels[i];
		c->uri = strdup(stdio[i]);
		c->alias = strdup(stdio[i]);
		if (!c->uri || !c->alias) {
			m->nchannels = i + 1;
			zvm_manifest_free(m);
			return -ENOMEM;
		}
		c->type = ZVM_CHANNEL_SEQ_READ_SEQ_WRITE;
		c->max_reads = c->max_read_bytes = i == 0 ? ZVM_NO_LIMIT : 0;
		c->max_writes = c->max_write_bytes = i == 0 ? 0 : ZVM_NO_LIMIT;
	}
	m->nchannels = 3;
	return 0;
}

void zvm_manifest_free(struct zvm_manifest *m)
{
	free(m->program);
	for (unsigned i = 0; i < m->nargs; i++)
		free(m->args[i]);
	for (unsigned i = 0; i < m->nenv; i++)
		free(m->env[i]);
	for (unsigned i = 0; i < m->nchannels; i++) {
		free(m->channels[i].uri);
		free(m->channels[i].alias);
	}
	memset(m, 0, sizeof(*m));
}
