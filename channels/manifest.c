/*
 * manifest.c — parsing ZeroVM-style manifests (docs/manifest.md).
 *
 * One `Key = value` per line, `#` comments. Unlike the original, an unknown
 * key, a repeated singular key, a malformed number or a value that does not
 * fit is an error naming the file and line: nothing is ignored or cut.
 * Relative paths (Program, channel URIs) are relative to the manifest's
 * directory when it is loaded from a file, so a job directory can move as a
 * whole. The parser itself is pure: zvm_manifest_load is its only I/O.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channels/channels.h"
#include "channels/manifest-internal.h"
#include "runtime/include/zvm.h"

#define MAX_LINE      4096              /* bytes, without the newline */
#define MAX_MANIFEST  (1u << 20)        /* zvm_manifest_load reads at most this */
#define MAX_ALIAS     63                /* bytes; the runtime's fd table copies it */
/* Memory: image + heap + stack below 4 GiB, with room left for the
 * trampolines and the start-up block (channels.h). Bytes and seconds are
 * read by channels/units.c, as zvmd's configuration and the CLI read them. */
#define MIN_MEMORY    ZVM_MIN_MEMORY
#define MAX_MEMORY    ZVM_MAX_MEMORY

enum key_id { K_PROGRAM, K_MEMORY, K_TIMEOUT, K_CPUTIME, K_DETERMINISTIC, K_SEED, K_EPOCH, K_SINGULAR };

struct parser {
	const char *name;
	unsigned line;
	char *err;
	size_t errlen;
	const char *dir;              /* for relative paths; NULL = as given */
	unsigned seen[K_SINGULAR];    /* line a singular key was given on, 0 = not yet */
	unsigned env_line[ZVM_MAX_ENV];
};

__attribute__((format(printf, 2, 3)))
static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || p->errlen == 0)
		return -EINVAL;
	n = snprintf(p->err, p->errlen, "%s:%u: ", p->name ? p->name : "manifest", p->line);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* ---- pure helpers: text to values ---------------------------------------- */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Plain decimal only: no sign, no spaces, no 0x, no overflow. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* A limit: a number (a count, or bytes with K/M/G), or `unlimited`. */
static int parse_limit(const char *s, bool bytes, uint64_t *out)
{
	if (!strcmp(s, "unlimited")) {
		*out = ZVM_NO_LIMIT;
		return 0;
	}
	return bytes ? zvm_parse_bytes(s, out) : parse_u64(s, out);
}

/* "fd:N" with N plain decimal in [0, INT_MAX]; shared with channel.c. */
int zvm_channel_uri_fd(const char *uri)
{
	uint64_t n;

	if (strncmp(uri, "fd:", 3) != 0)
		return -ENOENT;
	if (parse_u64(uri + 3, &n) < 0 || n > INT_MAX)
		return -EINVAL;
	return (int)n;
}

static bool is_stdio_uri(const char *uri)
{
	return !strcmp(uri, "/dev/stdin") || !strcmp(uri, "/dev/stdout") || !strcmp(uri, "/dev/stderr");
}

static char *resolve(struct parser *p, const char *path)
{
	char *out;

	if (path[0] == '/' || !p->dir)
		return strdup(path);
	if (asprintf(&out, "%s%s%s", p->dir, strcmp(p->dir, "/") ? "/" : "", path) < 0)
		return NULL;
	return out;
}

/* ---- keys ------------------------------------------------------------------ */

