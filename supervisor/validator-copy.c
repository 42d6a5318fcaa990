/*
 * validator-copy.c — the first thing a validator helper does with a
 * client's image fd: refuse what is not a bounded regular file, and copy
 * it once into a sealed memfd. Everything after (hash, parse, validate,
 * the worker's mapping) reads that memfd, so a file changed afterwards
 * changes nothing that runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "supervisor/validator.h"

static const char *kind_of(mode_t m)
{
	return S_ISFIFO(m) ? "a pipe or FIFO" : S_ISSOCK(m) ? "a socket" : S_ISCHR(m) ? "a character device" :
	       S_ISBLK(m) ? "a block device" : S_ISDIR(m) ? "a directory" : "not a regular file";
}

int zvm_vh_copy_image(int fd, uint64_t max_size, char *err, size_t errlen)
{
	struct stat st;
	uint64_t off = 0;
	uint8_t *dst;
	int mfd, e;
	char extra;

	if (fstat(fd, &st) < 0) {
		e = errno;
		snprintf(err, errlen, "the image fd: %s", strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "the image must be a regular file or a memfd, not %s", kind_of(st.st_mode));
		return -EINVAL;
	}
	if (st.st_size <= 0 || (uint64_t)st.st_size > max_size) {
		snprintf(err, errlen, "the image is %lld bytes; it must be 1 to %llu", (long long)st.st_size,
			 (unsigned long long)max_size);
		return st.st_size <= 0 ? -EINVAL : -EFBIG;
	}
	mfd = memfd_create("zvm-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0) {
		e = errno;
		snprintf(err, errlen, "memfd: %s", strerror(e));
		return -e;
	}
	if (ftruncate(mfd, st.st_size) < 0)
		goto fail_errno;
	dst = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (dst == MAP_FAILED)
		goto fail_errno;
	/* Read by size, with pread: the file offset of a shared description
	 * is the client's, and a file that grows or shrinks meanwhile is an
	 * error, never a silent cut. */
	while (off < (uint64_t)st.st_size) {
		ssize_t n = pread(fd, dst + off, st.st_size - off, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : 0;
			munmap(dst, st.st_size);
			close(mfd);
			if (e)
				snprintf(err, errlen, "reading the image: %s", strerror(e));
			else
				snprintf(err, errlen, "the image shrank while it was read (%llu of %lld bytes)",
					 (unsigned long long)off, (long long)st.st_size);
			return e ? -e : -EIO;
		}
		off += (uint64_t)n;
	}
	munmap(dst, st.st_size);
	if (pread(fd, &extra, 1, st.st_size) > 0) {
		close(mfd);
		snprintf(err, errlen, "the image grew while it was read (more than %lld bytes)", (long long)st.st_size);
		return -EIO;
	}
	if ((e = sfi_seal(mfd, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)) < 0) {
		errno = -e;
		goto fail_errno;
	}
	return mfd;
fail_errno:
	e = errno;
	close(mfd);
	snprintf(err, errlen, "copying the image: %s", strerror(e));
	return -e;
}
