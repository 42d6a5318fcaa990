/*
 * exec-tar.c — reading the tar a cell wrote and applying it to the
 * caller's directory, confined to it (exec.h says the rules).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/zvm/exec.h"

#define BLOCK 512
#define MAX_DEPTH 256

/* An octal number field (NUL- or space-terminated, leading spaces). */
static int octal(const unsigned char *f, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	bool any = false;

	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++, any = true) {
		if (v >> 61)
			return -EINVAL;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	if (!any || (i < n && f[i] != '\0' && f[i] != ' '))
		return -EINVAL;
	*out = v;
	return 0;
}

static bool zero_block(const unsigned char *h)
{
	for (int i = 0; i < BLOCK; i++)
		if (h[i])
			return false;
	return true;
}

static bool checksum_ok(const unsigned char *h)
{
	uint64_t want, sum = 0;

	if (octal(h + 148, 8, &want) < 0)
		return false;
	for (int i = 0; i < BLOCK; i++)
		sum += i >= 148 && i < 156 ? ' ' : h[i];
	return sum == want;
}

/* a NUL-padded field into out (at most n bytes of it) */
static size_t field(char *out, const unsigned char *f, size_t n)
{
	size_t l = strnlen((const char *)f, n);

	memcpy(out, f, l);
	out[l] = '\0';
	return l;
}

int zvm_tar_walk(const unsigned char *buf, size_t len,
		 int (*fn)(const struct zvm_tar_entry *e, void *ctx), void *ctx, size_t *bad)
{
	static struct zvm_tar_entry e;
	char long_name[ZVM_TAR_NAME_MAX];
	size_t off = 0;
	int rc;

	long_name[0] = '\0';
	while (off + BLOCK <= len) {
		const unsigned char *h = buf + off;
		uint64_t size, mode, blocks;

		*bad = off;
		if (zero_block(h))
			return 0;
		if (!checksum_ok(h) || octal(h + 124, 12, &size) < 0 || octal(h + 100, 8, &mode) < 0)
			return -EINVAL;
		blocks = size / BLOCK + (size % BLOCK != 0);
		if (blocks > (len - off - BLOCK) / BLOCK)
			return -EINVAL;
		off += BLOCK;
		if (h[156] == 'L') {
			/* the next entry's name: its data, NUL-terminated or not */
			if (size == 0 || size >= ZVM_TAR_NAME_MAX)
				return -EINVAL;
			memcpy(long_name, buf + off, size);
			long_name[size] = '\0';
			if (strlen(long_name) == 0)
				return -EINVAL;
			off += blocks * BLOCK;
			continue;
		}
		if (long_name[0]) {
			strcpy(e.name, long_name);
			long_name[0] = '\0';
		} else if (!memcmp(h + 257, "ustar", 5) && h[345]) {
			size_t pl = field(e.name, h + 345, 155);
			e.name[pl] = '/';
			field(e.name + pl + 1, h, 100);
		} else {
			field(e.name, h, 100);
		}
		if (!e.name[0])
			return -EINVAL;
		e.type = h[156] == '\0' ? '0' : (char)h[156];
		e.mode = (unsigned)(mode & 07777);
		e.data = buf + off;
		e.size = size;
		off += blocks * BLOCK;
		if ((rc = fn(&e, ctx)) < 0)
			return rc;
	}
	*bad = off;
	return off == len ? 0 : -EINVAL;
}

