/*
 * fd.c — descriptors and I/O: open file descriptions shared by dup'ed
 * descriptors (one offset, one set of status flags, as in Linux), reads and
 * writes of files, channels (trap calls on the channel's handle), devices
 * and pipes, open/close/dup/fcntl/ioctl.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vfs.h"
#include "zrt.h"
#include "zvm.h"

#define MAX_FDS 1024
#define PIPE_CAP (1u << 20)
#define GATHER_MAX 4096

static struct file *fds[MAX_FDS];
static unsigned char cloexec[MAX_FDS];

void zrt_fds_reset(void)
{
	memset(fds, 0, sizeof(fds));
	memset(cloexec, 0, sizeof(cloexec));
}

/* ---- descriptors ------------------------------------------------------------ */

static int alloc_fd(int min)
{
	for (int fd = min < 0 ? 0 : min; fd < MAX_FDS; fd++)
		if (!fds[fd])
			return fd;
	return -EMFILE;
}

struct file *zrt_file(int fd)
{
	return fd >= 0 && fd < MAX_FDS ? fds[fd] : NULL;
}

long zrt_fd_install(struct node *n, int flags, int min_fd)
{
	int fd = alloc_fd(min_fd);
	struct file *f;

	if (fd < 0)
		return fd;
	if (!(f = zrt_alloc(sizeof(*f))))
		return -ENOMEM;
	f->node = n;
	f->flags = flags & ~(O_CLOEXEC | O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY); /* as F_GETFL shows them */
	f->refs = 1;
	n->opens++;
	if (n->type == NODE_PIPE) {
		if ((flags & O_ACCMODE) == O_RDONLY)
			n->readers++;
		else
			n->writers++;
	}
	fds[fd] = f;
	cloexec[fd] = (flags & O_CLOEXEC) != 0;
	return fd;
}

static void put_file(struct file *f)
{
	if (--f->refs)
		return;
	struct node *n = f->node;
	if (n->type == NODE_PIPE) {
		if ((f->flags & O_ACCMODE) == O_RDONLY)
			n->readers--;
		else
			n->writers--;
	}
	n->opens--;
	zrt_node_release(n);
	zrt_free(f, sizeof(*f));
}

/* ---- channels ---------------------------------------------------------------------- */

static long chan_read(struct node *n, void *buf, size_t len, int64_t off)
{
	return zvm_trap_read(n->handle, buf, len, chan_random_read(n) ? off : 0);
}

/* A write is finished in full unless an error stops it. */
static long chan_write(struct node *n, const void *buf, size_t len, int64_t off)
{
	size_t done = 0;

	do {
		long r = zvm_trap_write(n->handle, (const char *)buf + done, len - done,
					chan_random_write(n) ? off + (int64_t)done : 0);
		if (r < 0)
			return done ? (long)done : r;
		if (r == 0)
			break;
		done += (size_t)r;
	} while (done < len);
	return (long)done;
}

/* ---- read and write at a position ---------------------------------------------------- */

static long node_read(struct file *f, void *buf, size_t len, int64_t off, int use_pos)
{
	struct node *n = f->node;
	long r;

	switch (n->type) {
	case NODE_DIR:
		return -EISDIR;
	case NODE_REG:
		if (off < 0)
			return -EINVAL;
		if ((uint64_t)off >= n->size)
			return 0;
		if (len > n->size - (uint64_t)off)
			len = (size_t)(n->size - (uint64_t)off);
		if (n->maps)
			zrt_fmap_pull(n, (uint64_t)off, (uint64_t)off + len);
		memcpy(buf, n->data + off, len);
		if (use_pos)
			f->pos += (int64_t)len;
		return (long)len;
	case NODE_CHAN:
		r = chan_read(n, buf, len, off);
		if (r > 0 && use_pos && chan_random_read(n))
			f->pos += r;
		return r;
	case NODE_NULL:
		return 0;
	case NODE_ZERO:
		memset(buf, 0, len);
		return (long)len;
	case NODE_RANDOM:
		return zrt_sys_getrandom(buf, len, 0);
	case NODE_PIPE:
		if (n->size == 0)
			return n->writers ? -EAGAIN : 0;
		if (len > n->size)
			len = (size_t)n->size;
		memcpy(buf, n->data, len);
		memmove(n->data, n->data + len, n->size - len);
		n->size -= len;
		return (long)len;
	}
	return -EINVAL;
}

