/*
 * test_protocol.c — zvmd's wire format: round trips of every message with
 * every field set, and fds passed along. Refusals: test_rejections.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "protocol/protocol.h"
#include "protocol/wire.h" /* the tables: every row is checked */

/* Every row of a table must show up in the encoding of a struct with
 * every field set: a row added without a round-trip value fails here. */
static bool has_tag(const struct zvm_msg *m, uint16_t tag)
{
	struct zvm_wire_field f;
	size_t pos = 0;

	while (m && zvm_wire_next(m->buf + ZVM_PROTO_HEADER, m->len - ZVM_PROTO_HEADER, &pos, &f, NULL, 0) == 1)
		if (f.tag == tag)
			return true;
	return false;
}

/* (m2: a second encoding, for fields that exclude each other) */
static void assert_every_tag(const struct zvm_msg_desc *d, const struct zvm_msg *m, const struct zvm_msg *m2)
{
	for (unsigned i = 0; i < d->nfields; i++) {
		bool found = has_tag(m, d->fields[i].tag) || has_tag(m2, d->fields[i].tag);
		if (!found)
			print_error("field %u (%s) is not in the message\n", d->fields[i].tag, d->fields[i].name);
		assert_true(found);
	}
}

/* A job with every field of the manifest set, and the most of each
 * repeated one: 256 arguments, 256 environment entries, 64 channels. */
static void fill_submit(struct zvm_submit *s, bool by_digest)
{
	struct zvm_manifest *m = &s->m;
	char buf[80];

	zvm_submit_init(s);
	s->by_digest = by_digest;
	s->image_fd = by_digest ? -1 : 0;
	if (by_digest)
		for (int i = 0; i < 32; i++)
			s->digest[i] = (uint8_t)(i * 7 + 1);
	snprintf(buf, sizeof(buf), "/some/dir/%063d", 7); /* the longest name, behind a path */
	m->program = strdup(buf);
	m->memory = 64 << 20;
	m->timeout = 1.5;
	m->cpu_time = 0.25;
	m->given = ZVM_GIVEN_MEMORY | ZVM_GIVEN_TIMEOUT | ZVM_GIVEN_CPU_TIME;
	m->deterministic = false; /* not the default: the field must travel */
	m->seed = 0x0123456789abcdefull;
	m->epoch_ns = 1700000000000000000ull;
	s->tpl_op = ZVM_TPL_MAKE_GLOBAL; /* with an image: a job that makes one */
	snprintf(s->tpl_name, sizeof(s->tpl_name), "%s", "Py3.11_json-63.chars.long.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	for (unsigned i = 0; i < ZVM_MAX_ARGS; i++) {
		snprintf(buf, sizeof(buf), i == 2 ? "" : i == 1 ? "two words" : "arg %u", i);
		m->args[m->nargs++] = strdup(buf);
	}
	for (unsigned i = 0; i < ZVM_MAX_ENV; i++) {
		snprintf(buf, sizeof(buf), i == 1 ? "EMPTY=" : "V%u=%u", i, i * 3);
		m->env[m->nenv++] = strdup(buf);
	}
	for (unsigned i = 0; i < ZVM_MAX_CHANNELS; i++) {
		struct zvm_channel_decl *d = &m->channels[m->nchannels++];
		if (i == 1)
			snprintf(buf, sizeof(buf), "/%062d", 5); /* the longest alias */
		else
			snprintf(buf, sizeof(buf), "/dev/ch%u", i);
		d->alias = strdup(buf);
		d->uri = strdup("/a/host/path"); /* stays on the client */
		d->type = i % 4;
		d->max_reads = i ? i : ZVM_NO_LIMIT;
		d->max_read_bytes = i * 1000 + 1;
		d->max_writes = ZVM_NO_LIMIT - i;
		d->max_write_bytes = i & 1 ? 0 : 1234;
		s->channel_fds[i] = (int)(i % 3) + 1; /* fds may serve several channels */
	}
}

/* What decoding the encoding of s must give: s, but the program's base
 * name for its path and no channel URIs (the fds came instead). */
