/*
 * test_validator_copy.c — zvm_vh_copy_image (supervisor/validator-copy.c),
 * the validator helper's first step: a bounded regular file is copied byte
 * for byte into a fully sealed memfd; everything else is refused with a
 * message naming what it is, and nothing leaks.
 *
 * A file that changes size while it is read is made deterministic by
 * interposing pread() in this test program (the library's call resolves to
 * ours): on the first read the hook truncates or extends the file, exactly
 * between the copy's fstat and its reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "supervisor/validator.h"

/* ---- the pread hook ------------------------------------------------------ */

enum hook { HOOK_NONE, HOOK_SHRINK, HOOK_GROW };
static enum hook hook;
static off_t hook_size;

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	enum hook h = hook;

	hook = HOOK_NONE; /* once */
	/* shrink or grow the file under the copy, before its first read */
	if (h != HOOK_NONE && ftruncate(fd, hook_size) < 0)
		return -1;
	return syscall(SYS_pread64, fd, buf, n, off);
}

/* ---- helpers ------------------------------------------------------------- */

static unsigned open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* An unnamed regular file in /tmp holding size bytes of pattern; O_RDWR. */
static int tmp_file(size_t size)
{
	int fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	uint8_t *b = malloc(size + 1);

	assert_true(fd >= 0 && b);
	for (size_t i = 0; i < size; i++)
		b[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(write(fd, b, size), (ssize_t)size);
	free(b);
	return fd;
}

static void assert_copy_of(int mfd, int src, size_t size)
{
	uint8_t *a = malloc(size + 1), *b = malloc(size + 1);
	struct stat st;
	int seals = F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL;

	assert_true(a && b);
	assert_int_equal(fstat(mfd, &st), 0);
	assert_int_equal(st.st_size, size);
	assert_int_equal(fcntl(mfd, F_GET_SEALS) & seals, seals);
	assert_int_equal(syscall(SYS_pread64, mfd, a, size + 1, 0), (ssize_t)size);
	assert_int_equal(syscall(SYS_pread64, src, b, size, 0), (ssize_t)size);
	assert_memory_equal(a, b, size);
	/* sealed: neither written nor resized nor unsealed */
	assert_int_equal(pwrite(mfd, "x", 1, 0), -1);
	assert_int_equal(ftruncate(mfd, 0), -1);
	assert_int_equal(fcntl(mfd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE), -1);
	assert_true(fcntl(mfd, F_GETFD) & FD_CLOEXEC);
	free(a);
	free(b);
}

/* Refused: -want, a message containing what, and no fd left behind. */
static void assert_refused(int fd, uint64_t max, int want, const char *what)
{
	char err[256] = "";
	unsigned before = open_fds();
	int rc = zvm_vh_copy_image(fd, max, err, sizeof(err));

	if (rc >= 0)
		fail_msg("accepted (want '%s')", what);
	if (rc != want || !strstr(err, what))
		fail_msg("rc %d '%s', want %d '%s'", rc, err, want, what);
	assert_int_equal(open_fds(), before);
}

/* ---- tests --------------------------------------------------------------- */

static void test_regular_file_copies(void **state)
{
	char err[256] = "";
	int fd = tmp_file(100000), mfd;

	(void)state;
	mfd = zvm_vh_copy_image(fd, 100000, err, sizeof(err)); /* exactly the max */
	if (mfd < 0)
		fail_msg("%s", err);
	assert_copy_of(mfd, fd, 100000);
	close(mfd);
	close(fd);
}

static void test_memfd_copies(void **state)
{
	char err[256] = "";
	int fd = memfd_create("src", MFD_CLOEXEC | MFD_ALLOW_SEALING), mfd;

	(void)state;
	assert_int_equal(write(fd, "\177ELF and more", 13), 13);
	assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK), 0);
	mfd = zvm_vh_copy_image(fd, 1 << 20, err, sizeof(err));
	if (mfd < 0)
		fail_msg("%s", err);
	assert_true(mfd != fd);
	assert_copy_of(mfd, fd, 13);
	close(mfd);
	close(fd);
}

static void test_reads_from_zero_and_keeps_offset(void **state)
{
	char err[256] = "";
	int fd = tmp_file(5000), mfd;

	(void)state;
	assert_int_equal(lseek(fd, 1234, SEEK_SET), 1234);
	mfd = zvm_vh_copy_image(fd, 1 << 20, err, sizeof(err));
	if (mfd < 0)
		fail_msg("%s", err);
	assert_copy_of(mfd, fd, 5000);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 1234); /* the client's offset */
	close(mfd);
	/* at the end of the file, too */
	assert_int_equal(lseek(fd, 0, SEEK_END), 5000);
	mfd = zvm_vh_copy_image(fd, 1 << 20, err, sizeof(err));
	assert_true(mfd >= 0);
	assert_copy_of(mfd, fd, 5000);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 5000);
	close(mfd);
	close(fd);
}

