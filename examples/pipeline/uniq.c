/*
 * uniq.c — `uniq -c`: writes each run of equal lines of its input (stdin,
 * then every /dev/in/*) once, after its count in seven columns, to its
 * output (its one /dev/out/* peer, or stdout). The last stage of
 * examples/pipeline/job.json.
 */
#include "lines.h"

int main(void)
{
	char *line = NULL, *prev = NULL;
	size_t cap = 0, pcap = 0, plen = 0;
	long count = 0;
	ssize_t len;
	FILE *in, *out = output();

	while ((in = next_input())) {
		while ((len = getline(&line, &cap, in)) > 0) {
			size_t l = bare(line, (size_t)len);
			if (count && !line_cmp(prev, plen, line, l)) {
				count++;
				continue;
			}
			if (count && fprintf(out, "%7ld ", count) < 0)
				die("output");
			if (count)
				put_line(out, prev, plen);
			if (l + 1 > pcap && !(prev = realloc(prev, pcap = l + 1)))
				die("realloc");
			memcpy(prev, line, l);
			plen = l;
			count = 1;
		}
		if (ferror(in))
			die("input");
		if (in != stdin)
			fclose(in);
	}
	if (count) {
		if (fprintf(out, "%7ld ", count) < 0)
			die("output");
		put_line(out, prev, plen);
	}
	finish(out);
	return 0;
}
