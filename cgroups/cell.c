/*
 * cell.c — a cell's cgroup(s): create with limits, attach, read usage,
 * destroy. On a v1 host the limits go to the v1 controllers and, where a
 * v2 hierarchy exists too (hybrid hosts), the cell also gets a v2 group so
 * cgroup-BPF programs can be attached to it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/cgroups.h"

static int write_file(const char *dir, const char *file, const char *value)
{
	char path[600];
	int fd, rc = 0;
	size_t n = strlen(value);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, n) != (ssize_t)n)
		rc = -errno;
	close(fd);
	return rc;
}

static int read_file(const char *dir, const char *file, char *buf, size_t len)
{
	char path[600];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

static uint64_t keyed(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static int make_dir(char *out, size_t len, const char *root, const char *parent, const char *name,
		    char *err, size_t errlen)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", root, parent);
	if (mkdir(p, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", p, strerror(errno));
		return -errno;
	}
	if ((size_t)snprintf(out, len, "%s/%s", p, name) >= len)
		return -ENAMETOOLONG;
	if (mkdir(out, 0755) < 0 && errno != EEXIST) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", out, strerror(e));
		return -e;
	}
	return 0;
}

#define SET(dir, file, ...)                                                       \
	do {                                                                      \
		char v_[64];                                                      \
		snprintf(v_, sizeof(v_), __VA_ARGS__);                            \
		if ((rc = write_file(dir, file, v_)) < 0) {                       \
			snprintf(err, errlen, "%s/%s: %s", dir, file, strerror(-rc)); \
			return rc;                                                \
		}                                                                 \
	} while (0)

static int create_v2(const struct zvm_cg_host *h, const char *parent, const char *name,
		     const struct zvm_cg_limits *lim, struct zvm_cg_cell *c, char *err, size_t errlen)
{
	char pdir[512], ctl[64] = "";
	int rc;

	if (h->v2_memory)
		strcat(ctl, "+memory ");
	if (h->v2_pids)
		strcat(ctl, "+pids ");
	if (h->v2_cpu)
		strcat(ctl, "+cpu");
	snprintf(pdir, sizeof(pdir), "%s/%s", h->v2_root, parent);
	mkdir(pdir, 0755);
	if (ctl[0]) {
		/* delegate the controllers down to the cells (best effort) */
		write_file(h->v2_root, "cgroup.subtree_control", ctl);
		write_file(pdir, "cgroup.subtree_control", ctl);
	}
	if ((rc = make_dir(c->path_v2, sizeof(c->path_v2), h->v2_root, parent, name, err, errlen)) < 0)
		return rc;
	if (h->mode != ZVM_CG_V2)
		return 0; /* limits live in v1; this group is for BPF */
	if (h->v2_memory && lim->memory_max) {
		SET(c->path_v2, "memory.max", "%llu", (unsigned long long)lim->memory_max);
		write_file(c->path_v2, "memory.swap.max", "0");
	}
	if (h->v2_pids && lim->pids_max)
		SET(c->path_v2, "pids.max", "%llu", (unsigned long long)lim->pids_max);
	if (h->v2_cpu && lim->cpu_weight)
		SET(c->path_v2, "cpu.weight", "%u", lim->cpu_weight);
	if (h->v2_cpu && lim->cpu_quota > 0)
		SET(c->path_v2, "cpu.max", "%llu 100000", (unsigned long long)(lim->cpu_quota * 100000));
	return 0;
}

static int create_v1(const struct zvm_cg_host *h, const char *parent, const char *name,
		     const struct zvm_cg_limits *lim, struct zvm_cg_cell *c, char *err, size_t errlen)
{
	int rc;

	if (h->v1_memory[0]) {
		if ((rc = make_dir(c->path_memory, sizeof(c->path_memory), h->v1_memory, parent, name, err, errlen)) < 0)
			return rc;
		if (lim->memory_max) {
			SET(c->path_memory, "memory.limit_in_bytes", "%llu", (unsigned long long)lim->memory_max);
			/* no swap beyond the limit, where swap accounting exists */
			{
				char v[32];
				snprintf(v, sizeof(v), "%llu", (unsigned long long)lim->memory_max);
				write_file(c->path_memory, "memory.memsw.limit_in_bytes", v);
			}
		}
	}
	if (h->v1_pids[0]) {
		if ((rc = make_dir(c->path_pids, sizeof(c->path_pids), h->v1_pids, parent, name, err, errlen)) < 0)
			return rc;
		if (lim->pids_max)
			SET(c->path_pids, "pids.max", "%llu", (unsigned long long)lim->pids_max);
	}
	if (h->v1_cpu[0]) {
		if ((rc = make_dir(c->path_cpu, sizeof(c->path_cpu), h->v1_cpu, parent, name, err, errlen)) < 0)
			return rc;
		if (lim->cpu_weight)
			SET(c->path_cpu, "cpu.shares", "%u", lim->cpu_weight * 1024 / 100);
		if (lim->cpu_quota > 0) {
			SET(c->path_cpu, "cpu.cfs_period_us", "100000");
			SET(c->path_cpu, "cpu.cfs_quota_us", "%llu", (unsigned long long)(lim->cpu_quota * 100000));
		}
	}
	return 0;
}

