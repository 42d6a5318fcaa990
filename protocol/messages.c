/*
 * messages.c — what the fields of each message are (docs/protocol.md).
 * SUBMIT (and UPLOAD), REPORT and STATUS_REPLY are one table each, walked
 * by table.c both ways; ERROR and DIGEST are two fields, decoded by hand
 * because a client reads an ERROR as leniently as it can.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/wire.h"

#define AT(type, member) offsetof(type, member)
#define SZ(type, member) sizeof(((type *)0)->member)

/* a struct member stored by the table as a 4-byte integer */
#define FOUR(type, member) _Static_assert(SZ(type, member) == 4, #member " is not 4 bytes")

/* ---- SUBMIT ------------------------------------------------------------ */

typedef struct zvm_job_request JR;
typedef __typeof__(((JR *)0)->ch[0]) JRCH;
FOUR(JR, image_fd_index);
FOUR(JRCH, fd_index);
FOUR(JRCH, type);

static const struct zvm_field submit_channel[] = {
	{ .kind = ZF_FD, .name = "fd", .off = AT(JRCH, fd_index) },
	{ .kind = ZF_U32, .name = "type", .off = AT(JRCH, type), .max_value = 3 },
	{ .kind = ZF_U64, .name = "gets", .off = AT(JRCH, max_reads) },
	{ .kind = ZF_U64, .name = "get_size", .off = AT(JRCH, max_read_bytes) },
	{ .kind = ZF_U64, .name = "puts", .off = AT(JRCH, max_writes) },
	{ .kind = ZF_U64, .name = "put_size", .off = AT(JRCH, max_write_bytes) },
	{ .kind = ZF_STR, .flags = ZF_ABSOLUTE, .name = "alias", .off = AT(JRCH, alias), .max_len = SZ(JRCH, alias) - 1 },
};

/* In the order the encoder writes them (the order of docs/protocol.md's
 * examples and of older clients: a byte-for-byte stable encoding). */
static const struct zvm_field submit_fields[] = {
	{ .tag = 1, .kind = ZF_FD, .flags = ZF_UNLESS_FLAG, .name = "image fd", .off = AT(JR, image_fd_index), .flag_off = AT(JR, by_digest) },
	{ .tag = 2, .kind = ZF_BYTES, .flags = ZF_IF_FLAG, .name = "image digest", .off = AT(JR, digest), .flag_off = AT(JR, by_digest), .max_len = 32 },
	{ .tag = 12, .kind = ZF_STR, .flags = ZF_OMIT_ZERO, .name = "program name", .off = AT(JR, program_name), .max_len = SZ(JR, program_name) - 1 },
	{ .tag = 3, .kind = ZF_U64, .flags = ZF_OMIT_ZERO, .name = "memory", .off = AT(JR, memory) },
	{ .tag = 4, .kind = ZF_F64, .flags = ZF_OMIT_ZERO | ZF_SECONDS, .name = "timeout", .off = AT(JR, timeout) },
	{ .tag = 5, .kind = ZF_F64, .flags = ZF_OMIT_ZERO | ZF_SECONDS, .name = "cpu time", .off = AT(JR, cpu_time) },
	{ .tag = 6, .kind = ZF_BOOL, .flags = 0, .name = "deterministic", .off = AT(JR, deterministic) },
	{ .tag = 7, .kind = ZF_U64, .flags = 0, .name = "seed", .off = AT(JR, seed) },
	{ .tag = 8, .kind = ZF_U64, .flags = 0, .name = "epoch", .off = AT(JR, epoch_ns) },
	{ .tag = 9, .kind = ZF_STRDUP, .flags = ZF_REPEATED, .name = "argument", .off = AT(JR, args), .count_off = AT(JR, nargs), .elem_size = sizeof(char *), .max_count = ZVM_MAX_ARGS },
	{ .tag = 10, .kind = ZF_STRDUP, .flags = ZF_REPEATED, .name = "environment", .off = AT(JR, env), .count_off = AT(JR, nenv), .elem_size = sizeof(char *), .max_count = ZVM_MAX_ENV },
	{ .tag = 11, .kind = ZF_RECORD, .flags = ZF_REPEATED, .name = "channel", .off = AT(JR, ch), .count_off = AT(JR, nchannels), .elem_size = sizeof(JRCH),
	  .max_count = ZVM_MAX_CHANNELS,
	  .members = submit_channel, .nmembers = sizeof(submit_channel) / sizeof(submit_channel[0]) },
};

const struct zvm_msg_desc zvm_submit_desc = {
	.type = ZVM_MSG_SUBMIT, .fields = submit_fields, .nfields = sizeof(submit_fields) / sizeof(submit_fields[0]),
};

/* ---- REPORT -------------------------------------------------------------- */

typedef struct zvm_report RP;
typedef struct zvm_channel_report RPCH;
FOUR(RP, state);
FOUR(RP, exit_code);
FOUR(RP, signal);
FOUR(RP, syscall_nr);
FOUR(RP, heap_refused);

/* verdict.rule is a pointer into the validator's own names: a decoded one
 * points here (one report decoded at a time, as before) */
static char rule_store[64];

