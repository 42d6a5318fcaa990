/*
 * protocol.c — encoding, decoding and moving zvmd's messages.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "protocol/protocol.h"

/* ---- tags ------------------------------------------------------------ */

enum submit_tag {
	S_IMAGE_FD = 1, S_IMAGE_DIGEST, S_MEMORY, S_TIMEOUT, S_CPU_TIME, S_DETERMINISTIC, S_SEED,
	S_EPOCH, S_ARG, S_ENV, S_CHANNEL, S_PROGRAM_NAME,
};

enum report_tag {
	R_STATE = 1, R_EXIT_CODE, R_SIGNAL, R_FAULT_ADDR, R_FAULT_PC, R_IN_SANDBOX, R_SYSCALL, R_SYSCALL_NR,
	R_RULE, R_OFFSET, R_INSTRUCTION, R_MESSAGE, R_WALL, R_CPU_USER, R_CPU_SYS, R_VALIDATE_S,
	R_CACHED, R_PEAK_RSS, R_HEAP_PEAK, R_HEAP_REFUSED, R_QUEUE_S, R_HANDOUT_S, R_CGROUP_PEAK,
	R_OOM, R_CHANNEL,
};

enum status_tag { T_POOL = 1, T_WARM, T_BUSY, T_QUEUED, T_QUEUE_MAX, T_JOBS, T_OK, T_FAILED, T_REJECTED, T_UPTIME };
enum error_tag { E_CODE = 1, E_TEXT };

/* ---- building --------------------------------------------------------- */

static void le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void le64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { uint32_t v = 0; for (int i = 3; i >= 0; i--) v = v << 8 | p[i]; return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = v << 8 | p[i]; return v; }

void zvm_msg_init(struct zvm_msg *m, enum zvm_msg_type type)
{
	memset(m, 0, sizeof(*m));
	m->cap = 1024;
	m->buf = calloc(1, m->cap);
	if (!m->buf) {
		m->err = -ENOMEM;
		return;
	}
	le32(m->buf, ZVM_PROTO_MAGIC);
	le16(m->buf + 4, ZVM_PROTO_VERSION);
	le16(m->buf + 6, (uint16_t)type);
	m->len = ZVM_PROTO_HEADER;
}

