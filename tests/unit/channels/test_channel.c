/*
 * test_channel.c — channel I/O: call and byte limits, -EDQUOT, short counts
 * at a byte limit, digests checked against sha256sum, random and sequential
 * access, pipes, and open errors that name the alias and the URI.
 * Works in a temporary directory; needs no root.
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "channels/channels.h"
#include "runtime/include/zvm.h"

static char dir[] = "/tmp/zvm-channel-XXXXXX";

/* One channel, the way the manifest parser would declare it. */
static void one_channel(struct zvm_manifest *m, const char *uri, unsigned type, uint64_t gets,
			uint64_t get_size, uint64_t puts, uint64_t put_size)
{
	memset(m, 0, sizeof(*m));
	m->nchannels = 1;
	m->channels[0] = (struct zvm_channel_decl){ .uri = (char *)uri, .alias = (char *)"/dev/c", .type = type,
						    .max_reads = gets, .max_read_bytes = get_size,
						    .max_writes = puts, .max_write_bytes = put_size };
}

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static size_t get_file(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	assert_true(fd >= 0);
	got = read(fd, buf, n);
	close(fd);
	assert_true(got >= 0);
	return (size_t)got;
}

static struct zvm_channel_stats *mmap_stats(void)
{
	void *p = mmap(NULL, sizeof(struct zvm_channel_stats), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

/* The digest as hex, compared with what sha256sum(1) says of the file. */
static void assert_digest_is_sha256sum(const struct zvm_channel_stats *st, const char *path)
{
	uint8_t d[32];
	char hex[65], cmd[512], line[128] = "";
	FILE *p;

	zvm_channel_digest(st, d);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	pclose(p);
	if (strlen(line) < 64)
		skip(); /* no sha256sum on this machine */
	line[64] = '\0';
	assert_string_equal(hex, line);
}

static void test_write_byte_limit_and_digest(void **state)
{
	struct zvm_manifest m;
	struct zvm_channel ch;
	struct zvm_channel_stats st;
	char path[128], err[256], buf[32];

	(void)state;
	path_of(path, sizeof(path), "out");
	put_file(path, "old contents that must go away");
	one_channel(&m, path, ZVM_CHANNEL_SEQ_READ_SEQ_WRITE, 0, 0, 10, 10);
	assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), 0);
	assert_true(ch.writable && !ch.readable);
	assert_int_equal(ch.size, 0); /* a sequential output starts empty */
	assert_int_equal(zvm_channel_write(&ch, "hello", 5, -7), 5); /* offset ignored */
	assert_false(st.limit_hit);
	assert_int_equal(zvm_channel_write(&ch, "", 0, 0), 0);
	assert_int_equal(zvm_channel_write(&ch, "world!!", 7, 0), 5); /* cut at the byte limit */
	assert_true(st.limit_hit);
	assert_int_equal(zvm_channel_write(&ch, "x", 1, 0), -EDQUOT);
	assert_int_equal(zvm_channel_write(&ch, "", 0, 0), 0); /* nothing to move: not over */
	assert_int_equal(zvm_channel_read(&ch, buf, 1, 0), -EBADF); /* write-only */
	assert_int_equal(st.writes, 4);
	assert_int_equal(st.write_bytes, 10);
	assert_int_equal(st.reads + st.read_bytes, 0);
	zvm_channels_close(&ch, 1);
	assert_int_equal(ch.fd, -1);
	zvm_channels_close(&ch, 1); /* twice is harmless */
	assert_int_equal(get_file(path, buf, sizeof(buf)), 10);
	assert_memory_equal(buf, "helloworld", 10);
	assert_digest_is_sha256sum(&st, path);
}

static void test_write_call_limit(void **state)
{
	struct zvm_manifest m;
	struct zvm_channel ch;
	struct zvm_channel_stats st;
	char path[128], err[256];

	(void)state;
	path_of(path, sizeof(path), "calls");
	one_channel(&m, path, 0, 0, 0, 2, ZVM_NO_LIMIT);
	assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), 0);
	assert_int_equal(zvm_channel_write(&ch, "ab", 2, 0), 2);
	assert_int_equal(zvm_channel_write(&ch, "cd", 2, 0), 2);
	assert_false(st.limit_hit);
	assert_int_equal(zvm_channel_write(&ch, "ef", 2, 0), -EDQUOT);
	assert_true(st.limit_hit);
	assert_int_equal(st.writes, 2);
	zvm_channels_close(&ch, 1);
	assert_digest_is_sha256sum(&st, path);
}