static void assert_decoded(const struct zvm_submit *s, const struct zvm_submit *back)
{
	const struct zvm_manifest *a = &s->m, *b = &back->m;

	assert_int_equal(back->by_digest, s->by_digest);
	assert_memory_equal(back->digest, s->digest, 32);
	assert_int_equal(back->image_fd, s->image_fd);
	assert_string_equal(b->program, strrchr(a->program, '/') ? strrchr(a->program, '/') + 1 : a->program);
	assert_int_equal(b->memory, a->memory);
	assert_true(b->timeout == a->timeout && b->cpu_time == a->cpu_time);
	assert_int_equal(b->given, a->given);
	assert_int_equal(b->deterministic, a->deterministic);
	assert_int_equal(b->seed, a->seed);
	assert_int_equal(b->epoch_ns, a->epoch_ns);
	assert_int_equal(back->tpl_op, s->tpl_op);
	assert_string_equal(back->tpl_name, s->tpl_name);
	assert_int_equal(b->nargs, a->nargs);
	for (unsigned i = 0; i < a->nargs; i++)
		assert_string_equal(b->args[i], a->args[i]);
	assert_int_equal(b->nenv, a->nenv);
	for (unsigned i = 0; i < a->nenv; i++)
		assert_string_equal(b->env[i], a->env[i]);
	assert_int_equal(b->nchannels, a->nchannels);
	for (unsigned i = 0; i < a->nchannels; i++) {
		const struct zvm_channel_decl *x = &a->channels[i], *y = &b->channels[i];
		assert_string_equal(y->alias, x->alias);
		assert_null(y->uri);
		assert_int_equal(y->type, x->type);
		assert_int_equal(y->max_reads, x->max_reads);
		assert_int_equal(y->max_read_bytes, x->max_read_bytes);
		assert_int_equal(y->max_writes, x->max_writes);
		assert_int_equal(y->max_write_bytes, x->max_write_bytes);
		assert_int_equal(back->channel_fds[i], s->channel_fds[i]);
	}
	for (unsigned i = a->nchannels; i < ZVM_MAX_CHANNELS; i++)
		assert_int_equal(back->channel_fds[i], -1);
}

/* manifest -> SUBMIT bytes -> manifest, every field */
static void round_trip_submit(bool by_digest)
{
	static struct zvm_submit s, back;
	struct zvm_msg m, m3;
	uint16_t type;
	char err[256];

	fill_submit(&s, by_digest);
	assert_int_equal(zvm_proto_encode_submit(&m, &s), 0);
	assert_int_equal(zvm_proto_check_header(m.buf, m.len, &type, err, sizeof(err)), (int)(m.len - ZVM_PROTO_HEADER));
	assert_int_equal(type, ZVM_MSG_SUBMIT);
	assert_int_equal(zvm_proto_decode_submit(m.buf + 16, m.len - 16, 4, &back, err, sizeof(err)), 0);
	assert_decoded(&s, &back);
	/* and the decoded job encodes to the same bytes: zvmd's window */
	assert_int_equal(zvm_proto_encode_submit(&m3, &back), 0);
	assert_int_equal(m3.len, m.len);
	assert_memory_equal(m3.buf, m.buf, m.len);
	zvm_msg_free(&m3);
	if (!by_digest) {
		/* the fd and the digest exclude each other: the two encodings hold every field */
		struct zvm_msg m2;
		s.by_digest = true;
		s.tpl_op = ZVM_TPL_NONE; /* a node names no template */
		s.tpl_name[0] = 0;
		s.ninputs = 1; /* inputs only a map's NODE carries */
		s.inputs[0] = (struct zvm_submit_input){ 3, 1, 2 };
		assert_int_equal(zvm_proto_encode_node(&m2, &s), 0);
		s.ninputs = 0;
		s.by_digest = false;
		assert_every_tag(&zvm_submit_desc, &m, &m2);
		zvm_msg_free(&m2);
		/* the same bytes with too few fds passed */
		zvm_submit_free(&back);
		assert_int_equal(zvm_proto_decode_submit(m.buf + 16, m.len - 16, 3, &back, err, sizeof(err)), -EBADMSG);
		assert_non_null(strstr(err, "fd index 3"));
		assert_int_equal(back.m.nargs, 0); /* freed on error */
		assert_null(back.m.program);
	}
	zvm_submit_free(&back);
	zvm_submit_free(&s);
	zvm_msg_free(&m);
}

static void test_submit_round_trip(void **state)
{
	(void)state;
	round_trip_submit(false);
	round_trip_submit(true);
}

/* A job from a template names no image; the name is checked; a map's node
 * and an upload carry no template (docs/protocol.md). */
