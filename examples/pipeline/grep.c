/*
 * grep.c — `grep -F PATTERN`: copies the lines of its input (stdin, then
 * every /dev/in/*) that hold PATTERN, a fixed string, to its output (its one
 * /dev/out/* peer, or stdout). The first stage of examples/pipeline/job.json.
 */
#include "lines.h"

int main(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0, plen;
	ssize_t len;
	FILE *in, *out;

	if (argc != 2 || !(plen = strlen(argv[1]))) {
		fprintf(stderr, "usage: grep PATTERN (a fixed string, not empty)\n");
		return 2;
	}
	out = output();
	while ((in = next_input())) {
		while ((len = getline(&line, &cap, in)) > 0)
			if (memmem(line, (size_t)len, argv[1], plen))
				put_line(out, line, (size_t)len);
		if (ferror(in))
			die("input");
		if (in != stdin)
			fclose(in);
	}
	finish(out);
	return 0;
}
