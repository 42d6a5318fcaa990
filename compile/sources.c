/* The sources are read by the caller, before the jail exists, and written
 * into the jail's own tmpfs: the jail needs no view of the caller's
 * directory (whose modes a root caller's dropped uid might not pass), and a
 * symlink among them can point nowhere on the host. */
#include "compile/compile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILES 4096
#define MAX_DEPTH 8

void zc_sources_free(struct zc_sources *s)
{
	for (int i = 0; i < s->n; i++) {
		free(s->f[i].name);
		free(s->f[i].data);
	}
	free(s->f);
	memset(s, 0, sizeof(*s));
}

static int read_fd(int fd, size_t size, char **out)
{
	char *b = malloc(size ? size : 1);
	size_t n = 0;

	if (!b)
		return -ENOMEM;
	while (n < size) {
		ssize_t r = read(fd, b + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(b);
			return r < 0 ? -errno : -EIO; /* shrank under us */
		}
		n += r;
	}
	*out = b;
	return 0;
}

static int walk(struct zc_sources *s, int dfd, const char *rel, int depth, size_t limit, char *msg, size_t msglen)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((e = readdir(d))) {
		char name[4096];
		struct stat st;
		int fd;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(name, sizeof(name), "%s%s%s", rel, *rel ? "/" : "", e->d_name) >= (int)sizeof(name)) {
			snprintf(msg, msglen, "%s: name too long", rel);
			rc = -ENAMETOOLONG;
			break;
		}
		fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0 || fstat(fd, &st) < 0) {
			rc = -errno;
			snprintf(msg, msglen, "%s: %s (regular files and directories only)", name, strerror(errno));
			if (fd >= 0)
				close(fd);
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			if (depth >= MAX_DEPTH) {
				close(fd);
				snprintf(msg, msglen, "%s: deeper than %d directories", name, MAX_DEPTH);
				rc = -ELOOP;
				break;
			}
			if ((rc = walk(s, fd, name, depth + 1, limit, msg, msglen)) < 0)
				break;
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			close(fd);
			snprintf(msg, msglen, "%s: not a regular file", name);
			rc = -EINVAL;
			break;
		}
		if (s->n >= MAX_FILES || (uint64_t)st.st_size > limit - s->total) {
			close(fd);
			snprintf(msg, msglen, "%s: the sources pass %d files or %zu bytes", name, MAX_FILES, limit);
			rc = -EFBIG;
			break;
		}
		if (s->n == s->cap) {
			int cap = s->cap ? s->cap * 2 : 16;
			struct zc_file *nf = realloc(s->f, cap * sizeof(*nf));
			if (!nf) {
				close(fd);
				rc = -ENOMEM;
				break;
			}
			s->f = nf;
			s->cap = cap;
		}
		struct zc_file *f = &s->f[s->n];
		f->len = st.st_size;
		f->mode = 0444;
		rc = read_fd(fd, f->len, &f->data);
		close(fd);
		if (rc < 0) {
			snprintf(msg, msglen, "%s: %s", name, strerror(-rc));
			break;
		}
		if (!(f->name = strdup(name))) {
			free(f->data);
			rc = -ENOMEM;
			break;
		}
		s->total += f->len;
		s->n++;
	}
	closedir(d);
	return rc;
}

int zc_sources_read(struct zc_sources *s, const char *dir, size_t limit, char *msg, size_t msglen)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	memset(s, 0, sizeof(*s));
	msg[0] = '\0';
	if (fd < 0) {
		snprintf(msg, msglen, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	rc = walk(s, fd, "", 0, limit, msg, msglen);
	if (rc == 0) {
		int c = 0;
		for (int i = 0; i < s->n; i++) {
			size_t n = strlen(s->f[i].name);
			c += n > 2 && !strcmp(s->f[i].name + n - 2, ".c");
		}
		if (!c) {
			snprintf(msg, msglen, "%s: no .c file", dir);
			rc = -ENOENT;
		}
	}
	if (rc < 0) {
		char tmp[512];
		snprintf(tmp, sizeof(tmp), "%s", msg);
		snprintf(msg, msglen, "%s%s%s", rc == -ENOENT ? "" : dir, rc == -ENOENT ? "" : "/", tmp);
		zc_sources_free(s);
	}
	return rc;
}
