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

/* Exit status for usage errors and failures of zvm itself. */
#define ZVM_EXIT_USAGE 2

#endif
