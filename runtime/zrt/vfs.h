/*
 * vfs.h — ZRT's in-memory file tree, shared by the system calls (vfs.c)
 * and the image reader/writer (image.c). One process, one thread: no
 * locking anywhere.
 */
#ifndef ZRT_VFS_H
#define ZRT_VFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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
};

struct node *vfs_root(void);
extern int vfs_keep_times; /* set while an image is unpacked: its times are kept */
/* mkdir -p of the directories in path (relative to the root), then
 * creates or truncates the regular file; NULL on failure (*err = -errno) */
struct node *vfs_create_file(const char *path, unsigned mode, int64_t mtime, int *err);
/* mkdir -p; explicit_dir: path names the directory itself (a tar entry),
 * whose mode and time are set even if it exists */
int vfs_mkdir_p(const char *path, unsigned mode, int64_t mtime, int explicit_dir);
int vfs_file_write(struct node *n, uint64_t off, const void *buf, uint64_t len);
struct node *vfs_lookup(const char *path); /* absolute, no dirfd; NULL if absent */

/* image.c */
int zrt_image_unpack(int handle, unsigned chan_type, uint64_t size);
int zrt_image_pack(int handle);

#endif