static long node_write(struct file *f, const void *buf, size_t len, int64_t off, int use_pos)
{
	struct node *n = f->node;
	long r;
	int rc;

	switch (n->type) {
	case NODE_DIR:
		return -EISDIR;
	case NODE_REG:
		if (len == 0)
			return 0; /* Linux: no append, no time change */
		if (use_pos && (f->flags & O_APPEND))
			off = (int64_t)n->size;
		if (off < 0)
			return -EINVAL;
		if ((rc = zrt_node_write(n, (uint64_t)off, buf, len)) < 0)
			return rc;
		n->mtime = n->ctime = zrt_now();
		if (use_pos)
			f->pos = off + (int64_t)len;
		return (long)len;
	case NODE_CHAN:
		r = chan_write(n, buf, len, off);
		if (r > 0 && use_pos && chan_random_write(n))
			f->pos += r;
		return r;
	case NODE_NULL:
	case NODE_ZERO:
	case NODE_RANDOM:
		return (long)len;
	case NODE_PIPE:
		if (!n->readers)
			return -EPIPE;
		if (n->size + len > PIPE_CAP)
			len = (size_t)(PIPE_CAP - n->size);
		if (len == 0)
			return -EAGAIN;
		if ((rc = zrt_reserve(n, n->size + len)) < 0)
			return rc;
		memcpy(n->data + n->size, buf, len);
		n->size += len;
		return (long)len;
	}
	return -EINVAL;
}

long zrt_sys_read(int fd, void *buf, size_t n)
{
	struct file *f = zrt_file(fd);

	if (!f || !file_readable(f))
		return -EBADF;
	return node_read(f, buf, n, f->pos, 1);
}

long zrt_sys_write(int fd, const void *buf, size_t n)
{
	struct file *f = zrt_file(fd);

	if (!f || !file_writable(f))
		return -EBADF;
	return node_write(f, buf, n, f->pos, 1);
}

static int seekable(const struct node *n)
{
	return n->type == NODE_REG || n->type == NODE_DIR || n->type == NODE_NULL || n->type == NODE_ZERO ||
	       n->type == NODE_RANDOM || (n->type == NODE_CHAN && (chan_random_read(n) || chan_random_write(n)));
}

long zrt_sys_pread(int fd, void *buf, size_t n, int64_t off)
{
	struct file *f = zrt_file(fd);

	if (off < 0) /* Linux checks the offset first */
		return -EINVAL;
	if (!f || !file_readable(f))
		return -EBADF;
	if (!seekable(f->node) || (f->node->type == NODE_CHAN && !chan_random_read(f->node)))
		return -ESPIPE;
	return node_read(f, buf, n, off, 0);
}

long zrt_sys_pwrite(int fd, const void *buf, size_t n, int64_t off)
{
	struct file *f = zrt_file(fd);

	if (off < 0) /* Linux checks the offset first */
		return -EINVAL;
	if (!f || !file_writable(f))
		return -EBADF;
	if (!seekable(f->node) || (f->node->type == NODE_CHAN && !chan_random_write(f->node)))
		return -ESPIPE;
	/* Linux: pwrite on an O_APPEND file appends anyway */
	if (f->node->type == NODE_REG && (f->flags & O_APPEND))
		off = (int64_t)f->node->size;
	return node_write(f, buf, n, off, 0);
}

static long iov_total(const struct iovec *iov, int cnt)
{
	uint64_t total = 0;

	if (cnt < 0 || cnt > 1024)
		return -EINVAL;
	for (int i = 0; i < cnt; i++) {
		total += iov[i].iov_len;
		if (total > 0x7ffff000)
			return -EINVAL;
	}
	return (long)total;
}

