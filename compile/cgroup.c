/* A cgroup v2 of the compile's own, when the caller may make one: under
 * --cgroup DIR, or, detected, beside the caller's own cgroup when its parent
 * is delegated to the caller (systemd's Delegate=yes with zvm serve in a
 * leaf of it) with memory and pids enabled for its children. */
#include "compile/compile-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

static int write_file(const char *dir, const char *name, const char *val)
{
	char p[PATH_MAX];
	int fd, rc = 0;
	size_t n = strlen(val);

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if ((fd = open(p, O_WRONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (write(fd, val, n) != (ssize_t)n)
		rc = -errno ? -errno : -EIO;
	close(fd);
	return rc;
}

static int read_file(const char *dir, const char *name, char *buf, size_t len)
{
	char p[PATH_MAX];
	int fd;
	ssize_t n;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* a delegated parent: ours to write, memory and pids on for its children */
static bool usable(const char *dir)
{
	char ctl[512];

	if (access(dir, W_OK) != 0 || read_file(dir, "cgroup.subtree_control", ctl, sizeof(ctl)) < 0)
		return false;
	return strstr(ctl, "memory") && strstr(ctl, "pids");
}

int zc_cgroup_create(struct zc_cgroup *cg, const struct zc_limits *l, char *msg, size_t msglen)
{
	char base[PATH_MAX], line[PATH_MAX], v[32];
	struct statfs fs;
	static unsigned seq;

	cg->path[0] = '\0';
	if (l->no_cgroup)
		return 0;
	if (l->cgroup) {
		if (!usable(l->cgroup)) {
			snprintf(msg, msglen,
				 "--cgroup %s: not a cgroup v2 directory this user may write with memory and pids in its cgroup.subtree_control",
				 l->cgroup);
			return -EACCES;
		}
		snprintf(base, sizeof(base), "%s", l->cgroup);
	} else {
		FILE *f;
		bool found = false;

		if (statfs("/sys/fs/cgroup", &fs) < 0 || fs.f_type != CGROUP2_SUPER_MAGIC)
			return 0; /* v1 or none: rlimits only */
		if (!(f = fopen("/proc/self/cgroup", "re")))
			return 0;
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "0::/", 4)) {
				line[strcspn(line, "\n")] = '\0';
				found = true;
				break;
			}
		fclose(f);
		if (!found || !strcmp(line, "0::/"))
			return 0;
		snprintf(base, sizeof(base), "/sys/fs/cgroup%s", line + 3);
		*strrchr(base, '/') = '\0';
		if (!usable(base))
			return 0;
	}
	snprintf(cg->path, sizeof(cg->path), "%s/zvm-compile-%d-%u", base, getpid(), seq++);
	if (mkdir(cg->path, 0700) < 0) {
		snprintf(msg, msglen, "%s: %s", cg->path, strerror(errno));
		cg->path[0] = '\0';
		return -errno;
	}
	snprintf(v, sizeof(v), "%llu", (unsigned long long)l->memory);
	if (write_file(cg->path, "memory.max", v) < 0) {
		snprintf(msg, msglen, "%s/memory.max: %s", cg->path, strerror(errno));
		zc_cgroup_destroy(cg);
		return -EIO;
	}
	write_file(cg->path, "memory.swap.max", "0"); /* absent without swap accounting */
	snprintf(v, sizeof(v), "%u", l->pids);
	if (write_file(cg->path, "pids.max", v) < 0) {
		snprintf(msg, msglen, "%s/pids.max: %s", cg->path, strerror(errno));
		zc_cgroup_destroy(cg);
		return -EIO;
	}
	return 0;
}

int zc_cgroup_enter(const struct zc_cgroup *cg, pid_t pid)
{
	char v[32];

	if (!cg->path[0])
		return 0;
	snprintf(v, sizeof(v), "%d", pid);
	return write_file(cg->path, "cgroup.procs", v);
}

static uint64_t key(const char *text, const char *k)
{
	const char *p = text;
	size_t n = strlen(k);

	while ((p = strstr(p, k))) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtoull(p + n + 1, NULL, 10);
		p += n;
	}
	return 0;
}

void zc_cgroup_read(const struct zc_cgroup *cg, struct zc_cgroup_stats *st)
{
	char buf[4096];

	memset(st, 0, sizeof(*st));
	if (!cg->path[0])
		return;
	if (read_file(cg->path, "memory.peak", buf, sizeof(buf)) == 0)
		st->memory_peak = strtoull(buf, NULL, 10);
	if (read_file(cg->path, "memory.events", buf, sizeof(buf)) == 0)
		st->oom = key(buf, "oom_kill") + key(buf, "max") > 0;
	if (read_file(cg->path, "cpu.stat", buf, sizeof(buf)) == 0)
		st->cpu_us = key(buf, "usage_usec");
}

void zc_cgroup_destroy(struct zc_cgroup *cg)
{
	if (!cg->path[0])
		return;
	/* the last process of the jail may take a moment to leave */
	for (int i = 0; i < 100 && rmdir(cg->path) < 0 && errno == EBUSY; i++)
		usleep(2000);
	cg->path[0] = '\0';
}
