/*
 * test_rejections.c — every kind of message docs/protocol.md says a peer
 * refuses, one row each: hand-built bytes (a header, or a payload and the
 * number of fds that came with it), the decoder, the error code and a
 * piece of the message, which names the field's tag and offset. A few
 * rows need hundreds of fields: they are built by a function instead.
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

/* field headers: tag (u16) then length (u32), little endian */
#define F(tag, len) tag "\x00" len "\x00\x00\x00"
#define U32_0 "\x00\x00\x00\x00"
#define U64_0 U32_0 U32_0
#define FD0 F("\x01", "\x04") U32_0                 /* image: fd 0 */
#define FD(n) F("\x01", "\x04") n "\x00\x00\x00"
#define DIGEST F("\x02", "\x20") U64_0 U64_0 U64_0 U64_0
/* a channel's fixed part: fd index, type, four limits (40 bytes) */
#define CHAN(fd, type) fd "\x00\x00\x00" type "\x00\x00\x00" U64_0 U64_0 U64_0 U64_0
#define S(x) x, sizeof(x) - 1

enum dec { HEADER, SUBMIT, UPLOAD, REPORT, STATUS };

static void too_many_args(struct zvm_msg *m)
{
	zvm_msg_put_u32(m, 1, 0);
	for (int i = 0; i <= ZVM_MAX_ARGS; i++)
		zvm_msg_put_str(m, 9, "x");
}

static void too_many_env(struct zvm_msg *m)
{
	zvm_msg_put_u32(m, 1, 0);
	for (int i = 0; i <= ZVM_MAX_ENV; i++)
		zvm_msg_put_str(m, 10, "A=1");
}

static void too_many_channels(struct zvm_msg *m)
{
	static const uint8_t ch[] = CHAN("\x00", "\x00") "/c";
	zvm_msg_put_u32(m, 1, 0);
	for (int i = 0; i <= ZVM_MAX_CHANNELS; i++)
		zvm_msg_put(m, 11, ch, sizeof(ch) - 1);
}

static void too_many_channel_reports(struct zvm_msg *m)
{
	uint8_t ch[65 + 2] = { 0 };
	memcpy(ch + 65, "/c", 2);
	for (int i = 0; i <= 64; i++)
		zvm_msg_put(m, 25, ch, sizeof(ch));
}

static void long_message(struct zvm_msg *m)
{
	char s[513];
	memset(s, 'm', 512);
	s[512] = '\0';
	zvm_msg_put_str(m, 12, s);
}