/* readv/writev/preadv/pwritev: one buffer at a time, stopping at a short one */
static long vector_io(int fd, const struct iovec *iov, int cnt, int64_t off, int write, int positioned)
{
	long total = iov_total(iov, cnt), done = 0;

	if (total < 0)
		return total;
	/* musl's stdio flushes with writev(buffer, new data): to a channel,
	 * small pieces go out as one trap call, so one flush is one write in
	 * the report and against the channel's `puts` limit */
	if (write && cnt > 1 && total <= GATHER_MAX) {
		struct file *f = zrt_file(fd);
		if (f && f->node->type == NODE_CHAN) {
			char buf[GATHER_MAX];
			size_t at = 0;
			for (int i = 0; i < cnt; i++) {
				memcpy(buf + at, iov[i].iov_base, iov[i].iov_len);
				at += iov[i].iov_len;
			}
			return positioned ? zrt_sys_pwrite(fd, buf, at, off) : zrt_sys_write(fd, buf, at);
		}
	}
	for (int i = 0; i < cnt; i++) {
		long r;
		if (iov[i].iov_len == 0)
			continue;
		if (write)
			r = positioned ? zrt_sys_pwrite(fd, iov[i].iov_base, iov[i].iov_len, off + done)
				       : zrt_sys_write(fd, iov[i].iov_base, iov[i].iov_len);
		else
			r = positioned ? zrt_sys_pread(fd, iov[i].iov_base, iov[i].iov_len, off + done)
				       : zrt_sys_read(fd, iov[i].iov_base, iov[i].iov_len);
		if (r < 0)
			return done ? done : r;
		done += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	if (done == 0 && total == 0) { /* still check the descriptor */
		struct file *f = zrt_file(fd);
		if (!f || (write ? !file_writable(f) : !file_readable(f)))
			return -EBADF;
	}
	return done;
}

long zrt_sys_readv(int fd, const struct iovec *iov, int cnt) { return vector_io(fd, iov, cnt, 0, 0, 0); }
long zrt_sys_writev(int fd, const struct iovec *iov, int cnt) { return vector_io(fd, iov, cnt, 0, 1, 0); }
long zrt_sys_preadv(int fd, const struct iovec *iov, int cnt, int64_t off) { return vector_io(fd, iov, cnt, off, 0, 1); }
long zrt_sys_pwritev(int fd, const struct iovec *iov, int cnt, int64_t off) { return vector_io(fd, iov, cnt, off, 1, 1); }

long zrt_sys_lseek(int fd, int64_t off, int whence)
{
	struct file *f = zrt_file_io(fd);
	int64_t base;

	if (!f)
		return -EBADF;
	if (!seekable(f->node))
		return -ESPIPE;
	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = f->pos; break;
	case SEEK_END:
		if (f->node->type == NODE_DIR)
			return -EINVAL; /* as tmpfs */
		base = f->node->type == NODE_REG ? (int64_t)f->node->size : 0;
		if (f->node->type == NODE_CHAN) {
			const struct zvm_channel_info *c = (const void *)(uintptr_t)zvm_info->channels;
			base = (int64_t)c[f->node->handle].size;
		}
		break;
	default: return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->pos = base + off;
	return f->pos;
}

/* ---- open, close, dup ---------------------------------------------------------------- */

long zrt_sys_openat(int dirfd, const char *path, int flags, int mode)
{
	struct walk w;
	struct node *n;
	int acc, rc, want_w;

	if (flags & O_PATH) /* Linux ignores the others */
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if ((flags & O_CREAT) && (flags & O_DIRECTORY))
		return -EINVAL; /* Linux 6.4 and later */
	acc = flags & O_ACCMODE; /* 3 is allowed: neither read nor write, as in Linux */
	want_w = acc != O_RDONLY || (flags & O_TRUNC);
	if ((rc = (flags & O_CREAT) ? zrt_walk_parent(dirfd, path, &w) : zrt_walk(dirfd, path, &w)) < 0)
		return rc;
	n = w.node;
	if (flags & O_CREAT) {
		if (w.trailing_slash && !zrt_is_dot(&w))
			return -EISDIR; /* "name/" is never created, nor opened with O_CREAT */
		if ((rc = zrt_lookup_error(&w)) < 0)
			return rc;
		if (n && (flags & O_EXCL))
			return -EEXIST;
		if (n && n->type == NODE_DIR)
			return -EISDIR;
	}
	if (!n) {
		if (!(flags & O_CREAT))
			return -ENOENT;
		if (!zrt_permitted(w.parent, 0, 1, 1))
			return -EACCES;
		if (!(n = zrt_node_new(NODE_REG, (unsigned)mode & ~zrt_umask)))
			return -ENOSPC;
		if ((rc = zrt_dir_add(w.parent, w.name, w.len, n)) < 0) {
			zrt_node_free(n);
			return rc;
		}
	} else if (!(flags & O_PATH)) {
		if ((flags & O_DIRECTORY) && n->type != NODE_DIR)
			return -ENOTDIR;
		if (n->type == NODE_DIR && want_w)
			return -EISDIR;
		if (!zrt_permitted(n, acc == O_RDONLY || acc == O_ACCMODE || acc == O_RDWR, want_w, 0))
			return -EACCES;
		/* Linux truncates on O_TRUNC even with O_RDONLY (write permission needed) */
		if (n->type == NODE_REG && (flags & O_TRUNC) && n->size)
			if ((rc = zrt_set_size(n, 0)) < 0)
				return rc;
	} else if ((flags & O_DIRECTORY) && n->type != NODE_DIR) {
		return -ENOTDIR;
	}
	return zrt_fd_install(n, flags, 0);
}

long zrt_sys_close(int fd)
{
	struct file *f = zrt_file(fd);

	if (!f)
		return -EBADF;
	fds[fd] = NULL;
	cloexec[fd] = 0;
	put_file(f);
	return 0;
}

static long dup_to(int fd, int newfd, int cloexec_flag)
{
	struct file *f = zrt_file(fd);

	if (!f)
		return -EBADF;
	if (newfd < 0 || newfd >= MAX_FDS)
		return -EBADF;
	if (fds[newfd])
		zrt_sys_close(newfd);
	f->refs++;
	fds[newfd] = f;
	cloexec[newfd] = (unsigned char)cloexec_flag;
	return newfd;
}

long zrt_sys_dup(int fd)
{
	int newfd;

	if (!zrt_file(fd))
		return -EBADF;
	if ((newfd = alloc_fd(0)) < 0)
		return newfd;
	return dup_to(fd, newfd, 0);
}

long zrt_sys_dup3(int fd, int newfd, int flags)
{
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (fd == newfd)
		return -EINVAL;
	return dup_to(fd, newfd, (flags & O_CLOEXEC) != 0);
}

long zrt_sys_fcntl(int fd, int cmd, long arg)
{
	struct file *f = zrt_file(fd);
	int newfd;

	if (!f)
		return -EBADF;
	if ((f->flags & O_PATH) && cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC && cmd != F_GETFD && cmd != F_SETFD &&
	    cmd != F_GETFL)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg < 0 || arg >= MAX_FDS)
			return -EINVAL;
		if ((newfd = alloc_fd((int)arg)) < 0)
			return newfd;
		return dup_to(fd, newfd, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return cloexec[fd] ? FD_CLOEXEC : 0;
	case F_SETFD:
		cloexec[fd] = (arg & FD_CLOEXEC) != 0;
		return 0;
	case F_GETFL:
		return f->flags;
	case F_SETFL:
		f->flags = (f->flags & ~(O_APPEND | O_NONBLOCK)) | ((int)arg & (O_APPEND | O_NONBLOCK));
		return 0;
	case F_GETLK: {
		struct flock *l = (struct flock *)(uintptr_t)arg;
		l->l_type = F_UNLCK; /* nobody else could hold a lock */
		return 0;
	}
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return 0;
	case F_GETPIPE_SZ:
		return f->node->type == NODE_PIPE ? (long)PIPE_CAP : -EBADF;
	default:
		return -EINVAL;
	}
}