static void test_read_limits(void **state)
{
	struct zvm_manifest m;
	struct zvm_channel ch;
	struct zvm_channel_stats st;
	char path[128], err[256], buf[64];

	(void)state;
	path_of(path, sizeof(path), "in");
	put_file(path, "0123456789abcdef");
	/* gets: 3 calls; get_size: plenty */
	one_channel(&m, path, ZVM_CHANNEL_SEQ_READ_SEQ_WRITE, 3, ZVM_NO_LIMIT, 0, 0);
	assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), 0);
	assert_true(ch.readable && !ch.writable);
	assert_int_equal(ch.size, 16);
	assert_int_equal(zvm_channel_read(&ch, buf, 4, 12345), 4); /* sequential: offset ignored */
	assert_memory_equal(buf, "0123", 4);
	assert_int_equal(zvm_channel_read(&ch, buf, 4, 0), 4);
	assert_memory_equal(buf, "4567", 4);
	assert_int_equal(zvm_channel_read(&ch, buf, sizeof(buf), 0), 8);
	assert_false(st.limit_hit);
	assert_int_equal(zvm_channel_read(&ch, buf, 1, 0), -EDQUOT);
	assert_true(st.limit_hit);
	assert_int_equal(zvm_channel_write(&ch, "x", 1, 0), -EBADF); /* read-only */
	assert_int_equal(st.reads, 3);
	assert_int_equal(st.read_bytes, 16);
	zvm_channels_close(&ch, 1);

	/* get_size: 12 bytes, random reads */
	one_channel(&m, path, ZVM_CHANNEL_RND_READ_SEQ_WRITE, ZVM_NO_LIMIT, 12, 0, 0);
	assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), 0);
	assert_int_equal(zvm_channel_read(&ch, buf, 4, 10), 4);
	assert_memory_equal(buf, "abcd", 4);
	assert_int_equal(zvm_channel_read(&ch, buf, 20, 0), 8); /* 12 - 4 left: a short count */
	assert_memory_equal(buf, "01234567", 8);
	assert_true(st.limit_hit);
	assert_int_equal(zvm_channel_read(&ch, buf, 1, 0), -EDQUOT);
	assert_int_equal(zvm_channel_read(&ch, buf, 1, -1), -EINVAL);
	assert_int_equal(st.read_bytes, 12);
	zvm_channels_close(&ch, 1);

	/* a buffer larger than the budget left, on a file shorter than both:
	 * the limit did not cut anything, so the report must not say so */
	one_channel(&m, path, 0, ZVM_NO_LIMIT, 20, 0, 0);
	assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), 0);
	assert_int_equal(zvm_channel_read(&ch, buf, sizeof(buf), 0), 16);
	assert_int_equal(zvm_channel_read(&ch, buf, sizeof(buf), 0), 0);
	assert_false(st.limit_hit);
	zvm_channels_close(&ch, 1);
}

/* Type 3 on one file: reads and writes at offsets, no shared position;
 * the file keeps its data; the digest is of the bytes in write order. */
