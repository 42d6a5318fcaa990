/*
 * messages.c — what the fields of each message are (docs/protocol.md).
 * SUBMIT (and UPLOAD), REPORT and STATUS_REPLY are one table each, walked
 * by table.c both ways; ERROR and DIGEST are two fields, decoded by hand
 * because a client reads an ERROR as leniently as it can.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol/wire.h"

#define AT(type, member) offsetof(type, member)
#define SZ(type, member) sizeof(((type *)0)->member)

/* a struct member stored by the table as a 4-byte integer */
#define FOUR(type, member) _Static_assert(SZ(type, member) == 4, #member " is not 4 bytes")

/* ---- SUBMIT ------------------------------------------------------------ */

/* The job's manifest and, beside it, the image and the channels' fd
 * indexes (struct zvm_submit, protocol.h). */
typedef struct zvm_submit SB;
typedef struct zvm_channel_decl CD;
#define M(member) (AT(SB, m) + AT(struct zvm_manifest, member))
FOUR(SB, image_fd);
FOUR(SB, tpl_op);
FOUR(SB, channel_fds[0]);
FOUR(CD, type);
FOUR(struct zvm_manifest, given);
_Static_assert(sizeof(((struct zvm_manifest *)0)->nchannels) == sizeof(unsigned), "a count is an unsigned");

/* a channel: its fd index, then the manifest's declaration but its URI */
static const struct zvm_field submit_channel[] = {
	{ .kind = ZF_FD, .flags = ZF_BESIDE, .name = "fd", .off = AT(SB, channel_fds), .elem_size = SZ(SB, channel_fds[0]) },
	{ .kind = ZF_U32, .name = "type", .off = AT(CD, type), .max_value = 3 },
	{ .kind = ZF_U64, .name = "gets", .off = AT(CD, max_reads) },
	{ .kind = ZF_U64, .name = "get_size", .off = AT(CD, max_read_bytes) },
	{ .kind = ZF_U64, .name = "puts", .off = AT(CD, max_writes) },
	{ .kind = ZF_U64, .name = "put_size", .off = AT(CD, max_write_bytes) },
	{ .kind = ZF_STRDUP, .flags = ZF_ABSOLUTE, .name = "alias", .off = AT(CD, alias), .max_len = 63 },
};

/* a map node's input: which of its channels is an edge from which earlier node */
typedef struct zvm_submit_input SI;
FOUR(SI, channel);
FOUR(SI, node);
FOUR(SI, from);
static const struct zvm_field submit_input[] = {
	{ .kind = ZF_U32, .name = "channel", .off = AT(SI, channel), .max_value = ZVM_MAX_CHANNELS - 1 },
	{ .kind = ZF_U32, .name = "node", .off = AT(SI, node), .max_value = ZVM_PROTO_MAX_NODES - 1 },
	{ .kind = ZF_U32, .name = "from", .off = AT(SI, from), .max_value = ZVM_MAX_CHANNELS - 1 },
};

/* In the order the encoder writes them (the order of docs/protocol.md's
 * examples and of older clients: a byte-for-byte stable encoding). A limit
 * travels only when the manifest says it was given (m.given). */
