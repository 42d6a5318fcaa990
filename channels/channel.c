/*
 * channel.c — opening channels (trusted parent) and moving bytes through
 * them with limits and digests (worker).
 *
 * zvm_channel_read/write run under the cell-stage seccomp filter, which lets
 * through read, write, pread64 and pwrite64 on channel fds and little else:
 * they must not allocate, print, stat or take locks. They only touch the fd,
 * errno and the stats block (SHA256_Update is pure computation).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "channels/channels.h"
#include "channels/manifest-internal.h"
#include "runtime/include/zvm.h"

/* Linux moves at most about 2 GiB per call; a round 1 GiB keeps every
 * count inside a long and is a short count the program must handle anyway. */
#define MAX_IO (1ull << 30)

static bool random_read(unsigned type)
{
	return type == ZVM_CHANNEL_RND_READ_SEQ_WRITE || type == ZVM_CHANNEL_RND_READ_RND_WRITE;
}

static bool random_write(unsigned type)
{
	return type == ZVM_CHANNEL_SEQ_READ_RND_WRITE || type == ZVM_CHANNEL_RND_READ_RND_WRITE;
}

/* ---- parent side: opening ------------------------------------------------ */

__attribute__((format(printf, 4, 5)))
static int open_err(const struct zvm_channel_decl *d, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "channel %s (%s): ", d->alias, d->uri);

	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - n, fmt, ap);
		va_end(ap);
	}
	return 0;
}

/* The second wall (the cell-stage filter) lets raw read/write through on a
 * channel fd whatever the channel's declared direction: only the kernel's
 * access mode stops a read on an output. A descriptor open for both, given
 * to a channel that uses one direction (a terminal is the usual case:
 * stdin and stdout are the same O_RDWR pty), is reopened with only that
 * access. Only what can be reopened without side effects: regular files
 * (the offset carried over; it is no longer shared with the caller) and
 * pty slaves. Pipes are one-way already; sockets cannot be reopened and
 * keep both directions. */
int zvm_channel_narrow_fd(int fd, bool readable, bool writable)
{
	int fl = fcntl(fd, F_GETFL), nfd;
	char path[40];
	struct stat st;
	off_t off = 0;

	if (fl < 0 || (fl & O_ACCMODE) != O_RDWR || (readable && writable) || fstat(fd, &st) < 0)
		return fd;
	if (!S_ISREG(st.st_mode) && !(S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143))
		return fd;
	if (S_ISREG(st.st_mode) && (off = lseek(fd, 0, SEEK_CUR)) < 0)
		return fd;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path, (writable ? O_WRONLY : O_RDONLY) | (fl & (O_APPEND | O_NONBLOCK)) | O_CLOEXEC | O_NOCTTY);
	if (nfd < 0)
		return fd;
	if (S_ISREG(st.st_mode) && lseek(nfd, off, SEEK_SET) != off) {
		close(nfd);
		return fd;
	}
	close(fd);
	return nfd;
}

/* A copy of one of the caller's descriptors, checked against the access the
 * channel needs: reading a terminal through a channel declared as output
 * would otherwise go unnoticed until the program tried. */
static int dup_caller_fd(const struct zvm_channel_decl *d, int n, const struct zvm_channel *c,
			 char *err, size_t errlen)
{
	int fd = fcntl(n, F_DUPFD_CLOEXEC, 3), mode, e;

	if (fd < 0) {
		e = errno;
		open_err(d, err, errlen, "descriptor %d: %s", n, strerror(e));
		return -e;
	}
	mode = fcntl(fd, F_GETFL) & O_ACCMODE;
	if ((c->readable && mode == O_WRONLY) || (c->writable && mode == O_RDONLY)) {
		open_err(d, err, errlen, "descriptor %d is not open for %s", n, c->readable && mode == O_WRONLY
											? "reading" : "writing");
		close(fd);
		return -EBADF;
	}
	return zvm_channel_narrow_fd(fd, c->readable, c->writable);
}

static int open_path(const struct zvm_channel_decl *d, const struct zvm_channel *c, char *err, size_t errlen)
{
	int flags, fd, e;

	if (c->readable && c->writable)
		flags = O_RDWR | O_CREAT;
	else if (c->writable)
		flags = O_WRONLY | O_CREAT;
	else
		flags = O_RDONLY;
	/* A sequential output starts empty, so a rerun gives the same file; a
	 * random-access output and a file that is also read keep their data. */
	if (c->writable && !c->readable && !random_write(d->type))
		flags |= O_TRUNC;
	do
		fd = open(d->uri, flags | O_CLOEXEC | O_NOCTTY, 0644);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		e = errno;
		open_err(d, err, errlen, "%s", strerror(e));
		return -e;
	}
	return fd;
}

