/*
 * detect.c — which cgroup hierarchies this host has (pure: it reads a
 * mountinfo file and the v2 root's cgroup.controllers).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/cgroups.h"

static bool has_word(const char *list, const char *word, char sep)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, sep);
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && !strncmp(p, word, n))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

static void v2_controllers(struct zvm_cg_host *h)
{
	char path[300], line[512] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.controllers", h->v2_root);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		h->v2_memory = has_word(line, "memory", ' ');
		h->v2_pids = has_word(line, "pids", ' ');
		h->v2_cpu = has_word(line, "cpu", ' ');
	}
	fclose(f);
}

int zvm_cg_detect(struct zvm_cg_host *h, const char *mountinfo_path)
{
	FILE *f = fopen(mountinfo_path ? mountinfo_path : "/proc/self/mountinfo", "re");
	char line[4096];

	memset(h, 0, sizeof(*h));
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		/* id parent dev root mountpoint options [optional...] - fstype source superoptions */
		char *fields[6], *dash = strstr(line, " - "), *save = NULL, *fs, *super;
		int n = 0;

		if (!dash)
			continue;
		*dash = '\0';
		for (char *t = strtok_r(line, " ", &save); t && n < 6; t = strtok_r(NULL, " ", &save))
			fields[n++] = t;
		if (n < 5)
			continue;
		fs = strtok_r(dash + 3, " ", &save);
		strtok_r(NULL, " ", &save); /* source */
		super = strtok_r(NULL, " \n", &save);
		if (!fs || !super)
			continue;
		if (!strcmp(fs, "cgroup2")) {
			/* prefer /sys/fs/cgroup itself over a nested unified mount */
			if (!h->v2_root[0] || !strcmp(fields[4], "/sys/fs/cgroup"))
				snprintf(h->v2_root, sizeof(h->v2_root), "%s", fields[4]);
		} else if (!strcmp(fs, "cgroup")) {
			if (has_word(super, "memory", ',') && !h->v1_memory[0])
				snprintf(h->v1_memory, sizeof(h->v1_memory), "%s", fields[4]);
			if (has_word(super, "pids", ',') && !h->v1_pids[0])
				snprintf(h->v1_pids, sizeof(h->v1_pids), "%s", fields[4]);
			if (has_word(super, "cpu", ',') && !h->v1_cpu[0])
				snprintf(h->v1_cpu, sizeof(h->v1_cpu), "%s", fields[4]);
		}
	}
	fclose(f);
	if (h->v2_root[0]) {
		h->bpf_possible = true;
		if (!mountinfo_path)
			v2_controllers(h);
	}
	if (h->v2_root[0] && h->v2_memory)
		h->mode = ZVM_CG_V2;
	else if (h->v1_memory[0] || h->v1_pids[0])
		h->mode = ZVM_CG_V1;
	else if (h->v2_root[0])
		h->mode = ZVM_CG_V2; /* a hierarchy without controllers: grouping and BPF only */
	else
		h->mode = ZVM_CG_NONE;
	return 0;
}
