/*
 * local-main.c — `zvm-local`, the local runner: the commands of `zvm`
 * that validate and run images in this process (run, validate, map). The
 * `zvm` front end (main.c) execs it for them with its own arguments, so
 * only these commands pay for loading Zydis, libseccomp, libcrypto and
 * the rest (docs/client.md). Not meant to be called by name.
 */
#include <stdio.h>
#include <string.h>

#include "tools/zvm/commands.h"

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "validate"))
		return cmd_validate(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "map"))
		return cmd_map(argc - 1, argv + 1);
	fprintf(stderr, "zvm-local: the local runner of zvm takes run, validate or map (see zvm --help)\n");
	return ZVM_EXIT_USAGE;
}
