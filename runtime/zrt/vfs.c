/*
 * vfs.c — ZRT's in-memory file tree: nodes, directories, path lookup,
 * file contents, and the tree a cell starts with (its channels at their
 * aliases, /dev/null, /dev/zero, /dev/random, /dev/urandom, /tmp, and the
 * image). Descriptors are in fd.c, the calls that read or change the tree
 * in dirops.c. Permissions are the owner's bits: everything belongs to uid
 * 1000, the only user. Every call returns a result or -errno.
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

struct node zrt_root;
struct node *zrt_cwd = &zrt_root;
unsigned zrt_umask = 022;
int zrt_keep_times;
static uint64_t next_ino = 1;
static int image_out = -1;

int64_t zrt_now(void)
{
	return (int64_t)zrt_clock_now_ns();
}

struct node *zrt_node_new(enum node_type t, unsigned mode)
{
	struct node *n = zrt_alloc(sizeof(*n));

	if (!n)
		return NULL;
	n->type = t;
	n->mode = mode & 07777;
	n->ino = ++next_ino;
	n->atime = n->mtime = n->ctime = zrt_now();
	return n;
}

uint64_t zrt_last_ino(void)
{
	return next_ino;
}

/* Frees n; a directory drops the hold it had on its parent (which may go
 * too: a loop, not recursion, up a chain of removed directories). */
void zrt_node_free(struct node *n)
{
	while (n) {
		struct node *p = n->type == NODE_DIR && n->parent != n ? n->parent : NULL;
		if (n->data && !n->borrowed)
			zrt_free(n->data, n->cap);
		if (n->ents)
			zrt_free(n->ents, n->ents_cap * sizeof(*n->ents));
		zrt_free(n, sizeof(*n));
		n = NULL;
		if (p && --p->opens == 0 && p->nlink == 0 && p != &zrt_root)
			n = p;
	}
}

/* A node is freed when no name and no open file refers to it (a
 * directory's subdirectories count as opens: their ".." must stay valid
 * even after both are removed, as in Linux). */
void zrt_node_release(struct node *n)
{
	if (n != &zrt_root && n->nlink == 0 && n->opens == 0)
		zrt_node_free(n);
}

/* ---- directories ----------------------------------------------------------- */

struct dirent_slot *zrt_dir_find(struct node *d, const char *name, size_t len)
{
	for (size_t i = 0; i < d->nents; i++)
		if (d->ents[i].len == len && !memcmp(d->ents[i].name, name, len))
			return &d->ents[i];
	return NULL;
}

int zrt_dir_add(struct node *d, const char *name, size_t len, struct node *n)
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
		struct node *old = n->parent;
		d->nlink++; /* the child's ".." */
		d->opens++; /* held by the child (zrt_node_free) */
		n->parent = d;
		if (old) { /* a rename */
			old->opens--;
			zrt_node_release(old);
		}
	}
	if (!zrt_keep_times)
		d->mtime = d->ctime = zrt_now();
	return 0;
}

/* Removes the entry (keeps the order of the others: readdir positions). */
void zrt_dir_remove(struct node *d, struct dirent_slot *e)
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
	n->ctime = d->mtime = d->ctime = zrt_now();
	zrt_node_release(n);
}

/* ---- paths ------------------------------------------------------------------ */


static struct node *start_dir(int dirfd, const char *path, int *err)
{
	if (path[0] == '/')
		return &zrt_root;
	if (dirfd == AT_FDCWD)
		return zrt_cwd;
	struct file *f = zrt_file(dirfd);
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->node->type != NODE_DIR) {
		*err = -ENOTDIR;
		return NULL;
	}
	return f->node;
}

/* /dev/fd/N names the cell's own descriptor N (Linux's /proc/self/fd,
 * which /dev/fd links to): its node, opened anew (a new open file
 * description, as Linux gives for files and pipes), stat'ed, tested by
 * access. 1 and w filled, 0 if path is not such a name or the tree has
 * that name (a channel aliased /dev/fd/N, an image's file), or -ENOENT
 * for a descriptor that is not open.
 * The directory the name is in is not writable (as /proc's): unlink,
 * rename and mkdir there say EACCES. */
static int fd_names; /* after start-up: the tree ZRT builds has only its own names */

