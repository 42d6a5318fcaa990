/*
 * vfs.h — ZRT's in-memory file tree, shared by the tree (vfs.c), the
 * descriptors (fd.c), the calls on the tree (dirops.c) and the tar images
 * (image.c). One process, one thread: no locking anywhere. Everything
 * here is ZRT-internal (zrt_ prefix: a program's own names stay free).
 */
#ifndef ZRT_VFS_H
#define ZRT_VFS_H

#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <sys/types.h>

#include "zvm.h"

enum node_type { NODE_DIR, NODE_REG, NODE_CHAN, NODE_NULL, NODE_ZERO, NODE_RANDOM, NODE_PIPE };

struct node;
struct dirent_slot {
	char *name;           /* zrt_alloc'd, NUL-terminated */
	size_t len;
	struct node *node;
};

struct node {
	enum node_type type;
	unsigned mode;        /* permission bits (07777) */
	uint64_t ino;
	unsigned nlink;       /* names in directories (a directory: 1 + its subdirectories' ".." ...) */
	unsigned opens;       /* open file descriptions */
	int64_t atime, mtime, ctime; /* ns since 1970, from the virtual clock */
	/* NODE_REG: contents; NODE_PIPE: the buffered bytes (data[0..size)) */
	unsigned char *data;
	uint64_t size, cap;
	/* NODE_DIR */
	struct dirent_slot *ents;
	size_t nents, ents_cap;
	struct node *parent;  /* the root is its own parent */
	/* NODE_CHAN */
	int handle;
	unsigned chan_type;   /* enum zvm_channel_type */
	/* NODE_PIPE: open ends */
	unsigned readers, writers;
	/* put there by ZRT at start (the cell's /etc/passwd, its home), not by
	 * the image or the program: left out of /dev/image-out until the
	 * program writes to it (a directory: until something in it is kept) */
	unsigned char made;
	/* NODE_REG: data points into a read-only archive in the program
	 * (zrt_image_mount), cap is 0; copied before any change */
	unsigned char borrowed;
	/* NODE_REG: shared mappings (fmap.c) hold some of its bytes */
	unsigned maps;
};

#define NAME_MAX_LEN 255
#define PATH_MAX_LEN 4096
#define UID 1000
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1 /* linux/fs.h; musl 1.2.3 has no renameat2 */
#endif

/* An open file description, shared by dup'ed descriptors. */
struct file {
	struct node *node;
	int flags;            /* O_ACCMODE | O_APPEND | O_NONBLOCK | O_PATH ... (no O_CLOEXEC) */
	int64_t pos;
	unsigned refs;        /* descriptors pointing here */
};

/* Where a path leads (zrt_walk). */
struct walk {
	struct node *parent;  /* directory holding the last component */
	struct node *node;    /* the last component, or NULL if absent */
	const char *name;     /* the last component (in the caller's string) */
	size_t len;
	int trailing_slash;
	int too_long;         /* zrt_walk_parent: the last component is over 255 bytes */
};

extern struct node zrt_root;
extern struct node *zrt_cwd;  /* counted in its opens */
extern unsigned zrt_umask;
extern int zrt_keep_times;    /* set while an image is unpacked: its times are kept */

/* vfs.c: nodes, directories, paths, contents */
int64_t zrt_now(void);
struct node *zrt_node_new(enum node_type t, unsigned mode);
uint64_t zrt_last_ino(void);              /* the newest node's inode number */
void zrt_node_free(struct node *n);
void zrt_node_release(struct node *n);   /* frees it once no name and no open file refers to it */
struct dirent_slot *zrt_dir_find(struct node *d, const char *name, size_t len);
int zrt_dir_add(struct node *d, const char *name, size_t len, struct node *n);
void zrt_dir_remove(struct node *d, struct dirent_slot *e);
int zrt_walk(int dirfd, const char *path, struct walk *w);  /* 0 or -errno; the last component may be missing */
/* the same, but the last component is not looked at (Linux's parent
 * lookup: what follows decides on a trailing slash) */
