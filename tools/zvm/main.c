/*
 * main.c — `zvm`: validate and run sandboxed programs.
 */
#include <stdio.h>
#include <string.h>

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
		"\n"
		"`zvm COMMAND --help` describes each command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? ZVM_EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("zvm 0.1\n");
		return 0;
	}
	if (!strcmp(argv[1], "validate"))
		return cmd_validate(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "submit"))
		return cmd_submit(argc - 1, argv + 1);
	if (!strcmp(argv[1], "status"))
		return cmd_status(argc - 1, argv + 1);
	if (!strcmp(argv[1], "map"))
		return cmd_map(argc - 1, argv + 1);
	if (!strcmp(argv[1], "upload"))
		return cmd_upload(argc - 1, argv + 1);
	fprintf(stderr, "zvm: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return ZVM_EXIT_USAGE;
}
