/*
 * main.c — `zvm`: validate and run sandboxed programs.
 *
 * This is the front end (docs/client.md): it links only libzvm-client,
 * the map parser (jansson, statically) and libc, so that the commands
 * that talk to zvmd (submit, status, upload, map --socket) start in a
 * fraction of a millisecond. The commands that run or check images here
 * (run, validate, map without --socket) need the local runner's
 * libraries (Zydis, libseccomp, libcrypto, libcap-ng): for them the front
 * end execs `zvm-local` beside itself with the same arguments, in the
 * same process, so pids, signals and exit statuses are as before.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tools/zvm/commands.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: zvm COMMAND [options]\n"
		"\n"
		"commands:\n"
		"  validate FILE...          check images against the SFI rules (exit 0 valid, 1 invalid)\n"
		"  run PROGRAM [-- ARGS...]  run a program in a cell, stdio as channels 0-2\n"
		"  run --manifest FILE       run with the channels and limits a manifest declares\n"
		"  submit PROGRAM [-- ARGS]  run in a warm cell of zvmd (docs/protocol.md)\n"
		"  status                    zvmd's pool, queue and totals\n"
		"  upload PROGRAM            validate an image in zvmd, print its digest (submit --digest)\n"
		"  map MAP.json              run a system map: many cells wired into one job\n"
		"  serve [--listen H:P]      an HTTP API in front of zvmd (Piston's, and /v1: docs/http.md)\n"
		"  exec PROGRAM [ARGS...]    a nexe as a host command: the directory's files in,\n"
		"                            what it wrote back out (docs/exec.md)\n"
		"\n"
		"`zvm COMMAND --help` describes each command's options.\n");
}

static char **cmdline; /* main's argv, for exec_local */

/* A program beside this very binary (not beside argv[0], which the
 * caller chose, nor on $PATH): zvm-local, the local runner, or zvm-serve. */
static int exec_beside(const char *name, char **argv)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	char *slash;

	if (n < 0) {
		fprintf(stderr, "zvm: finding %s beside zvm: /proc/self/exe: %s\n", name, strerror(errno));
		return 127;
	}
	path[n] = '\0';
	slash = strrchr(path, '/');
	strcpy(slash ? slash + 1 : path, name);
	execv(path, argv);
	fprintf(stderr, "zvm: %s: %s\n", path, strerror(errno));
	return 127;
}

static int exec_local(char **argv)
{
	return exec_beside("zvm-local", argv);
}

/* A map without --socket, once cmd_map has parsed and checked it: the
 * same command line again, in zvm-local (which runs it with zvm_map_run).
 * Returns only when the exec failed (127, said why). */
int zvm_map_local(const struct zvm_map *m, struct map_result *res, const struct map_run_options *o)
{
	return -exec_local(cmdline);
}

int main(int argc, char **argv)
{
	cmdline = argv;
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? ZVM_EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("zvm 0.1\n");
		return 0;
	}
	if (!strcmp(argv[1], "submit"))
		return cmd_submit(argc - 1, argv + 1);
	if (!strcmp(argv[1], "status"))
		return cmd_status(argc - 1, argv + 1);
	if (!strcmp(argv[1], "upload"))
		return cmd_upload(argc - 1, argv + 1);
	if (!strcmp(argv[1], "map"))
		return cmd_map(argc - 1, argv + 1);
	/* zvm-serve links libmicrohttpd: its own program, as the runner is */
	if (!strcmp(argv[1], "serve"))
		return exec_beside("zvm-serve", argv + 1);
	if (!strcmp(argv[1], "validate") || !strcmp(argv[1], "run") || !strcmp(argv[1], "exec"))
		return exec_local(argv);
	fprintf(stderr, "zvm: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return ZVM_EXIT_USAGE;
}
