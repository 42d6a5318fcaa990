/*
 * client-bench.c — hello by digest through zvmd, from a process's start to
 * its exit, against the same request made in-process with libzvm-client
 * (the floor: no exec, no dynamic loading, no argument parsing).
 *   client-bench SOCKET HEX N ROUNDS [-- LABEL ARGV...]...
 * Each `-- LABEL ARGV...` is a command to posix_spawn and wait for (its
 * stdio /dev/null); "libzvm-client in-process" is always measured too.
 * The variants take turns: ROUNDS rounds of N/ROUNDS runs each, so a
 * noisy moment of the machine falls on all of them. Prints one Markdown
 * row per variant: label, p50, p90, p99 (ms), and the lowest and highest
 * median of its rounds (the spread).
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client/zvm-client.h"

extern char **environ;

#define MAX_VARIANTS 16
#define MAX_ROUNDS 64

struct variant {
	const char *label;
	char **argv;            /* NULL: in-process */
	double *lat;            /* ms, every run */
	double round_p50[MAX_ROUNDS];
	unsigned n;
};

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(double *v, unsigned n, double p)
{
	qsort(v, n, sizeof(*v), cmp);
	return v[(unsigned)(p * (n - 1) + 0.5)];
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* One run: 0 when the job ended ok (exit 0), else -1. */
static int one(const struct variant *v, const char *sock, const uint8_t digest[32], int devnull,
	       posix_spawn_file_actions_t *fa, struct zvm_report *rep)
{
	pid_t pid;
	int st;

	if (!v->argv) {
		struct zvm_client_job j = { .image_fd = -1, .digest = digest, .stdio = { devnull, devnull, devnull } };
		return zvm_client_run(sock, NULL, &j, rep) == 0 && rep->state == ZVM_STATE_OK && !rep->exit_code ? 0 : -1;
	}
	if (posix_spawn(&pid, v->argv[0], fa, NULL, v->argv, environ) != 0)
		return -1;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -1;
}

int main(int argc, char **argv)
{
	static struct variant v[MAX_VARIANTS];
	static struct zvm_report rep;
	posix_spawn_file_actions_t fa;
	uint8_t digest[32];
	unsigned nv = 1, n, rounds, per;
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (argc < 5 || strlen(argv[2]) != 64 || devnull < 0) {
		fprintf(stderr, "usage: client-bench SOCKET HEX N ROUNDS [-- LABEL ARGV...]...\n");
		return 2;
	}
	for (int i = 0; i < 32; i++) {
		int hi = hexval(argv[2][2 * i]), lo = hexval(argv[2][2 * i + 1]);
		if (hi < 0 || lo < 0) {
			fprintf(stderr, "client-bench: '%s' is not 64 hex digits\n", argv[2]);
			return 2;
		}
		digest[i] = (uint8_t)(hi << 4 | lo);
	}
	n = (unsigned)atoi(argv[3]);
	rounds = (unsigned)atoi(argv[4]);
	if (!n || !rounds || rounds > MAX_ROUNDS || n < rounds) {
		fprintf(stderr, "client-bench: N >= ROUNDS >= 1, ROUNDS <= %d\n", MAX_ROUNDS);
		return 2;
	}
	per = n / rounds;
	v[0].label = "libzvm-client in-process (`zvm_client_run`)";
	for (int i = 5; i < argc; i++) {
		if (strcmp(argv[i], "--") || i + 2 >= argc || nv == MAX_VARIANTS) {
			fprintf(stderr, "client-bench: expected -- LABEL ARGV... (at most %d)\n", MAX_VARIANTS - 1);
			return 2;
		}
		v[nv].label = argv[++i];
		v[nv].argv = &argv[++i];
		while (i + 1 < argc && strcmp(argv[i + 1], "--"))
			i++;
		nv++;
	}
	/* the commands' ARGV ends at the next "--": cut it there */
	for (int i = 5; i < argc; i++)
		if (!strcmp(argv[i], "--"))
			argv[i] = NULL;
	posix_spawn_file_actions_init(&fa);
	for (int fd = 0; fd < 3; fd++)
		posix_spawn_file_actions_adddup2(&fa, devnull, fd);
	for (unsigned k = 0; k < nv; k++)
		if (!(v[k].lat = calloc(per * rounds, sizeof(double))))
			return 1;
	for (unsigned k = 0; k < nv; k++) /* warm-up: page cache, zvmd's cache */
		for (int w = 0; w < 20; w++)
			if (one(&v[k], argv[1], digest, devnull, &fa, &rep) < 0) {
				fprintf(stderr, "client-bench: %s: the job failed (%s)\n", v[k].label, rep.message);
				return 1;
			}
	for (unsigned r = 0; r < rounds; r++) {
		for (unsigned k = 0; k < nv; k++) {
			double *lat = v[k].lat + v[k].n;
			for (unsigned i = 0; i < per; i++) {
				double t0 = now_ms();
				if (one(&v[k], argv[1], digest, devnull, &fa, &rep) < 0) {
					fprintf(stderr, "client-bench: %s: a job failed (%s)\n", v[k].label, rep.message);
					return 1;
				}
				lat[i] = now_ms() - t0;
			}
			double *copy = malloc(per * sizeof(double));
			if (!copy)
				return 1;
			memcpy(copy, lat, per * sizeof(double));
			v[k].round_p50[r] = pct(copy, per, 0.5);
			free(copy);
			v[k].n += per;
		}
	}
	for (unsigned k = 0; k < nv; k++) {
		double lo = v[k].round_p50[0], hi = lo;
		for (unsigned r = 1; r < rounds; r++) {
			lo = v[k].round_p50[r] < lo ? v[k].round_p50[r] : lo;
			hi = v[k].round_p50[r] > hi ? v[k].round_p50[r] : hi;
		}
		printf("| %s | %.3f | %.3f | %.3f | %.3f - %.3f |\n", v[k].label, pct(v[k].lat, v[k].n, 0.5),
		       pct(v[k].lat, v[k].n, 0.9), pct(v[k].lat, v[k].n, 0.99), lo, hi);
	}
	return 0;
}
