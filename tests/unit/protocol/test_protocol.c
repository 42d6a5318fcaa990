/*
 * test_protocol.c — zvmd's wire format: round trips of every message with
 * every field set, and fds passed along. Refusals: test_rejections.c.
 */
#include <errno.h>
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

static void fill_submit(struct zvm_job_request *j, bool by_digest)
{
	memset(j, 0, sizeof(*j));
	j->by_digest = by_digest;
	j->image_fd_index = by_digest ? -1 : 0;
	if (by_digest)
		for (int i = 0; i < 32; i++)
			j->digest[i] = (uint8_t)(i * 7 + 1);
	snprintf(j->program_name, sizeof(j->program_name), "%063d", 7);
	j->memory = 64 << 20;
	j->timeout = 1.5;
	j->cpu_time = 0.25;
	j->deterministic = false; /* not the default: the field must travel */
	j->seed = 0x0123456789abcdefull;
	j->epoch_ns = 1700000000000000000ull;
	j->args[0] = (char *)"one";
	j->args[1] = (char *)"two words";
	j->args[2] = (char *)"";
	j->nargs = 3;
	j->env[0] = (char *)"A=b";
	j->env[1] = (char *)"EMPTY=";
	j->nenv = 2;
	j->nchannels = 2;
	j->ch[0].fd_index = 1;
	snprintf(j->ch[0].alias, 64, "/dev/stdin");
	j->ch[0].max_reads = ZVM_NO_LIMIT;
	j->ch[0].max_read_bytes = 1;
	j->ch[0].max_writes = 2;
	j->ch[0].max_write_bytes = 3;
	j->ch[1].fd_index = 2;
	j->ch[1].type = 3;
	snprintf(j->ch[1].alias, 64, "/%062d", 5); /* the longest alias */
	j->ch[1].max_write_bytes = 1234;
}

static void round_trip_submit(bool by_digest)
{
	static struct zvm_job_request j, back, want;
	struct zvm_msg m;
	uint16_t type;
	char err[256];

	fill_submit(&j, by_digest);
	assert_int_equal(zvm_proto_encode_submit(&m, &j), 0);
	assert_int_equal(zvm_proto_check_header(m.buf, m.len, &type, err, sizeof(err)), (int)(m.len - ZVM_PROTO_HEADER));
	assert_int_equal(type, ZVM_MSG_SUBMIT);
	assert_int_equal(zvm_proto_decode_submit(m.buf + 16, m.len - 16, 3, &back, err, sizeof(err)), 0);
	for (unsigned i = 0; i < j.nargs; i++)
		assert_string_equal(back.args[i], j.args[i]);
	for (unsigned i = 0; i < j.nenv; i++)
		assert_string_equal(back.env[i], j.env[i]);
	/* everything else byte for byte (the strings are copies) */
	want = j;
	memcpy(want.args, back.args, sizeof(want.args));
	memcpy(want.env, back.env, sizeof(want.env));
	assert_memory_equal(&want, &back, sizeof(want));
	if (!by_digest) {
		/* the fd and the digest exclude each other: the two encodings hold every field */
		struct zvm_msg m2;
		j.by_digest = true;
		assert_int_equal(zvm_proto_encode_submit(&m2, &j), 0);
		j.by_digest = false;
		assert_every_tag(&zvm_submit_desc, &m, &m2);
		zvm_msg_free(&m2);
		/* the same bytes with too few fds passed */
		zvm_job_request_free(&back);
		assert_int_equal(zvm_proto_decode_submit(m.buf + 16, m.len - 16, 2, &back, err, sizeof(err)), -EBADMSG);
		assert_non_null(strstr(err, "fd index 2"));
		assert_int_equal(back.nargs, 0); /* freed on error */
	}
	zvm_job_request_free(&back);
	zvm_msg_free(&m);
}

static void test_submit_round_trip(void **state)
{
	(void)state;
	round_trip_submit(false);
	round_trip_submit(true);
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
		cmocka_unit_test(test_report_round_trip),
		cmocka_unit_test(test_status_round_trip),
		cmocka_unit_test(test_error_and_digest),
		cmocka_unit_test(test_oversized_build),
		cmocka_unit_test(test_fd_passing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
