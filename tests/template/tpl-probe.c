/*
 * tpl-probe.c — what a template's copy sees (tests/template/t_template.sh).
 * The creation run's argv[1] is a marker kept in the template's memory and
 * its argv[2] a mode ("keep", "nokeep", "garbage", "bigheap"); each copy's
 * argv[1] is a command: "write" changes memory, files, fds and heap (as a
 * job that wants to leak into the next), "read" prints what it finds,
 * "again" asks to be kept once more, "crash" faults.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <zvm.h>

static char marker[64];
static int counter;
static char *heap_block;
static int tpl_fd = -1;

int main(int argc, char **argv)
{
	unsigned char rnd[8];
	struct timespec ts;
	int kept, fd;

	snprintf(marker, sizeof(marker), "%s", argc > 1 ? argv[1] : "none");
	heap_block = malloc(1 << 20);
	memset(heap_block, 'T', 1 << 20);
	fd = open("/tmp/made-by-template", O_CREAT | O_WRONLY, 0644);
	write(fd, "t", 1);
	tpl_fd = fd;
	if (argc > 2 && !strcmp(argv[2], "nokeep")) {
		printf("never kept\n");
		return 0;
	}
	if (argc > 2 && !strcmp(argv[2], "garbage")) {
		/* heap requests that are neither a size nor the keep request */
		printf("heap(2)=%ld heap(4095)=%ld\n", zvm_trap_heap(2), zvm_trap_heap(4095));
		return 3;
	}
	if (argc > 2 && !strcmp(argv[2], "bigheap")) {
		char *big = malloc(48 << 20);
		memset(big, 'B', 48 << 20);
	}
	kept = zvm_template_keep(&argc, &argv);
	printf("kept=%d marker=%s\n", kept, marker);
	if (argc < 2)
		return 0;
	if (!strcmp(argv[1], "write")) {
		counter = 41;
		memset(heap_block, 'J', 1 << 20);
		strcpy(marker, "written-by-job");
		fd = open("/tmp/job-file", O_CREAT | O_WRONLY, 0644);
		write(fd, "j", 1); /* left open */
		heap_block = malloc(4 << 20);
		memset(heap_block, 'J', 4 << 20);
		printf("wrote\n");
	} else if (!strcmp(argv[1], "read")) {
		getrandom(rnd, sizeof(rnd), 0);
		clock_gettime(CLOCK_REALTIME, &ts);
		printf("counter=%d heap=%c job-file=%s template-file=%s template-fd=%s fds3-9=%s\n", counter, heap_block[0],
		       access("/tmp/job-file", F_OK) == 0 ? "yes" : "no",
		       access("/tmp/made-by-template", F_OK) == 0 ? "yes" : "no",
		       fcntl(tpl_fd, F_GETFD) >= 0 ? "open" : "closed",
		       ({ int any = 0; for (int i = 3; i < 10; i++) any |= fcntl(i, F_GETFD) >= 0; any ? "some" : "none"; }));
		printf("random=%02x%02x%02x%02x%02x%02x%02x%02x time=%lld\n", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5],
		       rnd[6], rnd[7], (long long)ts.tv_sec);
		for (int i = 2; i < argc; i++)
			printf("arg=%s\n", argv[i]);
		printf("env=%s\n", getenv("PROBE") ? getenv("PROBE") : "unset");
	} else if (!strcmp(argv[1], "again")) {
		printf("again=%d again=%d\n", zvm_template_keep(NULL, NULL), zvm_template_keep(NULL, NULL));
	} else if (!strcmp(argv[1], "crash")) {
		*(volatile int *)16 = 1;
	}
	return 0;
}
