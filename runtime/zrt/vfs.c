/*
 * vfs.c — files, directories, channels and descriptors inside the cell.
 *
 * An in-memory tree (directories and regular files) plus special nodes:
 * each channel of the start-up block at its alias (reads and writes are
 * trap calls on its handle), /dev/null, /dev/zero, /dev/random and
 * /dev/urandom (the seeded stream), and pipes. Open file descriptions are
 * shared by dup'ed descriptors, as in Linux (one offset, one set of status
 * flags). Permissions are the owner's bits (everything belongs to uid
 * 1000, the only user). Every call returns a result or -errno.
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
#define NAME_MAX_LEN 255
#define PATH_MAX_LEN 4096
#define PIPE_CAP (1u << 20)
#define UID 1000
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1 /* linux/fs.h; musl 1.2.3 has no renameat2 */
#endif

struct file {
	struct node *node;
	int flags;            /* O_ACCMODE | O_APPEND | O_NONBLOCK | O_PATH ... (no O_CLOEXEC) */
	int64_t pos;
	unsigned refs;        /* descriptors pointing here */
};

static struct node root_node;
static struct node *cwd = &root_node;
static struct file *fds[MAX_FDS];
static unsigned char cloexec[MAX_FDS];
static uint64_t next_ino = 1;
static unsigned cur_umask = 022;
static int image_out = -1;
int vfs_keep_times;

struct node *vfs_root(void)
{
	return &root_node;
}

static int64_t now(void)
{
	return (int64_t)zrt_clock_now_ns();
}

static struct node *new_node(enum node_type t, unsigned mode)
{
	struct node *n = zrt_alloc(sizeof(*n));

	if (!n)
		return NULL;
	n->type = t;
	n->mode = mode & 07777;
	n->ino = ++next_ino;
	n->atime = n->mtime = n->ctime = now();
	return n;
}

static void free_node(struct node *n)
{
	if (n->data)
		zrt_free(n->data, n->cap);
	if (n->ents)
		zrt_free(n->ents, n->ents_cap * sizeof(*n->ents));
	zrt_free(n, sizeof(*n));
}

/* A node is freed when no name and no open file refers to it. */
static void maybe_free(struct node *n)
{
	if (n != &root_node && n->nlink == 0 && n->opens == 0)
		free_node(n);
}

/* ---- directories ----------------------------------------------------------- */

static struct dirent_slot *dir_find(struct node *d, const char *name, size_t len)
{
	for (size_t i = 0; i < d->nents; i++)
		if (d->ents[i].len == len && !memcmp(d->ents[i].name, name, len))
			return &d->ents[i];
	return NULL;
}

static int dir_add(struct node *d, const char *name, size_t len, struct node *n)
{
	if (d->nents == d->ents_cap) {
		size_t cap = d->ents_cap ? 2 * d->ents_cap : 8;
		struct dirent_slot *e = zrt_realloc(d->ents, d->ents_cap * sizeof(*e), cap * sizeof(*e));
		if (!e)
			return -ENOSPC;
		d->ents = e;
		d->ents_cap = cap;
	}
	char *copy = zrt_alloc(len + 1);
	if (!copy)
		return -ENOSPC;
	memcpy(copy, name, len);
	d->ents[d->nents++] = (struct dirent_slot){ copy, len, n };
	n->nlink++;
	if (n->type == NODE_DIR) {
		n->parent = d;
		d->nlink++; /* the child's ".." */
	}
	if (!vfs_keep_times)
		d->mtime = d->ctime = now();
	return 0;
}

/* Removes the entry (keeps the order of the others: readdir positions). */
static void dir_remove(struct node *d, struct dirent_slot *e)
{
	struct node *n = e->node;
	size_t i = (size_t)(e - d->ents);

	zrt_free(e->name, e->len + 1);
	memmove(&d->ents[i], &d->ents[i + 1], (d->nents - i - 1) * sizeof(*e));
	d->nents--;
	n->nlink--;
	if (n->type == NODE_DIR) {
		d->nlink--;
		n->nlink = 0; /* its own "." */
	}
	n->ctime = d->mtime = d->ctime = now();
	maybe_free(n);
}

/* ---- paths ------------------------------------------------------------------ */

struct walk {
	struct node *parent;  /* directory holding the last component */
	struct node *node;    /* the last component, or NULL if absent */
	const char *name;     /* the last component (in the caller's string) */
	size_t len;
	int trailing_slash;
};