static void test_random_read_write(void **state)
{
	struct zvm_manifest m;
	struct zvm_channel ch;
	struct zvm_channel_stats st;
	char path[128], err[256], buf[64];
	uint8_t d[32], want[32];
	SHA256_CTX c;

	(void)state;
	path_of(path, sizeof(path), "rw");
	put_file(path, "0123456789");
	one_channel(&m, path, ZVM_CHANNEL_RND_READ_RND_WRITE, ZVM_NO_LIMIT, ZVM_NO_LIMIT, ZVM_NO_LIMIT, ZVM_NO_LIMIT);
	assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), 0);
	assert_int_equal(ch.size, 10); /* not truncated */
	assert_int_equal(zvm_channel_write(&ch, "XY", 2, 8), 2);
	assert_int_equal(zvm_channel_write(&ch, "ab", 2, 12), 2); /* past the end: a hole */
	assert_int_equal(zvm_channel_write(&ch, "Q", 1, 0), 1);
	assert_int_equal(zvm_channel_write(&ch, "Q", 1, -1), -EINVAL);
	assert_int_equal(zvm_channel_write(&ch, "Q", 1, INT64_MAX), -EINVAL);
	assert_int_equal(zvm_channel_read(&ch, buf, 3, 7), 3);
	assert_memory_equal(buf, "7XY", 3);
	assert_int_equal(zvm_channel_read(&ch, buf, 3, 0), 3);
	assert_memory_equal(buf, "Q12", 3);
	assert_int_equal(zvm_channel_read(&ch, buf, 3, 100), 0);
	zvm_channels_close(&ch, 1);
	assert_int_equal(get_file(path, buf, sizeof(buf)), 14);
	assert_memory_equal(buf, "Q1234567XY\0\0ab", 14);
	zvm_channel_digest(&st, d);
	SHA256_Init(&c);
	SHA256_Update(&c, "XYabQ", 5);
	SHA256_Final(want, &c);
	assert_memory_equal(d, want, 32);
}

/* Sequential write that is also readable keeps the data (no O_TRUNC); a
 * random-write output keeps data beyond what is rewritten. */
static void test_no_truncate(void **state)
{
	struct zvm_manifest m;
	struct zvm_channel ch;
	struct zvm_channel_stats st;
	char path[128], err[256], buf[32];

	(void)state;
	path_of(path, sizeof(path), "keep");
	put_file(path, "abcdef");
	one_channel(&m, path, ZVM_CHANNEL_SEQ_READ_SEQ_WRITE, 1, 1, 1, 1);
	assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), 0);
	assert_int_equal(ch.size, 6);
	zvm_channels_close(&ch, 1);
	one_channel(&m, path, ZVM_CHANNEL_SEQ_READ_RND_WRITE, 0, 0, 1, 1);
	assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), 0);
	assert_int_equal(zvm_channel_write(&ch, "Z", 1, 2), 1);
	zvm_channels_close(&ch, 1);
	assert_int_equal(get_file(path, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "abZdef", 6);
	/* a new file is created 0644 */
	{
		struct stat sb;
		path_of(path, sizeof(path), "new");
		one_channel(&m, path, 0, 0, 0, 1, 1);
		assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), 0);
		zvm_channels_close(&ch, 1);
		assert_int_equal(stat(path, &sb), 0);
		mode_t mask = umask(0);
		umask(mask);
		assert_int_equal(sb.st_mode & 0777, 0644 & ~mask);
	}
}

/* A channel that allows neither: both directions -EBADF. */
static void test_no_access(void **state)
{
	struct zvm_manifest m;
	struct zvm_channel ch;
	struct zvm_channel_stats st;
	char path[128], err[256], buf[4];

	(void)state;
	path_of(path, sizeof(path), "in");
	one_channel(&m, path, 0, 5, 0, 0, 5); /* gets but no bytes, bytes but no puts */
	assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), 0);
	assert_int_equal(zvm_channel_read(&ch, buf, 1, 0), -EBADF);
	assert_int_equal(zvm_channel_write(&ch, "x", 1, 0), -EBADF);
	zvm_channels_close(&ch, 1);
}

static void expect_open_error(const char *uri, unsigned type, uint64_t gets, uint64_t puts, int rc,
			      const char *msg)
{
	struct zvm_manifest m;
	struct zvm_channel ch[2];
	struct zvm_channel_stats st[2];
	char err[256] = "", want[256];

	one_channel(&m, uri, type, gets, gets, puts, puts);
	assert_int_equal(zvm_channels_open(&m, ch, st, err, sizeof(err)), rc);
	snprintf(want, sizeof(want), "channel /dev/c (%s): %s", uri, msg);
	assert_string_equal(err, want);
	assert_int_equal(ch[0].fd, -1);
}

