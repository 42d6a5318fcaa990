/*
 * compile.c — the compile stage (serve.h): a C program's sources written
 * into a fresh directory, compiled by `zvm-compile` (the compiler's own
 * jail, another part's program: its contract is in docs/http.md), the
 * .nexe uploaded to zvmd, and its digest kept per tenant and source
 * digest. A tenant's cache entries are found only with its own name in
 * the key: the same source from two tenants is compiled twice, so no
 * tenant learns from a cache hit what another ran.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "client/zvm-client.h"
#include "serve/serve.h"

extern char **environ;

struct entry {
	char tenant[SERVE_NAME_MAX + 1];
	uint8_t key[32], digest[32];
	uint64_t used;              /* a clock for least-recently-used eviction */
	bool full;
};

struct serve_cache {
	pthread_mutex_t lock;
	unsigned n;
	uint64_t clock;
	struct entry e[];
};

struct serve_cache *serve_cache_new(unsigned entries)
{
	struct serve_cache *c = calloc(1, sizeof(*c) + entries * sizeof(struct entry));

	if (!c)
		return NULL;
	c->n = entries;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void serve_cache_free(struct serve_cache *c)
{
	if (c) {
		pthread_mutex_destroy(&c->lock);
		free(c);
	}
}

unsigned serve_cache_count(struct serve_cache *c)
{
	unsigned k = 0;

	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < c->n; i++)
		k += c->e[i].full;
	pthread_mutex_unlock(&c->lock);
	return k;
}

static bool cache_get(struct serve_cache *c, const char *tenant, const uint8_t key[32], uint8_t digest[32])
{
	bool hit = false;

	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < c->n && !hit; i++)
		if (c->e[i].full && !memcmp(c->e[i].key, key, 32) && !strcmp(c->e[i].tenant, tenant)) {
			memcpy(digest, c->e[i].digest, 32);
			c->e[i].used = ++c->clock;
			hit = true;
		}
	pthread_mutex_unlock(&c->lock);
	return hit;
}

static void cache_put(struct serve_cache *c, const char *tenant, const uint8_t key[32], const uint8_t digest[32])
{
	unsigned victim = 0;

	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < c->n; i++) {
		if (!c->e[i].full) {
			victim = i;
			break;
		}
		if (c->e[i].used < c->e[victim].used)
			victim = i;
	}
	snprintf(c->e[victim].tenant, sizeof(c->e[victim].tenant), "%s", tenant);
	memcpy(c->e[victim].key, key, 32);
	memcpy(c->e[victim].digest, digest, 32);
	c->e[victim].used = ++c->clock;
	c->e[victim].full = true;
	pthread_mutex_unlock(&c->lock);
}

void serve_cache_drop(struct serve_cache *c, const char *tenant, const uint8_t digest[32])
{
	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < c->n; i++)
		if (c->e[i].full && !memcmp(c->e[i].digest, digest, 32) && !strcmp(c->e[i].tenant, tenant))
			c->e[i].full = false;
	pthread_mutex_unlock(&c->lock);
}

/* The cache key: the language and every file's name and bytes. */
static void source_key(const struct serve_compile *c, uint8_t key[32])
{
	SHA256_CTX h;

	SHA256_Init(&h);
	SHA256_Update(&h, c->language, strlen(c->language) + 1);
	for (unsigned i = 0; i < c->nfiles; i++) {
		uint64_t len = c->files[i].content.len;
		SHA256_Update(&h, c->files[i].name, strlen(c->files[i].name) + 1);
		SHA256_Update(&h, &len, sizeof(len));
		SHA256_Update(&h, c->files[i].content.data, len);
	}
	SHA256_Final(key, &h);
}

static int write_file(int dirfd, const char *name, const struct serve_bytes *b)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	size_t off = 0;

	if (fd < 0)
		return -errno;
	while (off < b->len) {
		ssize_t n = write(fd, b->data + off, b->len - off);
		if (n < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		off += (size_t)n;
	}
	return close(fd) < 0 ? -errno : 0;
}

/* Empties a directory the compile used (whatever the compiler left in
 * it: its own subdirectories too, a few levels deep), never following a
 * link. */
static void empty_dir(int dfd, int depth)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (unlinkat(dfd, de->d_name, 0) < 0 && depth < 8) {
			int sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				empty_dir(sub, depth + 1);
				close(sub);
			}
			unlinkat(dfd, de->d_name, AT_REMOVEDIR);
		}
	}
	closedir(d);
}

/* Runs argv with stdout into *out (at most 4 MiB), killed after deadline
 * seconds. Returns the wait status, or -errno. */