static struct node *start_dir(int dirfd, const char *path, int *err)
{
	if (path[0] == '/')
		return &root_node;
	if (dirfd == AT_FDCWD)
		return cwd;
	if (dirfd < 0 || dirfd >= MAX_FDS || !fds[dirfd]) {
		*err = -EBADF;
		return NULL;
	}
	if (fds[dirfd]->node->type != NODE_DIR) {
		*err = -ENOTDIR;
		return NULL;
	}
	return fds[dirfd]->node;
}

/* Walks path to its last component. 0 or -errno (ENOENT/ENOTDIR for the
 * directories on the way; the last component may be missing). */
static int walk(int dirfd, const char *path, struct walk *w)
{
	int err = 0;
	struct node *d;
	const char *p = path;
	size_t total;

	if (!path)
		return -EFAULT;
	total = strnlen(path, PATH_MAX_LEN + 1);
	if (total == 0)
		return -ENOENT;
	if (total > PATH_MAX_LEN)
		return -ENAMETOOLONG;
	if (!(d = start_dir(dirfd, path, &err)))
		return err;
	memset(w, 0, sizeof(*w));
	for (;;) {
		while (*p == '/')
			p++;
		const char *name = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - name);
		const char *rest = p;
		while (*rest == '/')
			rest++;
		int last = *rest == '\0';
		if (len > NAME_MAX_LEN)
			return -ENAMETOOLONG;
		if (len == 0) { /* the path was "/" or ended in slashes after the root */
			w->parent = d;
			w->node = d;
			w->name = ".";
			w->len = 1;
			w->trailing_slash = 1;
			return 0;
		}
		struct node *n;
		if (len == 1 && name[0] == '.')
			n = d;
		else if (len == 2 && name[0] == '.' && name[1] == '.')
			n = d->parent ? d->parent : d;
		else {
			struct dirent_slot *e = dir_find(d, name, len);
			n = e ? e->node : NULL;
		}
		if (last) {
			w->parent = d;
			w->node = n;
			w->name = name;
			w->len = len;
			w->trailing_slash = *p == '/';
			if (n && w->trailing_slash && n->type != NODE_DIR)
				return -ENOTDIR;
			return 0;
		}
		if (!n)
			return -ENOENT;
		if (n->type != NODE_DIR)
			return -ENOTDIR;
		d = n;
	}
}

static int is_dot(const struct walk *w)
{
	return (w->len == 1 && w->name[0] == '.') || (w->len == 2 && w->name[0] == '.' && w->name[1] == '.');
}

/* ---- descriptors ------------------------------------------------------------ */

static int alloc_fd(int min)
{
	for (int fd = min < 0 ? 0 : min; fd < MAX_FDS; fd++)
		if (!fds[fd])
			return fd;
	return -EMFILE;
}

static struct file *get_file(int fd)
{
	return fd >= 0 && fd < MAX_FDS ? fds[fd] : NULL;
}

static long install(struct node *n, int flags, int min_fd)
{
	int fd = alloc_fd(min_fd);
	struct file *f;

	if (fd < 0)
		return fd;
	if (!(f = zrt_alloc(sizeof(*f))))
		return -ENOMEM;
	f->node = n;
	f->flags = flags & ~O_CLOEXEC & ~O_CREAT & ~O_EXCL & ~O_TRUNC & ~O_NOCTTY & ~O_DIRECTORY & ~O_NOFOLLOW;
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
	maybe_free(n);
	zrt_free(f, sizeof(*f));
}

static int readable(const struct file *f)
{
	return !(f->flags & O_PATH) && (f->flags & O_ACCMODE) != O_WRONLY;
}

static int writable(const struct file *f)
{
	return !(f->flags & O_PATH) && (f->flags & O_ACCMODE) != O_RDONLY;
}

/* ---- regular file contents ---------------------------------------------------- */

static int reserve(struct node *n, uint64_t size)
{
	uint64_t cap;
	unsigned char *d;

	if (size <= n->cap)
		return 0;
	if (size > (1ull << 40))
		return -EFBIG;
	cap = n->cap ? n->cap : 64;
	while (cap < size)
		cap = cap < (1u << 20) ? cap * 2 : cap + cap / 2;
	cap = (cap + 15) & ~15ull;
	d = zrt_realloc(n->data, n->cap, cap);
	if (!d)
		return -ENOSPC;
	n->data = d;
	n->cap = cap;
	return 0;
}