static void test_open_errors(void **state)
{
	char path[128], uri[32];
	int p[2], wfd;

	(void)state;
	expect_open_error("/nonexistent/in", 0, 1, 0, -ENOENT, "No such file or directory");
	expect_open_error(dir, 0, 1, 0, -EISDIR, "is a directory");
	expect_open_error(dir, 0, 0, 1, -EISDIR, "Is a directory");
	expect_open_error("fd:", 0, 1, 0, -EINVAL, "fd:N needs a descriptor number");
	expect_open_error("fd:1x", 0, 1, 0, -EINVAL, "fd:N needs a descriptor number");
	expect_open_error("fd:9999", 0, 1, 0, -EBADF, "descriptor 9999: Bad file descriptor");
	/* random access on a pipe, on the side the channel uses */
	assert_int_equal(pipe(p), 0);
	snprintf(uri, sizeof(uri), "fd:%d", p[0]);
	expect_open_error(uri, 1, 1, 0, -ESPIPE,
			  "type 1 (random access) needs a seekable file, not a pipe, socket or terminal");
	snprintf(uri, sizeof(uri), "fd:%d", p[1]);
	expect_open_error(uri, 2, 0, 1, -ESPIPE,
			  "type 2 (random access) needs a seekable file, not a pipe, socket or terminal");
	/* a descriptor opened the wrong way round */
	{
		char want[64];
		struct zvm_manifest m;
		struct zvm_channel ch;
		struct zvm_channel_stats st;
		char err[256];

		snprintf(want, sizeof(want), "descriptor %d is not open for reading", p[1]);
		one_channel(&m, uri, 0, 1, 1, 0, 0);
		assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), -EBADF);
		assert_non_null(strstr(err, want));
		/* the write side of type 1 needs no seeking: a pipe will do */
		one_channel(&m, uri, ZVM_CHANNEL_RND_READ_SEQ_WRITE, 0, 0, 1, 1);
		assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), 0);
		assert_int_equal(zvm_channel_write(&ch, "p", 1, 0), 1);
		zvm_channels_close(&ch, 1);
	}
	close(p[0]);
	close(p[1]);
	/* a read-only file given as fd: for an output channel */
	path_of(path, sizeof(path), "ro");
	put_file(path, "x");
	wfd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(uri, sizeof(uri), "fd:%d", wfd);
	{
		char want[160];
		struct zvm_manifest m;
		struct zvm_channel ch;
		struct zvm_channel_stats st;
		char err[256];

		snprintf(want, sizeof(want), "channel /dev/c (%s): descriptor %d is not open for writing", uri, wfd);
		one_channel(&m, uri, 0, 0, 0, 1, 1);
		assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), -EBADF);
		assert_string_equal(err, want);
	}
	close(wfd);
}

/* The second channel fails: the first is closed again, the message names
 * the second. */