int zvm_tar_split(const char *name, char *buf, size_t buflen, const char **comp, int max)
{
	size_t l = strlen(name);
	int n = 0;
	char *p, *save = NULL;

	if (l + 1 > buflen)
		return -EINVAL;
	memcpy(buf, name, l + 1);
	for (p = strtok_r(buf, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (!strcmp(p, "."))
			continue;
		if (!strcmp(p, "..") || n == max)
			return -EINVAL;
		comp[n++] = p;
	}
	return n;
}

/* An entry of the archive the cell was given, by its normalised name. */
struct given {
	char *name;
	const unsigned char *data;
	uint64_t size;
	unsigned mode;
};

struct apply {
	int dirfd;
	struct given *given;
	size_t ngiven, cap;
	const char *pre[MAX_DEPTH]; /* the prefix's components */
	int npre;
	struct zvm_write_back *wb;
};

static int fail(struct zvm_write_back *wb, const char *name, int err, const char *why)
{
	if (!wb->error[0])
		snprintf(wb->error, sizeof(wb->error), "%.300s: %s", name, why ? why : strerror(err));
	return -err;
}

/* The directory comp[0..n) under dirfd, made when missing (mode 0755),
 * never through a symlink. Returns an fd or -errno. */
static int open_dirs(int dirfd, const char **comp, int n)
{
	int fd = dup(dirfd);

	for (int i = 0; fd >= 0 && i < n; i++) {
		int next = openat(fd, comp[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (next < 0 && errno == ENOENT && mkdirat(fd, comp[i], 0755) == 0)
			next = openat(fd, comp[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			int err = errno == ELOOP ? ENOTDIR : errno;
			close(fd);
			return -err;
		}
		close(fd);
		fd = next;
	}
	return fd < 0 ? -errno : fd;
}

/* Whether the regular file name under dir already holds these bytes. */
static bool same_contents(int dir, const char *name, const unsigned char *data, uint64_t size)
{
	unsigned char b[65536];
	struct stat st;
	uint64_t at = 0;
	bool same;
	int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return false;
	same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == size;
	while (same && at < size) {
		ssize_t r = read(fd, b, sizeof(b));
		if (r <= 0 || (uint64_t)r > size - at || memcmp(b, data + at, (size_t)r))
			same = false;
		else
			at += (uint64_t)r;
	}
	close(fd);
	return same;
}

static int write_all(int fd, const unsigned char *p, uint64_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n > (1u << 30) ? (1u << 30) : (size_t)n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (uint64_t)w;
	}
	return 0;
}

/* A new regular file's contents beside its name, then renamed over it. */
static int replace_file(int dir, const char *name, const struct zvm_tar_entry *e)
{
	char tmp[64];
	struct stat st;
	int fd = -1, rc;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode))
		return -EEXIST; /* a directory, a symlink, a device: not replaced */
	for (unsigned i = 0; fd < 0 && i < 100; i++) {
		snprintf(tmp, sizeof(tmp), ".zvm-exec.%d.%u", (int)getpid(), i);
		fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return -errno;
	}
	if (fd < 0)
		return -EEXIST;
	rc = write_all(fd, e->data, e->size);
	if (!rc && fchmod(fd, e->mode & 0777) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && renameat(dir, tmp, dir, name) < 0)
		rc = -errno;
	if (rc)
		unlinkat(dir, tmp, 0);
	return rc;
}

/* comp[0..n) joined by '/' into out */
static void join(char *out, size_t len, const char **comp, int n)
{
	size_t at = 0;

	out[0] = '\0';
	for (int i = 0; i < n && at < len; i++)
		at += (size_t)snprintf(out + at, len - at, "%s%s", i ? "/" : "", comp[i]);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct given *)a)->name, ((const struct given *)b)->name);
}

static int note_given(const struct zvm_tar_entry *e, void *ctx)
{
	static char buf[ZVM_TAR_NAME_MAX], name[ZVM_TAR_NAME_MAX];
	const char *comp[MAX_DEPTH];
	struct apply *a = ctx;
	int n;

	if (e->type != '0' || (n = zvm_tar_split(e->name, buf, sizeof(buf), comp, MAX_DEPTH)) <= 0)
		return 0;
	if (a->ngiven == a->cap) {
		struct given *g = realloc(a->given, (a->cap = a->cap ? a->cap * 2 : 256) * sizeof(*g));
		if (!g)
			return -ENOMEM;
		a->given = g;
	}
	join(name, sizeof(name), comp, n);
	if (!(a->given[a->ngiven].name = strdup(name)))
		return -ENOMEM;
	a->given[a->ngiven].data = e->data;
	a->given[a->ngiven].size = e->size;
	a->given[a->ngiven++].mode = e->mode & 0777;
	return 0;
}