static int decode_tpl(unsigned op, const char *name, bool image, bool node, char *err, size_t errlen)
{
	static struct zvm_submit s, back;
	struct zvm_msg m;
	int rc;

	zvm_submit_init(&s);
	s.image_fd = image ? 0 : -1;
	s.by_digest = node;
	s.tpl_op = op;
	snprintf(s.tpl_name, sizeof(s.tpl_name), "%s", name);
	assert_int_equal(node ? zvm_proto_encode_node(&m, &s) : zvm_proto_encode_submit(&m, &s), 0);
	rc = node ? zvm_proto_decode_node(m.buf + 16, m.len - 16, 1, &back, err, errlen)
		  : zvm_proto_decode_submit(m.buf + 16, m.len - 16, 1, &back, err, errlen);
	if (rc == 0)
		assert_int_equal(back.image_fd, image ? 0 : -1);
	zvm_submit_free(&back);
	zvm_msg_free(&m);
	return rc;
}

static void test_submit_templates(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(decode_tpl(ZVM_TPL_USE, "py", false, false, err, sizeof(err)), 0);
	assert_int_equal(decode_tpl(ZVM_TPL_MAKE, "py", true, false, err, sizeof(err)), 0);
	assert_int_equal(decode_tpl(ZVM_TPL_USE, "py", true, false, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "names no image"));
	assert_int_equal(decode_tpl(ZVM_TPL_MAKE, "py", false, false, err, sizeof(err)), -EBADMSG);
	assert_int_equal(decode_tpl(ZVM_TPL_USE, "", false, false, err, sizeof(err)), -EBADMSG);
	assert_int_equal(decode_tpl(ZVM_TPL_NONE, "py", true, false, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "come together"));
	assert_int_equal(decode_tpl(ZVM_TPL_USE, "../etc", false, false, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "field 15"));
	assert_int_equal(decode_tpl(ZVM_TPL_USE, ".hidden", false, false, err, sizeof(err)), -EBADMSG);
	assert_int_equal(decode_tpl(ZVM_TPL_MAKE_GLOBAL + 1, "py", true, false, err, sizeof(err)), -EBADMSG);
	assert_int_equal(decode_tpl(ZVM_TPL_USE, "py", false, true, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "not in a map's node"));
	assert_true(zvm_template_name_ok("a") && zvm_template_name_ok("A-z_0.9"));
	assert_false(zvm_template_name_ok("a b") || zvm_template_name_ok("a/b") || zvm_template_name_ok(""));
}

/* Limits travel only when given; a name absent decodes as "program"; an
 * alias too long is refused by the encoder, never cut. */
static void test_submit_given_and_refused(void **state)
{
	static struct zvm_submit s, back;
	struct zvm_msg m;
	char err[256];

	(void)state;
	zvm_submit_init(&s);
	s.image_fd = 0;
	s.m.memory = 1 << 20;
	s.m.timeout = 3;
	s.m.cpu_time = 2;
	s.m.given = ZVM_GIVEN_TIMEOUT;
	assert_int_equal(zvm_proto_encode_submit(&m, &s), 0);
	assert_int_equal(zvm_proto_decode_submit(m.buf + 16, m.len - 16, 1, &back, err, sizeof(err)), 0);
	assert_int_equal(back.m.given, ZVM_GIVEN_TIMEOUT);
	assert_int_equal(back.m.memory, 0);
	assert_true(back.m.cpu_time == 0 && back.m.timeout == 3);
	assert_string_equal(back.m.program, "program");
	zvm_submit_free(&back);
	zvm_msg_free(&m);
	/* a 0 sent for a limit is the daemon's default, as ever: not given */
	{
		static const uint8_t zero_memory[] = { 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 3, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
		assert_int_equal(zvm_proto_decode_submit(zero_memory, sizeof(zero_memory), 1, &back, err, sizeof(err)), 0);
		assert_int_equal(back.m.given, 0);
		zvm_submit_free(&back);
	}
	/* a name decodes as the encoder would send it again (the fuzzer's
	 * re-encoding check found "x/" and "" decoding to names it re-sent
	 * differently) */
	{
		static const struct { const char *sent, *got; } names[] = {
			{ "a/b", "b" }, { "x/", "program" }, { "", "program" }, { "/", "program" }, { "hello", "hello" } };
		for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			uint8_t b[64] = { 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 12, 0 };
			size_t n = strlen(names[i].sent);
			struct zvm_msg again;
			b[12] = (uint8_t)n;
			memcpy(b + 16, names[i].sent, n);
			assert_int_equal(zvm_proto_decode_submit(b, 16 + n, 1, &back, err, sizeof(err)), 0);
			assert_string_equal(back.m.program, names[i].got);
			assert_int_equal(zvm_proto_encode_submit(&again, &back), 0);
			zvm_submit_free(&back);
			assert_int_equal(zvm_proto_decode_submit(again.buf + 16, again.len - 16, 1, &back, err, sizeof(err)), 0);
			assert_string_equal(back.m.program, names[i].got);
			zvm_submit_free(&back);
			zvm_msg_free(&again);
		}
	}
	s.m.nchannels = 1;
	s.m.channels[0].alias = calloc(1, 65);
	memset(s.m.channels[0].alias, 'a', 64);
	s.m.channels[0].alias[0] = '/';
	s.channel_fds[0] = 0;
	assert_int_equal(zvm_proto_encode_submit(&m, &s), -ENAMETOOLONG);
	zvm_msg_free(&m);
	s.m.channels[0].alias[63] = '\0'; /* 63 bytes: fits */
	assert_int_equal(zvm_proto_encode_submit(&m, &s), 0);
	zvm_msg_free(&m);
	zvm_submit_free(&s);
}