int zrt_walk_parent(int dirfd, const char *path, struct walk *w);
int zrt_is_dot(const struct walk *w);
/* after zrt_walk_parent, what looking the last component up gives:
 * ENOENT in a removed directory, ENAMETOOLONG, or 0 */
int zrt_lookup_error(const struct walk *w);
int zrt_permitted(const struct node *n, int want_r, int want_w, int want_x);
int zrt_reserve(struct node *n, uint64_t size);
int zrt_set_size(struct node *n, uint64_t size);
int zrt_node_write(struct node *n, uint64_t off, const void *buf, uint64_t len);
/* mkdir -p of the directories in path (relative to the root), then
 * creates or truncates the regular file; NULL on failure (*err = -errno) */
struct node *zrt_create_file(const char *path, unsigned mode, int64_t mtime, int *err);
/* mkdir -p; explicit_dir: path names the directory itself (a tar entry),
 * whose mode and time are set even if it exists */
int zrt_mkdir_p(const char *path, unsigned mode, int64_t mtime, int explicit_dir);
struct node *zrt_lookup(const char *path); /* from the cwd; NULL if absent */

/* The cell's user database and home (ZRT_USER, ZRT_HOME), where the
 * image has none: called after the image is unpacked. */
void zrt_identity_init(int64_t mtime);

/* fd.c: descriptors */
void zrt_fds_reset(void);
struct file *zrt_file(int fd);             /* NULL if fd is not open */
long zrt_fd_install(struct node *n, int flags, int min_fd);

/* A descriptor usable for I/O: open and not O_PATH (Linux gives EBADF) */
static inline struct file *zrt_file_io(int fd)
{
	struct file *f = zrt_file(fd);
	return f && !(f->flags & O_PATH) ? f : NULL;
}

static inline int file_readable(const struct file *f)
{
	return !(f->flags & O_PATH) && ((f->flags & O_ACCMODE) == O_RDONLY || (f->flags & O_ACCMODE) == O_RDWR);
}

static inline int file_writable(const struct file *f)
{
	return !(f->flags & O_PATH) && ((f->flags & O_ACCMODE) == O_WRONLY || (f->flags & O_ACCMODE) == O_RDWR);
}

static inline int chan_random_read(const struct node *n)
{
	return n->chan_type == ZVM_CHANNEL_RND_READ_SEQ_WRITE || n->chan_type == ZVM_CHANNEL_RND_READ_RND_WRITE;
}

static inline int chan_random_write(const struct node *n)
{
	return n->chan_type == ZVM_CHANNEL_SEQ_READ_RND_WRITE || n->chan_type == ZVM_CHANNEL_RND_READ_RND_WRITE;
}

/* fmap.c: shared file mappings. Where a window maps a file, its pages
 * hold the file's bytes: pull copies them into the buffer before it is
 * read, push copies the buffer's [a, b) out after it changed (both
 * no-ops unless n->maps). */
void zrt_fmap_reset(void);
void zrt_fmap_pull(struct node *n, uint64_t a, uint64_t b);
void zrt_fmap_push(struct node *n, uint64_t a, uint64_t b);
struct node *zrt_fmap_node(int fd, int prot, int *err);
long zrt_fmap_alias(struct node *n, uint64_t off, uint64_t len);
int zrt_fmap_attach(struct node *n, uint64_t addr, uint64_t off, uint64_t len, int prot);
int zrt_fmap_find(uint64_t s, uint64_t e, uint64_t *ws, uint64_t *we);
int zrt_fmap_unmap(uint64_t s, uint64_t e);
void zrt_fmap_sync(uint64_t s, uint64_t e);
/* mem.c: pages back to the heap (the windows' own, once unmapped) */
void zrt_mem_release(uint64_t s, uint64_t e);

/* image.c */
int zrt_image_unpack(int handle, unsigned chan_type, uint64_t size);
int zrt_image_mount(const unsigned char *p, uint64_t size);
int zrt_image_pack(int handle);

#endif
