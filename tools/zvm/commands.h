/* commands.h — the subcommands of the `zvm` command-line tool. Each returns
 * the process exit status. */
#ifndef ZVM_TOOLS_COMMANDS_H
#define ZVM_TOOLS_COMMANDS_H

int cmd_validate(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_upload(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_exec(int argc, char **argv);

/* How `zvm map` runs a map without --socket (cmd_map.c), as zvm_map_run
 * (map.h) does. zvm-local's (local-main.c) is zvm_map_run itself; the
 * front end's (main.c) execs zvm-local with the command line as given,
 * so the front end links no local runner (docs/client.md). */
struct zvm_map;
struct map_result;
struct map_run_options;
int zvm_map_local(const struct zvm_map *m, struct map_result *res, const struct map_run_options *o);

/* Exit status for usage errors and failures of zvm itself. */
#define ZVM_EXIT_USAGE 2

#endif
