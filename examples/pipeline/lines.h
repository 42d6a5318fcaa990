/*
 * lines.h — what the pipeline's grep, sort and uniq and the sharded sort's
 * merger share (examples/pipeline, examples/sharded-sort): a node's input is
 * its stdin, then every /dev/in/* in name order (its upstream nodes); its
 * output is its one /dev/out/* (its downstream node) or, with none, stdout.
 * Lines are compared as `LC_ALL=C sort` compares them: bytes, unsigned,
 * without the newline.
 */
#define _GNU_SOURCE /* memmem */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../peers.h"


/* The node's output: its one downstream peer, or stdout. */
static FILE *output(void)
{
	size_t n;
	char **out = peers("/dev/out", &n);
	FILE *f;

	if (n == 0)
		return stdout;
	if (n > 1) {
		fprintf(stderr, "%s: %zu downstream nodes; this program writes one stream\n", out[0], n);
		exit(1);
	}
	if (!(f = fopen(out[0], "w")))
		die(out[0]);
	return f;
}

static void finish(FILE *f)
{
	if (fflush(f) != 0 || ferror(f) || (f != stdout && fclose(f) != 0))
		die("output");
}

/* The node's inputs one after another: stdin, then each /dev/in/*; NULL at the end. */
static FILE *next_input(void)
{
	static char **in;
	static size_t n, k;
	static int started;
	FILE *f;

	if (!started) {
		started = 1;
		in = peers("/dev/in", &n);
		return stdin;
	}
	if (k == n)
		return NULL;
	if (!(f = fopen(in[k], "r")))
		die(in[k]);
	k++;
	return f;
}

/* Writes line (len bytes, with or without its newline) and a newline. */
static void put_line(FILE *f, const char *line, size_t len)
{
	if (len && line[len - 1] == '\n')
		len--;
	if (fwrite(line, 1, len, f) != len || putc('\n', f) == EOF)
		die("output");
}

/* -1, 0, 1 as line a sorts before, with or after b (lengths without newlines). */
static int line_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c < 0 ? -1 : 1;
	return alen < blen ? -1 : alen > blen;
}

/* The length of a line without its newline. */
static size_t bare(const char *line, size_t len)
{
	return len && line[len - 1] == '\n' ? len - 1 : len;
}