static void test_refuses_pipe_and_fifo(void **state)
{
	int p[2], fd;
	char dir[] = "/tmp/zvm-vcopy-XXXXXX", path[64];

	(void)state;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(write(p[1], "data", 4), 4);
	assert_refused(p[0], 1 << 20, -EINVAL, "a pipe or FIFO");
	assert_refused(p[1], 1 << 20, -EINVAL, "a pipe or FIFO"); /* its write end too */
	close(p[0]);
	close(p[1]);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	fd = open(path, O_RDWR | O_CLOEXEC); /* its own writer: a read would block */
	assert_true(fd >= 0);
	assert_refused(fd, 1 << 20, -EINVAL, "a pipe or FIFO");
	close(fd);
	unlink(path);
	rmdir(dir);
}

static void test_refuses_socket(void **state)
{
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_refused(sv[0], 1 << 20, -EINVAL, "a socket");
	close(sv[0]);
	close(sv[1]);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_refused(sv[1], 1 << 20, -EINVAL, "a socket");
	close(sv[0]);
	close(sv[1]);
}

static void test_refuses_devices_and_directories(void **state)
{
	int fd;

	(void)state;
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_refused(fd, 1 << 20, -EINVAL, "a character device");
	close(fd);
	fd = open("/dev/zero", O_RDONLY | O_CLOEXEC); /* endless if read to EOF */
	assert_true(fd >= 0);
	assert_refused(fd, 1 << 20, -EINVAL, "a character device");
	close(fd);
	fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_refused(fd, 1 << 20, -EINVAL, "a directory");
	close(fd);
	fd = open("/tmp", O_PATH | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_refused(fd, 1 << 20, -EINVAL, "a directory");
	close(fd);
}

static void test_refuses_empty_and_too_large(void **state)
{
	int fd;

	(void)state;
	fd = tmp_file(0);
	assert_refused(fd, 1 << 20, -EINVAL, "is 0 bytes");
	close(fd);
	fd = tmp_file(4097);
	assert_refused(fd, 4096, -EFBIG, "4097 bytes; it must be 1 to 4096");
	close(fd);
}

static void test_refuses_unreadable_descriptors(void **state)
{
	int fd = tmp_file(100), wfd, pfd;
	char path[64];

	(void)state;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* a regular file the client may not read: O_PATH or write-only */
	pfd = open(path, O_PATH | O_CLOEXEC);
	assert_true(pfd >= 0);
	assert_refused(pfd, 1 << 20, -EBADF, "reading the image");
	wfd = open(path, O_WRONLY | O_CLOEXEC);
	assert_true(wfd >= 0);
	assert_refused(wfd, 1 << 20, -EBADF, "reading the image");
	close(pfd);
	close(wfd);
	close(fd);
	assert_refused(fd, 1 << 20, -EBADF, "the image fd"); /* closed */
}

static void test_file_shrinks_while_read(void **state)
{
	int fd = tmp_file(10000);

	(void)state;
	hook = HOOK_SHRINK;
	hook_size = 4000;
	assert_refused(fd, 1 << 20, -EIO, "shrank while it was read (4000 of 10000 bytes)");
	assert_int_equal(hook, HOOK_NONE); /* the hook ran */
	close(fd);
}

static void test_file_grows_while_read(void **state)
{
	int fd = tmp_file(10000);

	(void)state;
	hook = HOOK_GROW;
	hook_size = 10001;
	assert_refused(fd, 1 << 20, -EIO, "grew while it was read");
	assert_int_equal(hook, HOOK_NONE);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular_file_copies),
		cmocka_unit_test(test_memfd_copies),
		cmocka_unit_test(test_reads_from_zero_and_keeps_offset),
		cmocka_unit_test(test_refuses_pipe_and_fifo),
		cmocka_unit_test(test_refuses_socket),
		cmocka_unit_test(test_refuses_devices_and_directories),
		cmocka_unit_test(test_refuses_empty_and_too_large),
		cmocka_unit_test(test_refuses_unreadable_descriptors),
		cmocka_unit_test(test_file_shrinks_while_read),
		cmocka_unit_test(test_file_grows_while_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
