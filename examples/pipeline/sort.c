/*
 * sort.c — `LC_ALL=C sort`: reads every line of its input (stdin, then every
 * /dev/in/*) into memory and writes them sorted to its output (its one
 * /dev/out/* peer, or stdout). The middle of examples/pipeline/job.json and
 * each shard's sorter in examples/sharded-sort/job.json.
 */
#include "lines.h"

struct line {
	char *p;
	size_t len; /* without the newline */
};

static int by_line(const void *a, const void *b)
{
	const struct line *x = a, *y = b;

	return line_cmp(x->p, x->len, y->p, y->len);
}

int main(void)
{
	struct line *v = NULL;
	size_t n = 0, cap = 0, lcap = 0;
	char *line = NULL;
	ssize_t len;
	FILE *in, *out = output();

	while ((in = next_input())) {
		while ((len = getline(&line, &lcap, in)) > 0) {
			if (n == cap && !(v = realloc(v, (cap = cap ? 2 * cap : 4096) * sizeof(*v))))
				die("realloc");
			v[n].len = bare(line, (size_t)len);
			if (!(v[n].p = malloc(v[n].len ? v[n].len : 1)))
				die("malloc");
			memcpy(v[n].p, line, v[n].len);
			n++;
		}
		if (ferror(in))
			die("input");
		if (in != stdin)
			fclose(in);
	}
	if (n)
		qsort(v, n, sizeof(*v), by_line);
	for (size_t k = 0; k < n; k++)
		put_line(out, v[k].p, v[k].len);
	finish(out);
	return 0;
}