/* rows of bytes leave .build out */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct row {
	const char *what;
	enum dec dec;
	const char *bytes;
	size_t len;
	unsigned nfds;
	int rc;
	const char *error;         /* a piece of the message; NULL: accepted */
	void (*build)(struct zvm_msg *);
} rows[] = {
	/* the header */
	{ "truncated header", HEADER, S("ZVM1\x01\x00"), 0, -EBADMSG, "truncated header (6 bytes)" },
	{ "bad magic", HEADER, S("ZVM2\x01\x00\x02\x00" U32_0 U32_0), 0, -EBADMSG, "bad magic 0x324d565a" },
	{ "reserved field", HEADER, S("ZVM1\x01\x00\x02\x00" U32_0 "\x01\x00\x00\x00"), 0, -EBADMSG,
	  "reserved header field is not zero" },
	{ "oversized", HEADER, S("ZVM1\x01\x00\x01\x00" "\x01\x00\x10\x00" U32_0), 0, -EMSGSIZE,
	  "message of 1048577 bytes exceeds the maximum 1048576" },
	{ "another version", HEADER, S("ZVM1\x09\x00\x01\x00" U32_0 U32_0), 0, -EPROTONOSUPPORT,
	  "protocol version 9 is not supported" },
	{ "the largest payload", HEADER, S("ZVM1\x01\x00\x01\x00" "\x00\x00\x10\x00" U32_0), 0, 1 << 20, NULL },
	/* framing of the fields */
	{ "truncated field header", SUBMIT, S(FD0 "\x09\x00\x01"), 1, -EBADMSG,
	  "truncated field header at offset 10" },
	{ "field past the end", SUBMIT, S(F("\x01", "\xc8") U32_0), 1, -EBADMSG,
	  "field 1 at offset 0: length 200 runs past the message" },
	{ "unknown field", SUBMIT, S(FD0 F("\xe7\x03", "\x00")), 1, -EBADMSG, "unknown field 999 at offset 10" },
	/* sizes */
	{ "image fd of 2 bytes", SUBMIT, S(F("\x01", "\x02") "\x00\x00"), 1, -EBADMSG,
	  "field 1 (image fd) at offset 0: 2 bytes, expected 4" },
	{ "digest of 31 bytes", SUBMIT, S(F("\x02", "\x1f") U64_0 U64_0 U64_0 U32_0 "\x00\x00\x00"), 0, -EBADMSG,
	  "field 2 (image digest) at offset 0: 31 bytes, expected 32" },
	{ "memory of 4 bytes", SUBMIT, S(FD0 F("\x03", "\x04") U32_0), 1, -EBADMSG,
	  "field 3 (memory) at offset 10: 4 bytes, expected 8" },
	{ "deterministic of 8 bytes", SUBMIT, S(FD0 F("\x06", "\x08") U64_0), 1, -EBADMSG,
	  "field 6 (deterministic) at offset 10: 8 bytes, expected 4" },
	{ "channel of 40 bytes (no alias)", SUBMIT, S(FD0 F("\x0b", "\x28") CHAN("\x00", "\x00")), 1, -EBADMSG,
	  "field 11 (channel 0) at offset 10: 40 bytes, expected 41 to 103" },
	/* singular fields */
	{ "image fd twice", SUBMIT, S(FD0 FD0), 1, -EBADMSG, "field 1 (image fd) at offset 10 given twice (first at offset 0)" },
	{ "seed twice", SUBMIT, S(FD0 F("\x07", "\x08") U64_0 F("\x07", "\x08") U64_0), 1, -EBADMSG,
	  "field 7 (seed) at offset 24 given twice (first at offset 10)" },
	{ "fd and digest", SUBMIT, S(FD0 DIGEST), 1, -EBADMSG, "a job names its image either by fd or by digest" },
	{ "no image", SUBMIT, S(F("\x07", "\x08") U64_0), 0, -EBADMSG, "a job names its image either by fd or by digest" },
	/* strings */
	{ "NUL in an argument", SUBMIT, S(FD0 F("\x09", "\x03") "a\0b"), 1, -EBADMSG,
	  "field 9 (argument 0) at offset 10: NUL byte in a string" },
	{ "NUL in an environment entry", SUBMIT, S(FD0 F("\x0a", "\x04") "A=\0b"), 1, -EBADMSG,
	  "field 10 (environment 0) at offset 10: NUL byte in a string" },
	{ "NUL in the program name", SUBMIT, S(FD0 F("\x0c", "\x02") "a\0"), 1, -EBADMSG,
	  "field 12 (program name) at offset 10: NUL byte in a string" },
	{ "program name of 64 bytes", SUBMIT,
	  S(FD0 F("\x0c", "\x40") "0123456789012345678901234567890123456789012345678901234567890123"), 1, -EBADMSG,
	  "field 12 (program name) at offset 10: string of 64 bytes, at most 63" },
	{ "alias of 64 bytes", SUBMIT,
	  S(FD0 F("\x0b", "\x68") CHAN("\x00", "\x00") "/123456789012345678901234567890123456789012345678901234567890123"),
	  1, -EBADMSG, "field 11 (channel 0) at offset 10: 104 bytes, expected 41 to 103" },
	{ "alias not absolute", SUBMIT, S(FD0 F("\x0b", "\x2b") CHAN("\x00", "\x00") "dev"), 1, -EBADMSG,
	  "field 11 (channel 0 alias) at offset 10: must be an absolute name" },
	{ "NUL in an alias", SUBMIT, S(FD0 F("\x0b", "\x2b") CHAN("\x00", "\x00") "/d\0"), 1, -EBADMSG,
	  "field 11 (channel 0 alias) at offset 10: NUL byte in a string" },
	/* values */
	{ "image fd index with no fd", SUBMIT, S(FD("\x05")), 0, -EBADMSG,
	  "image fd index 5 but 0 fds passed (field 1 at offset 0)" },
	{ "channel fd index with no fd", SUBMIT, S(FD0 F("\x0b", "\x2a") CHAN("\x01", "\x00") "/c"), 1, -EBADMSG,
	  "channel 0 fd index 1 but 1 fds passed (field 11 at offset 10)" },
	{ "channel type 4", SUBMIT, S(FD0 F("\x0b", "\x2a") CHAN("\x00", "\x04") "/c"), 1, -EBADMSG,
	  "field 11 (channel 0 type) at offset 10: 4 is above the maximum 3" },
	{ "timeout 0", SUBMIT, S(FD0 F("\x04", "\x08") U64_0), 1, -EBADMSG,
	  "field 4 (timeout) at offset 10: seconds must be positive and finite" },
	{ "timeout -1", SUBMIT, S(FD0 F("\x04", "\x08") "\x00\x00\x00\x00\x00\x00\xf0\xbf"), 1, -EBADMSG,
	  "field 4 (timeout) at offset 10: seconds must be positive and finite" },
	{ "cpu time NaN", SUBMIT, S(FD0 F("\x05", "\x08") "\x00\x00\x00\x00\x00\x00\xf8\x7f"), 1, -EBADMSG,
	  "field 5 (cpu time) at offset 10: seconds must be positive and finite" },
	{ "cpu time infinite", SUBMIT, S(FD0 F("\x05", "\x08") "\x00\x00\x00\x00\x00\x00\xf0\x7f"), 1, -EBADMSG,
	  "field 5 (cpu time) at offset 10: seconds must be positive and finite" },
	/* counts */
	{ "257 arguments", SUBMIT, NULL, 0, 1, -EBADMSG, "field 9 (argument) at offset 1802: more than 256 argument fields",
	  too_many_args },
	{ "257 environment entries", SUBMIT, NULL, 0, 1, -EBADMSG, "more than 256 environment fields", too_many_env },
	{ "65 channels", SUBMIT, NULL, 0, 1, -EBADMSG, "field 11 (channel) at offset 3082: more than 64 channel fields",
	  too_many_channels },
	/* the same fields in an UPLOAD */
	{ "upload with a digest", UPLOAD, S(DIGEST), 0, -EBADMSG, "an upload carries the image fd, not a digest" },
	{ "upload by fd", UPLOAD, S(FD0), 1, 0, NULL },
	/* a REPORT: numbers may widen, unknown fields are skipped, the rest is checked */
	{ "report: unknown field skipped", REPORT, S(F("\x63", "\x03") "abc"), 0, 0, NULL },
	{ "report: state of 8 bytes", REPORT, S(F("\x01", "\x08") U64_0), 0, 0, NULL },
	{ "report: state of 2 bytes", REPORT, S(F("\x01", "\x02") "\x00\x00"), 0, -EBADMSG,
	  "field 1 (state) at offset 0: 2 bytes, expected 4 or 8" },
	{ "report: wall of 4 bytes", REPORT, S(F("\x0d", "\x04") U32_0), 0, -EBADMSG,
	  "field 13 (wall s) at offset 0: 4 bytes, expected 8" },
	{ "report: state twice", REPORT, S(F("\x01", "\x04") U32_0 F("\x01", "\x04") U32_0), 0, -EBADMSG,
	  "given twice" },
	{ "report: NUL in the message", REPORT, S(F("\x0c", "\x02") "a\0"), 0, -EBADMSG,
	  "field 12 (message) at offset 0: NUL byte in a string" },
	{ "report: message of 512 bytes", REPORT, NULL, 0, 0, -EBADMSG,
	  "field 12 (message) at offset 0: string of 512 bytes, at most 511", long_message },
	{ "report: short channel", REPORT, S(F("\x19", "\x10") U64_0 U64_0), 0, -EBADMSG,
	  "field 25 (channel 0) at offset 0: 16 bytes, expected 65 to 128" },
	{ "report: 65 channels", REPORT, NULL, 0, 0, -EBADMSG, "more than 64 channel fields", too_many_channel_reports },
	{ "status: uptime of 4 bytes", STATUS, S(F("\x0a", "\x04") U32_0), 0, -EBADMSG,
	  "field 10 (uptime) at offset 0: 4 bytes, expected 8" },
};

