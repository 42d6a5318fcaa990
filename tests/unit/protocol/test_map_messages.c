/*
 * test_map_messages.c — the messages of a system map (docs/protocol.md):
 * MAP and NODE round trips, what a NODE may not be (by fd, inputs on
 * channels it lacks), a SUBMIT with inputs refused, a report's map node
 * number; and after every refusal no fd index is left where a caller
 * would take it for a descriptor (a refused SUBMIT once made zvmd close
 * its own fd 0).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocol/protocol.h"

static struct zvm_submit node, back;

static void make_node(unsigned nchannels)
{
	zvm_submit_init(&node);
	node.by_digest = true;
	memset(node.digest, 0xab, 32);
	node.m.program = (char *)"reducer.nexe";
	for (unsigned c = 0; c < nchannels; c++) {
		static char alias[ZVM_MAX_CHANNELS][16];
		snprintf(alias[c], sizeof(alias[c]), "/dev/in/m-%u", c);
		node.m.channels[c].alias = alias[c];
		node.m.channels[c].max_reads = node.m.channels[c].max_read_bytes = ZVM_NO_LIMIT;
		node.channel_fds[c] = (int)c;
	}
	node.m.nchannels = nchannels;
}

static void assert_no_fd_left(const struct zvm_submit *s)
{
	assert_int_equal(s->image_fd, -1);
	for (unsigned c = 0; c < ZVM_MAX_CHANNELS; c++)
		assert_int_equal(s->channel_fds[c], -1);
	assert_null(s->m.program);
}

static int decode_node_bytes(const struct zvm_submit *s, unsigned nfds, struct zvm_submit *out, char *err)
{
	struct zvm_msg m;
	uint16_t type;
	int rc;

	assert_int_equal(zvm_proto_encode_node(&m, s), 0);
	assert_true(zvm_proto_check_header(m.buf, m.len, &type, err, 256) >= 0);
	assert_int_equal(type, ZVM_MSG_NODE);
	rc = zvm_proto_decode_node(m.buf + ZVM_PROTO_HEADER, m.len - ZVM_PROTO_HEADER, nfds, out, err, 256);
	zvm_msg_free(&m);
	return rc;
}

static void test_map_round_trip(void **state)
{
	struct zvm_map_request r = { .nodes = 500, .timeout = 2.5 }, b;
	struct zvm_msg m;
	char err[256];

	(void)state;
	assert_int_equal(zvm_proto_encode_map(&m, &r), 0);
	assert_int_equal(zvm_proto_decode_map(m.buf + ZVM_PROTO_HEADER, m.len - ZVM_PROTO_HEADER, &b, err, sizeof(err)), 0);
	assert_int_equal(b.nodes, 500);
	assert_true(b.timeout == 2.5);
	zvm_msg_free(&m);
	r = (struct zvm_map_request){ .nodes = 0 };
	zvm_proto_encode_map(&m, &r);
	assert_int_equal(zvm_proto_decode_map(m.buf + ZVM_PROTO_HEADER, m.len - ZVM_PROTO_HEADER, &b, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "at least one node"));
	zvm_msg_free(&m);
	r.nodes = ZVM_PROTO_MAX_NODES + 1;
	zvm_proto_encode_map(&m, &r);
	assert_int_equal(zvm_proto_decode_map(m.buf + ZVM_PROTO_HEADER, m.len - ZVM_PROTO_HEADER, &b, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "above the maximum"));
	zvm_msg_free(&m);
}

static void test_node_round_trip(void **state)
{
	char err[256];

	(void)state;
	make_node(3);
	node.ninputs = 2;
	node.inputs[0] = (struct zvm_submit_input){ 1, 7, 63 };
	node.inputs[1] = (struct zvm_submit_input){ 2, 65535, 0 };
	assert_int_equal(decode_node_bytes(&node, 3, &back, err), 0);
	assert_true(back.by_digest);
	assert_memory_equal(back.digest, node.digest, 32);
	assert_int_equal(back.ninputs, 2);
	assert_int_equal(back.inputs[0].channel, 1);
	assert_int_equal(back.inputs[0].node, 7);
	assert_int_equal(back.inputs[0].from, 63);
	assert_int_equal(back.inputs[1].node, 65535);
	assert_int_equal(back.m.nchannels, 3);
	assert_string_equal(back.m.channels[2].alias, "/dev/in/m-2");
	zvm_submit_free(&back);
}

static void test_node_refusals(void **state)
{
	char err[256];

	(void)state;
	/* by fd: maps run uploaded images */
	make_node(1);
	node.by_digest = false;
	node.image_fd = 1;
	assert_int_equal(decode_node_bytes(&node, 2, &back, err), -EBADMSG);
	assert_non_null(strstr(err, "by digest"));
	assert_no_fd_left(&back);
	/* an input on a channel the node does not have */
	make_node(2);
	node.ninputs = 1;
	node.inputs[0] = (struct zvm_submit_input){ 1, 0, 0 };
	node.m.nchannels = 1; /* the input names channel 1 of 1 */
	assert_int_equal(decode_node_bytes(&node, 2, &back, err), -EBADMSG);
	assert_non_null(strstr(err, "channel 1 but the node has 1"));
	assert_no_fd_left(&back);
}

static void test_submit_with_inputs_refused(void **state)
{
	struct zvm_msg m;
	char err[256];

	(void)state;
	make_node(1);
	node.by_digest = false;
	node.image_fd = 0;
	node.channel_fds[0] = 0;
	node.ninputs = 1;
	assert_int_equal(zvm_proto_encode_submit(&m, &node), 0);
	assert_int_equal(zvm_proto_decode_submit(m.buf + ZVM_PROTO_HEADER, m.len - ZVM_PROTO_HEADER, 1, &back, err,
						 sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "only a map's NODE has inputs"));
	/* the regression: index 0 must not stay behind to be closed as fd 0 */
	assert_no_fd_left(&back);
	zvm_msg_free(&m);
	/* a SUBMIT without inputs encodes as before: no field 13 */
	node.ninputs = 0;
	assert_int_equal(zvm_proto_encode_submit(&m, &node), 0);
	assert_int_equal(zvm_proto_decode_submit(m.buf + ZVM_PROTO_HEADER, m.len - ZVM_PROTO_HEADER, 1, &back, err,
						 sizeof(err)), 0);
	assert_int_equal(back.ninputs, 0);
	zvm_submit_free(&back);
	zvm_msg_free(&m);
}

static void test_report_map_node(void **state)
{
	static struct zvm_report r, b;
	struct zvm_msg m;

	(void)state;
	r.map_node = 42;
	assert_int_equal(zvm_proto_encode_report(&m, &r), 0);
	assert_int_equal(zvm_proto_decode_report(m.buf + ZVM_PROTO_HEADER, m.len - ZVM_PROTO_HEADER, &b, NULL, 0), 0);
	assert_int_equal(b.map_node, 42);
	zvm_msg_free(&m);
	r.map_node = 0; /* a job's report: the field is not sent */
	zvm_proto_encode_report(&m, &r);
	assert_null(memmem(m.buf + ZVM_PROTO_HEADER, m.len - ZVM_PROTO_HEADER, "\x1a\x00\x04\x00\x00\x00", 6));
	zvm_msg_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_round_trip),
		cmocka_unit_test(test_node_round_trip),
		cmocka_unit_test(test_node_refusals),
		cmocka_unit_test(test_submit_with_inputs_refused),
		cmocka_unit_test(test_report_map_node),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
