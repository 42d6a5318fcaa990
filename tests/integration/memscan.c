/*
 * memscan.c — what a process's memory holds, for t_worker_memory.sh (root).
 *   memscan PID MARKER
 * Reads every readable mapping of PID through /proc/PID/mem and prints
 *   shared N     mappings that are shared and writable (rw-s: windows)
 *   hits N       mappings in which MARKER occurs
 * and one line "hit PERMS NAME" per such mapping.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[64], line[4096], hits_text[8192] = "";
	size_t mlen, hl = 0;
	unsigned shared = 0, hits = 0;
	FILE *maps;
	int mem;

	if (argc != 3 || !(mlen = strlen(argv[2]))) {
		fprintf(stderr, "usage: memscan PID MARKER\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/proc/%s/maps", argv[1]);
	maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%s/mem", argv[1]);
	mem = open(path, O_RDONLY);
	if (!maps || mem < 0) {
		fprintf(stderr, "memscan: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), maps)) {
		unsigned long lo, hi;
		char perms[8] = "", name[4096] = "";
		char *buf;
		size_t len, have = 0;

		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %4095[^\n]", &lo, &hi, perms, name) < 3)
			continue;
		if (perms[0] == 'r' && perms[1] == 'w' && perms[3] == 's')
			shared++;
		if (perms[0] != 'r' || !strcmp(name, "[vvar]") || !strcmp(name, "[vvar_vclock]") || hi - lo > (1ul << 30))
			continue;
		len = hi - lo;
		if (!(buf = malloc(len)))
			continue;
		while (have < len) {
			ssize_t n = pread(mem, buf + have, len - have, (off_t)(lo + have));
			if (n <= 0)
				break;
			have += (size_t)n;
		}
		if (memmem(buf, have, argv[2], mlen)) {
			hits++;
			hl += (size_t)snprintf(hits_text + hl, sizeof(hits_text) - hl, "hit %s %s\n", perms,
					       name[0] ? name : "(anonymous)");
			if (hl >= sizeof(hits_text))
				hl = sizeof(hits_text) - 1;
		}
		free(buf);
	}
	printf("shared %u\nhits %u\n%s", shared, hits, hits_text);
	return 0;
}
