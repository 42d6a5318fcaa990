/*
 * test_window.c — the job in a slot's window (supervisor/worker.h): zvmd
 * writes the SUBMIT encoding of the capped manifest, the worker decodes it
 * with the protocol's decoder. A round trip with every field at its
 * maximum, and hostile windows (lengths, headers, fields, random bytes)
 * that must decode into an error, never a crash or a half-filled job.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocol/protocol.h"
#include "supervisor/worker.h"

static struct zvm_window_job w;

/* A manifest as zvmd hands it out: limits decided, the program's name,
 * 256 arguments, 256 environment entries, 64 channels. */
static void fill(struct zvm_manifest *m)
{
	char buf[80];

	memset(m, 0, sizeof(*m));
	m->program = strdup("hello.nexe");
	m->memory = 96 << 20;
	m->timeout = 2.5;
	m->cpu_time = 1.25;
	m->given = ZVM_GIVEN_MEMORY | ZVM_GIVEN_TIMEOUT | ZVM_GIVEN_CPU_TIME;
	m->deterministic = false;
	m->seed = 42;
	m->epoch_ns = 1ull << 60;
	for (unsigned i = 0; i < ZVM_MAX_ARGS; i++) {
		snprintf(buf, sizeof(buf), "argument %u", i);
		m->args[m->nargs++] = strdup(buf);
	}
	for (unsigned i = 0; i < ZVM_MAX_ENV; i++) {
		snprintf(buf, sizeof(buf), "N%u=%u", i, i);
		m->env[m->nenv++] = strdup(buf);
	}
	for (unsigned i = 0; i < ZVM_MAX_CHANNELS; i++) {
		struct zvm_channel_decl *d = &m->channels[m->nchannels++];
		snprintf(buf, sizeof(buf), "/dev/c%u", i);
		d->alias = strdup(buf);
		d->type = i % 4;
		d->max_reads = i;
		d->max_read_bytes = ZVM_NO_LIMIT;
		d->max_writes = i * 2;
		d->max_write_bytes = i * 3;
	}
}

static void test_round_trip(void **state)
{
	static struct zvm_manifest m;
	static struct zvm_submit s;
	char err[256];

	(void)state;
	fill(&m);
	assert_int_equal(zvm_window_put_job(&w, &m), 0);
	assert_int_equal(zvm_window_get_job(&w, m.nchannels + 1, &s, err, sizeof(err)), 0);
	assert_string_equal(s.m.program, "hello.nexe");
	assert_int_equal(s.m.memory, m.memory);
	assert_true(s.m.timeout == m.timeout && s.m.cpu_time == m.cpu_time);
	assert_int_equal(s.m.given, m.given);
	assert_int_equal(s.m.deterministic, false);
	assert_int_equal(s.m.seed, 42);
	assert_int_equal(s.m.epoch_ns, 1ull << 60);
	assert_int_equal(s.m.nargs, ZVM_MAX_ARGS);
	assert_int_equal(s.m.nenv, ZVM_MAX_ENV);
	for (unsigned i = 0; i < ZVM_MAX_ARGS; i++)
		assert_string_equal(s.m.args[i], m.args[i]);
	for (unsigned i = 0; i < ZVM_MAX_ENV; i++)
		assert_string_equal(s.m.env[i], m.env[i]);
	assert_int_equal(s.m.nchannels, ZVM_MAX_CHANNELS);
	assert_int_equal(s.image_fd, 0);
	for (unsigned i = 0; i < ZVM_MAX_CHANNELS; i++) {
		assert_string_equal(s.m.channels[i].alias, m.channels[i].alias);
		assert_int_equal(s.m.channels[i].type, m.channels[i].type);
		assert_int_equal(s.m.channels[i].max_reads, m.channels[i].max_reads);
		assert_int_equal(s.m.channels[i].max_read_bytes, m.channels[i].max_read_bytes);
		assert_int_equal(s.m.channels[i].max_writes, m.channels[i].max_writes);
		assert_int_equal(s.m.channels[i].max_write_bytes, m.channels[i].max_write_bytes);
		assert_int_equal(s.channel_fds[i], (int)i + 1);
	}
	zvm_submit_free(&s);
	/* fewer fds came than the window names: refused by the decoder */
	assert_int_equal(zvm_window_get_job(&w, m.nchannels, &s, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "fd index 64 but 64 fds passed"));
	assert_int_equal(s.m.nargs, 0);
	zvm_manifest_free(&m);
}

/* A job that does not fit the window is refused when zvmd writes it. */
static void test_too_big(void **state)
{
	static struct zvm_manifest m;
	char *big = malloc(8192);

	(void)state;
	memset(big, 'x', 8191);
	big[8191] = '\0';
	memset(&m, 0, sizeof(m));
	m.program = strdup("p");
	for (unsigned i = 0; i < ZVM_MAX_ARGS; i++)
		m.args[m.nargs++] = strdup(big); /* 2 MiB of arguments */
	assert_int_equal(zvm_window_put_job(&w, &m), -EMSGSIZE);
	zvm_manifest_free(&m);
	free(big);
}

/* Puts bytes in the window as a hostile writer would. */
static void raw(uint32_t len, const void *bytes, size_t n)
{
	memset(&w, 0, sizeof(w.len) + 4096);
	w.len = len;
	memcpy(w.bytes, bytes, n);
}

