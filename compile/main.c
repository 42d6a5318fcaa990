/* zvm-compile: the compile jail's command (docs/compile.md). */
#include "compile/compile.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: zvm-compile --lang c --src-dir DIR --out FILE.nexe [--wall-ms N] [--cpu-ms N]\n"
		"                   [--memory BYTES] [--output-bytes N] [--file-bytes N] [--cgroup DIR | --no-cgroup]\n"
		"                   [--uid UID --gid GID]\n"
		"Runs zvm-cc -O2 on DIR's .c files in a jail (user, mount, pid, net, ipc and uts\n"
		"namespaces; a tmpfs root with only the toolchain bound read-only; rlimits; a wall\n"
		"limit that kills the jail's pid namespace; a cgroup when one is delegated) and\n"
		"prints one JSON object: status (ok, error, timeout, memory, output), exit_code,\n"
		"signal, stdout, stderr, cpu_ms, wall_ms, memory_bytes, truncated, cgroup.\n"
		"  --wall-ms N        wall limit (default 10000)\n"
		"  --cpu-ms N         CPU limit of each compiler process, rounded up to seconds (5000)\n"
		"  --memory BYTES     address space of each process; memory.max of the cgroup (512 MiB)\n"
		"  --output-bytes N   the compiler's stdout and stderr, each; past it the jail is\n"
		"                     killed, status \"output\", truncated true (65536)\n"
		"  --file-bytes N     the largest file the compiler may write, the .nexe too (64 MiB)\n"
		"  --cgroup DIR       a cgroup v2 directory delegated to this user, memory and pids\n"
		"                     enabled for its children (default: the parent of our own\n"
		"                     cgroup when it is so; else rlimits only)\n"
		"  --uid, --gid       the host ids a root caller's jail runs as (65534)\n"
		"Exit: 0 the compiler ran (any verdict), 1 the jail could not be built, 2 bad usage.\n");
}

static int number(const char *opt, const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || *v == 0) {
		fprintf(stderr, "zvm-compile: --%s '%s': a positive integer\n", opt, s);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lang", required_argument, NULL, 'l' },      { "src-dir", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },       { "wall-ms", required_argument, NULL, 'w' },
		{ "cpu-ms", required_argument, NULL, 'c' },    { "memory", required_argument, NULL, 'm' },
		{ "output-bytes", required_argument, NULL, 'b' }, { "file-bytes", required_argument, NULL, 'f' },
		{ "cgroup", required_argument, NULL, 'g' },    { "no-cgroup", no_argument, NULL, 'n' },
		{ "uid", required_argument, NULL, 'u' },       { "gid", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },            { 0 },
	};
	struct zc_limits l;
	struct zc_toolchain t = { 0 };
	struct zc_sources s;
	struct zc_result r;
	const char *lang = NULL, *src = NULL, *out = NULL;
	char self[PATH_MAX], msg[1024];
	uint64_t v;
	ssize_t n;
	int c, rc;
	char *json;

	/* a caller's stray descriptors (a listening socket not marked
	 * close-on-exec) never reach the jail: its init is a fork of us */
	if (syscall(SYS_close_range, 3, ~0U, 0) < 0) {
		perror("zvm-compile: close_range");
		return 1;
	}
	zc_limits_default(&l);
	int li = 0;

	while ((c = getopt_long(argc, argv, "h", opts, &li)) != -1) {
		switch (c) {
		case 'l': lang = optarg; break;
		case 's': src = optarg; break;
		case 'o': out = optarg; break;
		case 'g': l.cgroup = optarg; break;
		case 'n': l.no_cgroup = true; break;
		case 'h': usage(stdout); return 0;
		case 'w': case 'c': case 'm': case 'b': case 'f': case 'u': case 'G':
			if (number(opts[li].name, optarg, &v) < 0)
				return 2;
			if (c == 'w') l.wall_ms = v;
			else if (c == 'c') l.cpu_ms = v;
			else if (c == 'm') l.memory = v;
			else if (c == 'b') l.output_bytes = v;
			else if (c == 'f') l.file_bytes = v;
			else if (c == 'u') l.uid = v;
			else l.gid = v;
			break;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !lang || !src || !out) {
		fprintf(stderr, "zvm-compile: --lang, --src-dir and --out are needed (--help)\n");
		return 2;
	}
	if (strcmp(lang, "c")) {
		fprintf(stderr, "zvm-compile: --lang %s: only c is compiled (lua runs without a compile step)\n", lang);
		return 2;
	}
	if (l.output_bytes > (1u << 30) || l.wall_ms > 3600000) {
		fprintf(stderr, "zvm-compile: --output-bytes at most 1 GiB, --wall-ms at most an hour\n");
		return 2;
	}
	if (geteuid() == 0 && (l.uid == 0 || l.gid == 0)) {
		fprintf(stderr, "zvm-compile: --uid/--gid 0: the jail never runs as root\n");
		return 2;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0) {
		perror("zvm-compile: /proc/self/exe");
		return 1;
	}
	self[n] = '\0';
	if (zc_toolchain_find(&t, dirname(self), msg, sizeof(msg)) < 0) {
		fprintf(stderr, "zvm-compile: the toolchain: %s\n", msg);
		return 1;
	}
	if ((rc = zc_sources_read(&s, src, l.src_bytes, msg, sizeof(msg))) < 0) {
		fprintf(stderr, "zvm-compile: --src-dir %s\n", msg);
		zc_toolchain_free(&t);
		return 2;
	}
	rc = zc_run(&l, &t, &s, out, &r, msg, sizeof(msg));
	zc_sources_free(&s);
	zc_toolchain_free(&t);
	if (rc < 0) {
		fprintf(stderr, "zvm-compile: %s\n", msg[0] ? msg : strerror(-rc));
		return 1;
	}
	json = zc_result_json(&r);
	zc_result_free(&r);
	if (!json || printf("%s\n", json) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "zvm-compile: writing the report: %s\n", strerror(errno));
		free(json);
		return 1;
	}
	free(json);
	return 0;
}
