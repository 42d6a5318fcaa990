/*
 * test_channel.c — channel I/O: limits, -EDQUOT, short counts at a byte
 * limit, digests, random access, and errors that name the channel.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "channels/channels.h"

static char dir[] = "/tmp/zvm-channel-XXXXXX";

static void manifest_with(struct zvm_manifest *m, const char *uri, unsigned type, uint64_t gets,
			  uint64_t get_size, uint64_t puts, uint64_t put_size)
{
	memset(m, 0, sizeof(*m));
	m->nchannels = 1;
	m->channels[0] = (struct zvm_channel_decl){ .uri = (char *)uri, .alias = (char *)"/dev/c", .type = type,
						    .max_reads = gets, .max_read_bytes = get_size,
						    .max_writes = puts, .max_write_bytes = put_size };
}

static void test_write_limits_and_digest(void **state)
{
	struct zvm_manifest m;
	struct zvm_channel ch;
	struct zvm_channel_stats st;
	char path[128], err[256];
	uint8_t d[32], want[32];
	SHA256_CTX c;

	(void)state;
	snprintf(path, sizeof(path), "%s/out", dir);
	manifest_with(&m, path, 0, 0, 0, 3, 10);
	assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), 0);
	assert_int_equal(zvm_channel_write(&ch, "hello", 5, 0), 5);
	assert_int_equal(zvm_channel_write(&ch, "world!!", 7, 0), 5); /* cut at the byte limit */
	assert_true(st.limit_hit);
	assert_int_equal(zvm_channel_write(&ch, "x", 1, 0), -EDQUOT);
	assert_int_equal(zvm_channel_read(&ch, path, 1, 0), -EBADF); /* not readable */
	assert_int_equal(st.writes, 2);
	assert_int_equal(st.write_bytes, 10);
	zvm_channel_digest(&st, d);
	SHA256_Init(&c);
	SHA256_Update(&c, "helloworld", 10);
	SHA256_Final(want, &c);
	assert_memory_equal(d, want, 32);
	zvm_channels_close(&ch, 1);
	{
		char buf[32] = "";
		int fd = open(path, O_RDONLY);
		assert_int_equal(read(fd, buf, sizeof(buf)), 10);
		assert_memory_equal(buf, "helloworld", 10);
		close(fd);
	}
}

static void test_read_limits(void **state)
{
	struct zvm_manifest m;
	struct zvm_channel ch;
	struct zvm_channel_stats st;
	char path[128], err[256], buf[64];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/in", dir);
	f = fopen(path, "w");
	fputs("0123456789abcdef", f);
	fclose(f);
	manifest_with(&m, path, 1, 2, 12, 0, 0); /* random reads, 2 calls, 12 bytes */
	assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), 0);
	assert_int_equal(ch.size, 16);
	assert_int_equal(zvm_channel_read(&ch, buf, 4, 10), 4);
	assert_memory_equal(buf, "abcd", 4);
	assert_int_equal(zvm_channel_read(&ch, buf, 20, 0), 8); /* 12 - 4 left */
	assert_int_equal(zvm_channel_read(&ch, buf, 1, 0), -EDQUOT);
	assert_int_equal(zvm_channel_read(&ch, buf, 1, -1), -EINVAL);
	assert_int_equal(zvm_channel_write(&ch, "x", 1, 0), -EBADF);
	zvm_channels_close(&ch, 1);
}

static void test_open_errors(void **state)
{
	struct zvm_manifest m;
	struct zvm_channel ch;
	struct zvm_channel_stats st;
	char err[256];
	int p[2];

	(void)state;
	manifest_with(&m, "/nonexistent/in", 0, 1, 1, 0, 0);
	assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/dev/c (/nonexistent/in)"));
	manifest_with(&m, dir, 0, 1, 1, 0, 0);
	assert_true(zvm_channels_open(&m, &ch, &st, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "directory"));
	/* a random-access channel on a pipe */
	assert_int_equal(pipe(p), 0);
	{
		char uri[32];
		snprintf(uri, sizeof(uri), "fd:%d", p[0]);
		manifest_with(&m, uri, 1, 1, 1, 0, 0);
		assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), -ESPIPE);
		assert_non_null(strstr(err, "seekable"));
	}
	close(p[0]);
	close(p[1]);
}

/* A pipe that takes a write in pieces: nothing is lost. */
static void test_pipe_write_whole(void **state)
{
	struct zvm_manifest m;
	struct zvm_channel ch;
	struct zvm_channel_stats st;
	char err[256], uri[32];
	static char big[300000], back[300000];
	int p[2];
	size_t got = 0;
	pid_t pid;

	(void)state;
	memset(big, 'z', sizeof(big));
	assert_int_equal(pipe(p), 0);
	snprintf(uri, sizeof(uri), "fd:%d", p[1]);
	manifest_with(&m, uri, 0, 0, 0, 1, ZVM_NO_LIMIT);
	assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), 0);
	close(p[1]);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		_exit(zvm_channel_write(&ch, big, sizeof(big), 0) == (long)sizeof(big) ? 0 : 1);
	}
	zvm_channels_close(&ch, 1);
	for (;;) {
		ssize_t n = read(p[0], back + got, sizeof(back) - got);
		if (n <= 0)
			break;
		got += n;
	}
	close(p[0]);
	assert_int_equal(got, sizeof(big));
	{
		int status;
		waitpid(pid, &status, 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_limits_and_digest),
		cmocka_unit_test(test_read_limits),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_pipe_write_whole),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