/* Whether the cell gave back the file comp[0..n) as it was given. */
static bool as_given(const struct apply *a, const char **comp, int n, const struct zvm_tar_entry *e)
{
	static char name[ZVM_TAR_NAME_MAX];
	struct given key = { .name = name }, *g;

	join(name, sizeof(name), comp, n);
	g = a->ngiven ? bsearch(&key, a->given, a->ngiven, sizeof(*g), by_name) : NULL;
	return g && g->size == e->size && g->mode == (e->mode & 0777) && !memcmp(g->data, e->data, e->size);
}

static int apply_one(const struct zvm_tar_entry *e, void *ctx)
{
	static char buf[ZVM_TAR_NAME_MAX];
	const char *comp[MAX_DEPTH];
	struct apply *a = ctx;
	int n, dir, rc = 0;

	if (e->type != '0' && e->type != '5') {
		a->wb->skipped++; /* ZRT writes neither; a forged archive might */
		return 0;
	}
	if ((n = zvm_tar_split(e->name, buf, sizeof(buf), comp, MAX_DEPTH)) < 0)
		return fail(a->wb, e->name, EINVAL, "a name with \"..\" (or too deep) is not written back");
	/* only what is under the directory's path, relative to it */
	for (int i = 0; i < a->npre; i++)
		if (i >= n || strcmp(comp[i], a->pre[i])) {
			a->wb->skipped++;
			return 0;
		}
	if (e->type == '0' && as_given(a, comp, n, e)) {
		a->wb->unchanged++; /* whatever the host did to it meanwhile stays */
		return 0;
	}
	n -= a->npre;
	memmove(comp, comp + a->npre, (size_t)n * sizeof(comp[0]));
	if (n == 0) {
		a->wb->skipped++;
		return 0;
	}
	if (e->type == '5') {
		if ((dir = open_dirs(a->dirfd, comp, n)) < 0)
			return fail(a->wb, e->name, -dir, -dir == ENOTDIR ? "not a directory here (a symlink is not followed)" : NULL);
		close(dir);
		a->wb->unchanged++;
		return 0;
	}
	if ((dir = open_dirs(a->dirfd, comp, n - 1)) < 0)
		return fail(a->wb, e->name, -dir, -dir == ENOTDIR ? "a parent is not a directory here (a symlink is not followed)" : NULL);
	if (same_contents(dir, comp[n - 1], e->data, e->size)) {
		a->wb->unchanged++;
	} else if ((rc = replace_file(dir, comp[n - 1], e)) < 0) {
		rc = fail(a->wb, e->name, -rc, rc == -EEXIST ? "not a regular file here (not replaced)" : NULL);
	} else {
		a->wb->written++;
	}
	close(dir);
	return rc;
}

int zvm_write_back(int dirfd, const char *prefix, const unsigned char *in, size_t in_len,
		   const unsigned char *buf, size_t len, struct zvm_write_back *wb)
{
	static struct apply a;
	static char pbuf[ZVM_TAR_NAME_MAX];
	size_t bad = 0;
	int rc;

	memset(wb, 0, sizeof(*wb));
	memset(&a, 0, sizeof(a));
	a.dirfd = dirfd;
	a.wb = wb;
	if (in_len && (rc = zvm_tar_walk(in, in_len, note_given, &a, &bad)) < 0) {
		snprintf(wb->error, sizeof(wb->error), "the archive given to the cell is unreadable at offset %zu", bad);
		goto out;
	}
	if (a.ngiven)
		qsort(a.given, a.ngiven, sizeof(*a.given), by_name);
	if ((a.npre = zvm_tar_split(prefix ? prefix : "", pbuf, sizeof(pbuf), a.pre, MAX_DEPTH)) < 0) {
		snprintf(wb->error, sizeof(wb->error), "the directory's path has \"..\" or is too deep");
		return -EINVAL;
	}
	rc = zvm_tar_walk(buf, len, apply_one, &a, &bad);
	if (rc == -EINVAL && !wb->error[0])
		snprintf(wb->error, sizeof(wb->error), "the cell's archive is damaged at offset %zu", bad);
out:
	for (size_t i = 0; i < a.ngiven; i++)
		free(a.given[i].name);
	free(a.given);
	return rc;
}
