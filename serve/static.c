/*
 * static.c — the playground's files (serve.h): a URL path to a regular
 * file beneath the playground directory. No "..", no symbolic link, no
 * magic link, no device or directory: openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS) makes the kernel hold the line the name check
 * draws.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "serve/serve.h"

static const struct { const char *ext, *type; } types[] = {
	{ ".html", "text/html; charset=utf-8" }, { ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" }, { ".mjs", "text/javascript; charset=utf-8" },
	{ ".json", "application/json" }, { ".map", "application/json" }, { ".svg", "image/svg+xml" },
	{ ".png", "image/png" }, { ".ico", "image/x-icon" }, { ".txt", "text/plain; charset=utf-8" },
	{ ".c", "text/plain; charset=utf-8" }, { ".lua", "text/plain; charset=utf-8" },
	{ ".py", "text/plain; charset=utf-8" }, { ".woff2", "font/woff2" }, { ".wasm", "application/wasm" },
};

static const char *type_of(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t e = strlen(types[i].ext);
		if (n > e && !strcmp(name + n - e, types[i].ext))
			return types[i].type;
	}
	return "application/octet-stream";
}

int serve_static_open(int dirfd, const char *url, const char **ctype, uint64_t *size)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	const char *p = url;
	struct stat st;
	int fd;

	if (dirfd < 0 || !url || url[0] != '/')
		return -ENOENT;
	while (*p == '/')
		p++;
	if (!*p)
		p = "index.html";
	if (strlen(p) > 255)
		return -ENOENT;
	/* no "." or ".." component, no hidden file, no empty component */
	for (const char *c = p; *c;) {
		const char *e = strchr(c, '/');
		size_t n = e ? (size_t)(e - c) : strlen(c);
		if (n == 0 || c[0] == '.')
			return -ENOENT;
		c += n + (e ? 1 : 0);
		if (e && !*c)
			return -ENOENT;
	}
	fd = (int)syscall(SYS_openat2, dirfd, p, &how, sizeof(how));
	if (fd < 0)
		return -ENOENT;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -ENOENT;
	}
	*ctype = type_of(p);
	*size = (uint64_t)st.st_size;
	return fd;
}