static const struct zvm_field report_channel[] = {
	{ .kind = ZF_U64, .name = "reads", .off = AT(RPCH, reads) },
	{ .kind = ZF_U64, .name = "read bytes", .off = AT(RPCH, read_bytes) },
	{ .kind = ZF_U64, .name = "writes", .off = AT(RPCH, writes) },
	{ .kind = ZF_U64, .name = "write bytes", .off = AT(RPCH, write_bytes) },
	{ .kind = ZF_BOOL, .name = "limit reached", .off = AT(RPCH, limit_hit) },
	{ .kind = ZF_BYTES, .name = "sha256", .off = AT(RPCH, sha256), .max_len = 32 },
	{ .kind = ZF_STR, .name = "alias", .off = AT(RPCH, alias), .max_len = SZ(RPCH, alias) - 1 },
};

static const struct zvm_field report_fields[] = {
	{ .tag = 1, .kind = ZF_U32, .flags = ZF_CLAMP, .name = "state", .off = AT(RP, state), .max_value = ZVM_STATE_INTERNAL_ERROR },
	{ .tag = 2, .kind = ZF_U32, .flags = 0, .name = "exit code", .off = AT(RP, exit_code) },
	{ .tag = 3, .kind = ZF_U32, .flags = 0, .name = "signal", .off = AT(RP, signal) },
	{ .tag = 4, .kind = ZF_U64, .flags = 0, .name = "fault address", .off = AT(RP, fault_addr) },
	{ .tag = 5, .kind = ZF_U64, .flags = 0, .name = "fault pc", .off = AT(RP, fault_pc) },
	{ .tag = 6, .kind = ZF_BOOL, .flags = 0, .name = "fault in sandbox", .off = AT(RP, fault_in_sandbox) },
	{ .tag = 7, .kind = ZF_STR, .flags = 0, .name = "syscall name", .off = AT(RP, syscall_name), .max_len = SZ(RP, syscall_name) - 1 },
	{ .tag = 8, .kind = ZF_U32, .flags = 0, .name = "syscall number", .off = AT(RP, syscall_nr) },
	{ .tag = 9, .kind = ZF_STRPTR, .flags = ZF_OMIT_ZERO, .name = "validation rule", .off = AT(RP, verdict.rule), .max_len = sizeof(rule_store) - 1,
	  .store = rule_store },
	{ .tag = 10, .kind = ZF_U64, .flags = 0, .name = "offset", .off = AT(RP, verdict.offset) },
	{ .tag = 11, .kind = ZF_STR, .flags = 0, .name = "instruction", .off = AT(RP, verdict.disasm), .max_len = SZ(RP, verdict.disasm) - 1 },
	{ .tag = 12, .kind = ZF_STR, .flags = 0, .name = "message", .off = AT(RP, message), .max_len = SZ(RP, message) - 1 },
	{ .tag = 13, .kind = ZF_F64, .flags = 0, .name = "wall s", .off = AT(RP, wall_s) },
	{ .tag = 14, .kind = ZF_F64, .flags = 0, .name = "cpu user s", .off = AT(RP, cpu_user_s) },
	{ .tag = 15, .kind = ZF_F64, .flags = 0, .name = "cpu system s", .off = AT(RP, cpu_sys_s) },
	{ .tag = 16, .kind = ZF_F64, .flags = 0, .name = "validation s", .off = AT(RP, validate_s) },
	{ .tag = 17, .kind = ZF_BOOL, .flags = 0, .name = "validation cached", .off = AT(RP, validation_cached) },
	{ .tag = 18, .kind = ZF_U64, .flags = 0, .name = "peak rss KiB", .off = AT(RP, peak_rss_kib) },
	{ .tag = 19, .kind = ZF_U64, .flags = 0, .name = "heap peak", .off = AT(RP, heap_peak) },
	{ .tag = 20, .kind = ZF_U32, .flags = 0, .name = "heap refused", .off = AT(RP, heap_refused) },
	{ .tag = 21, .kind = ZF_F64, .flags = 0, .name = "queue s", .off = AT(RP, queue_s) },
	{ .tag = 22, .kind = ZF_F64, .flags = 0, .name = "hand-out s", .off = AT(RP, handout_s) },
	{ .tag = 23, .kind = ZF_U64, .flags = 0, .name = "cgroup peak", .off = AT(RP, cgroup_peak) },
	{ .tag = 24, .kind = ZF_BOOL, .flags = 0, .name = "oom", .off = AT(RP, oom) },
	{ .tag = 25, .kind = ZF_RECORD, .flags = ZF_REPEATED, .name = "channel", .off = AT(RP, ch), .count_off = AT(RP, nchannels),
	  .elem_size = sizeof(RPCH), .max_count = SZ(RP, ch) / sizeof(RPCH), .members = report_channel,
	  .nmembers = sizeof(report_channel) / sizeof(report_channel[0]) },
};

/* a newer daemon may add fields and widen numbers: a report stays readable */
const struct zvm_msg_desc zvm_report_desc = {
	.type = ZVM_MSG_REPORT, .fields = report_fields, .nfields = sizeof(report_fields) / sizeof(report_fields[0]),
	.ignore_unknown = true, .widen_ints = true,
};