static int add_string(struct parser *p, char **arr, unsigned *n, unsigned max, const char *v,
		      const char *what)
{
	if (*n == max)
		return perr(p, "more than %u %s lines", max, what);
	arr[*n] = strdup(v);
	if (!arr[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static const char *const field_names[7] = { "uri", "alias", "type", "gets", "get_size", "puts", "put_size" };
#define CHANNEL_FIELDS "(uri, alias, type, gets, get_size, puts, put_size)"

/* Splits v at commas into exactly 7 trimmed, non-empty fields. */
static int split_channel(struct parser *p, char *v, char *field[7])
{
	int nf = 0;

	for (char *s = v;;) {
		char *comma = strchr(s, ',');

		if (nf == 7)
			return perr(p, "Channel has more than 7 fields " CHANNEL_FIELDS);
		if (comma)
			*comma = '\0';
		field[nf++] = trim(s);
		if (!comma)
			break;
		s = comma + 1;
	}
	if (nf != 7)
		return perr(p, "Channel needs 7 fields " CHANNEL_FIELDS ", got %d", nf);
	for (int i = 0; i < 7; i++)
		if (!*field[i])
			return perr(p, "Channel field %s is empty", field_names[i]);
	return 0;
}

/* Channel = uri, alias, type, gets, get_size, puts, put_size */
static int parse_channel(struct parser *p, struct zvm_manifest *m, char *v)
{
	struct zvm_channel_decl *c;
	uint64_t type, limit[4];
	char *field[7];
	int rc;

	if ((rc = split_channel(p, v, field)) < 0)
		return rc;
	if (m->nchannels == ZVM_MAX_CHANNELS)
		return perr(p, "more than %d channels", ZVM_MAX_CHANNELS);
	if (!strncmp(field[0], "fd:", 3) && zvm_channel_uri_fd(field[0]) < 0)
		return perr(p, "Channel uri '%s': fd:N needs a descriptor number", field[0]);
	if (field[1][0] != '/')
		return perr(p, "Channel alias '%s' must be an absolute name like /dev/input", field[1]);
	if (strlen(field[1]) > MAX_ALIAS)
		return perr(p, "Channel alias '%s' is longer than %d bytes", field[1], MAX_ALIAS);
	for (unsigned i = 0; i < m->nchannels; i++)
		if (!strcmp(m->channels[i].alias, field[1]))
			return perr(p, "Channel alias '%s' is declared twice (first on line %u)", field[1],
				    m->channels[i].line);
	if (parse_u64(field[2], &type) < 0 || type > ZVM_CHANNEL_RND_READ_RND_WRITE)
		return perr(p, "Channel type '%s' must be 0, 1, 2 or 3", field[2]);
	for (int i = 0; i < 4; i++) {
		bool bytes = i == 1 || i == 3; /* get_size, put_size take K/M/G */
		if (parse_limit(field[3 + i], bytes, &limit[i]) < 0)
			return perr(p, "Channel %s '%s' must be %s or 'unlimited'", field_names[3 + i],
				    field[3 + i], bytes ? "bytes (like 64K or 1 MiB)" : "a count");
	}
	c = &m->channels[m->nchannels];
	*c = (struct zvm_channel_decl){ .type = (unsigned)type, .line = p->line,
					.max_reads = limit[0], .max_read_bytes = limit[1],
					.max_writes = limit[2], .max_write_bytes = limit[3] };
	c->alias = strdup(field[1]);
	c->uri = is_stdio_uri(field[0]) || !strncmp(field[0], "fd:", 3) ? strdup(field[0]) : resolve(p, field[0]);
	if (!c->alias || !c->uri) {
		free(c->alias);
		free(c->uri);
		*c = (struct zvm_channel_decl){ 0 };
		return -ENOMEM;
	}
	m->nchannels++;
	return 0;
}

static int parse_env(struct parser *p, struct zvm_manifest *m, const char *v)
{
	size_t name = strcspn(v, "=");
	int rc;

	if (v[name] != '=' || name == 0)
		return perr(p, "Env '%s' must be NAME=value", v);
	for (unsigned i = 0; i < m->nenv; i++)
		if (!strncmp(m->env[i], v, name + 1))
			return perr(p, "Env %.*s is given twice (first on line %u)", (int)name, v, p->env_line[i]);
	if ((rc = add_string(p, m->env, &m->nenv, ZVM_MAX_ENV, v, "Env")) < 0)
		return rc;
	p->env_line[m->nenv - 1] = p->line;
	return 0;
}

static int parse_singular(struct parser *p, struct zvm_manifest *m, enum key_id id, const char *key,
			  const char *v)
{
	if (p->seen[id])
		return perr(p, "%s is given twice (first on line %u)", key, p->seen[id]);
	p->seen[id] = p->line;
	switch (id) {
	case K_PROGRAM:
		if (!*v)
			return perr(p, "Program is empty");
		m->program = resolve(p, v);
		return m->program ? 0 : -ENOMEM;
	case K_MEMORY:
		if (zvm_parse_bytes(v, &m->memory) < 0 || m->memory < MIN_MEMORY || m->memory > MAX_MEMORY)
			return perr(p, "Memory '%s' must be bytes (like 64M or 1 GiB) from 1M to 3G", v);
		m->given |= ZVM_GIVEN_MEMORY;
		return 0;
	case K_TIMEOUT:
	case K_CPUTIME:
		if (zvm_parse_seconds(v, id == K_TIMEOUT ? &m->timeout : &m->cpu_time) < 0)
			return perr(p, "%s '%s' must be seconds (like 2, 0.5 or 500ms) from 0.001 to 31536000", key, v);
		m->given |= id == K_TIMEOUT ? ZVM_GIVEN_TIMEOUT : ZVM_GIVEN_CPU_TIME;
		return 0;
	case K_DETERMINISTIC:
		if (strcmp(v, "yes") && strcmp(v, "no"))
			return perr(p, "Deterministic '%s' must be yes or no", v);
		m->deterministic = !strcmp(v, "yes");
		return 0;
	case K_SEED:
		return parse_u64(v, &m->seed) < 0 ? perr(p, "Seed '%s' must be an unsigned integer", v) : 0;
	case K_EPOCH:
		return parse_u64(v, &m->epoch_ns) < 0
			       ? perr(p, "Epoch '%s' must be nanoseconds since 1970 (an unsigned integer)", v) : 0;
	case K_SINGULAR:
		break;
	}
	return -EINVAL;
}

static const char *const singular_keys[K_SINGULAR] = {
	[K_PROGRAM] = "Program", [K_MEMORY] = "Memory", [K_TIMEOUT] = "Timeout", [K_CPUTIME] = "CpuTime",
	[K_DETERMINISTIC] = "Deterministic", [K_SEED] = "Seed", [K_EPOCH] = "Epoch",
};

static int parse_key(struct parser *p, struct zvm_manifest *m, const char *key, char *v)
{
	for (int id = 0; id < K_SINGULAR; id++)
		if (!strcmp(key, singular_keys[id]))
			return parse_singular(p, m, id, key, v);
	if (!strcmp(key, "Arg"))
		return add_string(p, m->args, &m->nargs, ZVM_MAX_ARGS, v, "Arg");
	if (!strcmp(key, "Env"))
		return parse_env(p, m, v);
	if (!strcmp(key, "Channel"))
		return parse_channel(p, m, v);
	if (!*key)
		return perr(p, "no key before '='");
	return perr(p, "unknown key '%s' (known: Program, Memory, Timeout, CpuTime, Deterministic, "
		       "Seed, Epoch, Arg, Env, Channel)", key);
}

/* ---- the whole text -------------------------------------------------------- */

static void set_defaults(struct zvm_manifest *m)
{
	memset(m, 0, sizeof(*m));
	m->memory = ZVM_DEFAULT_MEMORY;
	m->timeout = ZVM_DEFAULT_TIMEOUT;
	m->deterministic = true;
}

/* One line, without its newline: checked for length and bytes, then split. */
static int parse_one_line(struct parser *p, struct zvm_manifest *m, const char *s, size_t n)
{
	char line[MAX_LINE + 1], *key, *eq;

	if (n > MAX_LINE)
		return perr(p, "line longer than %d bytes", MAX_LINE);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		/* Values are echoed in messages and handed to the program: no
		 * NUL (it would cut a string) and no terminal control bytes. */
		if (ch == '\0')
			return perr(p, "NUL byte in line");
		if ((ch < 0x20 && ch != '\t' && !(ch == '\r' && i == n - 1)) || ch == 0x7f)
			return perr(p, "control character 0x%02x in line", ch);
	}
	memcpy(line, s, n);
	line[n] = '\0';
	key = trim(line);
	if (!*key || *key == '#')
		return 0;
	eq = strchr(key, '=');
	if (!eq)
		return perr(p, "expected 'Key = value'");
	*eq = '\0';
	return parse_key(p, m, trim(key), trim(eq + 1));
}

static int parse(const char *text, size_t len, struct parser *p, struct zvm_manifest *m)
{
	size_t pos = 0;
	int rc;

	set_defaults(m);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

		p->line++;
		if ((rc = parse_one_line(p, m, text + pos, n)) < 0)
			goto fail;
		pos += n + (nl ? 1 : 0);
	}
	if (!m->program) {
		p->line = p->line ? p->line : 1;
		rc = perr(p, "no Program line");
		goto fail;
	}
	if (m->cpu_time > m->timeout) {
		/* Name the later of the two lines: that is where the conflict appears. */
		p->line = p->seen[K_CPUTIME] > p->seen[K_TIMEOUT] ? p->seen[K_CPUTIME] : p->seen[K_TIMEOUT];
		rc = perr(p, "CpuTime %g exceeds Timeout %g", m->cpu_time, m->timeout);
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

/* Reads up to MAX_MANIFEST bytes; more is an error, never a cut. */
static int read_all(int fd, char **out, size_t *len)
{
	size_t cap = 4096, got = 0;
	char *buf = malloc(cap), *nb;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (got == cap) {
			if (cap > MAX_MANIFEST) {
				free(buf);
				return -EFBIG;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			return -e;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > MAX_MANIFEST) {
		free(buf);
		return -EFBIG;
	}
	*out = buf;
	*len = got;
	return 0;
}

int zvm_manifest_load(const char *path, struct zvm_manifest *m, char *err, size_t errlen)
{
	struct parser p = { .name = path, .err = err, .errlen = errlen };
	char *text = NULL, *dir = NULL, *slash;
	struct stat st;
	size_t len = 0;
	int fd, rc;

	set_defaults(m);
	do
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		rc = S_ISDIR(st.st_mode) ? -EISDIR : -errno;
		close(fd);
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	rc = read_all(fd, &text, &len);
	close(fd);
	if (rc < 0) {
		if (rc == -EFBIG)
			snprintf(err, errlen, "%s: larger than %u bytes", path, MAX_MANIFEST);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	/* A manifest from a pipe (/dev/stdin, <(...)) has no directory of its
	 * own: its relative paths stay relative to the current directory. */
	if (S_ISREG(st.st_mode) && (slash = strrchr(path, '/')) != NULL) {
		dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
		if (!dir) {
			free(text);
			return -ENOMEM;
		}
		p.dir = dir;
	}
	rc = parse(text, len, &p, m);
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
		bool in = i == 0;

		*c = (struct zvm_channel_decl){
			.type = ZVM_CHANNEL_SEQ_READ_SEQ_WRITE,
			.max_reads = in ? ZVM_NO_LIMIT : 0, .max_read_bytes = in ? ZVM_NO_LIMIT : 0,
			.max_writes = in ? 0 : ZVM_NO_LIMIT, .max_write_bytes = in ? 0 : ZVM_NO_LIMIT };
		m->nchannels = i + 1; /* so that zvm_manifest_free frees this one too */
		c->uri = strdup(stdio[i]);
		c->alias = strdup(stdio[i]);
		if (!c->uri || !c->alias) {
			zvm_manifest_free(m);
			return -ENOMEM;
		}
	}
	return 0;
}

void zvm_manifest_free(struct zvm_manifest *m)
{
	free(m->program);
	for (unsigned i = 0; i < m->nargs && i < ZVM_MAX_ARGS; i++)
		free(m->args[i]);
	for (unsigned i = 0; i < m->nenv && i < ZVM_MAX_ENV; i++)
		free(m->env[i]);
	for (unsigned i = 0; i < m->nchannels && i < ZVM_MAX_CHANNELS; i++) {
		free(m->channels[i].uri);
		free(m->channels[i].alias);
	}
	memset(m, 0, sizeof(*m));
}