static int dev_fd(const char *path, struct walk *w)
{
	static struct node fd_dir;
	const char *p = path + 8;
	struct dirent_slot *dev, *e;
	struct file *f;
	long fd = 0;

	if (!fd_names || strncmp(path, "/dev/fd/", 8) || !*p || strlen(p) > 7 || p[strspn(p, "0123456789")])
		return 0;
	if (!(dev = zrt_dir_find(&zrt_root, "dev", 3)) || dev->node->type != NODE_DIR)
		return 0;
	if ((e = zrt_dir_find(dev->node, "fd", 2)) &&
	    (e->node->type != NODE_DIR || zrt_dir_find(e->node, p, strlen(p))))
		return 0;
	for (; *p; p++)
		fd = fd * 10 + (*p - '0');
	if (!(f = zrt_file((int)fd)))
		return -ENOENT;
	memset(&fd_dir, 0, sizeof(fd_dir));
	fd_dir.type = NODE_DIR;
	fd_dir.mode = 0500;
	fd_dir.nlink = 2;
	fd_dir.parent = dev->node;
	memset(w, 0, sizeof(*w));
	w->parent = &fd_dir;
	w->node = f->node;
	w->name = path + 8;
	w->len = strlen(w->name);
	return 1;
}

/* Walks path to its last component. 0 or -errno (ENOENT/ENOTDIR for the
 * directories on the way; the last component may be missing). check_last:
 * a last component followed by a slash must be a directory (ENOTDIR). */