void zvm_msg_free(struct zvm_msg *m)
{
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

void zvm_msg_put(struct zvm_msg *m, uint16_t tag, const void *v, uint32_t len)
{
	size_t need = m->len + 6 + (size_t)len;

	if (m->err)
		return;
	if (need - ZVM_PROTO_HEADER > ZVM_PROTO_MAX) {
		m->err = -EMSGSIZE;
		return;
	}
	if (need > m->cap) {
		size_t cap = m->cap;
		uint8_t *b;
		while (cap < need)
			cap *= 2;
		b = realloc(m->buf, cap);
		if (!b) {
			m->err = -ENOMEM;
			return;
		}
		m->buf = b;
		m->cap = cap;
	}
	le16(m->buf + m->len, tag);
	le32(m->buf + m->len + 2, len);
	if (len)
		memcpy(m->buf + m->len + 6, v, len);
	m->len = need;
}

void zvm_msg_put_u32(struct zvm_msg *m, uint16_t tag, uint32_t v)
{
	uint8_t b[4];
	le32(b, v);
	zvm_msg_put(m, tag, b, 4);
}

void zvm_msg_put_u64(struct zvm_msg *m, uint16_t tag, uint64_t v)
{
	uint8_t b[8];
	le64(b, v);
	zvm_msg_put(m, tag, b, 8);
}

void zvm_msg_put_f64(struct zvm_msg *m, uint16_t tag, double v)
{
	uint64_t u;
	memcpy(&u, &v, 8);
	zvm_msg_put_u64(m, tag, u);
}

void zvm_msg_put_str(struct zvm_msg *m, uint16_t tag, const char *s)
{
	zvm_msg_put(m, tag, s, (uint32_t)strlen(s));
}

int zvm_msg_finish(struct zvm_msg *m)
{
	if (m->err)
		return m->err;
	le32(m->buf + 8, (uint32_t)(m->len - ZVM_PROTO_HEADER));
	le32(m->buf + 12, 0);
	return 0;
}

int zvm_proto_encode_submit(struct zvm_msg *m, const struct zvm_job_request *j)
{
	zvm_msg_init(m, ZVM_MSG_SUBMIT);
	if (j->by_digest)
		zvm_msg_put(m, S_IMAGE_DIGEST, j->digest, 32);
	else
		zvm_msg_put_u32(m, S_IMAGE_FD, (uint32_t)j->image_fd_index);
	if (j->program_name[0])
		zvm_msg_put_str(m, S_PROGRAM_NAME, j->program_name);
	if (j->memory)
		zvm_msg_put_u64(m, S_MEMORY, j->memory);
	if (j->timeout > 0)
		zvm_msg_put_f64(m, S_TIMEOUT, j->timeout);
	if (j->cpu_time > 0)
		zvm_msg_put_f64(m, S_CPU_TIME, j->cpu_time);
	zvm_msg_put_u32(m, S_DETERMINISTIC, j->deterministic);
	zvm_msg_put_u64(m, S_SEED, j->seed);
	zvm_msg_put_u64(m, S_EPOCH, j->epoch_ns);
	for (unsigned i = 0; i < j->nargs; i++)
		zvm_msg_put_str(m, S_ARG, j->args[i]);
	for (unsigned i = 0; i < j->nenv; i++)
		zvm_msg_put_str(m, S_ENV, j->env[i]);
	for (unsigned i = 0; i < j->nchannels; i++) {
		uint8_t b[40 + 64];
		size_t al = strlen(j->ch[i].alias);
		le32(b, j->ch[i].fd_index);
		le32(b + 4, j->ch[i].type);
		le64(b + 8, j->ch[i].max_reads);
		le64(b + 16, j->ch[i].max_read_bytes);
		le64(b + 24, j->ch[i].max_writes);
		le64(b + 32, j->ch[i].max_write_bytes);
		memcpy(b + 40, j->ch[i].alias, al);
		zvm_msg_put(m, S_CHANNEL, b, (uint32_t)(40 + al));
	}
	return zvm_msg_finish(m);
}

int zvm_proto_encode_report(struct zvm_msg *m, const struct zvm_report *r)
{
	zvm_msg_init(m, ZVM_MSG_REPORT);
	zvm_msg_put_u32(m, R_STATE, r->state);
	zvm_msg_put_u32(m, R_EXIT_CODE, (uint32_t)r->exit_code);
	zvm_msg_put_u32(m, R_SIGNAL, (uint32_t)r->signal);
	zvm_msg_put_u64(m, R_FAULT_ADDR, r->fault_addr);
	zvm_msg_put_u64(m, R_FAULT_PC, r->fault_pc);
	zvm_msg_put_u32(m, R_IN_SANDBOX, r->fault_in_sandbox);
	zvm_msg_put_str(m, R_SYSCALL, r->syscall_name);
	zvm_msg_put_u32(m, R_SYSCALL_NR, (uint32_t)r->syscall_nr);
	if (r->verdict.rule)
		zvm_msg_put_str(m, R_RULE, r->verdict.rule);
	zvm_msg_put_u64(m, R_OFFSET, r->verdict.offset);
	zvm_msg_put_str(m, R_INSTRUCTION, r->verdict.disasm);
	zvm_msg_put_str(m, R_MESSAGE, r->message);
	zvm_msg_put_f64(m, R_WALL, r->wall_s);
	zvm_msg_put_f64(m, R_CPU_USER, r->cpu_user_s);
	zvm_msg_put_f64(m, R_CPU_SYS, r->cpu_sys_s);
	zvm_msg_put_f64(m, R_VALIDATE_S, r->validate_s);
	zvm_msg_put_u32(m, R_CACHED, r->validation_cached);
	zvm_msg_put_u64(m, R_PEAK_RSS, r->peak_rss_kib);
	zvm_msg_put_u64(m, R_HEAP_PEAK, r->heap_peak);
	zvm_msg_put_u32(m, R_HEAP_REFUSED, r->heap_refused);
	zvm_msg_put_f64(m, R_QUEUE_S, r->queue_s);
	zvm_msg_put_f64(m, R_HANDOUT_S, r->handout_s);
	zvm_msg_put_u64(m, R_CGROUP_PEAK, r->cgroup_peak);
	zvm_msg_put_u32(m, R_OOM, r->oom);
	for (unsigned i = 0; i < r->nchannels && i < 64; i++) {
		const struct zvm_channel_report *c = &r->ch[i];
		uint8_t b[33 + 32 + 64];
		size_t al = strnlen(c->alias, sizeof(c->alias));
		le64(b, c->reads);
		le64(b + 8, c->read_bytes);
		le64(b + 16, c->writes);
		le64(b + 24, c->write_bytes);
		b[32] = c->limit_hit;
		memcpy(b + 33, c->sha256, 32);
		memcpy(b + 65, c->alias, al);
		zvm_msg_put(m, R_CHANNEL, b, (uint32_t)(65 + al));
	}
	return zvm_msg_finish(m);
}

int zvm_proto_encode_status(struct zvm_msg *m, const struct zvm_status *s)
{
	zvm_msg_init(m, ZVM_MSG_STATUS_REPLY);
	zvm_msg_put_u32(m, T_POOL, s->pool);
	zvm_msg_put_u32(m, T_WARM, s->warm);
	zvm_msg_put_u32(m, T_BUSY, s->busy);
	zvm_msg_put_u32(m, T_QUEUED, s->queued);
	zvm_msg_put_u32(m, T_QUEUE_MAX, s->queue_max);
	zvm_msg_put_u64(m, T_JOBS, s->jobs);
	zvm_msg_put_u64(m, T_OK, s->ok);
	zvm_msg_put_u64(m, T_FAILED, s->failed);
	zvm_msg_put_u64(m, T_REJECTED, s->busy_rejected);
	zvm_msg_put_f64(m, T_UPTIME, s->uptime_s);
	return zvm_msg_finish(m);
}

int zvm_proto_encode_error(struct zvm_msg *m, int code, const char *text)
{
	zvm_msg_init(m, ZVM_MSG_ERROR);
	zvm_msg_put_u32(m, E_CODE, (uint32_t)code);
	zvm_msg_put(m, E_TEXT, text, (uint32_t)strnlen(text, 1024));
	return zvm_msg_finish(m);
}

int zvm_proto_encode_digest(struct zvm_msg *m, const uint8_t digest[32])
{
	zvm_msg_init(m, ZVM_MSG_DIGEST);
	zvm_msg_put(m, 1, digest, 32);
	return zvm_msg_finish(m);
}

/* ---- parsing ---------------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

int zvm_proto_check_header(const uint8_t *h, size_t len, uint16_t *type, char *err, size_t errlen)
{
	uint32_t plen;

	if (len < ZVM_PROTO_HEADER)
		return bad(err, errlen, "truncated header (%zu bytes)", len);
	if (rd32(h) != ZVM_PROTO_MAGIC)
		return bad(err, errlen, "bad magic 0x%08x", rd32(h));
	if (rd16(h + 4) != ZVM_PROTO_VERSION) {
		if (err)
			snprintf(err, errlen, "protocol version %u is not supported (this is version %u)", rd16(h + 4),
				 ZVM_PROTO_VERSION);
		return -EPROTONOSUPPORT;
	}
	plen = rd32(h + 8);
	if (plen > ZVM_PROTO_MAX) {
		if (err)
			snprintf(err, errlen, "message of %u bytes exceeds the maximum %u", plen, ZVM_PROTO_MAX);
		return -EMSGSIZE;
	}
	if (rd32(h + 12) != 0)
		return bad(err, errlen, "reserved header field is not zero");
	*type = rd16(h + 6);
	return (int)plen;
}

struct field {
	uint16_t tag;
	uint32_t len;
	const uint8_t *v;
	size_t at;
};

/* Iterates fields; returns 1 with *f, 0 at the end, <0 if malformed. */
static int next(const uint8_t *p, size_t len, size_t *pos, struct field *f, char *err, size_t errlen)
{
	if (*pos == len)
		return 0;
	if (len - *pos < 6)
		return bad(err, errlen, "truncated field header at offset %zu", *pos);
	f->tag = rd16(p + *pos);
	f->len = rd32(p + *pos + 2);
	f->at = *pos;
	if (f->len > len - *pos - 6)
		return bad(err, errlen, "field %u at offset %zu: length %u runs past the message", f->tag, *pos, f->len);
	f->v = p + *pos + 6;
	*pos += 6 + (size_t)f->len;
	return 1;
}

static int want_len(const struct field *f, uint32_t n, char *err, size_t errlen)
{
	return f->len == n ? 0 : bad(err, errlen, "field %u at offset %zu: %u bytes, expected %u", f->tag, f->at, f->len, n);
}

static int get_string(const struct field *f, char *out, size_t cap, char *err, size_t errlen)
{
	if (f->len >= cap)
		return bad(err, errlen, "field %u at offset %zu: string of %u bytes, at most %zu", f->tag, f->at, f->len,
			   cap - 1);
	if (memchr(f->v, '\0', f->len))
		return bad(err, errlen, "field %u at offset %zu: NUL byte in a string", f->tag, f->at);
	memcpy(out, f->v, f->len);
	out[f->len] = '\0';
	return 0;
}

static double f64(const uint8_t *p)
{
	uint64_t u = rd64(p);
	double d;
	memcpy(&d, &u, 8);
	return d;
}

#define ONCE(bit)                                                                                  \
	do {                                                                                       \
		if (seen & (1u << (bit)))                                                          \
			return bad(err, errlen, "field %u at offset %zu given twice", f.tag, f.at); \
		seen |= 1u << (bit);                                                               \
	} while (0)

void zvm_job_request_free(struct zvm_job_request *j)
{
	for (unsigned i = 0; i < j->nargs; i++)
		free(j->args[i]);
	for (unsigned i = 0; i < j->nenv; i++)
		free(j->env[i]);
	j->nargs = j->nenv = 0;
}

static int decode_submit(const uint8_t *p, size_t len, unsigned nfds, struct zvm_job_request *j,
			 char *err, size_t errlen)
{
	struct field f;
	size_t pos = 0;
	uint32_t seen = 0;
	int rc;

	while ((rc = next(p, len, &pos, &f, err, errlen)) == 1) {
		switch (f.tag) {
		case S_IMAGE_FD:
			ONCE(S_IMAGE_FD);
			if ((rc = want_len(&f, 4, err, errlen)) < 0)
				return rc;
			j->image_fd_index = (int)rd32(f.v);
			if ((unsigned)j->image_fd_index >= nfds)
				return bad(err, errlen, "image fd index %d but %u fds passed", j->image_fd_index, nfds);
			break;
		case S_IMAGE_DIGEST:
			ONCE(S_IMAGE_DIGEST);
			if ((rc = want_len(&f, 32, err, errlen)) < 0)
				return rc;
			memcpy(j->digest, f.v, 32);
			j->by_digest = true;
			break;
		case S_PROGRAM_NAME:
			ONCE(S_PROGRAM_NAME);
			if ((rc = get_string(&f, j->program_name, sizeof(j->program_name), err, errlen)) < 0)
				return rc;
			break;
		case S_MEMORY: case S_SEED: case S_EPOCH:
			ONCE(f.tag);
			if ((rc = want_len(&f, 8, err, errlen)) < 0)
				return rc;
			*(f.tag == S_MEMORY ? &j->memory : f.tag == S_SEED ? &j->seed : &j->epoch_ns) = rd64(f.v);
			break;
		case S_TIMEOUT: case S_CPU_TIME: {
			double d;
			ONCE(f.tag);
			if ((rc = want_len(&f, 8, err, errlen)) < 0)
				return rc;
			d = f64(f.v);
			if (!(d > 0 && d < 1e7))
				return bad(err, errlen, "field %u: seconds must be positive and finite", f.tag);
			*(f.tag == S_TIMEOUT ? &j->timeout : &j->cpu_time) = d;
			break;
		}
		case S_DETERMINISTIC:
			ONCE(S_DETERMINISTIC);
			if ((rc = want_len(&f, 4, err, errlen)) < 0)
				return rc;
			j->deterministic = rd32(f.v) != 0;
			break;
		case S_ARG: case S_ENV: {
			char **arr = f.tag == S_ARG ? j->args : j->env;
			unsigned *n = f.tag == S_ARG ? &j->nargs : &j->nenv, max = f.tag == S_ARG ? ZVM_MAX_ARGS : ZVM_MAX_ENV;
			if (*n == max)
				return bad(err, errlen, "more than %u %s fields", max, f.tag == S_ARG ? "argument" : "environment");
			if (memchr(f.v, '\0', f.len))
				return bad(err, errlen, "field %u at offset %zu: NUL byte in a string", f.tag, f.at);
			arr[*n] = strndup((const char *)f.v, f.len);
			if (!arr[*n])
				return -ENOMEM;
			(*n)++;
			break;
		}
		case S_CHANNEL: {
			unsigned i = j->nchannels;
			if (i == ZVM_MAX_CHANNELS)
				return bad(err, errlen, "more than %d channels", ZVM_MAX_CHANNELS);
			if (f.len < 41 || f.len > 40 + 63)
				return bad(err, errlen, "channel field at offset %zu: %u bytes", f.at, f.len);
			j->ch[i].fd_index = rd32(f.v);
			j->ch[i].type = rd32(f.v + 4);
			j->ch[i].max_reads = rd64(f.v + 8);
			j->ch[i].max_read_bytes = rd64(f.v + 16);
			j->ch[i].max_writes = rd64(f.v + 24);
			j->ch[i].max_write_bytes = rd64(f.v + 32);
			if (j->ch[i].type > 3)
				return bad(err, errlen, "channel %u: type %u", i, j->ch[i].type);
			if (j->ch[i].fd_index >= nfds)
				return bad(err, errlen, "channel %u: fd index %u but %u fds passed", i, j->ch[i].fd_index, nfds);
			if (memchr(f.v + 40, '\0', f.len - 40) || f.v[40] != '/')
				return bad(err, errlen, "channel %u: alias must be an absolute name", i);
			memcpy(j->ch[i].alias, f.v + 40, f.len - 40);
			j->ch[i].alias[f.len - 40] = '\0';
			j->nchannels++;
			break;
		}
		default:
			return bad(err, errlen, "unknown field %u at offset %zu", f.tag, f.at);
		}
	}
	if (rc < 0)
		return rc;
	if (!(seen & (1u << S_IMAGE_FD)) == !j->by_digest)
		return bad(err, errlen, "a job names its image either by fd or by digest, exactly once");
	return 0;
}

int zvm_proto_decode_submit(const uint8_t *p, size_t len, unsigned nfds, struct zvm_job_request *j,
			    char *err, size_t errlen)
{
	int rc;

	memset(j, 0, sizeof(*j));
	j->image_fd_index = -1;
	j->deterministic = true;
	rc = decode_submit(p, len, nfds, j, err, errlen);
	if (rc < 0)
		zvm_job_request_free(j);
	return rc;
}

int zvm_proto_decode_report(const uint8_t *p, size_t len, struct zvm_report *r, char *err, size_t errlen)
{
	static char rule[64];
	struct field f;
	size_t pos = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	r->from_daemon = true;
	while ((rc = next(p, len, &pos, &f, err, errlen)) == 1) {
		bool text = f.tag == R_SYSCALL || f.tag == R_RULE || f.tag == R_INSTRUCTION || f.tag == R_MESSAGE ||
			    f.tag == R_CHANNEL;
		bool real = f.tag == R_WALL || f.tag == R_CPU_USER || f.tag == R_CPU_SYS || f.tag == R_VALIDATE_S ||
			    f.tag == R_QUEUE_S || f.tag == R_HANDOUT_S;
		uint64_t v;

		/* lengths first: nothing is read from a field of the wrong size */
		if (f.tag <= R_CHANNEL && !text && (real ? f.len != 8 : f.len != 4 && f.len != 8))
			return bad(err, errlen, "field %u at offset %zu: %u bytes", f.tag, f.at, f.len);
		v = f.len == 8 ? rd64(f.v) : f.len == 4 ? rd32(f.v) : 0;
		switch (f.tag) {
		case R_STATE: r->state = v <= ZVM_STATE_INTERNAL_ERROR ? (enum zvm_state)v : ZVM_STATE_INTERNAL_ERROR; break;
		case R_EXIT_CODE: r->exit_code = (int32_t)v; break;
		case R_SIGNAL: r->signal = (int32_t)v; break;
		case R_FAULT_ADDR: r->fault_addr = v; break;
		case R_FAULT_PC: r->fault_pc = v; break;
		case R_IN_SANDBOX: r->fault_in_sandbox = v; break;
		case R_SYSCALL: if ((rc = get_string(&f, r->syscall_name, sizeof(r->syscall_name), err, errlen)) < 0) return rc; break;
		case R_SYSCALL_NR: r->syscall_nr = (int32_t)v; break;
		case R_RULE: if ((rc = get_string(&f, rule, sizeof(rule), err, errlen)) < 0) return rc; r->verdict.rule = rule; break;
		case R_OFFSET: r->verdict.offset = v; break;
		case R_INSTRUCTION: if ((rc = get_string(&f, r->verdict.disasm, sizeof(r->verdict.disasm), err, errlen)) < 0) return rc; break;
		case R_MESSAGE: if ((rc = get_string(&f, r->message, sizeof(r->message), err, errlen)) < 0) return rc; break;
		case R_WALL: r->wall_s = f64(f.v); break;
		case R_CPU_USER: r->cpu_user_s = f64(f.v); break;
		case R_CPU_SYS: r->cpu_sys_s = f64(f.v); break;
		case R_VALIDATE_S: r->validate_s = f64(f.v); break;
		case R_CACHED: r->validation_cached = v; break;
		case R_PEAK_RSS: r->peak_rss_kib = v; break;
		case R_HEAP_PEAK: r->heap_peak = v; break;
		case R_HEAP_REFUSED: r->heap_refused = (uint32_t)v; break;
		case R_QUEUE_S: r->queue_s = f64(f.v); break;
		case R_HANDOUT_S: r->handout_s = f64(f.v); break;
		case R_CGROUP_PEAK: r->cgroup_peak = v; break;
		case R_OOM: r->oom = v; break;
		case R_CHANNEL: {
			struct zvm_channel_report *c;
			if (r->nchannels == 64 || f.len < 65 || f.len > 65 + 63)
				return bad(err, errlen, "channel report at offset %zu", f.at);
			c = &r->ch[r->nchannels++];
			c->reads = rd64(f.v);
			c->read_bytes = rd64(f.v + 8);
			c->writes = rd64(f.v + 16);
			c->write_bytes = rd64(f.v + 24);
			c->limit_hit = f.v[32];
			memcpy(c->sha256, f.v + 33, 32);
			memcpy(c->alias, f.v + 65, f.len - 65);
			c->alias[f.len - 65] = '\0';
			break;
		}
		default:
			break; /* newer daemons may add fields: a report stays readable */
		}
	}
	return rc;
}

int zvm_proto_decode_status(const uint8_t *p, size_t len, struct zvm_status *s, char *err, size_t errlen)
{
	struct field f;
	size_t pos = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	while ((rc = next(p, len, &pos, &f, err, errlen)) == 1) {
		uint64_t v = f.len == 8 ? rd64(f.v) : f.len == 4 ? rd32(f.v) : 0;
		switch (f.tag) {
		case T_POOL: s->pool = (uint32_t)v; break;
		case T_WARM: s->warm = (uint32_t)v; break;
		case T_BUSY: s->busy = (uint32_t)v; break;
		case T_QUEUED: s->queued = (uint32_t)v; break;
		case T_QUEUE_MAX: s->queue_max = (uint32_t)v; break;
		case T_JOBS: s->jobs = v; break;
		case T_OK: s->ok = v; break;
		case T_FAILED: s->failed = v; break;
		case T_REJECTED: s->busy_rejected = v; break;
		case T_UPTIME: if (f.len == 8) s->uptime_s = f64(f.v); break;
		default: break;
		}
	}
	return rc;
}

int zvm_proto_decode_error(const uint8_t *p, size_t len, int *code, char *text, size_t textlen)
{
	struct field f;
	size_t pos = 0;
	int rc;

	*code = ZVM_ERR_INTERNAL;
	text[0] = '\0';
	while ((rc = next(p, len, &pos, &f, NULL, 0)) == 1) {
		if (f.tag == E_CODE && f.len == 4)
			*code = (int)rd32(f.v);
		else if (f.tag == E_TEXT) {
			size_t n = f.len < textlen - 1 ? f.len : textlen - 1;
			memcpy(text, f.v, n);
			text[n] = '\0';
			for (size_t i = 0; i < n; i++)
				if (text[i] == '\0')
					text[i] = '?';
		}
	}
	return rc;
}

int zvm_proto_decode_digest(const uint8_t *p, size_t len, uint8_t digest[32])
{
	struct field f;
	size_t pos = 0;

	if (next(p, len, &pos, &f, NULL, 0) != 1 || f.tag != 1 || f.len != 32)
		return -EBADMSG;
	memcpy(digest, f.v, 32);
	return 0;
}

/* ---- moving ----------------------------------------------------------- */

int zvm_proto_send(int sock, const struct zvm_msg *m, const int *fds, unsigned nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * ZVM_PROTO_MAX_FDS)];
	size_t off = 0;

	if (nfds > ZVM_PROTO_MAX_FDS)
		return -E2BIG;
	while (off < m->len) {
		struct iovec iov = { m->buf + off, m->len - off };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;
		if (off == 0 && nfds) {
			struct cmsghdr *c;
			memset(cbuf, 0, sizeof(cbuf));
			msg.msg_control = cbuf;
			msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
			c = CMSG_FIRSTHDR(&msg);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
			memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
		}
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		off += (size_t)n;
	}
	return 0;
}

