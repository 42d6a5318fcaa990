/*
 * test_protocol.c — zvmd's wire format: round trips of every message, and
 * malformed input of every kind refused with a message.
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

static void test_submit_round_trip(void **state)
{
	static struct zvm_job_request j, back;
	struct zvm_msg m;
	uint16_t type;
	char err[256];

	(void)state;
	j.image_fd_index = 0;
	snprintf(j.program_name, sizeof(j.program_name), "prog.nexe");
	j.memory = 64 << 20;
	j.timeout = 1.5;
	j.cpu_time = 0.25;
	j.deterministic = true;
	j.seed = 7;
	j.args[0] = (char *)"one";
	j.args[1] = (char *)"two words";
	j.nargs = 2;
	j.env[0] = (char *)"A=b";
	j.nenv = 1;
	j.nchannels = 2;
	j.ch[0].fd_index = 1;
	snprintf(j.ch[0].alias, 64, "/dev/stdin");
	j.ch[0].max_reads = ZVM_NO_LIMIT;
	j.ch[1].fd_index = 2;
	j.ch[1].type = 3;
	snprintf(j.ch[1].alias, 64, "/dev/out");
	j.ch[1].max_write_bytes = 1234;
	assert_int_equal(zvm_proto_encode_submit(&m, &j), 0);
	assert_int_equal(zvm_proto_check_header(m.buf, m.len, &type, err, sizeof(err)), (int)(m.len - ZVM_PROTO_HEADER));
	assert_int_equal(type, ZVM_MSG_SUBMIT);
	assert_int_equal(zvm_proto_decode_submit(m.buf + 16, m.len - 16, 3, &back, err, sizeof(err)), 0);
	assert_string_equal(back.program_name, "prog.nexe");
	assert_true(back.memory == j.memory && back.timeout == 1.5 && back.cpu_time == 0.25 && back.seed == 7);
	assert_int_equal(back.nargs, 2);
	assert_string_equal(back.args[1], "two words");
	assert_string_equal(back.env[0], "A=b");
	assert_int_equal(back.nchannels, 2);
	assert_string_equal(back.ch[1].alias, "/dev/out");
	assert_int_equal(back.ch[1].type, 3);
	assert_int_equal(back.ch[1].max_write_bytes, 1234);
	assert_int_equal(back.ch[0].max_reads, ZVM_NO_LIMIT);
	/* the same bytes with too few fds passed */
	zvm_job_request_free(&back);
	assert_int_equal(zvm_proto_decode_submit(m.buf + 16, m.len - 16, 2, &back, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "fd index 2"));
	zvm_msg_free(&m);
}

static void test_report_round_trip(void **state)
{
	static struct zvm_report r, back;
	struct zvm_msg m;
	uint16_t type;

	(void)state;
	r.state = ZVM_STATE_SIGNAL;
	r.signal = 11;
	r.fault_addr = 0xdeadbeef;
	r.verdict.rule = "memory-address-64";
	snprintf(r.message, sizeof(r.message), "a message");
	r.queue_s = 0.5;
	r.cgroup_peak = 1 << 20;
	r.oom = true;
	r.nchannels = 1;
	snprintf(r.ch[0].alias, 64, "/dev/stdout");
	r.ch[0].write_bytes = 42;
	memset(r.ch[0].sha256, 0xab, 32);
	assert_int_equal(zvm_proto_encode_report(&m, &r), 0);
	assert_true(zvm_proto_check_header(m.buf, m.len, &type, NULL, 0) > 0);
	assert_int_equal(zvm_proto_decode_report(m.buf + 16, m.len - 16, &back, NULL, 0), 0);
	assert_int_equal(back.state, ZVM_STATE_SIGNAL);
	assert_int_equal(back.fault_addr, 0xdeadbeef);
	assert_string_equal(back.verdict.rule, "memory-address-64");
	assert_true(back.queue_s == 0.5 && back.oom && back.from_daemon);
	assert_int_equal(back.nchannels, 1);
	assert_int_equal(back.ch[0].write_bytes, 42);
	assert_int_equal(back.ch[0].sha256[31], 0xab);
	zvm_msg_free(&m);
}

static void test_malformed(void **state)
{
	static struct zvm_job_request j;
	uint8_t h[16] = { 0 }, p[64];
	uint16_t type;
	char err[256];

	(void)state;
	assert_int_equal(zvm_proto_check_header(h, 8, &type, err, sizeof(err)), -EBADMSG);
	assert_int_equal(zvm_proto_check_header(h, 16, &type, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "bad magic"));
	memcpy(h, "ZVM1", 4);
	h[4] = 2;
	assert_int_equal(zvm_proto_check_header(h, 16, &type, err, sizeof(err)), -EPROTONOSUPPORT);
	h[4] = 1;
	h[11] = 0x10; /* 256 MiB */
	assert_int_equal(zvm_proto_check_header(h, 16, &type, err, sizeof(err)), -EMSGSIZE);
	/* a field whose length runs past the end */
	memset(p, 0, sizeof(p));
	p[0] = 1;
	p[2] = 200;
	assert_int_equal(zvm_proto_decode_submit(p, 10, 1, &j, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "runs past the message"));
	/* a truncated field header */
	assert_int_equal(zvm_proto_decode_submit(p, 3, 1, &j, err, sizeof(err)), -EBADMSG);
	/* the same singular field twice */
	{
		struct zvm_msg m;
		zvm_msg_init(&m, ZVM_MSG_SUBMIT);
		zvm_msg_put_u32(&m, 1, 0);
		zvm_msg_put_u32(&m, 1, 0);
		zvm_msg_finish(&m);
		assert_int_equal(zvm_proto_decode_submit(m.buf + 16, m.len - 16, 1, &j, err, sizeof(err)), -EBADMSG);
		assert_non_null(strstr(err, "given twice"));
		zvm_msg_free(&m);
	}
	/* a NUL inside a string */
	{
		struct zvm_msg m;
		zvm_msg_init(&m, ZVM_MSG_SUBMIT);
		zvm_msg_put_u32(&m, 1, 0);
		zvm_msg_put(&m, 9, "a\0b", 3);
		zvm_msg_finish(&m);
		assert_int_equal(zvm_proto_decode_submit(m.buf + 16, m.len - 16, 1, &j, err, sizeof(err)), -EBADMSG);
		assert_non_null(strstr(err, "NUL"));
		zvm_msg_free(&m);
	}
	/* a message that would exceed the maximum is refused while building */
	{
		struct zvm_msg m;
		static char big[ZVM_PROTO_MAX];
		memset(big, 'x', sizeof(big) - 1);
		zvm_msg_init(&m, ZVM_MSG_SUBMIT);
		zvm_msg_put_str(&m, 9, big);
		assert_int_equal(zvm_msg_finish(&m), -EMSGSIZE);
		zvm_msg_free(&m);
	}
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
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_fd_passing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