static int set_size(struct node *n, uint64_t size)
{
	int rc;

	if (size > n->size && (rc = reserve(n, size)) < 0)
		return rc;
	if (size < n->size)
		memset(n->data + size, 0, n->size - size); /* so a later growth reads zeros */
	n->size = size;
	n->mtime = n->ctime = now();
	return 0;
}

int vfs_file_write(struct node *n, uint64_t off, const void *buf, uint64_t len)
{
	int rc;

	if (len == 0)
		return 0;
	if (off + len < off)
		return -EFBIG;
	if ((rc = reserve(n, off + len)) < 0)
		return rc;
	memcpy(n->data + off, buf, len);
	if (off + len > n->size)
		n->size = off + len;
	return 0;
}

/* ---- channels ---------------------------------------------------------------------- */

static int chan_random_read(const struct node *n)
{
	return n->chan_type == ZVM_CHANNEL_RND_READ_SEQ_WRITE || n->chan_type == ZVM_CHANNEL_RND_READ_RND_WRITE;
}

static int chan_random_write(const struct node *n)
{
	return n->chan_type == ZVM_CHANNEL_SEQ_READ_RND_WRITE || n->chan_type == ZVM_CHANNEL_RND_READ_RND_WRITE;
}

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
		if (use_pos && (f->flags & O_APPEND))
			off = (int64_t)n->size;
		if (off < 0)
			return -EINVAL;
		if ((rc = vfs_file_write(n, (uint64_t)off, buf, len)) < 0)
			return rc;
		n->mtime = n->ctime = now();
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
		if ((rc = reserve(n, n->size + len)) < 0)
			return rc;
		memcpy(n->data + n->size, buf, len);
		n->size += len;
		return (long)len;
	}
	return -EINVAL;
}

long zrt_sys_read(int fd, void *buf, size_t n)
{
	struct file *f = get_file(fd);

	if (!f || !readable(f))
		return -EBADF;
	return node_read(f, buf, n, f->pos, 1);
}

long zrt_sys_write(int fd, const void *buf, size_t n)
{
	struct file *f = get_file(fd);

	if (!f || !writable(f))
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
	struct file *f = get_file(fd);

	if (!f || !readable(f))
		return -EBADF;
	if (!seekable(f->node) || (f->node->type == NODE_CHAN && !chan_random_read(f->node)))
		return -ESPIPE;
	if (off < 0)
		return -EINVAL;
	return node_read(f, buf, n, off, 0);
}