static const struct zvm_field submit_fields[] = {
	{ .tag = 1, .kind = ZF_FD, .flags = ZF_UNLESS_FLAG | ZF_NO_NEGATIVE_FD, .name = "image fd", .off = AT(SB, image_fd), .flag_off = AT(SB, by_digest) },
	{ .tag = 2, .kind = ZF_BYTES, .flags = ZF_IF_FLAG, .name = "image digest", .off = AT(SB, digest), .flag_off = AT(SB, by_digest), .max_len = 32 },
	{ .tag = 12, .kind = ZF_STRDUP, .flags = ZF_OMIT_ZERO | ZF_BASENAME, .name = "program name", .off = M(program), .max_len = 63 },
	{ .tag = 3, .kind = ZF_U64, .flags = ZF_OMIT_ZERO | ZF_IF_FLAG, .name = "memory", .off = M(memory), .flag_off = M(given),
	  .flag_mask = ZVM_GIVEN_MEMORY },
	{ .tag = 4, .kind = ZF_F64, .flags = ZF_OMIT_ZERO | ZF_IF_FLAG | ZF_SECONDS, .name = "timeout", .off = M(timeout),
	  .flag_off = M(given), .flag_mask = ZVM_GIVEN_TIMEOUT },
	{ .tag = 5, .kind = ZF_F64, .flags = ZF_OMIT_ZERO | ZF_IF_FLAG | ZF_SECONDS, .name = "cpu time", .off = M(cpu_time),
	  .flag_off = M(given), .flag_mask = ZVM_GIVEN_CPU_TIME },
	{ .tag = 6, .kind = ZF_BOOL, .flags = 0, .name = "deterministic", .off = M(deterministic) },
	{ .tag = 7, .kind = ZF_U64, .flags = 0, .name = "seed", .off = M(seed) },
	{ .tag = 8, .kind = ZF_U64, .flags = 0, .name = "epoch", .off = M(epoch_ns) },
	{ .tag = 9, .kind = ZF_STRDUP, .flags = ZF_REPEATED, .name = "argument", .off = M(args), .count_off = M(nargs), .elem_size = sizeof(char *), .max_count = ZVM_MAX_ARGS },
	{ .tag = 10, .kind = ZF_STRDUP, .flags = ZF_REPEATED, .name = "environment", .off = M(env), .count_off = M(nenv), .elem_size = sizeof(char *), .max_count = ZVM_MAX_ENV },
	{ .tag = 11, .kind = ZF_RECORD, .flags = ZF_REPEATED, .name = "channel", .off = M(channels), .count_off = M(nchannels), .elem_size = sizeof(CD),
	  .max_count = ZVM_MAX_CHANNELS,
	  .members = submit_channel, .nmembers = sizeof(submit_channel) / sizeof(submit_channel[0]) },
	/* templates (docs/zvmd.md): absent in other jobs, whose bytes are as before */
	{ .tag = 14, .kind = ZF_U32, .flags = ZF_OMIT_ZERO, .name = "template use", .off = AT(SB, tpl_op), .max_value = ZVM_TPL_MAKE_GLOBAL },
	{ .tag = 15, .kind = ZF_STR, .flags = ZF_OMIT_ZERO, .name = "template name", .off = AT(SB, tpl_name), .max_len = SZ(SB, tpl_name) - 1 },
	/* NODE only; none in a SUBMIT, so a SUBMIT's bytes are as before */
	{ .tag = 13, .kind = ZF_RECORD, .flags = ZF_REPEATED, .name = "input", .off = AT(SB, inputs), .count_off = AT(SB, ninputs),
	  .elem_size = sizeof(SI), .max_count = ZVM_MAX_CHANNELS,
	  .members = submit_input, .nmembers = sizeof(submit_input) / sizeof(submit_input[0]) },
};

const struct zvm_msg_desc zvm_submit_desc = {
	.type = ZVM_MSG_SUBMIT, .fields = submit_fields, .nfields = sizeof(submit_fields) / sizeof(submit_fields[0]),
};

/* ---- MAP ------------------------------------------------------------------ */

typedef struct zvm_map_request MR;
static const struct zvm_field map_fields[] = {
	{ .tag = 1, .kind = ZF_U32, .flags = 0, .name = "nodes", .off = AT(MR, nodes), .max_value = ZVM_PROTO_MAX_NODES },
	{ .tag = 2, .kind = ZF_F64, .flags = ZF_OMIT_ZERO | ZF_SECONDS, .name = "timeout", .off = AT(MR, timeout) },
};

const struct zvm_msg_desc zvm_map_desc = {
	.type = ZVM_MSG_MAP, .fields = map_fields, .nfields = sizeof(map_fields) / sizeof(map_fields[0]),
};

/* ---- REPORT -------------------------------------------------------------- */