/* ---- STATUS_REPLY -------------------------------------------------------- */

typedef struct zvm_status ST;

static const struct zvm_field status_fields[] = {
	{ .tag = 1, .kind = ZF_U32, .flags = 0, .name = "pool", .off = AT(ST, pool) },
	{ .tag = 2, .kind = ZF_U32, .flags = 0, .name = "warm", .off = AT(ST, warm) },
	{ .tag = 3, .kind = ZF_U32, .flags = 0, .name = "busy", .off = AT(ST, busy) },
	{ .tag = 4, .kind = ZF_U32, .flags = 0, .name = "queued", .off = AT(ST, queued) },
	{ .tag = 5, .kind = ZF_U32, .flags = 0, .name = "queue maximum", .off = AT(ST, queue_max) },
	{ .tag = 6, .kind = ZF_U64, .flags = 0, .name = "jobs", .off = AT(ST, jobs) },
	{ .tag = 7, .kind = ZF_U64, .flags = 0, .name = "ok", .off = AT(ST, ok) },
	{ .tag = 8, .kind = ZF_U64, .flags = 0, .name = "failed", .off = AT(ST, failed) },
	{ .tag = 9, .kind = ZF_U64, .flags = 0, .name = "refused busy", .off = AT(ST, busy_rejected) },
	{ .tag = 10, .kind = ZF_F64, .flags = 0, .name = "uptime", .off = AT(ST, uptime_s) },
};

const struct zvm_msg_desc zvm_status_desc = {
	.type = ZVM_MSG_STATUS_REPLY, .fields = status_fields,
	.nfields = sizeof(status_fields) / sizeof(status_fields[0]), .ignore_unknown = true, .widen_ints = true,
};

/* ---- the public encoders and decoders ------------------------------------ */

int zvm_proto_encode_submit(struct zvm_msg *m, const struct zvm_job_request *j)
{
	return zvm_table_encode(m, &zvm_submit_desc, j);
}

int zvm_proto_encode_report(struct zvm_msg *m, const struct zvm_report *r)
{
	return zvm_table_encode(m, &zvm_report_desc, r);
}

int zvm_proto_encode_status(struct zvm_msg *m, const struct zvm_status *s)
{
	return zvm_table_encode(m, &zvm_status_desc, s);
}

void zvm_job_request_free(struct zvm_job_request *j)
{
	for (unsigned i = 0; i < j->nargs; i++)
		free(j->args[i]);
	for (unsigned i = 0; i < j->nenv; i++)
		free(j->env[i]);
	j->nargs = j->nenv = 0;
}

int zvm_proto_decode_submit(const uint8_t *p, size_t len, unsigned nfds, struct zvm_job_request *j,
			    char *err, size_t errlen)
{
	bool by_fd;
	int rc;

	memset(j, 0, sizeof(*j));
	j->image_fd_index = -1;
	j->deterministic = true;
	rc = zvm_table_decode(p, len, &zvm_submit_desc, nfds, j, err, errlen);
	by_fd = j->image_fd_index >= 0;
	if (rc == 0 && by_fd == j->by_digest)
		rc = zvm_wire_bad(err, errlen, "a job names its image either by fd or by digest, exactly once");
	if (rc < 0)
		zvm_job_request_free(j);
	return rc;
}

int zvm_proto_decode_upload(const uint8_t *p, size_t len, unsigned nfds, struct zvm_job_request *j,
			    char *err, size_t errlen)
{
	int rc = zvm_proto_decode_submit(p, len, nfds, j, err, errlen);

	if (rc == 0 && j->by_digest) {
		zvm_job_request_free(j);
		rc = zvm_wire_bad(err, errlen, "an upload carries the image fd, not a digest");
	}
	return rc;
}

int zvm_proto_decode_report(const uint8_t *p, size_t len, struct zvm_report *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->from_daemon = true;
	return zvm_table_decode(p, len, &zvm_report_desc, 0, r, err, errlen);
}

int zvm_proto_decode_status(const uint8_t *p, size_t len, struct zvm_status *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	return zvm_table_decode(p, len, &zvm_status_desc, 0, s, err, errlen);
}

/* ---- ERROR and DIGEST ---------------------------------------------------- */

enum { E_CODE = 1, E_TEXT = 2, D_DIGEST = 1 };

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
	zvm_msg_put(m, D_DIGEST, digest, 32);
	return zvm_msg_finish(m);
}

int zvm_proto_decode_error(const uint8_t *p, size_t len, int *code, char *text, size_t textlen)
{
	struct zvm_wire_field f;
	size_t pos = 0;
	int rc;

	*code = ZVM_ERR_INTERNAL;
	text[0] = '\0';
	while ((rc = zvm_wire_next(p, len, &pos, &f, NULL, 0)) == 1) {
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
	struct zvm_wire_field f;
	size_t pos = 0;

	if (zvm_wire_next(p, len, &pos, &f, NULL, 0) != 1 || f.tag != D_DIGEST || f.len != 32)
		return -EBADMSG;
	memcpy(digest, f.v, 32);
	return 0;
}
