/*
 * fuzz_protocol.c — libFuzzer target for zvmd's decoders: any bytes, as a
 * header and as the payload of every message type, give a result or an
 * error, never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct zvm_job_request j;
	static struct zvm_report r;
	struct zvm_status s;
	uint8_t digest[32];
	uint16_t type;
	char err[256], text[256];
	int code;

	zvm_proto_check_header(data, size, &type, err, sizeof(err));
	if (zvm_proto_decode_submit(data, size, size % 66, &j, err, sizeof(err)) == 0)
		zvm_job_request_free(&j);
	zvm_proto_decode_report(data, size, &r, err, sizeof(err));
	zvm_proto_decode_status(data, size, &s, err, sizeof(err));
	zvm_proto_decode_error(data, size, &code, text, sizeof(text));
	zvm_proto_decode_digest(data, size, digest);
	return 0;
}