long zrt_sys_pwrite(int fd, const void *buf, size_t n, int64_t off)
{
	struct file *f = get_file(fd);

	if (!f || !writable(f))
		return -EBADF;
	if (!seekable(f->node) || (f->node->type == NODE_CHAN && !chan_random_write(f->node)))
		return -ESPIPE;
	if (off < 0)
		return -EINVAL;
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
		struct file *f = get_file(fd);
		if (!f || (write ? !writable(f) : !readable(f)))
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
	struct file *f = get_file(fd);
	int64_t base;

	if (!f)
		return -EBADF;
	if (!seekable(f->node))
		return -ESPIPE;
	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = f->pos; break;
	case SEEK_END:
		base = f->node->type == NODE_REG ? (int64_t)f->node->size
		       : f->node->type == NODE_DIR ? (int64_t)f->node->nents + 2 : 0;
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

static int permitted(const struct node *n, int want_r, int want_w, int want_x)
{
	if (n->type != NODE_REG && n->type != NODE_DIR)
		return 1;
	return (!want_r || (n->mode & S_IRUSR)) && (!want_w || (n->mode & S_IWUSR)) && (!want_x || (n->mode & S_IXUSR));
}

long zrt_sys_openat(int dirfd, const char *path, int flags, int mode)
{
	struct walk w;
	struct node *n;
	int acc = flags & O_ACCMODE, rc;

	if ((rc = walk(dirfd, path, &w)) < 0)
		return rc;
	n = w.node;
	if (!n) {
		if (!(flags & O_CREAT))
			return -ENOENT;
		if (w.trailing_slash)
			return -EISDIR;
		if (!permitted(w.parent, 0, 1, 1))
			return -EACCES;
		if (w.parent->nlink == 0)
			return -ENOENT; /* a removed directory */
		if (!(n = new_node(NODE_REG, (unsigned)mode & ~cur_umask)))
			return -ENOSPC;
		if ((rc = dir_add(w.parent, w.name, w.len, n)) < 0) {
			free_node(n);
			return rc;
		}
	} else {
		if ((flags & O_CREAT) && (flags & O_EXCL))
			return -EEXIST;
		if ((flags & O_DIRECTORY) && n->type != NODE_DIR)
			return -ENOTDIR;
		if (n->type == NODE_DIR && (acc != O_RDONLY || (flags & O_TRUNC)) && !(flags & O_PATH))
			return -EISDIR;
		if (!(flags & O_PATH) && !permitted(n, acc != O_WRONLY, acc != O_RDONLY, 0))
			return -EACCES;
		if (n->type == NODE_REG && (flags & O_TRUNC) && acc != O_RDONLY && !(flags & O_PATH))
			if ((rc = set_size(n, 0)) < 0)
				return rc;
	}
	if (acc == O_ACCMODE)
		return -EINVAL;
	return install(n, flags, 0);
}

long zrt_sys_close(int fd)
{
	struct file *f = get_file(fd);

	if (!f)
		return -EBADF;
	fds[fd] = NULL;
	cloexec[fd] = 0;
	put_file(f);
	return 0;
}

static long dup_to(int fd, int newfd, int cloexec_flag)
{
	struct file *f = get_file(fd);

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

	if (!get_file(fd))
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
	struct file *f = get_file(fd);
	int newfd;

	if (!f)
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
	struct file *f = get_file(fd);

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

/* ---- metadata ------------------------------------------------------------------------ */

static void fill_stat(const struct node *n, struct stat *st)
{
	static const unsigned type_bits[] = { [NODE_DIR] = S_IFDIR, [NODE_REG] = S_IFREG, [NODE_CHAN] = S_IFCHR,
					      [NODE_NULL] = S_IFCHR, [NODE_ZERO] = S_IFCHR, [NODE_RANDOM] = S_IFCHR,
					      [NODE_PIPE] = S_IFIFO };
	memset(st, 0, sizeof(*st));
	st->st_dev = 0x2a;
	st->st_ino = n->ino;
	st->st_mode = type_bits[n->type] | n->mode;
	st->st_nlink = n->type == NODE_DIR ? n->nlink + 1 : n->nlink;
	st->st_uid = st->st_gid = UID;
	st->st_blksize = 4096;
	if (n->type == NODE_REG) {
		st->st_size = (off_t)n->size;
		st->st_blocks = (blkcnt_t)((n->size + 511) / 512);
	} else if (n->type == NODE_DIR) {
		st->st_size = 4096;
		st->st_blocks = 8;
	} else if (n->type == NODE_CHAN) {
		const struct zvm_channel_info *c = (const void *)(uintptr_t)zvm_info->channels;
		st->st_size = chan_random_read(n) ? (off_t)c[n->handle].size : 0;
		st->st_rdev = (dev_t)(0x100 + n->handle);
	} else if (n->type == NODE_PIPE) {
		st->st_size = (off_t)n->size;
	}
	st->st_atim.tv_sec = n->atime / 1000000000;
	st->st_atim.tv_nsec = n->atime % 1000000000;
	st->st_mtim.tv_sec = n->mtime / 1000000000;
	st->st_mtim.tv_nsec = n->mtime % 1000000000;
	st->st_ctim.tv_sec = n->ctime / 1000000000;
	st->st_ctim.tv_nsec = n->ctime % 1000000000;
}

long zrt_sys_fstat(int fd, struct stat *st)
{
	struct file *f = get_file(fd);

	if (!f)
		return -EBADF;
	fill_stat(f->node, st);
	return 0;
}

long zrt_sys_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	struct walk w;
	int rc;

	if ((flags & AT_EMPTY_PATH) && path && path[0] == '\0')
		return dirfd == AT_FDCWD ? (fill_stat(cwd, st), 0) : zrt_sys_fstat(dirfd, st);
	if ((rc = walk(dirfd, path, &w)) < 0)
		return rc;
	if (!w.node)
		return -ENOENT;
	fill_stat(w.node, st);
	return 0;
}

long zrt_sys_getdents64(int fd, void *buf, size_t len)
{
	struct file *f = get_file(fd);
	struct node *d;
	size_t used = 0;

	if (!f)
		return -EBADF;
	d = f->node;
	if (d->type != NODE_DIR)
		return -ENOTDIR;
	for (;;) {
		int64_t i = f->pos;
		const char *name;
		size_t nlen;
		uint64_t ino;
		unsigned char type;
		if (i == 0) {
			name = ".", nlen = 1, ino = d->ino, type = DT_DIR;
		} else if (i == 1) {
			name = "..", nlen = 2, ino = (d->parent ? d->parent : d)->ino, type = DT_DIR;
		} else if ((size_t)(i - 2) < d->nents) {
			const struct dirent_slot *e = &d->ents[i - 2];
			static const unsigned char dt[] = { [NODE_DIR] = DT_DIR, [NODE_REG] = DT_REG, [NODE_CHAN] = DT_CHR,
							    [NODE_NULL] = DT_CHR, [NODE_ZERO] = DT_CHR, [NODE_RANDOM] = DT_CHR,
							    [NODE_PIPE] = DT_FIFO };
			name = e->name, nlen = e->len, ino = e->node->ino, type = dt[e->node->type];
		} else {
			break;
		}
		size_t reclen = (19 + nlen + 1 + 7) & ~(size_t)7;
		if (used + reclen > len) {
			if (used == 0)
				return -EINVAL;
			break;
		}
		struct dirent64 *de = (struct dirent64 *)((char *)buf + used);
		de->d_ino = ino;
		de->d_off = i + 1;
		de->d_reclen = (unsigned short)reclen;
		de->d_type = type;
		memcpy(de->d_name, name, nlen);
		memset(de->d_name + nlen, 0, reclen - 19 - nlen);
		used += reclen;
		f->pos = i + 1;
	}
	return (long)used;
}

/* ---- changing the tree -------------------------------------------------------------------- */

long zrt_sys_mkdirat(int dirfd, const char *path, int mode)
{
	struct walk w;
	struct node *n;
	int rc;

	if ((rc = walk(dirfd, path, &w)) < 0)
		return rc;
	if (w.node)
		return -EEXIST;
	if (!permitted(w.parent, 0, 1, 1))
		return -EACCES;
	if (w.parent->nlink == 0)
		return -ENOENT;
	if (!(n = new_node(NODE_DIR, (unsigned)mode & ~cur_umask & 0777)))
		return -ENOSPC;
	if ((rc = dir_add(w.parent, w.name, w.len, n)) < 0) {
		free_node(n);
		return rc;
	}
	return 0;
}

static int in_subtree(struct node *n, struct node *dir)
{
	for (;;) {
		if (n == dir)
			return 1;
		if (n == &root_node || !n->parent)
			return 0;
		n = n->parent;
	}
}

long zrt_sys_unlinkat(int dirfd, const char *path, int flags)
{
	struct walk w;
	struct dirent_slot *e;
	int rc;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	if ((rc = walk(dirfd, path, &w)) < 0)
		return rc;
	if (!w.node)
		return -ENOENT;
	if (flags & AT_REMOVEDIR) {
		if (w.node->type != NODE_DIR)
			return -ENOTDIR;
		if (w.node == &root_node)
			return -EBUSY;
		if (is_dot(&w))
			return w.len == 1 ? -EINVAL : -ENOTEMPTY;
		if (w.node->nents)
			return -ENOTEMPTY;
	} else if (w.node->type == NODE_DIR) {
		return -EISDIR;
	}
	if (!permitted(w.parent, 0, 1, 1))
		return -EACCES;
	e = dir_find(w.parent, w.name, w.len);
	if (!e)
		return -ENOENT;
	dir_remove(w.parent, e); /* a removed cwd lives on (it is counted in opens) */
	return 0;
}

long zrt_sys_renameat2(int olddirfd, const char *old, int newdirfd, const char *new_path, unsigned flags)
{
	struct walk a, b;
	struct dirent_slot *src, *dst;
	struct node *n;
	int rc;

	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	if ((rc = walk(olddirfd, old, &a)) < 0 || (rc = walk(newdirfd, new_path, &b)) < 0)
		return rc;
	if (!a.node)
		return -ENOENT;
	if (is_dot(&a) || is_dot(&b) || a.node == &root_node)
		return -EBUSY;
	n = a.node;
	if (b.trailing_slash && n->type != NODE_DIR)
		return -ENOTDIR;
	if (n->type == NODE_DIR && in_subtree(b.parent, n))
		return -EINVAL; /* into itself */
	if (b.node == n)
		return 0;
	if (b.node) {
		if (flags & RENAME_NOREPLACE)
			return -EEXIST;
		if (n->type == NODE_DIR && b.node->type != NODE_DIR)
			return -ENOTDIR;
		if (n->type != NODE_DIR && b.node->type == NODE_DIR)
			return -EISDIR;
		if (b.node->type == NODE_DIR && b.node->nents)
			return -ENOTEMPTY;
	}
	if (!permitted(a.parent, 0, 1, 1) || !permitted(b.parent, 0, 1, 1))
		return -EACCES;
	/* add the new name first (it may fail), then drop the old ones */
	n->opens++; /* keep n alive while it has no name */
	if (b.node && (dst = dir_find(b.parent, b.name, b.len)))
		dir_remove(b.parent, dst);
	src = dir_find(a.parent, a.name, a.len);
	if (src) {
		zrt_free(src->name, src->len + 1);
		memmove(src, src + 1, (a.parent->nents - (size_t)(src - a.parent->ents) - 1) * sizeof(*src));
		a.parent->nents--;
		n->nlink--;
		if (n->type == NODE_DIR)
			a.parent->nlink--;
	}
	rc = dir_add(b.parent, b.name, b.len, n);
	n->opens--;
	if (rc < 0) { /* out of memory: put it back where it was */
		if (dir_add(a.parent, a.name, a.len, n) < 0)
			maybe_free(n);
		return rc;
	}
	n->ctime = now();
	return 0;
}

long zrt_sys_ftruncate(int fd, int64_t len)
{
	struct file *f = get_file(fd);

	if (!f)
		return -EBADF;
	if (f->node->type != NODE_REG || !writable(f))
		return f->node->type == NODE_DIR ? -EISDIR : -EINVAL;
	if (len < 0)
		return -EINVAL;
	return set_size(f->node, (uint64_t)len);
}

long zrt_sys_truncate(const char *path, int64_t len)
{
	struct walk w;
	int rc;

	if ((rc = walk(AT_FDCWD, path, &w)) < 0)
		return rc;
	if (!w.node)
		return -ENOENT;
	if (w.node->type == NODE_DIR)
		return -EISDIR;
	if (w.node->type != NODE_REG)
		return -EINVAL;
	if (!permitted(w.node, 0, 1, 0))
		return -EACCES;
	if (len < 0)
		return -EINVAL;
	return set_size(w.node, (uint64_t)len);
}

long zrt_sys_faccessat(int dirfd, const char *path, int mode, int flags)
{
	struct walk w;
	int rc;

	(void)flags;
	if (mode & ~(F_OK | R_OK | W_OK | X_OK))
		return -EINVAL;
	if ((rc = walk(dirfd, path, &w)) < 0)
		return rc;
	if (!w.node)
		return -ENOENT;
	return permitted(w.node, mode & R_OK, mode & W_OK, mode & X_OK) ? 0 : -EACCES;
}

/* The path of a directory, built from the names in its ancestors. */
static long path_of(struct node *d, char *buf, size_t size)
{
	char tmp[PATH_MAX_LEN];
	size_t pos = sizeof(tmp);

	tmp[--pos] = '\0';
	if (d->nlink == 0 && d != &root_node)
		return -ENOENT; /* removed */
	while (d != &root_node) {
		struct node *p = d->parent;
		const struct dirent_slot *e = NULL;
		for (size_t i = 0; p && i < p->nents; i++)
			if (p->ents[i].node == d)
				e = &p->ents[i];
		if (!e)
			return -ENOENT;
		if (pos < e->len + 1)
			return -ENAMETOOLONG;
		pos -= e->len;
		memcpy(tmp + pos, e->name, e->len);
		tmp[--pos] = '/';
		d = p;
	}
	if (pos == sizeof(tmp) - 1)
		tmp[--pos] = '/';
	if (sizeof(tmp) - pos > size)
		return -ERANGE;
	memcpy(buf, tmp + pos, sizeof(tmp) - pos);
	return (long)(sizeof(tmp) - pos);
}

long zrt_sys_getcwd(char *buf, size_t n)
{
	return path_of(cwd, buf, n);
}

static long set_cwd(struct node *n)
{
	if (n->type != NODE_DIR)
		return -ENOTDIR;
	if (!permitted(n, 0, 0, 1))
		return -EACCES;
	n->opens++;
	cwd->opens--;
	maybe_free(cwd);
	cwd = n;
	return 0;
}

long zrt_sys_chdir(const char *path)
{
	struct walk w;
	int rc;

	if ((rc = walk(AT_FDCWD, path, &w)) < 0)
		return rc;
	if (!w.node)
		return -ENOENT;
	return set_cwd(w.node);
}

long zrt_sys_fchdir(int fd)
{
	struct file *f = get_file(fd);

	return f ? set_cwd(f->node) : -EBADF;
}

long zrt_sys_readlinkat(int dirfd, const char *path, char *buf, size_t n)
{
	struct walk w;
	int rc;

	(void)buf;
	if ((int)n <= 0)
		return -EINVAL;
	if ((rc = walk(dirfd, path, &w)) < 0)
		return rc;
	return w.node ? -EINVAL : -ENOENT; /* no symbolic links exist */
}

long zrt_sys_fchmodat(int dirfd, const char *path, int mode)
{
	struct walk w;
	int rc;

	if ((rc = walk(dirfd, path, &w)) < 0)
		return rc;
	if (!w.node)
		return -ENOENT;
	w.node->mode = (unsigned)mode & 07777;
	w.node->ctime = now();
	return 0;
}

long zrt_sys_fchmod(int fd, int mode)
{
	struct file *f = get_file(fd);

	if (!f)
		return -EBADF;
	f->node->mode = (unsigned)mode & 07777;
	f->node->ctime = now();
	return 0;
}

long zrt_sys_utimensat(int dirfd, const char *path, const void *times, int flags)
{
	const struct timespec *ts = times;
	struct node *n;
	struct walk w;
	int64_t t = now();
	int rc;

	(void)flags;
	if (!path) { /* futimens */
		struct file *f = get_file(dirfd);
		if (!f)
			return -EBADF;
		n = f->node;
	} else {
		if ((rc = walk(dirfd, path, &w)) < 0)
			return rc;
		if (!(n = w.node))
			return -ENOENT;
	}
	for (int i = 0; i < 2; i++) {
		int64_t v = t;
		if (ts && ts[i].tv_nsec == UTIME_OMIT)
			continue;
		if (ts && ts[i].tv_nsec != UTIME_NOW) {
			if (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000)
				return -EINVAL;
			v = (int64_t)ts[i].tv_sec * 1000000000 + ts[i].tv_nsec;
		}
		if (i == 0)
			n->atime = v;
		else
			n->mtime = v;
	}
	n->ctime = t;
	return 0;
}

long zrt_sys_umask(int mask)
{
	unsigned old = cur_umask;

	cur_umask = (unsigned)mask & 0777;
	return (long)old;
}

long zrt_sys_fsync(int fd)
{
	return get_file(fd) ? 0 : -EBADF;
}

long zrt_sys_pipe2(int fds_out[2], int flags)
{
	struct node *n;
	long r, w;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	if (!(n = new_node(NODE_PIPE, 0600)))
		return -ENFILE;
	if ((r = install(n, O_RDONLY | (flags & (O_CLOEXEC | O_NONBLOCK)), 0)) < 0) {
		free_node(n);
		return r;
	}
	if ((w = install(n, O_WRONLY | (flags & (O_CLOEXEC | O_NONBLOCK)), 0)) < 0) {
		zrt_sys_close((int)r);
		return w;
	}
	fds_out[0] = (int)r;
	fds_out[1] = (int)w;
	return 0;
}

/* ---- set-up and the image ----------------------------------------------------------------- */

int vfs_mkdir_p(const char *path, unsigned mode, int64_t mtime, int explicit_dir)
{
	struct node *d = &root_node;
	const char *p = path;

	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		const char *name = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - name);
		if (len > NAME_MAX_LEN)
			return -ENAMETOOLONG;
		if (len == 1 && name[0] == '.')
			continue;
		if (len == 2 && name[0] == '.' && name[1] == '.') {
			d = d->parent ? d->parent : d;
			continue;
		}
		struct dirent_slot *e = dir_find(d, name, len);
		if (e) {
			if (e->node->type != NODE_DIR)
				return -ENOTDIR;
			d = e->node;
			if (explicit_dir && (!*p || !p[strspn(p, "/")])) {
				d->mode = mode & 07777;
				d->mtime = mtime;
			}
			continue;
		}
		struct node *n = new_node(NODE_DIR, *p && p[strspn(p, "/")] ? 0755 : mode);
		if (!n)
			return -ENOSPC;
		n->mtime = mtime;
		if (dir_add(d, name, len, n) < 0) {
			free_node(n);
			return -ENOSPC;
		}
		d = n;
	}
}

