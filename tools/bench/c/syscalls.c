/*
 * syscalls.c — the cost of a system call: natively each one enters the
 * kernel; in a cell, ZRT answers most of them inside the sandbox (a function
 * call through __zvm_syscall). Prints ns per call for a few common ones.
 * The cell has no clock worth timing with, so the harness times whole
 * runs with one operation selected by argv[1] (N iterations in argv[2]).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "getpid";
	long n = argc > 2 ? atol(argv[2]) : 1000000, sum = 0;
	char buf[64] = "0123456789";
	struct timespec ts;
	struct stat st;
	int fd;

	if (!strcmp(op, "getpid")) {
		for (long i = 0; i < n; i++)
			sum += syscall(SYS_getpid); /* not cached by the libc */
	} else if (!strcmp(op, "clock")) {
		for (long i = 0; i < n; i++) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			sum += ts.tv_nsec & 1;
		}
	} else if (!strcmp(op, "file")) {
		/* create, write, stat, read back, close, unlink: a file round trip */
		for (long i = 0; i < n; i++) {
			fd = open("bench.tmp", O_CREAT | O_RDWR | O_TRUNC, 0644);
			sum += write(fd, buf, 10);
			sum += fstat(fd, &st) + (long)st.st_size;
			sum += pread(fd, buf, 10, 0);
			close(fd);
			unlink("bench.tmp");
		}
	} else if (!strcmp(op, "devnull")) {
		fd = open("/dev/null", O_WRONLY);
		for (long i = 0; i < n; i++)
			sum += write(fd, buf, 10);
		close(fd);
	} else {
		fprintf(stderr, "usage: syscalls getpid|clock|file|devnull [N]\n");
		return 2;
	}
	printf("%s %ld %ld\n", op, n, sum);
	return 0;
}