/* Indexes become the passed fds: each once, a second use a copy, the
 * ones nothing names closed. */
static void test_submit_take_fds(void **state)
{
	static struct zvm_submit s;
	int fds[4];

	(void)state;
	for (int i = 0; i < 4; i++)
		fds[i] = dup(0);
	zvm_submit_init(&s);
	s.image_fd = 2;
	s.m.nchannels = 3;
	s.channel_fds[0] = 0;
	s.channel_fds[1] = 0;
	s.channel_fds[2] = 1;
	assert_int_equal(zvm_submit_take_fds(&s, fds, 4), 0);
	assert_int_equal(s.image_fd, fds[2]);
	assert_int_equal(s.channel_fds[0], fds[0]);
	assert_true(s.channel_fds[1] >= 0 && s.channel_fds[1] != fds[0]);
	assert_int_equal(s.channel_fds[2], fds[1]);
	assert_int_equal(s.channel_fds[3], -1);
	assert_int_equal(fcntl(fds[3], F_GETFD), -1); /* unnamed: closed */
	zvm_submit_close_fds(&s);
	for (int i = 0; i < 3; i++)
		assert_int_equal(fcntl(fds[i], F_GETFD), -1);
	assert_int_equal(s.image_fd, -1);
	zvm_submit_free(&s);
}

static void test_report_round_trip(void **state)
{
	static struct zvm_report r, back;
	struct zvm_msg m;
	uint16_t type;

	(void)state;
	r.state = ZVM_STATE_SECCOMP;
	r.exit_code = -3;
	r.signal = 31;
	r.fault_addr = 0xdeadbeefcafe;
	r.fault_pc = 0x10040;
	r.fault_in_sandbox = true;
	snprintf(r.syscall_name, sizeof(r.syscall_name), "%031d", 1);
	r.syscall_nr = 257;
	r.verdict.rule = "memory-address-64";
	r.verdict.offset = 0x1234;
	snprintf(r.verdict.disasm, sizeof(r.verdict.disasm), "movq %%rax, (%%rbx)");
	memset(r.message, 'm', sizeof(r.message) - 1); /* the longest message */
	r.wall_s = 1.25;
	r.cpu_user_s = 0.5;
	r.cpu_sys_s = 0.125;
	r.validate_s = 0.0625;
	r.validation_cached = true;
	r.peak_rss_kib = 4096;
	r.heap_peak = 1ull << 33;
	r.heap_refused = 2;
	r.from_daemon = true; /* set by the decoder */
	r.queue_s = 0.5;
	r.handout_s = 0.001;
	r.cgroup_peak = 1 << 20;
	r.oom = true;
	r.map_node = 1000;
	r.nchannels = 64; /* the most a report carries */
	for (unsigned i = 0; i < r.nchannels; i++) {
		snprintf(r.ch[i].alias, 64, "/dev/ch%u", i);
		r.ch[i].reads = i;
		r.ch[i].read_bytes = i * 10ull;
		r.ch[i].writes = i + 1;
		r.ch[i].write_bytes = ~0ull - i;
		r.ch[i].limit_hit = i & 1;
		memset(r.ch[i].sha256, (int)i, 32);
	}
	assert_int_equal(zvm_proto_encode_report(&m, &r), 0);
	assert_every_tag(&zvm_report_desc, &m, NULL);
	assert_true(zvm_proto_check_header(m.buf, m.len, &type, NULL, 0) > 0);
	assert_int_equal(type, ZVM_MSG_REPORT);
	assert_int_equal(zvm_proto_decode_report(m.buf + 16, m.len - 16, &back, NULL, 0), 0);
	assert_string_equal(back.verdict.rule, r.verdict.rule);
	back.verdict.rule = r.verdict.rule; /* a copy in the decoder's buffer */
	assert_memory_equal(&r, &back, sizeof(r));
	zvm_msg_free(&m);
	/* no rule: none on the wire, none decoded */
	r.verdict.rule = NULL;
	assert_int_equal(zvm_proto_encode_report(&m, &r), 0);
	assert_int_equal(zvm_proto_decode_report(m.buf + 16, m.len - 16, &back, NULL, 0), 0);
	assert_null(back.verdict.rule);
	zvm_msg_free(&m);
}

