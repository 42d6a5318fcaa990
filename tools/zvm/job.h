/*
 * job.h — one description of a job for `zvm run` and `zvm submit`.
 *
 * Both commands take the same flags (program, arguments, --manifest, limits,
 * images, environment, seed, epoch, report), parsed here into ONE
 * description: a manifest (channels/channels.h) plus the channel and image
 * descriptors opened from it. `zvm run` hands that to zvm_run, `zvm submit`
 * sends the same manifest as SUBMIT (struct zvm_submit, protocol/protocol.h:
 * the manifest itself and the fd indexes; cmd_submit.c). So both
 * accept and refuse the same options with the same messages, and open
 * channels the same way (zvm_channels_open: inputs O_RDONLY, sequential
 * outputs created and truncated, random-access ones kept).
 *
 * Functions return ZVM_JOB_READY to go on, or the exit status the command
 * should end with (0 after --help, 2 usage, 125 load error); they have
 * printed why (usage errors as "zvm run: ...", load errors as a report).
 */
#ifndef ZVM_TOOLS_JOB_H
#define ZVM_TOOLS_JOB_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "channels/channels.h"
#include "sfi/sfi.h"

#define ZVM_JOB_READY (-1)

enum zvm_report_format {
	ZVM_REPORT_BRIEF,     /* default: nothing on success, one line on failure */
	ZVM_REPORT_TEXT,
	ZVM_REPORT_JSON,
	ZVM_REPORT_NONE,      /* nothing at all, even on failure */
};

struct zvm_job {
	const char *cmd;                 /* "zvm run", "zvm submit": prefix of messages */
	struct zvm_manifest m;           /* program, limits (m.given), args, env, channels */
	int chan_fd[ZVM_MAX_CHANNELS];   /* channel i, from zvm_job_open; -1 before */
	int image_fd;                    /* the program, read-only; -1 if not opened */
	bool no_program;                 /* the image comes another way (submit --digest) */
	bool limits_exact;               /* m's limits are what applies (run); else zvmd caps them */
	enum zvm_report_format format;
	const char *report_file;
};

/* The options one command takes besides the shared ones. Option values
 * must stay below 256 or at 512 and above (the shared ones use 256..511). */
struct zvm_job_extra {
	const char *shortopts;           /* added to the shared "m:h" */
	const struct option *longopts;   /* ended by { 0 } */
	/* Takes one of those options: ZVM_JOB_READY or an exit status. */
	int (*take)(struct zvm_job *j, void *ctx, int c, const char *arg);
	void *ctx;
	/* The command's own usage lines (printed after the synopsis). */
	const char *synopsis, *about, *options;
};

/* Parses argv (argv[0] is the command name) into j. */
int zvm_job_parse(struct zvm_job *j, const char *cmd, int argc, char **argv, const struct zvm_job_extra *x);
/* Opens the program read-only (unless no_program) and every channel. */
int zvm_job_open(struct zvm_job *j);
void zvm_job_free(struct zvm_job *j);
/* "text", "json" or "none" (the values of --report) into *out; -EINVAL
 * for anything else. */
int zvm_report_format_parse(const char *s, enum zvm_report_format *out);
/* Prints the report as the flags say and returns the exit status
 * (docs/report.md). A failed run gets one line on stderr, or the full
 * report when asked for; a successful one nothing of zvm's own. */
int zvm_job_report(const struct zvm_job *j, const struct zvm_report *rep);
/* A load error before anything ran, reported like any other. */
int zvm_job_load_error(const struct zvm_job *j, const char *msg);
/* The one line a failed run prints, without "zvm: " and the newline. */
void zvm_report_brief(char *buf, size_t len, const struct zvm_job *j, const struct zvm_report *rep);
/* The usage text: synopsis, the command's words, shared and own options. */
void zvm_job_usage(FILE *f, const char *cmd, const struct zvm_job_extra *x);

#endif