struct node *vfs_create_file(const char *path, unsigned mode, int64_t mtime, int *err)
{
	char dir[PATH_MAX_LEN];
	const char *slash = strrchr(path, '/');
	struct walk w;
	struct node *n;
	int rc;

	if (strlen(path) >= PATH_MAX_LEN) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	if (slash) {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		if ((rc = vfs_mkdir_p(dir, 0755, mtime, 0)) < 0) {
			*err = rc;
			return NULL;
		}
	}
	if ((rc = walk(AT_FDCWD, path[0] == '/' ? path : path, &w)) < 0) {
		*err = rc;
		return NULL;
	}
	if (w.node) {
		if (w.node->type != NODE_REG) {
			*err = w.node->type == NODE_DIR ? -EISDIR : -EEXIST;
			return NULL;
		}
		set_size(w.node, 0);
		n = w.node;
	} else {
		if (!(n = new_node(NODE_REG, mode))) {
			*err = -ENOSPC;
			return NULL;
		}
		if ((rc = dir_add(w.parent, w.name, w.len, n)) < 0) {
			free_node(n);
			*err = rc;
			return NULL;
		}
	}
	n->mode = mode & 07777;
	n->mtime = mtime;
	return n;
}

struct node *vfs_lookup(const char *path)
{
	struct walk w;