static int open_one(const struct zvm_channel_decl *d, struct zvm_channel *c, char *err, size_t errlen)
{
	static const char *const stdio[3] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };
	int n = zvm_channel_uri_fd(d->uri), fd, e;
	struct stat st;

	for (int i = 0; i < 3; i++)
		if (!strcmp(d->uri, stdio[i]))
			n = i;
	if (n == -EINVAL) {
		open_err(d, err, errlen, "fd:N needs a descriptor number");
		return -EINVAL;
	}
	fd = n >= 0 ? dup_caller_fd(d, n, c, err, errlen) : open_path(d, c, err, errlen);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		e = errno;
		open_err(d, err, errlen, "%s", strerror(e));
		close(fd);
		return -e;
	}
	if (S_ISDIR(st.st_mode)) {
		open_err(d, err, errlen, "is a directory");
		close(fd);
		return -EISDIR;
	}
	/* Only the side the channel may use needs to seek: a write-only
	 * channel of type 1 (random read) can still be a pipe. */
	if (((c->readable && random_read(d->type)) || (c->writable && random_write(d->type))) &&
	    lseek(fd, 0, SEEK_CUR) < 0) {
		open_err(d, err, errlen, "type %u (random access) needs a seekable file, not a pipe, socket or terminal",
			 d->type);
		close(fd);
		return -ESPIPE;
	}
	c->fd = fd;
	c->size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	return 0;
}

int zvm_channels_open(const struct zvm_manifest *m, struct zvm_channel *ch,
		      struct zvm_channel_stats *stats, char *err, size_t errlen)
{
	/* Every slot closed first: after a failure the caller may close all n. */
	for (unsigned i = 0; i < m->nchannels; i++)
		ch[i].fd = -1;
	for (unsigned i = 0; i < m->nchannels; i++) {
		const struct zvm_channel_decl *d = &m->channels[i];
		struct zvm_channel *c = &ch[i];
		int rc;

		*c = (struct zvm_channel){
			.fd = -1, .type = d->type,
			.readable = d->max_reads && d->max_read_bytes,
			.writable = d->max_writes && d->max_write_bytes,
			.max_reads = d->max_reads, .max_read_bytes = d->max_read_bytes,
			.max_writes = d->max_writes, .max_write_bytes = d->max_write_bytes,
			.stats = &stats[i] };
		memset(c->stats, 0, sizeof(*c->stats));
		SHA256_Init(&c->stats->digest);
		if (d->type > ZVM_CHANNEL_RND_READ_RND_WRITE) {
			open_err(d, err, errlen, "type %u is not 0, 1, 2 or 3", d->type);
			rc = -EINVAL;
		} else {
			rc = open_one(d, c, err, errlen);
		}
		if (rc < 0) {
			zvm_channels_close(ch, i);
			return rc;
		}
	}
	return 0;
}

void zvm_channels_close(struct zvm_channel *ch, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (ch[i].fd >= 0)
			close(ch[i].fd);
		ch[i].fd = -1;
	}
}

/* ---- worker side: I/O under the cell-stage filter ------------------------- */

long zvm_channel_read(struct zvm_channel *c, void *buf, uint64_t size, int64_t offset)
{
	struct zvm_channel_stats *s = c->stats;
	bool random = random_read(c->type), clipped = false;
	uint64_t left;
	ssize_t n;

	if (!c->readable || c->fd < 0)
		return -EBADF;
	if (random && (offset < 0 || (uint64_t)offset > INT64_MAX - size))
		return -EINVAL;
	if (s->reads >= c->max_reads || s->read_bytes >= c->max_read_bytes) {
		s->limit_hit = true;
		return -EDQUOT;
	}
	left = c->max_read_bytes - s->read_bytes;
	if (size > left) {
		size = left;
		clipped = true;
	}
	if (size > MAX_IO)
		size = MAX_IO;
	do
		n = random ? pread(c->fd, buf, size, offset) : read(c->fd, buf, size);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	s->reads++;
	s->read_bytes += (uint64_t)n;
	/* Only a cut that mattered counts: asking for 64 KiB with 10 bytes of
	 * budget left from a 5-byte file did not hit the limit. */
	if (clipped && (uint64_t)n == size)
		s->limit_hit = true;
	return (long)n;
}

long zvm_channel_write(struct zvm_channel *c, const void *buf, uint64_t size, int64_t offset)
{
	struct zvm_channel_stats *s = c->stats;
	bool random = random_write(c->type);
	const char *p = buf;
	uint64_t left, done = 0;

	if (!c->writable || c->fd < 0)
		return -EBADF;
	if (random && (offset < 0 || (uint64_t)offset > INT64_MAX - size))
		return -EINVAL;
	if (s->writes >= c->max_writes || (s->write_bytes >= c->max_write_bytes && size > 0)) {
		s->limit_hit = true;
		return -EDQUOT;
	}
	left = c->max_write_bytes - s->write_bytes;
	if (size > left) {
		size = left;
		s->limit_hit = true; /* a write always moves all it is given: the cut is real */
	}
	if (size > MAX_IO)
		size = MAX_IO;
	/* A pipe or socket may take part of a write: keep going, so nothing the
	 * program was told is written gets dropped. An error after some bytes
	 * returns the short count; the next call sees the error. */
	while (done < size) {
		ssize_t n = random ? pwrite(c->fd, p + done, size - done, offset + (int64_t)done)
				   : write(c->fd, p + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (done > 0)
				break;
			return n < 0 ? -errno : -EIO;
		}
		SHA256_Update(&s->digest, p + done, (size_t)n);
		done += (uint64_t)n;
		s->write_bytes += (uint64_t)n;
	}
	s->writes++;
	return (long)done;
}

void zvm_channel_digest(const struct zvm_channel_stats *s, uint8_t out[32])
{
	SHA256_CTX copy = s->digest;

	/* The context lives in memory the worker could scribble on: bound the
	 * fields SHA256_Final indexes with before using it. */
	copy.num &= 63;
	copy.md_len = SHA256_DIGEST_LENGTH;
	SHA256_Final(out, &copy);
}