static int run_capture(char *const argv[], double deadline, char **out, size_t *outlen)
{
	posix_spawn_file_actions_t fa;
	int p[2], status = 0, rc;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	pid_t pid;
	double end = serve_now() + deadline;

	*out = NULL;
	*outlen = 0;
	if (!buf)
		return -ENOMEM;
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(buf);
		return -errno;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc) {
		close(p[0]);
		free(buf);
		return -rc;
	}
	for (;;) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };
		int left = (int)((end - serve_now()) * 1000);
		ssize_t n;

		if (left <= 0 || poll(&pf, 1, left) == 0) {
			kill(pid, SIGKILL);
			break;
		}
		if (cap - len < 4096) {
			char *nb = cap < (4u << 20) ? realloc(buf, cap * 2) : NULL;
			if (!nb) {
				kill(pid, SIGKILL);
				break;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(p[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return status;
}

/* zvm-compile's verdict as Piston's "compile" object. */
static json_t *compile_json(json_t *v, bool *ok)
{
	json_t *o = json_object(), *t;
	const char *st = json_string_value(json_object_get(v, "status"));
	json_int_t code = json_integer_value(json_object_get(v, "exit_code"));
	const char *out = json_string_value(json_object_get(v, "stdout"));
	const char *err = json_string_value(json_object_get(v, "stderr"));
	bool trunc = json_is_true(json_object_get(v, "truncated"));
	const char *status = NULL, *msg = NULL;
	char *both;

	*ok = st && !strcmp(st, "ok") && code == 0;
	if (!st)
		status = "XX", msg = "zvm-compile gave no status";
	else if (!strcmp(st, "timeout"))
		status = "TO", msg = "compile time limit exceeded";
	else if (!strcmp(st, "memory"))
		status = "ML", msg = "compile memory limit reached";
	else if (!strcmp(st, "output"))
		status = "OL", msg = "compiler output limit exceeded";
	else if (!*ok)
		status = "RE", msg = "compilation failed";
	out = out ? out : "";
	err = err ? err : "";
	json_object_set_new(o, "stdout", json_string(out));
	json_object_set_new(o, "stderr", json_string(err));
	both = malloc(strlen(out) + strlen(err) + 1);
	if (both) {
		strcpy(both, out);
		strcat(both, err);
		json_object_set_new(o, "output", json_string(both));
		free(both);
	}
	json_object_set_new(o, "code", json_is_integer(json_object_get(v, "exit_code")) ? json_integer(code)
											      : json_null());
	t = json_object_get(v, "signal");
	json_object_set(o, "signal", json_is_string(t) ? t : json_null());
	json_object_set_new(o, "message", msg ? json_string(msg) : json_null());
	json_object_set_new(o, "status", status ? json_string(status) : json_null());
	json_object_set(o, "cpu_time", (t = json_object_get(v, "cpu_ms")) ? t : json_null());
	json_object_set(o, "wall_time", (t = json_object_get(v, "wall_ms")) ? t : json_null());
	json_object_set(o, "memory", (t = json_object_get(v, "memory_bytes")) ? t : json_null());
	json_object_set_new(o, "truncated", json_boolean(trunc));
	return o;
}

int serve_compile(const struct serve_compile *c, uint8_t digest[32], json_t **compile, bool *cached, char *why,
		  size_t whylen)
{
	char dir[300], src[320], out[320], a[5][32];
	uint8_t key[32];
	int dfd = -1, rc = -1, status, img;
	char *text = NULL;
	size_t tlen;
	json_t *v = NULL;
	bool ok;

	*compile = NULL;
	*cached = false;
	source_key(c, key);
	if (cache_get(c->cache, c->tenant, key, digest)) {
		*cached = true;
		return 0;
	}
	if (access(c->cfg->compiler, X_OK)) {
		snprintf(why, whylen, "the compiler %s is not installed: %s", c->cfg->compiler, strerror(errno));
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/zvm-serve-XXXXXX", c->cfg->state_dir);
	if (!mkdtemp(dir)) {
		snprintf(why, whylen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(src, sizeof(src), "%s/src", dir);
	snprintf(out, sizeof(out), "%s/out.nexe", dir);
	if (mkdir(src, 0755) < 0 || (dfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(why, whylen, "%s: %s", src, strerror(errno));
		goto out;
	}
	for (unsigned i = 0; i < c->nfiles; i++) {
		int e = write_file(dfd, c->files[i].name, &c->files[i].content);
		if (e < 0) {
			snprintf(why, whylen, "writing %s: %s", c->files[i].name, strerror(-e));
			goto out;
		}
	}
	snprintf(a[0], sizeof(a[0]), "%lld", (long long)c->wall_ms);
	snprintf(a[1], sizeof(a[1]), "%lld", (long long)c->cpu_ms);
	snprintf(a[2], sizeof(a[2]), "%lld", (long long)c->memory);
	snprintf(a[3], sizeof(a[3]), "%lld", (long long)c->output);
	{
		char *argv[] = { (char *)c->cfg->compiler, (char *)"--lang", (char *)c->language, (char *)"--src-dir", src,
				 (char *)"--out", out, (char *)"--wall-ms", a[0], (char *)"--cpu-ms", a[1], (char *)"--memory", a[2],
				 (char *)"--output-bytes", a[3], NULL };
		status = run_capture(argv, (double)c->wall_ms / 1000 + 10, &text, &tlen);
	}
	if (status < 0) {
		snprintf(why, whylen, "running %s: %s", c->cfg->compiler, strerror(-status));
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(why, whylen, "%s ended with %s %d (it could not build its jail)", c->cfg->compiler,
			 WIFEXITED(status) ? "status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		goto out;
	}
	v = json_loadb(text, tlen, 0, NULL);
	if (!json_is_object(v)) {
		snprintf(why, whylen, "%s printed no JSON object", c->cfg->compiler);
		goto out;
	}
	*compile = compile_json(v, &ok);
	if (!ok) {
		rc = 1;
		goto out;
	}
	img = open(out, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (img < 0) {
		snprintf(why, whylen, "the compiler said ok but wrote no %s", out);
		goto out;
	}
	{
		struct zvm_report *rep = calloc(1, sizeof(*rep));
		int u = rep ? zvm_client_upload_fd(c->cfg->socket, NULL, img, digest, rep) : 125;

		if (u != 0)
			snprintf(why, whylen, "zvmd did not take the compiled program: %s",
				 rep ? rep->message : "out of memory");
		free(rep);
		close(img);
		if (u != 0)
			goto out;
	}
	cache_put(c->cache, c->tenant, key, digest);
	rc = 0;
out:
	json_decref(v);
	free(text);
	{
		int top = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (top >= 0) {
			empty_dir(top, 0);
			close(top);
		}
	}
	if (dfd >= 0)
		close(dfd);
	rmdir(dir);
	return rc;
}
