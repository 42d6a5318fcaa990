/*
 * zvmd-bench.c — latency and throughput of starting a cell.
 *   zvmd-bench zvmd SOCKET IMAGE N CONCURRENCY   jobs through zvmd (request to report)
 *   zvmd-bench digest SOCKET IMAGE N CONCURRENCY the same, the image uploaded once and
 *                                                then named by its SHA-256
 *   zvmd-bench template SOCKET NAME N CONCURRENCY  jobs as copies of template NAME
 *                                                (made before: zvm submit --keep-as)
 *   (the three zvmd forms take the job's arguments after CONCURRENCY)
 *   zvmd-bench exec N CONCURRENCY -- ARGV...     posix_spawn + wait of a command
 * Prints "p50 p90 p99 (ms) throughput (per s)". Channels and the command's
 * stdio are /dev/null, so output costs nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "protocol/protocol.h"

extern char **environ;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static bool use_digest, use_template;
static uint8_t image_digest[32];
static char **job_args;
static int njob_args;

static int connect_to(const char *sock)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

static int upload(const char *sock, const char *image)
{
	static struct zvm_submit j;
	struct zvm_msg m;
	int fd = connect_to(sock), img = open(image, O_RDONLY | O_CLOEXEC), rc;
	uint8_t *payload;
	size_t len;
	unsigned nfds;
	uint16_t type;

	if (fd < 0 || img < 0)
		return -1;
	zvm_submit_init(&j);
	j.image_fd = 0;
	zvm_proto_encode_submit(&m, &j);
	m.buf[6] = ZVM_MSG_UPLOAD;
	rc = zvm_proto_send(fd, &m, &img, 1);
	zvm_msg_free(&m);
	if (rc == 0)
		rc = zvm_proto_recv(fd, &type, &payload, &len, NULL, 0, &nfds, NULL, 0);
	if (rc == 0) {
		rc = type == ZVM_MSG_DIGEST ? zvm_proto_decode_digest(payload, len, image_digest) : -1;
		free(payload);
	}
	close(fd);
	close(img);
	return rc;
}

static int one_zvmd(const char *sock, const char *image, int devnull)
{
	static struct zvm_submit j;
	struct zvm_msg m;
	int fd = connect_to(sock), fds[4], rc;
	uint8_t *payload;
	size_t len;
	unsigned nfds;
	uint16_t type;

	if (fd < 0)
		return fd;
	if (!j.m.nchannels) {
		static const char *al[3] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };
		zvm_submit_init(&j);
		j.image_fd = 0;
		for (int i = 0; i < 3; i++) {
			struct zvm_channel_decl *c = &j.m.channels[i];
			j.channel_fds[i] = 1;
			c->alias = (char *)al[i]; /* borrowed: j is never freed */
			c->max_reads = c->max_read_bytes = c->max_writes = c->max_write_bytes = ZVM_NO_LIMIT;
		}
		j.m.nchannels = 3;
		for (int i = 0; i < njob_args && i < ZVM_MAX_ARGS; i++)
			j.m.args[j.m.nargs++] = job_args[i]; /* borrowed too */
		if (use_template) {
			j.image_fd = -1;
			j.tpl_op = ZVM_TPL_USE;
			snprintf(j.tpl_name, sizeof(j.tpl_name), "%s", image);
		}
		if (use_digest || use_template) {
			for (int i = 0; i < 3; i++)
				j.channel_fds[i] = 0;
		}
		if (use_digest) {
			j.by_digest = true;
			j.image_fd = -1;
			memcpy(j.digest, image_digest, 32);
		}
	}
	fds[0] = use_digest || use_template ? devnull : open(image, O_RDONLY | O_CLOEXEC);
	fds[1] = devnull;
	zvm_proto_encode_submit(&m, &j);
	rc = use_digest || use_template ? zvm_proto_send(fd, &m, fds, 1) : zvm_proto_send(fd, &m, fds, 2);
	zvm_msg_free(&m);
	if (!use_digest && !use_template)
		close(fds[0]);
	if (rc == 0)
		rc = zvm_proto_recv(fd, &type, &payload, &len, fds, 0, &nfds, NULL, 0);
	if (rc == 0) {
		static struct zvm_report r;
		char text[256];
		int code = -1;
		/* only "busy" is tried again: any other refusal (no such template) would loop forever */
		if (type == ZVM_MSG_REPORT)
			rc = zvm_proto_decode_report(payload, len, &r, NULL, 0) == 0 && r.state == ZVM_STATE_OK ? 0 : -EIO;
		else if (type == ZVM_MSG_ERROR && zvm_proto_decode_error(payload, len, &code, text, sizeof(text)) == 0 &&
			 code != ZVM_ERR_BUSY)
			rc = (fprintf(stderr, "zvmd-bench: zvmd refused: %s\n", text), -EIO);
		else
			rc = -EBUSY;
		free(payload);
	}
	close(fd);
	return rc;
}

static int one_exec(char **argv, posix_spawn_file_actions_t *fa)
{
	pid_t pid;
	int st;

	if (posix_spawn(&pid, argv[0], fa, NULL, argv, environ) != 0)
		return -1;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	bool zvmd = argc >= 6 && (!strcmp(argv[1], "zvmd") || !strcmp(argv[1], "digest") || !strcmp(argv[1], "template"));
	int n, conc, devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	double *lat, t0, total;
	char **cmd = NULL;
	posix_spawn_file_actions_t fa;

	if (zvmd) {
		n = atoi(argv[4]);
		conc = atoi(argv[5]);
		use_digest = !strcmp(argv[1], "digest");
		use_template = !strcmp(argv[1], "template");
		job_args = argv + 6;
		njob_args = argc - 6;
		if (use_digest && upload(argv[2], argv[3]) < 0) {
			fprintf(stderr, "zvmd-bench: upload failed\n");
			return 1;
		}
	} else if (argc >= 6 && !strcmp(argv[1], "exec") && !strcmp(argv[4], "--")) {
		n = atoi(argv[2]);
		conc = atoi(argv[3]);
		cmd = argv + 5;
	} else {
		fprintf(stderr, "usage: zvmd-bench zvmd SOCKET IMAGE N CONC | exec N CONC -- ARGV...\n");
		return 2;
	}
	posix_spawn_file_actions_init(&fa);
	for (int i = 0; i < 3; i++)
		posix_spawn_file_actions_adddup2(&fa, devnull, i);
	lat = mmap(NULL, sizeof(double) * n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	t0 = now();
	for (int c = 0; c < conc; c++) {
		if (fork() == 0) {
			const char *gap = getenv("ZVMD_BENCH_GAP_US"); /* pause between jobs, for experiments */
			for (int i = c; i < n; i += conc) {
				double s;
				if (gap)
					usleep((useconds_t)atoi(gap));
				s = now();
				int rc;
				while ((rc = zvmd ? one_zvmd(argv[2], argv[3], devnull) : one_exec(cmd, &fa)) == -EBUSY)
					;
				lat[i] = rc == 0 ? now() - s : -1;
			}
			_exit(0);
		}
	}
	while (wait(NULL) > 0)
		;
	total = now() - t0;
	for (int i = 0; i < n; i++)
		if (lat[i] < 0) {
			fprintf(stderr, "zvmd-bench: job %d failed\n", i);
			return 1;
		}
	qsort(lat, n, sizeof(double), cmp);
	printf("%.3f %.3f %.3f %.0f\n", lat[n / 2] * 1e3, lat[n * 9 / 10] * 1e3, lat[n * 99 / 100] * 1e3, n / total);
	return 0;
}