static size_t header(uint8_t *b, uint16_t type, uint32_t plen)
{
	static const uint8_t magic[4] = { 0x5a, 0x56, 0x4d, 0x31 };
	memcpy(b, magic, 4);
	b[4] = 1, b[5] = 0;
	b[6] = (uint8_t)type, b[7] = (uint8_t)(type >> 8);
	for (int i = 0; i < 4; i++)
		b[8 + i] = (uint8_t)(plen >> 8 * i);
	memset(b + 12, 0, 4);
	return 16;
}

static void expect_refused(unsigned nfds, int want, const char *text)
{
	static struct zvm_submit s;
	char err[256] = "";
	int rc = zvm_window_get_job(&w, nfds, &s, err, sizeof(err));

	if (rc != want || !strstr(err, text))
		print_error("got %d '%s', want %d '%s'\n", rc, err, want, text);
	assert_int_equal(rc, want);
	assert_non_null(strstr(err, text));
	assert_null(s.m.program); /* nothing half-filled is left */
	assert_int_equal(s.m.nargs + s.m.nenv + s.m.nchannels, 0);
}

static void test_hostile(void **state)
{
	uint8_t b[256];
	size_t n;

	(void)state;
	raw(0, "", 0);
	expect_refused(1, -EMSGSIZE, "a job of 0 bytes");
	raw(15, "ZVM1", 4);
	expect_refused(1, -EMSGSIZE, "a job of 15 bytes");
	raw(0xffffffffu, "", 0);
	expect_refused(1, -EMSGSIZE, "a job of 4294967295 bytes");
	raw((uint32_t)sizeof(w.bytes) + 1, "", 0);
	expect_refused(1, -EMSGSIZE, "expected 16 to");
	/* a header that is not ours */
	n = header(b, ZVM_MSG_SUBMIT, 0);
	b[0] = 'X';
	raw((uint32_t)n, b, n);
	expect_refused(1, -EBADMSG, "magic");
	/* another message */
	n = header(b, ZVM_MSG_REPORT, 0);
	raw((uint32_t)n, b, n);
	expect_refused(1, -EBADMSG, "expected a whole SUBMIT");
	/* a header that claims more (or fewer) bytes than the window holds */
	n = header(b, ZVM_MSG_SUBMIT, 100);
	raw((uint32_t)n + 10, b, n + 10);
	expect_refused(1, -EBADMSG, "expected a whole SUBMIT");
	/* fields: one running past the end */
	n = header(b, ZVM_MSG_SUBMIT, 6);
	memcpy(b + n, "\x01\x00\xff\x00\x00\x00", 6);
	raw((uint32_t)n + 6, b, n + 6);
	expect_refused(1, -EBADMSG, "offset 0");
	/* an image fd index with no fd */
	n = header(b, ZVM_MSG_SUBMIT, 10);
	memcpy(b + n, "\x01\x00\x04\x00\x00\x00\x07\x00\x00\x00", 10);
	raw((uint32_t)n + 10, b, n + 10);
	expect_refused(1, -EBADMSG, "image fd index 7 but 1 fds passed");
	/* no image at all */
	n = header(b, ZVM_MSG_SUBMIT, 0);
	raw((uint32_t)n, b, n);
	expect_refused(1, -EBADMSG, "either by fd or by digest");
	/* a NUL inside an argument, after a good image field */
	n = header(b, ZVM_MSG_SUBMIT, 10 + 9);
	memcpy(b + n, "\x01\x00\x04\x00\x00\x00\x00\x00\x00\x00" "\x09\x00\x03\x00\x00\x00" "a\0b", 19);
	raw((uint32_t)n + 19, b, n + 19);
	expect_refused(1, -EBADMSG, "NUL byte");
}

/* Random damage to a real window: every outcome is a job or an error. */
static void test_garbage(void **state)
{
	static struct zvm_manifest m;
	static struct zvm_submit s;
	static uint8_t good[64 * 1024];
	uint32_t good_len;
	unsigned seed = 12345, decoded = 0;
	char err[256];

	(void)state;
	fill(&m);
	m.nargs = 4; /* small, so damage lands in every part */
	for (unsigned i = 4; i < ZVM_MAX_ARGS; i++)
		free(m.args[i]);
	m.nenv = 2;
	for (unsigned i = 2; i < ZVM_MAX_ENV; i++)
		free(m.env[i]);
	m.nchannels = 5;
	for (unsigned i = 5; i < ZVM_MAX_CHANNELS; i++)
		free(m.channels[i].alias);
	assert_int_equal(zvm_window_put_job(&w, &m), 0);
	good_len = w.len;
	assert_true(good_len <= sizeof(good));
	memcpy(good, w.bytes, good_len);
	for (unsigned k = 0; k < 20000; k++) {
		unsigned flips = 1 + rand_r(&seed) % 8;
		memcpy(w.bytes, good, good_len);
		w.len = good_len;
		for (unsigned f = 0; f < flips; f++)
			w.bytes[rand_r(&seed) % good_len] = (uint8_t)rand_r(&seed);
		if (rand_r(&seed) % 8 == 0)
			w.len = (uint32_t)rand_r(&seed) % (good_len + 64);
		if (zvm_window_get_job(&w, 1 + rand_r(&seed) % 7, &s, err, sizeof(err)) == 0) {
			decoded++;
			assert_non_null(s.m.program);
			assert_true(s.m.nchannels <= ZVM_MAX_CHANNELS && s.m.nargs <= ZVM_MAX_ARGS);
			zvm_submit_free(&s);
		} else {
			assert_true(err[0] != '\0');
		}
	}
	print_message("%u of 20000 damaged windows still decoded\n", decoded);
	zvm_manifest_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
