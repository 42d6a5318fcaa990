/*
 * test_access.c — a channel's fd carries only the access its declaration
 * allows, so that a raw read or write under the second wall (which lets
 * both through on any channel fd) meets the kernel's EBADF. Caller fds
 * open O_RDWR (a terminal, a file opened with <>) are reopened narrower.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "channels/channels.h"

static char dir[64], path[128];

static int setup(void **state)
{
	int fd;

	snprintf(dir, sizeof(dir), "/tmp/zvm-access-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "0123456789", 10) != 10)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	return rmdir(dir);
}

/* One channel on uri: reads allowed if r, writes if w. */
static void open_channel(const char *uri, bool r, bool w, struct zvm_channel *ch,
			 struct zvm_channel_stats *st)
{
	static struct zvm_manifest m;
	char err[256] = "";

	memset(&m, 0, sizeof(m));
	m.nchannels = 1;
	m.channels[0] = (struct zvm_channel_decl){
		.uri = (char *)uri, .alias = (char *)"/dev/c", .type = 0,
		.max_reads = r ? ZVM_NO_LIMIT : 0, .max_read_bytes = r ? ZVM_NO_LIMIT : 0,
		.max_writes = w ? ZVM_NO_LIMIT : 0, .max_write_bytes = w ? ZVM_NO_LIMIT : 0 };
	assert_int_equal(zvm_channels_open(&m, ch, st, err, sizeof(err)), 0);
}

static int accmode(int fd)
{
	return fcntl(fd, F_GETFL) & O_ACCMODE;
}

static void test_path_channels(void **state)
{
	struct zvm_channel ch;
	struct zvm_channel_stats st;
	char b[4];

	open_channel(path, true, false, &ch, &st);
	assert_int_equal(accmode(ch.fd), O_RDONLY);
	assert_int_equal(write(ch.fd, "x", 1), -1);
	assert_int_equal(errno, EBADF);
	zvm_channels_close(&ch, 1);
	open_channel(path, false, false, &ch, &st); /* neither: read-only */
	assert_int_equal(accmode(ch.fd), O_RDONLY);
	zvm_channels_close(&ch, 1);
	open_channel(path, false, true, &ch, &st);
	assert_int_equal(accmode(ch.fd), O_WRONLY);
	assert_int_equal(read(ch.fd, b, 1), -1);
	assert_int_equal(errno, EBADF);
	zvm_channels_close(&ch, 1);
}

/* fd:N open O_RDWR, at offset 3: the input channel reads on from there
 * but cannot write; the output channel cannot read. */
static void test_caller_rdwr_file(void **state)
{
	struct zvm_channel ch;
	struct zvm_channel_stats st;
	char uri[32], b[8] = "";
	int fd = open(path, O_RDWR | O_TRUNC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0123456789", 10), 10); /* an output channel above truncated it */
	assert_int_equal(lseek(fd, 3, SEEK_SET), 3);
	snprintf(uri, sizeof(uri), "fd:%d", fd);
	open_channel(uri, true, false, &ch, &st);
	assert_int_equal(accmode(ch.fd), O_RDONLY);
	assert_int_equal(write(ch.fd, "x", 1), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(zvm_channel_read(&ch, b, 4, 0), 4);
	assert_string_equal(b, "3456");
	zvm_channels_close(&ch, 1);

	open_channel(uri, false, true, &ch, &st);
	assert_int_equal(accmode(ch.fd), O_WRONLY);
	assert_int_equal(read(ch.fd, b, 1), -1);
	assert_int_equal(errno, EBADF);
	zvm_channels_close(&ch, 1);

	/* both directions declared: the caller's access stays */
	open_channel(uri, true, true, &ch, &st);
	assert_int_equal(accmode(ch.fd), O_RDWR);
	zvm_channels_close(&ch, 1);
	/* the caller's own fd is untouched */
	assert_int_equal(accmode(fd), O_RDWR);
	close(fd);
}

/* A terminal: stdin and stdout are one O_RDWR pty slave. */
static void test_caller_pty(void **state)
{
	struct zvm_channel ch;
	struct zvm_channel_stats st;
	char uri[32];
	int master = posix_openpt(O_RDWR | O_NOCTTY), slave;

	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		skip();
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	snprintf(uri, sizeof(uri), "fd:%d", slave);
	open_channel(uri, false, true, &ch, &st);    /* stdout: no reading the keyboard */
	assert_int_equal(accmode(ch.fd), O_WRONLY);
	assert_true(isatty(ch.fd));
	zvm_channels_close(&ch, 1);
	open_channel(uri, true, false, &ch, &st);    /* stdin: no writing to the screen */
	assert_int_equal(accmode(ch.fd), O_RDONLY);
	zvm_channels_close(&ch, 1);
	close(slave);
	close(master);
}

/* What cannot be reopened keeps its access (the threat model says so). */
static void test_socket_kept(void **state)
{
	struct zvm_channel ch;
	struct zvm_channel_stats st;
	char uri[32];
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	snprintf(uri, sizeof(uri), "fd:%d", sv[0]);
	open_channel(uri, true, false, &ch, &st);
	assert_int_equal(accmode(ch.fd), O_RDWR);
	zvm_channels_close(&ch, 1);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_channels),
		cmocka_unit_test(test_caller_rdwr_file),
		cmocka_unit_test(test_caller_pty),
		cmocka_unit_test(test_socket_kept),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
