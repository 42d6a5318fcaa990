/*
 * exec.h — `zvm exec`'s write-back: the tar a cell wrote at exit
 * (/dev/image-out, made by code we do not trust) applied to the caller's
 * directory, as the caller (docs/exec.md).
 *
 * The archive is parsed with every bound checked (ustar and GNU 'L' long
 * names, as ZRT writes them). Only regular files and directories are taken;
 * a name is relative, without "..", and is resolved one component at a
 * time with O_NOFOLLOW under the directory's fd, so nothing outside it can
 * be reached (no symlink in the caller's tree is followed, no absolute
 * name). A file the cell did not change, or whose bytes are the host's
 * already, is left alone; a changed or
 * new one is written to a fresh temporary file beside it and renamed over
 * the name (a hard link in the caller's tree to a file elsewhere is
 * replaced, not written through). Permissions: the archive's mode & 0777.
 * Nothing is deleted. The cell sees the directory at its host path
 * (prefix below): only entries under it are written back, the prefix
 * taken off; the rest of the cell's tree (/tmp, /etc, ...) stays there.
 */
#ifndef ZVM_TOOLS_EXEC_H
#define ZVM_TOOLS_EXEC_H

#include <stddef.h>
#include <stdint.h>

#define ZVM_TAR_NAME_MAX 4096

struct zvm_tar_entry {
	char name[ZVM_TAR_NAME_MAX];  /* as in the archive, NUL-terminated */
	char type;                    /* '0' regular file, '5' directory, else skipped */
	unsigned mode;
	const unsigned char *data;    /* a regular file's contents, size bytes */
	uint64_t size;
};

/* Calls fn for each entry of the archive (but for 'L' records, which name
 * the next one). fn returns 0 to go on, or a negative errno to stop with.
 * Returns 0 at the end of the archive (two zero blocks, or its last byte),
 * -EINVAL for a damaged one with *bad at the offset of the bad header. */
int zvm_tar_walk(const unsigned char *buf, size_t len,
		 int (*fn)(const struct zvm_tar_entry *e, void *ctx), void *ctx, size_t *bad);

/* Splits an entry's name into at most max components (pointers into buf,
 * which receives a copy of name): leading "/" and "./", "." and empty
 * components dropped. Returns the count, 0 for the root itself, or
 * -EINVAL for ".." or too many components. */
int zvm_tar_split(const char *name, char *buf, size_t buflen, const char **comp, int max);

struct zvm_write_back {
	unsigned written, unchanged, skipped;
	char error[512];              /* the first failure, naming the entry */
};

/* Applies the entries under prefix (the directory's host path, "/" or
 * "" for all) of the archive buf to the directory dirfd. A regular file
 * that the cell gives back as it was given (in: the archive it was
 * given, in_len 0 for none) is left alone, whatever the host's file is
 * now (a program's redirected output, written meanwhile, is not undone).
 * Returns 0, or a negative errno with wb->error saying which entry and
 * why (the entries before it are written). */
int zvm_write_back(int dirfd, const char *prefix, const unsigned char *in, size_t in_len,
		   const unsigned char *buf, size_t len, struct zvm_write_back *wb);

#endif
