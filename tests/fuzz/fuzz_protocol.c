/*
 * fuzz_protocol.c — libFuzzer target for zvmd's decoders: any bytes, as a
 * header and as the payload of every message type, give a result or an
 * error, never a crash or a leak; and a SUBMIT or REPORT that decodes
 * encodes back to bytes that decode to the same encoding (the tables
 * are walked the same way both ways). MAP and NODE too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const struct zvm_msg *a, const struct zvm_msg *b, const char *what)
{
	if (a->len != b->len || memcmp(a->buf, b->buf, a->len) != 0) {
		fprintf(stderr, "%s: re-encoding differs\n", what);
		abort();
	}
}

static void submit_again(const struct zvm_submit *j, unsigned nfds)
{
	static struct zvm_submit back;
	struct zvm_msg a, b;
	char err[256];

	if (zvm_proto_encode_submit(&a, j) == 0) {
		if (zvm_proto_decode_submit(a.buf + ZVM_PROTO_HEADER, a.len - ZVM_PROTO_HEADER, nfds, &back, err,
					    sizeof(err)) != 0) {
			fprintf(stderr, "submit: own encoding refused: %s\n", err);
			abort();
		}
		if (zvm_proto_encode_submit(&b, &back) == 0)
			same(&a, &b, "submit");
		zvm_msg_free(&b);
		zvm_submit_free(&back);
	}
	zvm_msg_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct zvm_submit j;
	static struct zvm_report r;
	struct zvm_status s;
	uint8_t digest[32];
	uint16_t type;
	char err[256], text[256];
	int code;

	zvm_proto_check_header(data, size, &type, err, sizeof(err));
	if (zvm_proto_decode_submit(data, size, size % 66, &j, err, sizeof(err)) == 0) {
		submit_again(&j, size % 66);
		zvm_submit_free(&j);
	}
	if (zvm_proto_decode_upload(data, size, size % 66, &j, err, sizeof(err)) == 0)
		zvm_submit_free(&j);
	if (zvm_proto_decode_report(data, size, &r, err, sizeof(err)) == 0) {
		static struct zvm_report back;
		struct zvm_msg a = { 0 }, b = { 0 };
		if (zvm_proto_encode_report(&a, &r) == 0 &&
		    zvm_proto_decode_report(a.buf + ZVM_PROTO_HEADER, a.len - ZVM_PROTO_HEADER, &back, err, sizeof(err)) == 0 &&
		    zvm_proto_encode_report(&b, &back) == 0)
			same(&a, &b, "report");
		zvm_msg_free(&a);
		zvm_msg_free(&b);
	}
	{
		/* a map's header and nodes; a refused node leaves no fd index */
		struct zvm_map_request mr;
		zvm_proto_decode_map(data, size, &mr, err, sizeof(err));
		if (zvm_proto_decode_node(data, size, size % 66, &j, err, sizeof(err)) == 0) {
			for (unsigned i = 0; i < j.ninputs; i++)
				if (j.inputs[i].channel >= j.m.nchannels)
					abort();
			zvm_submit_free(&j);
		} else if (j.image_fd != -1 || j.channel_fds[0] != -1) {
			fprintf(stderr, "node: an fd index left after a refusal\n");
			abort();
		}
	}
	zvm_proto_decode_status(data, size, &s, err, sizeof(err));
	zvm_proto_decode_error(data, size, &code, text, sizeof(text));
	zvm_proto_decode_digest(data, size, digest);
	return 0;
}