static int walk(int dirfd, const char *path, struct walk *w, int check_last)
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
	if (total >= PATH_MAX_LEN) /* PATH_MAX counts the NUL */
		return -ENAMETOOLONG;
	if ((err = dev_fd(path, w)) != 0)
		return err < 0 ? err : 0;
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
		if (len > NAME_MAX_LEN) {
			/* Linux finds this when it looks the name up: after a
			 * removed directory's ENOENT, and for the last component
			 * of a parent lookup, after the caller's own checks */
			if (last && !check_last) {
				w->parent = d;
				w->node = NULL;
				w->name = name;
				w->len = len;
				w->trailing_slash = *p == '/';
				w->too_long = 1;
				return 0;
			}
			return d->nlink == 0 && d != &zrt_root ? -ENOENT : -ENAMETOOLONG;
		}
		if (len == 0) { /* the path was "/" (Linux's LAST_ROOT): len 0 */
			w->parent = d;
			w->node = d;
			w->name = "/";
			w->len = 0;
			w->trailing_slash = 1;
			return 0;
		}
		struct node *n;
		if (len == 1 && name[0] == '.')
			n = d;
		else if (len == 2 && name[0] == '.' && name[1] == '.')
			n = d->parent ? d->parent : d;
		else {
			struct dirent_slot *e = zrt_dir_find(d, name, len);
			n = e ? e->node : NULL;
		}
		if (last) {
			w->parent = d;
			w->node = n;
			w->name = name;
			w->len = len;
			w->trailing_slash = *p == '/';
			if (check_last && n && w->trailing_slash && n->type != NODE_DIR)
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

int zrt_walk(int dirfd, const char *path, struct walk *w)
{
	return walk(dirfd, path, w, 1);
}

int zrt_walk_parent(int dirfd, const char *path, struct walk *w)
{
	return walk(dirfd, path, w, 0);
}

int zrt_lookup_error(const struct walk *w)
{
	if (w->parent->nlink == 0 && w->parent != &zrt_root && !zrt_is_dot(w))
		return -ENOENT; /* no name is looked up in a removed directory */
	return w->too_long ? -ENAMETOOLONG : 0;
}

int zrt_is_dot(const struct walk *w)
{
	return w->len == 0 || (w->len == 1 && w->name[0] == '.') || (w->len == 2 && w->name[0] == '.' && w->name[1] == '.');
}

/* ---- permissions ------------------------------------------------------------ */

int zrt_permitted(const struct node *n, int want_r, int want_w, int want_x)
{
	if (n->type != NODE_REG && n->type != NODE_DIR)
		return 1;
	return (!want_r || (n->mode & S_IRUSR)) && (!want_w || (n->mode & S_IWUSR)) && (!want_x || (n->mode & S_IXUSR));
}

/* ---- regular file contents ---------------------------------------------------- */

/* A borrowed file (vfs.h) gets its own copy before it changes. */
static int unborrow(struct node *n)
{
	unsigned char *d;
	uint64_t cap = (n->size + 15) & ~15ull;

	if (!n->borrowed)
		return 0;
	if (!(d = zrt_alloc(cap ? cap : 16)))
		return -ENOSPC;
	memcpy(d, n->data, n->size);
	n->data = d;
	n->cap = cap ? cap : 16;
	n->borrowed = 0;
	return 0;
}

int zrt_reserve(struct node *n, uint64_t size)
{
	uint64_t cap;
	unsigned char *d;
	int rc;

	if ((rc = unborrow(n)) < 0)
		return rc;
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

int zrt_set_size(struct node *n, uint64_t size)
{
	int rc;

	if ((rc = unborrow(n)) < 0 || (size > n->size && (rc = zrt_reserve(n, size)) < 0))
		return rc;
	if (size < n->size)
		memset(n->data + size, 0, n->size - size); /* so a later growth reads zeros */
	if (n->maps) /* the mappings too: zeros past the end, and what it grows by */
		zrt_fmap_push(n, size < n->size ? size : n->size, size < n->size ? n->size : size);
	n->size = size;
	n->mtime = n->ctime = zrt_now();
	n->made = 0;
	return 0;
}

int zrt_node_write(struct node *n, uint64_t off, const void *buf, uint64_t len)
{
	int rc;

	if (len == 0)
		return 0;
	if (off + len < off)
		return -EFBIG;
	if ((rc = zrt_reserve(n, off + len)) < 0)
		return rc;
	memcpy(n->data + off, buf, len);
	if (n->maps) /* from the old end: a hole it made reads zeros in a mapping too */
		zrt_fmap_push(n, off < n->size ? off : n->size, off + len);
	if (off + len > n->size)
		n->size = off + len;
	n->made = 0;
	return 0;
}

/* ---- set-up and the image ----------------------------------------------------------------- */

int zrt_mkdir_p(const char *path, unsigned mode, int64_t mtime, int explicit_dir)
{
	struct node *d = &zrt_root;
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
		struct dirent_slot *e = zrt_dir_find(d, name, len);
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
		struct node *n = zrt_node_new(NODE_DIR, *p && p[strspn(p, "/")] ? 0755 : mode);
		if (!n)
			return -ENOSPC;
		n->mtime = mtime;
		if (zrt_dir_add(d, name, len, n) < 0) {
			zrt_node_free(n);
			return -ENOSPC;
		}
		d = n;
	}
}

struct node *zrt_create_file(const char *path, unsigned mode, int64_t mtime, int *err)
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
		if ((rc = zrt_mkdir_p(dir, 0755, mtime, 0)) < 0) {
			*err = rc;
			return NULL;
		}
	}
	if ((rc = zrt_walk(AT_FDCWD, path[0] == '/' ? path : path, &w)) < 0) {
		*err = rc;
		return NULL;
	}
	if (w.node) {
		if (w.node->type != NODE_REG) {
			*err = w.node->type == NODE_DIR ? -EISDIR : -EEXIST;
			return NULL;
		}
		zrt_set_size(w.node, 0);
		n = w.node;
	} else {
		if (!(n = zrt_node_new(NODE_REG, mode))) {
			*err = -ENOSPC;
			return NULL;
		}
		if ((rc = zrt_dir_add(w.parent, w.name, w.len, n)) < 0) {
			zrt_node_free(n);
			*err = rc;
			return NULL;
		}
	}
	n->mode = mode & 07777;
	n->mtime = mtime;
	return n;
}

struct node *zrt_lookup(const char *path)
{
	struct walk w;

	return zrt_walk(AT_FDCWD, path, &w) < 0 ? NULL : w.node;
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
	if ((rc = zrt_mkdir_p(dir, 0755, zrt_now(), 0)) < 0)
		return rc;
	if ((rc = zrt_walk(AT_FDCWD, path, &w)) < 0)
		return rc;
	if (w.node)
		return -EEXIST;
	if (!(n = zrt_node_new(t, mode)))
		return -ENOSPC;
	if ((rc = zrt_dir_add(w.parent, w.name, w.len, n)) < 0) {
		zrt_node_free(n);
		return rc;
	}
	return 0;
}

/* A tar archive linked into the program (docs/runtime.md, "Embedded
 * archive"): weak, so programs without one (and the native unit tests)
 * see NULL. */
