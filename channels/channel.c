/*
 * channel.c — opening channels (trusted parent) and moving bytes through
 * them with limits and digests (worker, under the seccomp filter: only
 * read/write/pread/pwrite here, no allocation, no stdio).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channels/channels.h"
#include "runtime/include/zvm.h"

static bool random_read(unsigned type)
{
	return type == ZVM_CHANNEL_RND_READ_SEQ_WRITE || type == ZVM_CHANNEL_RND_READ_RND_WRITE;
}

static bool random_write(unsigned type)
{
	return type == ZVM_CHANNEL_SEQ_READ_RND_WRITE || type == ZVM_CHANNEL_RND_READ_RND_WRITE;
}

static int open_one(const struct zvm_channel_decl *d, struct zvm_channel *c, char *err, size_t errlen)
{
	static const char *const stdio[3] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };
	struct stat st;
	int fd = -1, flags;

	for (int i = 0; i < 3; i++)
		if (!strcmp(d->uri, stdio[i]))
			fd = fcntl(i, F_DUPFD_CLOEXEC, 3);
	if (fd < 0 && !strncmp(d->uri, "fd:", 3)) {
		char *end;
		long n = strtol(d->uri + 3, &end, 10);
		if (*end || n < 0 || n > 65535) {
			snprintf(err, errlen, "channel %s (%s): bad fd number", d->alias, d->uri);
			return -EINVAL;
		}
		fd = fcntl((int)n, F_DUPFD_CLOEXEC, 3);
	} else if (fd < 0 && strncmp(d->uri, "/dev/std", 8) != 0) {
		flags = c->readable && c->writable ? O_RDWR | O_CREAT : c->writable ? O_WRONLY | O_CREAT : O_RDONLY;
		/* A sequential output starts empty; a random-access one keeps its data. */
		if (c->writable && !random_write(d->type))
			flags |= O_TRUNC;
		fd = open(d->uri, flags | O_CLOEXEC | O_NOCTTY, 0644);
	}
	if (fd < 0) {
		int e = errno ? errno : EBADF;
		snprintf(err, errlen, "channel %s (%s): %s", d->alias, d->uri, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "channel %s (%s): %s", d->alias, d->uri,
			 S_ISDIR(st.st_mode) ? "is a directory" : strerror(errno));
		close(fd);
		return -EISDIR;
	}
	if ((random_read(d->type) || random_write(d->type)) && lseek(fd, 0, SEEK_CUR) < 0) {
		snprintf(err, errlen, "channel %s (%s): type %u needs a seekable file, this is a pipe or socket",
			 d->alias, d->uri, d->type);
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
	for (unsigned i = 0; i < m->nchannels; i++) {
		const struct zvm_channel_decl *d = &m->channels[i];
		struct zvm_channel *c = &ch[i];
		int rc;

		memset(c, 0, sizeof(*c));
		c->fd = -1;
		c->type = d->type;
		c->readable = d->max_reads && d->max_read_bytes;
		c->writable = d->max_writes && d->max_write_bytes;
		c->max_reads = d->max_reads;
		c->max_read_bytes = d->max_read_bytes;
		c->max_writes = d->max_writes;
		c->max_write_bytes = d->max_write_bytes;
		c->stats = &stats[i];
		memset(c->stats, 0, sizeof(*c->stats));
		SHA256_Init(&c->stats->digest);
		errno = 0;
		rc = open_one(d, c, err, errlen);
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

long zvm_channel_read(struct zvm_channel *c, void *buf, uint64_t size, int64_t offset)
{
	struct zvm_channel_stats *s = c->stats;
	uint64_t left;
	ssize_t n;

	if (!c->readable || c->fd < 0)
		return -EBADF;
	if (random_read(c->type) && offset < 0)
		return -EINVAL;
	if (s->reads >= c->max_reads || s->read_bytes >= c->max_read_bytes) {
		s->limit_hit = true;
		return -EDQUOT;
	}
	left = c->max_read_bytes - s->read_bytes;
	if (size > left) {
		size = left;
		s->limit_hit = true;
	}
	if (size > (1u << 30))
		size = 1u << 30;
	do
		n = random_read(c->type) ? pread(c->fd, buf, size, offset) : read(c->fd, buf, size);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	s->reads++;
	s->read_bytes += n;
	return n;
}

long zvm_channel_write(struct zvm_channel *c, const void *buf, uint64_t size, int64_t offset)
{
	struct zvm_channel_stats *s = c->stats;
	uint64_t left, done = 0;

	if (!c->writable || c->fd < 0)
		return -EBADF;
	if (random_write(c->type) && offset < 0)
		return -EINVAL;
	if (s->writes >= c->max_writes || (s->write_bytes >= c->max_write_bytes && size > 0)) {
		s->limit_hit = true;
		return -EDQUOT;
	}
	left = c->max_write_bytes - s->write_bytes;
	if (size > left) {
		size = left;
		s->limit_hit = true;
	}
	if (size > (1u << 30))
		size = 1u << 30;
	/* A pipe may take part of a write: keep going, nothing is dropped. */
	while (done < size) {
		ssize_t n = random_write(c->type)
				    ? pwrite(c->fd, (const char *)buf + done, size - done, offset + done)
				    : write(c->fd, (const char *)buf + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (done == 0)
				return n < 0 ? -errno : -EIO;
			break;
		}
		SHA256_Update(&s->digest, (const char *)buf + done, n);
		done += n;
		s->write_bytes += n;
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
