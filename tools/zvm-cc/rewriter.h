/*
 * rewriter.h — turns gcc's (or hand-written) AT&T assembly into assembly
 * that obeys the SFI rules (docs/sfi.md §4). Not trusted: a mistake here
 * gives a validation error or a wrong result inside the sandbox, never an
 * escape.
 */
#ifndef ZVM_REWRITER_H
#define ZVM_REWRITER_H

#include <stddef.h>
#include <stdio.h>

/* Rewrites `text` (len bytes) and writes the result to out. `name` is the
 * input file's name for messages. Returns 0, or -EINVAL after printing
 * "name:line: message" for each problem to errs. */
int zvm_rewrite(const char *text, size_t len, const char *name, FILE *out, FILE *errs);

#endif