typedef struct zvm_report RP;
typedef struct zvm_channel_report RPCH;
FOUR(RP, state);
FOUR(RP, exit_code);
FOUR(RP, signal);
FOUR(RP, syscall_nr);
FOUR(RP, heap_refused);
FOUR(RP, map_node);

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
	{ .tag = 26, .kind = ZF_U32, .flags = ZF_OMIT_ZERO, .name = "map node", .off = AT(RP, map_node) },
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

int zvm_proto_encode_submit(struct zvm_msg *m, const struct zvm_submit *s)
{
	return zvm_table_encode(m, &zvm_submit_desc, s);
}

int zvm_proto_encode_report(struct zvm_msg *m, const struct zvm_report *r)
{
	return zvm_table_encode(m, &zvm_report_desc, r);
}

int zvm_proto_encode_status(struct zvm_msg *m, const struct zvm_status *s)
{
	return zvm_table_encode(m, &zvm_status_desc, s);
}

int zvm_proto_encode_map(struct zvm_msg *m, const struct zvm_map_request *r)
{
	return zvm_table_encode(m, &zvm_map_desc, r);
}

int zvm_proto_encode_node(struct zvm_msg *m, const struct zvm_submit *s)
{
	int rc = zvm_table_encode(m, &zvm_submit_desc, s);

	if (m->len >= ZVM_PROTO_HEADER)
		m->buf[6] = ZVM_MSG_NODE; /* a submit's fields, another type */
	return rc;
}

bool zvm_template_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 63 || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
		      ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

void zvm_submit_init(struct zvm_submit *s)
{
	memset(s, 0, sizeof(*s));
	s->image_fd = -1;
	s->m.deterministic = true;
	for (unsigned i = 0; i < ZVM_MAX_CHANNELS; i++)
		s->channel_fds[i] = -1;
}

void zvm_submit_free(struct zvm_submit *s)
{
	zvm_manifest_free(&s->m);
}

/* A decoder's error leaves nothing to free and no fd index that a caller
 * could take for a descriptor (index 0 is not fd 0). */
static void undo(struct zvm_submit *s)
{
	zvm_submit_free(s);
	zvm_submit_init(s);
}

/* A job's fields as SUBMIT and NODE carry them; the caller checks what
 * only one of them allows. On an error nothing is left to free. */
static int decode_job(const uint8_t *p, size_t len, unsigned nfds, struct zvm_submit *s, char *err, size_t errlen)
{
	int rc;

	zvm_submit_init(s);
	rc = zvm_table_decode(p, len, &zvm_submit_desc, nfds, s, err, errlen);
	/* argv[0]: the name the client sent, as the encoder would send it
	 * again (its last '/' component), or a neutral one */
	if (rc == 0 && s->m.program && strrchr(s->m.program, '/'))
		memmove(s->m.program, strrchr(s->m.program, '/') + 1, strlen(strrchr(s->m.program, '/')));
	if (rc == 0 && s->m.program && !s->m.program[0]) {
		free(s->m.program);
		s->m.program = NULL;
	}
	if (rc == 0 && !s->m.program && !(s->m.program = strdup("program")))
		rc = -ENOMEM;
	if (rc < 0)
		undo(s);
	return rc;
}

int zvm_proto_decode_submit(const uint8_t *p, size_t len, unsigned nfds, struct zvm_submit *s,
			    char *err, size_t errlen)
{
	int rc = decode_job(p, len, nfds, s, err, errlen);

	if (rc < 0)
		return rc;
	if (s->tpl_op == ZVM_TPL_USE && (s->image_fd >= 0 || s->by_digest))
		rc = zvm_wire_bad(err, errlen, "a job from a template names no image (the template's is used)");
	else if (s->tpl_op != ZVM_TPL_USE && (s->image_fd >= 0) == s->by_digest)
		rc = zvm_wire_bad(err, errlen, "a job names its image either by fd or by digest, exactly once");
	else if ((s->tpl_op != ZVM_TPL_NONE) != (s->tpl_name[0] != 0))
		rc = zvm_wire_bad(err, errlen, "fields 14 and 15 (template use and name) come together");
	else if (s->tpl_op && !zvm_template_name_ok(s->tpl_name))
		rc = zvm_wire_bad(err, errlen, "field 15 (template name): 1 to 63 of A-Z a-z 0-9 . _ -, not starting with '.'");
	else if (s->ninputs)
		rc = zvm_wire_bad(err, errlen, "field 13 (input): only a map's NODE has inputs");
	if (rc < 0)
		undo(s);
	return rc;
}

