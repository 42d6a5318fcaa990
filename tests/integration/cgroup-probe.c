/*
 * cgroup-probe.c — exercises cgroups/ for real: creates a cell group with
 * limits, puts a child in it and reports what the child could do.
 *   cgroup-probe detect        print the detected mode
 *   cgroup-probe run           memory limit 32 MiB, pids.max 1, BPF deny;
 *                              prints one "key=value" per finding
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include "cgroups/cgroups.h"

static const char *mode_name(enum zvm_cg_mode m)
{
	return m == ZVM_CG_V2 ? "v2" : m == ZVM_CG_V1 ? "v1" : "none";
}

static int child(int go)
{
	char b;
	if (read(go, &b, 1) != 1)
		_exit(90);
	/* 1: socket creation (cgroup-BPF) */
	{
		int s = socket(AF_INET, SOCK_STREAM, 0);
		printf("socket=%s\n", s < 0 ? strerror(errno) : "allowed");
	}
	/* 2: a second process (pids.max = 1) */
	{
		pid_t p = fork();
		if (p == 0)
			_exit(0);
		printf("fork=%s\n", p < 0 ? strerror(errno) : "allowed");
		if (p > 0)
			waitpid(p, NULL, 0);
	}
	/* 3: memory past the limit: the OOM killer ends us */
	fflush(stdout);
	for (size_t total = 0; total < (512u << 20); total += 1 << 20) {
		char *m = malloc(1 << 20);
		if (!m)
			break;
		memset(m, 1, 1 << 20);
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	struct zvm_cg_host h;
	struct zvm_cg_cell c;
	struct zvm_cg_limits lim = { .memory_max = 32u << 20, .pids_max = 1, .cpu_weight = 50 };
	struct zvm_cg_usage u;
	char err[512] = "", name[64];
	int go[2], status, rc;
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (zvm_cg_detect(&h, NULL) < 0)
		return 1;
	if (argc > 1 && !strcmp(argv[1], "detect")) {
		printf("mode=%s v2=%s bpf=%d v1_memory=%s\n", mode_name(h.mode), h.v2_root, h.bpf_possible, h.v1_memory);
		return 0;
	}
	snprintf(name, sizeof(name), "probe-%d", (int)getpid());
	if (zvm_cg_create(&h, "zvm-test", name, &lim, &c, err, sizeof(err)) < 0) {
		printf("create=%s\n", err);
		return 1;
	}
	printf("mode=%s\n", mode_name(h.mode));
	if (pipe(go) < 0)
		return 1;
	pid = fork();
	if (pid == 0)
		child(go[0]);
	rc = zvm_cg_attach(&c, pid);
	printf("attach=%d\n", rc);
	if (h.bpf_possible) {
		rc = zvm_cg_deny_sockets_and_devices(&c, err, sizeof(err));
		printf("bpf=%s\n", rc ? err : "attached");
	}
	if (write(go[1], "g", 1) != 1)
		return 1;
	waitpid(pid, &status, 0);
	printf("child=%s\n", WIFSIGNALED(status) ? (WTERMSIG(status) == SIGKILL ? "killed" : "signalled") : "exited");
	zvm_cg_read_usage(&c, &u);
	printf("oom=%d peak_over_16M=%d\n", u.oom, u.memory_peak > (16u << 20));
	zvm_cg_destroy(&c);
	{
		struct stat st;
		char path[600];
		snprintf(path, sizeof(path), "%s/zvm-test/%s", h.mode == ZVM_CG_V1 ? h.v1_memory : h.v2_root, name);
		printf("removed=%d\n", stat(path, &st) < 0);
	}
	return 0;
}
