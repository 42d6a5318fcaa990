/*
 * local-main.c — `zvm-local`, the local runner: the `zvm` front end
 * (main.c) execs it for the commands that validate and run images in this
 * process (run, validate, map), so only they pay for loading Zydis,
 * libseccomp, libcrypto and the rest (docs/client.md). It takes every
 * command of `zvm`: linked the way the one `zvm` binary was before the
 * split, it is also the "before" of tools/bench/client.sh.
 */
#include <stdio.h>
#include <string.h>

#include "tools/zvm/commands.h"
#include "tools/zvm/map.h"

int zvm_map_local(const struct zvm_map *m, struct map_result *res, const struct map_run_options *o)
{
	return zvm_map_run(m, res, o);
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int (*fn)(int, char **); } cmds[] = {
		{ "validate", cmd_validate }, { "run", cmd_run }, { "map", cmd_map }, { "exec", cmd_exec },
		{ "submit", cmd_submit }, { "status", cmd_status }, { "upload", cmd_upload } };

	for (unsigned i = 0; argc >= 2 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "zvm-local: the local runner of zvm takes a command of zvm (see zvm --help)\n");
	return ZVM_EXIT_USAGE;
}
