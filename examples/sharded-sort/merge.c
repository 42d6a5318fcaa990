/*
 * merge.c — the sharded sort's merger (examples/sharded-sort/job.json):
 * every /dev/in/* is one sorter's sorted run; it merges them, as
 * `sort -m` does, into its output (stdout, or its one /dev/out/* peer).
 * Each step writes the least of the runs' current lines (the first run's
 * on a tie, so equal lines keep their runs' order), so the result is
 * `LC_ALL=C sort` of all the sorters' inputs together.
 */
#include "../pipeline/lines.h"

struct run {
	FILE *f;
	char *line;
	size_t cap, len; /* len without the newline */
	int live;
};

static void advance(struct run *r, const char *path)
{
	ssize_t len = getline(&r->line, &r->cap, r->f);

	if (len > 0) {
		r->len = bare(r->line, (size_t)len);
		return;
	}
	if (ferror(r->f))
		die(path);
	r->live = 0;
	fclose(r->f);
}

int main(void)
{
	size_t n;
	char **in = peers("/dev/in", &n);
	struct run *runs = calloc(n ? n : 1, sizeof(*runs));
	FILE *out = output();

	if (!runs)
		die("calloc");
	for (size_t k = 0; k < n; k++) {
		if (!(runs[k].f = fopen(in[k], "r")))
			die(in[k]);
		runs[k].live = 1;
		advance(&runs[k], in[k]);
	}
	/* at most 61 runs (a cell's channels): a linear scan for the least is enough */
	for (;;) {
		struct run *least = NULL;
		for (size_t k = 0; k < n; k++)
			if (runs[k].live && (!least || line_cmp(runs[k].line, runs[k].len, least->line, least->len) < 0))
				least = &runs[k];
		if (!least)
			break;
		put_line(out, least->line, least->len);
		advance(least, in[least - runs]);
	}
	finish(out);
	return 0;
}