static int decode(const struct row *r, const uint8_t *p, size_t len, char *err, size_t errlen)
{
	static struct zvm_submit j;
	static struct zvm_report rep;
	struct zvm_status st;
	uint16_t type;
	int rc;

	switch (r->dec) {
	case HEADER: return zvm_proto_check_header(p, len, &type, err, errlen);
	case SUBMIT: rc = zvm_proto_decode_submit(p, len, r->nfds, &j, err, errlen); break;
	case UPLOAD: rc = zvm_proto_decode_upload(p, len, r->nfds, &j, err, errlen); break;
	case REPORT: return zvm_proto_decode_report(p, len, &rep, err, errlen);
	case STATUS: return zvm_proto_decode_status(p, len, &st, err, errlen);
	default: return -EINVAL;
	}
	if (rc == 0)
		zvm_submit_free(&j);
	return rc;
}

static void test_rows(void **state)
{
	unsigned failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct zvm_msg m = { 0 };
		const uint8_t *p = (const uint8_t *)r->bytes;
		size_t len = r->len;
		char err[512] = "";
		int rc;

		if (r->build) {
			zvm_msg_init(&m, ZVM_MSG_SUBMIT);
			r->build(&m);
			assert_int_equal(zvm_msg_finish(&m), 0);
			p = m.buf + ZVM_PROTO_HEADER;
			len = m.len - ZVM_PROTO_HEADER;
		}
		rc = decode(r, p, len, err, sizeof(err));
		if (rc != r->rc || (r->error && !strstr(err, r->error)) || (!r->error && err[0])) {
			print_error("row %zu (%s): rc %d, expected %d; error \"%s\", expected \"%s\"\n", i, r->what, rc,
				    r->rc, err, r->error ? r->error : "");
			failed++;
		}
		zvm_msg_free(&m);
	}
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
