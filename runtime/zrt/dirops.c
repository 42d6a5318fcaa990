/*
 * dirops.c — the calls that read or change the tree: stat, getdents64,
 * mkdir, unlink, rename, truncate, access, the working directory, modes
 * and times.
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

/* Walks to a path that must exist: 0, or -errno (ENOENT if it does not). */
static int existing(int dirfd, const char *path, struct walk *w)
{
	int rc = zrt_walk(dirfd, path, w);

	return rc < 0 ? rc : w->node ? 0 : -ENOENT;
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
	st->st_nlink = n->type == NODE_DIR && n->nlink ? n->nlink + 1 : n->nlink; /* a removed directory: 0 */
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
	struct file *f = zrt_file(fd);

	if (!f)
		return -EBADF;
	fill_stat(f->node, st);
	return 0;
}

long zrt_sys_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	struct walk w;
	int rc;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH))
		return -EINVAL;
	if ((flags & AT_EMPTY_PATH) && path && path[0] == '\0')
		return dirfd == AT_FDCWD ? (fill_stat(zrt_cwd, st), 0) : zrt_sys_fstat(dirfd, st);
	if ((rc = existing(dirfd, path, &w)) < 0)
		return rc;
	fill_stat(w.node, st);
	return 0;
}

long zrt_sys_getdents64(int fd, void *buf, size_t len)
{
	struct file *f = zrt_file_io(fd);
	struct node *d;
	size_t used = 0;

	if (!f)
		return -EBADF;
	d = f->node;
	if (d->type != NODE_DIR)
		return -ENOTDIR;
	if (d->nlink == 0 && d != &zrt_root)
		return -ENOENT; /* removed */
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

/* The checks in the order Linux makes them (filename_create, may_create). */
long zrt_sys_mkdirat(int dirfd, const char *path, int mode)
{
	struct walk w;
	struct node *n;
	int rc;

	if ((rc = zrt_walk_parent(dirfd, path, &w)) < 0)
		return rc;
	if (w.node)
		return -EEXIST;
	if ((rc = zrt_lookup_error(&w)) < 0)
		return rc;
	if (!zrt_permitted(w.parent, 0, 1, 1))
		return -EACCES;
	if (!(n = zrt_node_new(NODE_DIR, (unsigned)mode & ~zrt_umask & 01777)))
		return -ENOSPC;
	if ((rc = zrt_dir_add(w.parent, w.name, w.len, n)) < 0) {
		zrt_node_free(n);
		return rc;
	}
	return 0;
}

/* The checks in the order Linux makes them (do_rmdir, do_unlinkat, may_delete). */
long zrt_sys_unlinkat(int dirfd, const char *path, int flags)
{
	struct walk w;
	struct dirent_slot *e;
	int rc;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	if ((rc = zrt_walk_parent(dirfd, path, &w)) < 0)
		return rc;
	if (flags & AT_REMOVEDIR) {
		if (zrt_is_dot(&w))
			return w.len == 0 ? -EBUSY : w.len == 1 ? -EINVAL : -ENOTEMPTY;
		if ((rc = zrt_lookup_error(&w)) < 0)
			return rc;
		if (!w.node)
			return -ENOENT;
		if (!zrt_permitted(w.parent, 0, 1, 1))
			return -EACCES;
		if (w.node->type != NODE_DIR)
			return -ENOTDIR;
		if (w.node->nents)
			return -ENOTEMPTY;
	} else {
		if (zrt_is_dot(&w))
			return -EISDIR;
		if ((rc = zrt_lookup_error(&w)) < 0)
			return rc;
		if (w.trailing_slash) /* "name/" is never a file to unlink */
			return !w.node ? -ENOENT : w.node->type == NODE_DIR ? -EISDIR : -ENOTDIR;
		if (!w.node)
			return -ENOENT;
		if (!zrt_permitted(w.parent, 0, 1, 1))
			return -EACCES;
		if (w.node->type == NODE_DIR)
			return -EISDIR;
	}
	e = zrt_dir_find(w.parent, w.name, w.len);
	if (!e)
		return -ENOENT;
	zrt_dir_remove(w.parent, e); /* a removed cwd lives on (it is counted in opens) */
	return 0;
}

/* An ancestor of n, or n itself: the child of dir on the way from n up
 * to dir (NULL if dir is not above n). */
static struct node *below(struct node *n, struct node *dir)
{
	for (;;) {
		if (n == &zrt_root || !n->parent)
			return NULL;
		if (n->parent == dir)
			return n;
		n = n->parent;
	}
}

/* The checks in the order Linux makes them (fs/namei.c, do_renameat2). */
long zrt_sys_renameat2(int olddirfd, const char *old, int newdirfd, const char *new_path, unsigned flags)
{
	struct walk a, b;
	struct dirent_slot *src, *dst;
	struct node *n, *trap = NULL;
	int rc;

	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	if (!old || !new_path)
		return -EFAULT;
	if ((rc = zrt_walk_parent(olddirfd, old, &a)) < 0 || (rc = zrt_walk_parent(newdirfd, new_path, &b)) < 0)
		return rc;
	if (zrt_is_dot(&a))
		return -EBUSY;
	if (zrt_is_dot(&b))
		return (flags & RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
	if (a.parent != b.parent) { /* Linux's lock_rename() */
		trap = below(b.parent, a.parent);
		if (!trap)
			trap = below(a.parent, b.parent);
	}
	if ((rc = zrt_lookup_error(&a)) < 0)
		return rc;
	if (!(n = a.node))
		return -ENOENT;
	if ((rc = zrt_lookup_error(&b)) < 0)
		return rc;
	if (b.node && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (n->type != NODE_DIR && (a.trailing_slash || b.trailing_slash))
		return -ENOTDIR;
	if (n == trap)
		return -EINVAL; /* a directory into itself */
	if (b.node && b.node == trap)
		return -ENOTEMPTY; /* over one of its own ancestors */
	if (b.node == n)
		return 0;
	if (!zrt_permitted(a.parent, 0, 1, 1) || !zrt_permitted(b.parent, 0, 1, 1))
		return -EACCES;
	if (b.node) {
		if (n->type == NODE_DIR && b.node->type != NODE_DIR)
			return -ENOTDIR;
		if (n->type != NODE_DIR && b.node->type == NODE_DIR)
			return -EISDIR;
		if (b.node->type == NODE_DIR && b.node->nents)
			return -ENOTEMPTY;
	}
	/* drop the old names, then add the new one */
	n->opens++; /* keep n alive while it has no name */
	if (b.node && (dst = zrt_dir_find(b.parent, b.name, b.len)))
		zrt_dir_remove(b.parent, dst);
	src = zrt_dir_find(a.parent, a.name, a.len);
	if (src) {
		zrt_free(src->name, src->len + 1);
		memmove(src, src + 1, (a.parent->nents - (size_t)(src - a.parent->ents) - 1) * sizeof(*src));
		a.parent->nents--;
		n->nlink--;
		if (n->type == NODE_DIR)
			a.parent->nlink--;
		a.parent->mtime = a.parent->ctime = zrt_now();
	}
	rc = zrt_dir_add(b.parent, b.name, b.len, n);
	n->opens--;
	if (rc < 0) { /* out of memory: put it back where it was */
		if (zrt_dir_add(a.parent, a.name, a.len, n) < 0)
			zrt_node_release(n);
		return rc;
	}
	n->ctime = zrt_now();
	return 0;
}

long zrt_sys_ftruncate(int fd, int64_t len)
{
	struct file *f;

	if (len < 0)
		return -EINVAL;
	if (!(f = zrt_file_io(fd)))
		return -EBADF;
	if (f->node->type != NODE_REG || !file_writable(f))
		return -EINVAL;
	return zrt_set_size(f->node, (uint64_t)len);
}

long zrt_sys_truncate(const char *path, int64_t len)
{
	struct walk w;
	int rc;

	if (len < 0)
		return -EINVAL;
	if ((rc = existing(AT_FDCWD, path, &w)) < 0)
		return rc;
	if (w.node->type == NODE_DIR)
		return -EISDIR;
	if (w.node->type != NODE_REG)
		return -EINVAL;
	if (!zrt_permitted(w.node, 0, 1, 0))
		return -EACCES;
	return zrt_set_size(w.node, (uint64_t)len);
}

long zrt_sys_faccessat(int dirfd, const char *path, int mode, int flags)
{
	struct walk w;
	int rc;

	if (mode & ~(F_OK | R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((flags & AT_EMPTY_PATH) && path && !path[0]) {
		struct file *f = dirfd == AT_FDCWD ? NULL : zrt_file(dirfd);
		if (dirfd != AT_FDCWD && !f)
			return -EBADF;
		w.node = f ? f->node : zrt_cwd;
		return zrt_permitted(w.node, mode & R_OK, mode & W_OK, mode & X_OK) ? 0 : -EACCES;
	}
	if ((rc = existing(dirfd, path, &w)) < 0)
		return rc;
	return zrt_permitted(w.node, mode & R_OK, mode & W_OK, mode & X_OK) ? 0 : -EACCES;
}

/* The path of a directory, built from the names in its ancestors. */
static long path_of(struct node *d, char *buf, size_t size)
{
	char tmp[PATH_MAX_LEN];
	size_t pos = sizeof(tmp);

	tmp[--pos] = '\0';
	if (d->nlink == 0 && d != &zrt_root)
		return -ENOENT; /* removed */
	while (d != &zrt_root) {
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
	return path_of(zrt_cwd, buf, n);
}

static long set_cwd(struct node *n)
{
	if (n->type != NODE_DIR)
		return -ENOTDIR;
	if (!zrt_permitted(n, 0, 0, 1))
		return -EACCES;
	n->opens++;
	zrt_cwd->opens--;
	zrt_node_release(zrt_cwd);
	zrt_cwd = n;
	return 0;
}

long zrt_sys_chdir(const char *path)
{
	struct walk w;
	int rc;

	if ((rc = existing(AT_FDCWD, path, &w)) < 0)
		return rc;
	return set_cwd(w.node);
}

long zrt_sys_fchdir(int fd)
{
	struct file *f = zrt_file(fd);

	return f ? set_cwd(f->node) : -EBADF;
}

long zrt_sys_readlinkat(int dirfd, const char *path, char *buf, size_t n)
{
	struct walk w;
	int rc;

	(void)buf;
	if ((int)n <= 0)
		return -EINVAL;
	if ((rc = zrt_walk(dirfd, path, &w)) < 0)
		return rc;
	return w.node ? -EINVAL : -ENOENT; /* no symbolic links exist */
}

long zrt_sys_fchmodat(int dirfd, const char *path, int mode)
{
	struct walk w;
	int rc;

	if ((rc = existing(dirfd, path, &w)) < 0)
		return rc;
	w.node->mode = (unsigned)mode & 07777;
	w.node->ctime = zrt_now();
	return 0;
}

long zrt_sys_fchmod(int fd, int mode)
{
	struct file *f = zrt_file_io(fd);

	if (!f)
		return -EBADF;
	f->node->mode = (unsigned)mode & 07777;
	f->node->ctime = zrt_now();
	return 0;
}

long zrt_sys_utimensat(int dirfd, const char *path, const void *times, int flags)
{
	const struct timespec *ts = times;
	struct node *n;
	struct walk w;
	int64_t t;
	int rc;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (path && !path[0] && (flags & AT_EMPTY_PATH))
		path = NULL; /* the descriptor itself */
	t = zrt_now();
	if (!path) { /* futimens */
		struct file *f = zrt_file_io(dirfd);
		if (!f)
			return -EBADF;
		n = f->node;
	} else {
		if ((rc = zrt_walk(dirfd, path, &w)) < 0)
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
	unsigned old = zrt_umask;

	zrt_umask = (unsigned)mask & 0777;
	return (long)old;
}

long zrt_sys_fsync(int fd)
{
	return zrt_file_io(fd) ? 0 : -EBADF;
}