static void test_status_round_trip(void **state)
{
	struct zvm_status s, back;
	struct zvm_msg m;

	(void)state;
	/* padding too, so the whole structs compare */
	memset(&s, 0, sizeof(s));
	memset(&back, 0, sizeof(back));
	s.pool = 1, s.warm = 2, s.busy = 3, s.queued = 4, s.queue_max = 5;
	s.jobs = 6, s.ok = 7, s.failed = 8, s.busy_rejected = 9, s.uptime_s = 10.5;
	assert_int_equal(zvm_proto_encode_status(&m, &s), 0);
	assert_every_tag(&zvm_status_desc, &m, NULL);
	assert_int_equal(zvm_proto_decode_status(m.buf + 16, m.len - 16, &back, NULL, 0), 0);
	assert_memory_equal(&s, &back, sizeof(s));
	zvm_msg_free(&m);
}

static void test_error_and_digest(void **state)
{
	uint8_t d[32], back[32];
	struct zvm_msg m;
	char text[64];
	int code;

	(void)state;
	memset(d, 0x42, sizeof(d));
	assert_int_equal(zvm_proto_encode_digest(&m, d), 0);
	assert_int_equal(zvm_proto_decode_digest(m.buf + 16, m.len - 16, back), 0);
	assert_memory_equal(d, back, 32);
	zvm_msg_free(&m);
	assert_int_equal(zvm_proto_encode_error(&m, ZVM_ERR_LIMIT, "uid 1000 has 64 connections open"), 0);
	assert_int_equal(zvm_proto_decode_error(m.buf + 16, m.len - 16, &code, text, sizeof(text)), 0);
	assert_int_equal(code, ZVM_ERR_LIMIT);
	assert_string_equal(text, "uid 1000 has 64 connections open");
	zvm_msg_free(&m);
}

/* a message that would exceed the maximum is refused while building */
static void test_oversized_build(void **state)
{
	static char big[ZVM_PROTO_MAX];
	struct zvm_msg m;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	zvm_msg_init(&m, ZVM_MSG_SUBMIT);
	zvm_msg_put_str(&m, 9, big);
	assert_int_equal(zvm_msg_finish(&m), -EMSGSIZE);
	zvm_msg_free(&m);
}

/* fds travel with the message; fds beyond what the receiver takes are closed. */
static void test_fd_passing(void **state)
{
	int sv[2], fds[3], got[1];
	struct zvm_msg m;
	uint8_t *payload;
	size_t len;
	unsigned nfds;
	uint16_t type;
	char err[128];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	for (int i = 0; i < 3; i++)
		fds[i] = dup(0);
	zvm_msg_init(&m, ZVM_MSG_STATUS);
	zvm_msg_finish(&m);
	assert_int_equal(zvm_proto_send(sv[0], &m, fds, 3), 0);
	assert_int_equal(zvm_proto_recv(sv[1], &type, &payload, &len, got, 1, &nfds, err, sizeof(err)), 0);
	assert_int_equal(type, ZVM_MSG_STATUS);
	assert_int_equal(nfds, 1);
	assert_true(got[0] >= 0);
	close(got[0]);
	free(payload);
	zvm_msg_free(&m);
	/* the peer closes: a clean end */
	close(sv[0]);
	assert_int_equal(zvm_proto_recv(sv[1], &type, &payload, &len, got, 1, &nfds, err, sizeof(err)), -ECONNRESET);
	close(sv[1]);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_submit_round_trip),
		cmocka_unit_test(test_submit_templates),
		cmocka_unit_test(test_submit_given_and_refused),
		cmocka_unit_test(test_submit_take_fds),
		cmocka_unit_test(test_report_round_trip),
		cmocka_unit_test(test_status_round_trip),
		cmocka_unit_test(test_error_and_digest),
		cmocka_unit_test(test_oversized_build),
		cmocka_unit_test(test_fd_passing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