int zvm_proto_decode_upload(const uint8_t *p, size_t len, unsigned nfds, struct zvm_submit *s,
			    char *err, size_t errlen)
{
	int rc = zvm_proto_decode_submit(p, len, nfds, s, err, errlen);

	if (rc == 0 && (s->by_digest || s->tpl_op)) {
		undo(s);
		rc = zvm_wire_bad(err, errlen, "an upload carries the image fd, not a digest or a template");
	}
	return rc;
}

int zvm_proto_decode_map(const uint8_t *p, size_t len, struct zvm_map_request *r, char *err, size_t errlen)
{
	int rc;

	memset(r, 0, sizeof(*r));
	rc = zvm_table_decode(p, len, &zvm_map_desc, 0, r, err, errlen);
	if (rc == 0 && r->nodes == 0)
		rc = zvm_wire_bad(err, errlen, "field 1 (nodes): a map has at least one node");
	return rc;
}

int zvm_proto_decode_node(const uint8_t *p, size_t len, unsigned nfds, struct zvm_submit *s,
			  char *err, size_t errlen)
{
	int rc = decode_job(p, len, nfds, s, err, errlen);

	if (rc < 0)
		return rc;
	if (!s->by_digest || s->image_fd >= 0)
		rc = zvm_wire_bad(err, errlen, "a map's node names its image by digest (upload it first), and only so");
	else if (s->tpl_op || s->tpl_name[0])
		rc = zvm_wire_bad(err, errlen, "fields 14 and 15 (template): not in a map's node");
	for (unsigned i = 0; rc == 0 && i < s->ninputs; i++)
		if (s->inputs[i].channel >= s->m.nchannels)
			rc = zvm_wire_bad(err, errlen, "field 13 (input %u): channel %u but the node has %u", i,
					  s->inputs[i].channel, s->m.nchannels);
	if (rc < 0)
		undo(s);
	return rc;
}

/* An index taken once is the fd itself; again, a copy (one fd may serve
 * several channels, each closes its own). */
static int take_one(int *fds, unsigned nfds, int index, bool *used)
{
	if (index < 0 || (unsigned)index >= nfds)
		return -1; /* none: the decoder checked the indexes it read */
	if (used[index])
		return fcntl(fds[index], F_DUPFD_CLOEXEC, 3);
	used[index] = true;
	return fds[index];
}

int zvm_submit_take_fds(struct zvm_submit *s, int *fds, unsigned nfds)
{
	bool used[ZVM_PROTO_MAX_FDS] = { false };
	int rc = 0;

	if (nfds > ZVM_PROTO_MAX_FDS)
		nfds = ZVM_PROTO_MAX_FDS; /* the caller received at most that many */
	s->image_fd = s->by_digest ? -1 : take_one(fds, nfds, s->image_fd, used);
	for (unsigned i = 0; i < ZVM_MAX_CHANNELS; i++) {
		int index = s->channel_fds[i];
		s->channel_fds[i] = i < s->m.nchannels ? take_one(fds, nfds, index, used) : -1;
		if (i < s->m.nchannels && s->channel_fds[i] < 0 && rc == 0)
			rc = index >= 0 && (unsigned)index < nfds ? -errno : -EBADF;
	}
	for (unsigned i = 0; i < nfds; i++)
		if (!used[i])
			close(fds[i]);
	return rc;
}

void zvm_submit_close_fds(struct zvm_submit *s)
{
	if (s->image_fd >= 0)
		close(s->image_fd);
	s->image_fd = -1;
	for (unsigned i = 0; i < ZVM_MAX_CHANNELS; i++) {
		if (s->channel_fds[i] >= 0)
			close(s->channel_fds[i]);
		s->channel_fds[i] = -1;
	}
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