static void test_open_fails_midway(void **state)
{
	struct zvm_manifest m;
	struct zvm_channel ch[2];
	struct zvm_channel_stats st[2];
	char path[128], err[256];

	(void)state;
	path_of(path, sizeof(path), "first");
	memset(&m, 0, sizeof(m));
	m.nchannels = 2;
	m.channels[0] = (struct zvm_channel_decl){ .uri = path, .alias = (char *)"/dev/one", .max_writes = 1,
						   .max_write_bytes = 1 };
	m.channels[1] = (struct zvm_channel_decl){ .uri = (char *)"/nonexistent/x", .alias = (char *)"/dev/two",
						   .max_reads = 1, .max_read_bytes = 1 };
	assert_int_equal(zvm_channels_open(&m, ch, st, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "channel /dev/two (/nonexistent/x): No such file or directory");
	assert_int_equal(ch[0].fd, -1);
	assert_int_equal(ch[1].fd, -1);
	zvm_channels_close(ch, 2); /* still harmless */
}

/* The caller's stdio: a dup, close-on-exec, not the same number. */
static void test_stdio(void **state)
{
	struct zvm_manifest m;
	struct zvm_channel ch[3];
	struct zvm_channel_stats st[3];
	char err[256];

	(void)state;
	assert_int_equal(zvm_manifest_default("p", &m), 0);
	if (fcntl(0, F_GETFL) < 0 || (fcntl(0, F_GETFL) & O_ACCMODE) == O_WRONLY ||
	    (fcntl(1, F_GETFL) & O_ACCMODE) == O_RDONLY || (fcntl(2, F_GETFL) & O_ACCMODE) == O_RDONLY) {
		zvm_manifest_free(&m);
		skip(); /* the test runner gave us unusual stdio */
	}
	assert_int_equal(zvm_channels_open(&m, ch, st, err, sizeof(err)), 0);
	for (int i = 0; i < 3; i++) {
		assert_true(ch[i].fd > 2);
		assert_true(fcntl(ch[i].fd, F_GETFD) & FD_CLOEXEC);
	}
	assert_true(ch[0].readable && !ch[0].writable);
	assert_true(!ch[1].readable && ch[1].writable);
	zvm_channels_close(ch, 3);
	zvm_manifest_free(&m);
}

/* A pipe that takes a write in pieces: nothing is lost, the digest covers
 * every byte. */
static void test_pipe_write_whole(void **state)
{
	struct zvm_manifest m;
	struct zvm_channel ch;
	struct zvm_channel_stats *st;
	char err[256], uri[32];
	static char big[300000], back[300000];
	uint8_t d[32], want[32];
	int p[2], status;
	size_t got = 0;
	pid_t pid;

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	/* the stats live in shared memory, as in zvm: the parent reads them */
	st = mmap_stats();
	assert_int_equal(pipe(p), 0);
	snprintf(uri, sizeof(uri), "fd:%d", p[1]);
	one_channel(&m, uri, 0, 0, 0, 1, ZVM_NO_LIMIT);
	assert_int_equal(zvm_channels_open(&m, &ch, st, err, sizeof(err)), 0);
	close(p[1]);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		_exit(zvm_channel_write(&ch, big, sizeof(big), 0) == (long)sizeof(big) ? 0 : 1);
	}
	zvm_channels_close(&ch, 1);
	for (;;) {
		ssize_t n = read(p[0], back + got, sizeof(back) - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(got, sizeof(big));
	assert_memory_equal(back, big, sizeof(big));
	assert_int_equal(st->writes, 1);
	assert_int_equal(st->write_bytes, sizeof(big));
	zvm_channel_digest(st, d);
	SHA256((const unsigned char *)big, sizeof(big), want);
	assert_memory_equal(d, want, 32);
	munmap(st, sizeof(*st));
}

/* Sequential reads from a pipe, with a byte limit that cuts. */
static void test_pipe_read(void **state)
{
	struct zvm_manifest m;
	struct zvm_channel ch;
	struct zvm_channel_stats st;
	char err[256], uri[32], buf[16];
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "streaming", 9), 9);
	close(p[1]);
	snprintf(uri, sizeof(uri), "fd:%d", p[0]);
	one_channel(&m, uri, 0, ZVM_NO_LIMIT, 6, 0, 0);
	assert_int_equal(zvm_channels_open(&m, &ch, &st, err, sizeof(err)), 0);
	close(p[0]);
	assert_int_equal(ch.size, 0);
	assert_int_equal(zvm_channel_read(&ch, buf, 4, 0), 4);
	assert_int_equal(zvm_channel_read(&ch, buf + 4, 10, 0), 2);
	assert_memory_equal(buf, "stream", 6);
	assert_true(st.limit_hit);
	assert_int_equal(zvm_channel_read(&ch, buf, 10, 0), -EDQUOT);
	zvm_channels_close(&ch, 1);
}

/* A worker that scribbled on its stats cannot make the parent's digest
 * index out of bounds. */
static void test_digest_of_scribbled_stats(void **state)
{
	struct zvm_channel_stats st;
	uint8_t d[32];

	(void)state;
	memset(&st, 0xff, sizeof(st));
	zvm_channel_digest(&st, d);
	SHA256_Init(&st.digest);
	zvm_channel_digest(&st, d);
	zvm_channel_digest(&st, d); /* the original is untouched: same again */
	{
		uint8_t empty[32];
		SHA256((const unsigned char *)"", 0, empty);
		assert_memory_equal(d, empty, 32);
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
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_byte_limit_and_digest),
		cmocka_unit_test(test_write_call_limit),
		cmocka_unit_test(test_read_limits),
		cmocka_unit_test(test_random_read_write),
		cmocka_unit_test(test_no_truncate),
		cmocka_unit_test(test_no_access),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_open_fails_midway),
		cmocka_unit_test(test_stdio),
		cmocka_unit_test(test_pipe_write_whole),
		cmocka_unit_test(test_pipe_read),
		cmocka_unit_test(test_digest_of_scribbled_stats),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