static int read_full(int sock, uint8_t *p, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(sock, p + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		got += (size_t)n;
	}
	return 0;
}

int zvm_proto_recv(int sock, uint16_t *type, uint8_t **payload, size_t *len, int *fds, unsigned max_fds,
		   unsigned *nfds, char *err, size_t errlen)
{
	uint8_t h[ZVM_PROTO_HEADER];
	char cbuf[CMSG_SPACE(sizeof(int) * ZVM_PROTO_MAX_FDS)];
	struct iovec iov = { h, sizeof(h) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	size_t got;
	ssize_t n;
	int plen, rc;

	*nfds = 0;
	*payload = NULL;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*nfds < max_fds)
				fds[(*nfds)++] = fd;
			else
				close(fd); /* more than we take: never keep what we do not use */
		}
	}
	got = (size_t)n;
	if (got < sizeof(h) && (rc = read_full(sock, h + got, sizeof(h) - got)) < 0)
		goto fail;
	plen = zvm_proto_check_header(h, sizeof(h), type, err, errlen);
	if (plen < 0) {
		rc = plen;
		goto fail;
	}
	*payload = malloc((size_t)plen + 1);
	if (!*payload) {
		rc = -ENOMEM;
		goto fail;
	}
	if ((rc = read_full(sock, *payload, (size_t)plen)) < 0)
		goto fail;
	*len = (size_t)plen;
	return 0;
fail:
	free(*payload);
	*payload = NULL;
	for (unsigned i = 0; i < *nfds; i++)
		close(fds[i]);
	*nfds = 0;
	if (rc == -ECONNRESET && err && !err[0])
		snprintf(err, errlen, "connection closed mid-message");
	return rc;
}