extern const unsigned char __zvm_embedded_tar_start[] __attribute__((weak));
extern const unsigned char __zvm_embedded_tar_end[] __attribute__((weak));

/* The root of an empty tree, its times the job's epoch. */
static void root_init(int64_t epoch)
{
	memset(&zrt_root, 0, sizeof(zrt_root));
	next_ino = 1;
	zrt_root.type = NODE_DIR;
	zrt_root.mode = 0755;
	zrt_root.ino = 1;
	zrt_root.nlink = 1;
	zrt_root.parent = &zrt_root;
	zrt_root.atime = zrt_root.mtime = zrt_root.ctime = epoch;
	zrt_root.opens = 1; /* the cwd */
}

/* ---- a template's archive tree (template.c, docs/zvmd.md "Templates") ------------------ */

/* The tree of the program's embedded archive alone, built before the keep
 * request and so part of every copy's memory: a copy starts its file tree
 * from it instead of parsing the archive again (its 1112 headers, for
 * python-template.nexe, over 21 MiB of the image). Only the archive: none
 * of the template's own files, channels or descriptors. Each copy changes
 * its own copy-on-write pages of it, so no job sees another's changes. */
static struct node base_root;
static uint64_t base_ino;
static int have_base;

/* The archive's times alone: atime and ctime as its mtime, so no clock of
 * the template's run is in a copy's tree */
static void times_from_archive(struct node *d)
{
	for (size_t i = 0; i < d->nents; i++) {
		struct node *n = d->ents[i].node;
		n->atime = n->ctime = n->mtime;
		if (n->type == NODE_DIR)
			times_from_archive(n);
	}
}

/* Frees what is below d (each node once: the archive makes no hard
 * links of directories, and a file's links are counted down) */
static void free_below(struct node *d)
{
	for (size_t i = 0; i < d->nents; i++) {
		struct node *n = d->ents[i].node;
		zrt_free(d->ents[i].name, d->ents[i].len + 1);
		if (n->type == NODE_DIR)
			free_below(n);
		if (n->type == NODE_DIR || --n->nlink == 0) {
			if (n->data && !n->borrowed)
				zrt_free(n->data, n->cap);
			zrt_free(n, sizeof(*n));
		}
	}
	if (d->ents)
		zrt_free(d->ents, d->ents_cap * sizeof(*d->ents));
	d->ents = NULL;
	d->nents = d->ents_cap = 0;
}

int zrt_fs_keep_base(void)
{
	uintptr_t et = (uintptr_t)__zvm_embedded_tar_start, ee = (uintptr_t)__zvm_embedded_tar_end;
	struct node live = zrt_root, *cwd = zrt_cwd;
	uint64_t ino = next_ino;
	unsigned umask = zrt_umask;
	int rc;

	zrt_fs_drop_base();
	if (!et || ee <= et)
		return 0;
	/* built where zrt_fs_init builds it: at the root, from the root */
	root_init(0);
	zrt_cwd = &zrt_root;
	zrt_umask = 022;
	rc = zrt_image_mount(__zvm_embedded_tar_start, ee - et);
	if (rc == 0) {
		times_from_archive(&zrt_root);
		base_root = zrt_root;
		base_ino = next_ino;
		have_base = 1;
	} else {
		free_below(&zrt_root);
	}
	zrt_root = live;
	zrt_cwd = cwd;
	next_ino = ino;
	zrt_umask = umask;
	return rc;
}

void zrt_fs_drop_base(void)
{
	if (have_base)
		free_below(&base_root);
	have_base = 0;
}

