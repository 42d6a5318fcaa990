/*
 * det.c — a program that would print something different on every run on
 * a normal Linux host: the time, random bytes, heap addresses, its pid,
 * its working directory, the host name, a timing loop. In a cell all of
 * it must be the same run after run (t_determinism.sh).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	struct utsname u;
	unsigned char rnd[16];
	char cwd[256], line[256];
	void *p[8];
	long spins = 0;
	FILE *f;

	printf("argc %d argv1 %s env %s\n", argc, argc > 1 ? argv[1] : "-", getenv("GREETING") ? getenv("GREETING") : "-");
	printf("time %lld\n", (long long)time(NULL));
	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		clock_gettime(CLOCK_MONOTONIC, &b);
		spins++;
	} while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < 1000000L);
	printf("spins for 1 ms of monotonic time %ld\n", spins);
	nanosleep(&(struct timespec){ .tv_sec = 2 }, NULL);
	printf("after sleep %lld\n", (long long)time(NULL));
	getrandom(rnd, sizeof(rnd), 0);
	for (size_t i = 0; i < sizeof(rnd); i++)
		printf("%02x", rnd[i]);
	printf(" random\nrand %d %d\n", rand(), rand());
	for (int i = 0; i < 8; i++) {
		p[i] = malloc((size_t)1 << (i * 3));
		printf("malloc %p\n", p[i]);
	}
	printf("pid %d uid %d cwd %s\n", (int)getpid(), (int)getuid(), getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	uname(&u);
	printf("uname %s %s %s\n", u.sysname, u.nodename, u.release);
	while (fgets(line, sizeof(line), stdin))
		printf("in: %s", line);
	mkdir("out", 0755);
	f = fopen("out/result.txt", "w");
	if (!f)
		return 1;
	fprintf(f, "written at %lld\n", (long long)time(NULL));
	fclose(f);
	for (int i = 0; i < 8; i++)
		free(p[i]);
	return 0;
}