long zrt_sys_ioctl(int fd, unsigned long req, long arg)
{
	struct file *f = zrt_file_io(fd);

	if (!f)
		return -EBADF;
	if (req == FIONREAD) {
		int avail = 0;
		if (f->node->type == NODE_PIPE)
			avail = (int)f->node->size;
		else if (f->node->type == NODE_REG && (uint64_t)f->pos < f->node->size)
			avail = (int)(f->node->size - (uint64_t)f->pos);
		*(int *)(uintptr_t)arg = avail;
		return 0;
	}
	if (req == FIOCLEX || req == FIONCLEX) {
		cloexec[fd] = req == FIOCLEX;
		return 0;
	}
	return -ENOTTY; /* no terminals: stdio buffers fully */
}

/* ---- pipes ------------------------------------------------------------------ */

long zrt_sys_pipe2(int fds_out[2], int flags)
{
	struct node *n;
	long r, w;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	if (!(n = zrt_node_new(NODE_PIPE, 0600)))
		return -ENFILE;
	if ((r = zrt_fd_install(n, O_RDONLY | (flags & (O_CLOEXEC | O_NONBLOCK)), 0)) < 0) {
		zrt_node_free(n);
		return r;
	}
	if ((w = zrt_fd_install(n, O_WRONLY | (flags & (O_CLOEXEC | O_NONBLOCK)), 0)) < 0) {
		zrt_sys_close((int)r);
		return w;
	}
	fds_out[0] = (int)r;
	fds_out[1] = (int)w;
	return 0;
}

