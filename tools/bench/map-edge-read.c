/*
 * map-edge-read.c — the other side of the edge benchmark (map-bench.sh):
 * reads every file in DIR (default /dev/in: the node's peers in a system
 * map) to its end, 64 KiB at a time, discards the bytes and prints how many
 * it read, so the script can check that all of them arrived.
 *   map-edge-read [DIR]
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static char buf[65536];

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/dev/in";
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4096];
	long long total = 0;
	ssize_t n;

	if (!d) {
		perror(dir);
		return 1;
	}
	while ((de = readdir(d))) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((fd = open(path, O_RDONLY)) < 0) {
			perror(path);
			return 1;
		}
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			total += n;
		if (n < 0) {
			perror(path);
			return 1;
		}
		close(fd);
	}
	closedir(d);
	printf("%lld\n", total);
	return 0;
}
