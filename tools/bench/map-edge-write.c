/*
 * map-edge-write.c — one side of the edge benchmark (map-bench.sh): writes
 * MB MiB, 64 KiB at a time, to every file in DIR (default /dev/out: the
 * node's peers in a system map; natively, a FIFO's directory). The buffer
 * is filled first, as a real producer's would be: an untouched one reads
 * as the shared zero page, which is not what a map's edges carry.
 *   map-edge-write MB [DIR]
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char buf[65536];

int main(int argc, char **argv)
{
	const char *dir = argc > 2 ? argv[2] : "/dev/out";
	long blocks = argc > 1 ? atol(argv[1]) * 16 : 0;
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4096];

	if (!d) {
		perror(dir);
		return 1;
	}
	for (size_t k = 0; k < sizeof(buf); k++)
		buf[k] = (char)('a' + k % 26);
	while ((de = readdir(d))) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((fd = open(path, O_WRONLY)) < 0) {
			perror(path);
			return 1;
		}
		for (long k = 0; k < blocks; k++)
			if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
				perror(path);
				return 1;
			}
		close(fd);
	}
	closedir(d);
	return 0;
}