	return walk(AT_FDCWD, path, &w) < 0 ? NULL : w.node;
}

static int add_special(const char *path, enum node_type t, unsigned mode)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX_LEN];
	struct walk w;
	struct node *n;
	int rc;

	if (!slash || strlen(path) >= sizeof(dir))
		return -EINVAL;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if ((rc = vfs_mkdir_p(dir, 0755, now(), 0)) < 0)
		return rc;
	if ((rc = walk(AT_FDCWD, path, &w)) < 0)
		return rc;
	if (w.node)
		return -EEXIST;
	if (!(n = new_node(t, mode)))
		return -ENOSPC;
	if ((rc = dir_add(w.parent, w.name, w.len, n)) < 0) {
		free_node(n);
		return rc;
	}
	return 0;
}

int zrt_fs_init(const struct zvm_info *info)
{
	const struct zvm_channel_info *c = (const void *)(uintptr_t)info->channels;
	int image = -1, rc;

	/* a fresh state (the native unit tests start several worlds) */
	memset(&root_node, 0, sizeof(root_node));
	memset(fds, 0, sizeof(fds));
	memset(cloexec, 0, sizeof(cloexec));
	cwd = &root_node;
	next_ino = 1;
	cur_umask = 022;
	image_out = -1;
	root_node.type = NODE_DIR;
	root_node.mode = 0755;
	root_node.ino = 1;
	root_node.nlink = 1;
	root_node.parent = &root_node;
	root_node.atime = root_node.mtime = root_node.ctime = (int64_t)info->epoch_ns;
	root_node.opens = 1; /* the cwd */
	vfs_mkdir_p("/dev", 0755, (int64_t)info->epoch_ns, 1);
	vfs_mkdir_p("/tmp", 01777, (int64_t)info->epoch_ns, 1);
	for (uint32_t i = 0; i < info->channel_count; i++) {
		const char *alias = (const char *)(uintptr_t)c[i].alias;
		struct node *n;
		if (!alias || alias[0] != '/')
			continue;
		if (!strcmp(alias, "/dev/image-out")) {
			image_out = (int)i;
			continue;
		}
		if (add_special(alias, NODE_CHAN, 0666) < 0)
			continue; /* an alias that clashes: the first one wins */
		n = vfs_lookup(alias);
		n->handle = (int)i;
		n->chan_type = c[i].type;
		if (!strcmp(alias, "/dev/image"))
			image = (int)i;
	}
	add_special("/dev/null", NODE_NULL, 0666);
	add_special("/dev/zero", NODE_ZERO, 0666);
	add_special("/dev/random", NODE_RANDOM, 0444);
	add_special("/dev/urandom", NODE_RANDOM, 0444);
	/* stdin, stdout, stderr */
	static const char *const std_names[3] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };
	for (int fd = 0; fd < 3; fd++) {
		struct node *n = vfs_lookup(std_names[fd]);
		if (n && n->type == NODE_CHAN)
			install(n, fd == 0 ? O_RDONLY : O_WRONLY, fd);
	}
	if (image >= 0 && (rc = zrt_image_unpack(image, c[image].type, c[image].size)) < 0)
		return rc;
	return 0;
}

void zrt_fs_fini(void)
{
	if (image_out < 0)
		return;
	zrt_image_pack(image_out);
	image_out = -1; /* once */
}