static int fs_init(const struct zvm_info *info, int from_base)
{
	const struct zvm_channel_info *c = (const void *)(uintptr_t)info->channels;
	uintptr_t et = (uintptr_t)__zvm_embedded_tar_start, ee = (uintptr_t)__zvm_embedded_tar_end;
	int image = -1, mounted = 0, rc;

	/* a fresh state (the native unit tests start several worlds) */
	fd_names = 0;
	zrt_fds_reset();
	zrt_fmap_reset();
	zrt_cwd = &zrt_root;
	zrt_umask = 022;
	image_out = -1;
	if (from_base && have_base) {
		/* the archive's tree, the root's times the job's */
		zrt_root = base_root;
		next_ino = base_ino;
		zrt_root.atime = zrt_root.mtime = zrt_root.ctime = (int64_t)info->epoch_ns;
		have_base = 0; /* it is this copy's tree now */
		mounted = 1;
	} else {
		root_init((int64_t)info->epoch_ns);
	}
	zrt_mkdir_p("/dev", 0755, (int64_t)info->epoch_ns, 1);
	zrt_mkdir_p("/tmp", 01777, (int64_t)info->epoch_ns, 1);
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
		n = zrt_lookup(alias);
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
		struct node *n = zrt_lookup(std_names[fd]);
		if (n && n->type == NODE_CHAN)
			zrt_fd_install(n, fd == 0 ? O_RDONLY : O_WRONLY, fd);
	}
	/* a channel aliased /dev/fd/N (N > 2: zvm exec --pass-fd, a caller's
	 * descriptor) is open at descriptor N, read or written as its limits
	 * allow, as the caller's shell had it */
	for (uint32_t i = 0; i < info->channel_count; i++) {
		const char *alias = (const char *)(uintptr_t)c[i].alias, *p;
		struct node *n;
		long fd = 0;
		if (!alias || strncmp(alias, "/dev/fd/", 8) || !alias[8] || strlen(alias + 8) > 4 ||
		    alias[8 + strspn(alias + 8, "0123456789")])
			continue;
		for (p = alias + 8; *p; p++)
			fd = fd * 10 + (*p - '0');
		if (fd < 3 || zrt_file((int)fd) || !(n = zrt_lookup(alias)) || n->type != NODE_CHAN || n->handle != (int)i)
			continue;
		int r = c[i].max_reads && c[i].max_read_bytes, w = c[i].max_writes && c[i].max_write_bytes;
		if (r || w)
			zrt_fd_install(n, r && w ? O_RDWR : r ? O_RDONLY : O_WRONLY, (int)fd);
	}
	/* the program's own archive first: the job's image may add to it or
	 * replace its files */
	if (!mounted && et && ee > et && zrt_image_mount(__zvm_embedded_tar_start, ee - et) < 0)
		return -ENOEXEC;
	if (image >= 0 && (rc = zrt_image_unpack(image, c[image].type, c[image].size)) < 0)
		return rc;
	zrt_identity_init((int64_t)info->epoch_ns);
	fd_names = 1;
	return 0;
}

int zrt_fs_init(const struct zvm_info *info)
{
	return fs_init(info, 0);
}

int zrt_fs_init_copy(const struct zvm_info *info)
{
	return fs_init(info, 1);
}

/* ---- the cell's identity ------------------------------------------------------------------ */

#define STR_(x) #x
#define STR(x) STR_(x)

/* A directory ZRT makes, if the path is free. */
static void made_dir(const char *path, int64_t mtime)
{
	struct node *n;

	if (zrt_lookup(path) || zrt_mkdir_p(path, 0755, mtime, 1) < 0)
		return;
	if ((n = zrt_lookup(path)))
		n->made = 1;
}

/* getpwuid(getuid()) finds the user, getenv("HOME") names a directory
 * that exists: programs (dc, sqlite3, shells) expect both; "localhost"
 * resolves (getaddrinfo reads /etc/hosts), so that a program's connection
 * fails where Linux's would, at socket(), not at a name lookup that would
 * need the network (gawk's nonfatal3). A file of the
 * same name in the image wins; nothing here is an error (without memory
 * the cell simply has no user database, as before). */
void zrt_identity_init(int64_t mtime)
{
	static const char *const files[][2] = {
		{ "/etc/passwd", ZRT_USER ":x:" STR(UID) ":" STR(UID) ":" ZRT_USER ":" ZRT_HOME ":/bin/sh\n" },
		{ "/etc/group", ZRT_USER ":x:" STR(UID) ":\n" },
		{ "/etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" },
	};
	int rc;

	made_dir("/etc", mtime);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct node *n;
		if (zrt_lookup(files[i][0]))
			continue;
		if (!(n = zrt_create_file(files[i][0], 0644, mtime, &rc)))
			continue;
		zrt_node_write(n, 0, files[i][1], strlen(files[i][1]));
		n->mtime = n->ctime = n->atime = mtime;
		n->made = 1;
	}
	made_dir("/home", mtime);
	made_dir(ZRT_HOME, mtime);
}

void zrt_fs_fini(void)
{
	if (image_out < 0)
		return;
	zrt_image_pack(image_out);
	image_out = -1; /* once */
}