int zvm_cg_create(const struct zvm_cg_host *host, const char *parent, const char *name,
		  const struct zvm_cg_limits *lim, struct zvm_cg_cell *c, char *err, size_t errlen)
{
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->host = host;
	snprintf(c->name, sizeof(c->name), "%s", name);
	for (int i = 0; i < 4; i++)
		c->bpf_links[i] = -1;
	if (host->mode == ZVM_CG_V1)
		rc = create_v1(host, parent, name, lim, c, err, errlen);
	if (rc == 0 && host->v2_root[0])
		rc = create_v2(host, parent, name, lim, c, err, errlen);
	if (rc < 0)
		zvm_cg_destroy(c);
	return rc;
}

int zvm_cg_attach(const struct zvm_cg_cell *c, pid_t pid)
{
	const char *dirs[] = { c->path_memory, c->path_pids, c->path_cpu, c->path_v2 };
	char v[32];
	int rc;

	snprintf(v, sizeof(v), "%d", (int)pid);
	for (int i = 0; i < 4; i++)
		if (dirs[i][0] && (rc = write_file(dirs[i], "cgroup.procs", v)) < 0)
			return rc;
	return 0;
}

static uint64_t oom_kills(const struct zvm_cg_cell *c)
{
	char buf[4096];

	if (c->host->mode == ZVM_CG_V2 && c->path_v2[0] && read_file(c->path_v2, "memory.events", buf, sizeof(buf)) > 0)
		return keyed(buf, "oom_kill ");
	if (c->path_memory[0] && read_file(c->path_memory, "memory.oom_control", buf, sizeof(buf)) > 0)
		return keyed(buf, "oom_kill ");
	return 0;
}

int zvm_cg_new_period(struct zvm_cg_cell *c)
{
	if (c->host->mode == ZVM_CG_V2 && c->path_v2[0])
		write_file(c->path_v2, "memory.peak", "reset"); /* kernel 6.12+; else peak is since creation */
	else if (c->path_memory[0])
		write_file(c->path_memory, "memory.max_usage_in_bytes", "0");
	c->oom_base = oom_kills(c);
	return 0;
}

int zvm_cg_read_usage(const struct zvm_cg_cell *c, struct zvm_cg_usage *u)
{
	char buf[4096];

	memset(u, 0, sizeof(*u));
	if (c->host->mode == ZVM_CG_V2 && c->path_v2[0]) {
		if (read_file(c->path_v2, "memory.peak", buf, sizeof(buf)) > 0 ||
		    read_file(c->path_v2, "memory.current", buf, sizeof(buf)) > 0)
			u->memory_peak = strtoull(buf, NULL, 10);
		if (read_file(c->path_v2, "cpu.stat", buf, sizeof(buf)) > 0)
			u->cpu_usec = keyed(buf, "usage_usec ");
	} else if (c->path_memory[0]) {
		if (read_file(c->path_memory, "memory.max_usage_in_bytes", buf, sizeof(buf)) > 0)
			u->memory_peak = strtoull(buf, NULL, 10);
	}
	u->oom = oom_kills(c) > c->oom_base;
	return 0;
}

/* Kills whatever is left in dir and removes it, retrying briefly while the
 * kernel finishes tearing the processes down. */
static void remove_group(const char *dir)
{
	char buf[4096];
	struct timespec ts = { 0, 1000000 };

	if (!dir[0])
		return;
	write_file(dir, "cgroup.kill", "1");
	for (int tries = 0; tries < 500; tries++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return;
		if (read_file(dir, "cgroup.procs", buf, sizeof(buf)) > 0)
			for (char *p = buf; *p;) {
				char *e;
				long pid = strtol(p, &e, 10);
				if (e == p)
					break;
				if (pid > 0)
					kill((pid_t)pid, SIGKILL);
				p = e;
				while (*p == '\n')
					p++;
			}
		nanosleep(&ts, NULL);
	}
}

int zvm_cg_destroy(struct zvm_cg_cell *c)
{
	for (int i = 0; i < 4; i++) {
		if (c->bpf_links[i] >= 0)
			close(c->bpf_links[i]);
		c->bpf_links[i] = -1;
	}
	remove_group(c->path_v2);
	remove_group(c->path_memory);
	remove_group(c->path_pids);
	remove_group(c->path_cpu);
	c->path_v2[0] = c->path_memory[0] = c->path_pids[0] = c->path_cpu[0] = '\0';
	return 0;
}
