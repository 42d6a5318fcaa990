/*
 * validator-bench.c — the validator's rule checks alone, on real images:
 * each image is loaded once, then sfi_validate_image runs ROUNDS times per
 * image, images interleaved round by round (the machine is shared and
 * noisy), and the median and spread of MB/s are printed per image, by
 * the wall clock and by the thread's CPU time (what the checks cost when
 * other processes share the cores: time spent preempted is not counted).
 * Only the public API is used, so the same source links against an older
 * libzvm.a for a side-by-side run (tools/bench/validator.sh).
 *
 * usage: validator-bench [-r ROUNDS] IMAGE...
 * prints: IMAGE TEXT_BYTES INSTRUCTIONS MEDIAN_MBS MIN_MBS MAX_MBS CPU_MEDIAN_MBS CPU_MIN_MBS CPU_MAX_MBS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sfi/sfi.h"

static double now_s(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct sfi_options opt = { .deterministic = true };
	int rounds = 21, c, n;
	struct sfi_image *img;
	double *mbs, *cpu;
	unsigned long long *insns;

	while ((c = getopt(argc, argv, "r:")) != -1) {
		if (c != 'r')
			goto usage;
		rounds = atoi(optarg);
	}
	n = argc - optind;
	if (n < 1 || rounds < 1)
		goto usage;
	img = calloc(n, sizeof(*img));
	mbs = calloc((size_t)n * rounds, sizeof(*mbs));
	cpu = calloc((size_t)n * rounds, sizeof(*cpu));
	insns = calloc(n, sizeof(*insns));
	if (!img || !mbs || !cpu || !insns)
		return 2;
	for (int k = 0; k < n; k++) {
		char err[512];
		if (sfi_image_load_file(argv[optind + k], &img[k], err, sizeof(err)) < 0) {
			fprintf(stderr, "validator-bench: %s\n", err);
			return 2;
		}
	}
	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < n; k++) {
			struct sfi_verdict v;
			double c0 = now_s(CLOCK_THREAD_CPUTIME_ID), t0 = now_s(CLOCK_MONOTONIC), dt, dc;
			int rc = sfi_validate_image(&img[k], &opt, &v);
			dt = now_s(CLOCK_MONOTONIC) - t0;
			dc = now_s(CLOCK_THREAD_CPUTIME_ID) - c0;
			if (rc != 0) {
				fprintf(stderr, "validator-bench: %s: not valid (%d, %s)\n", argv[optind + k], rc,
					rc > 0 ? v.rule : "error");
				return 1;
			}
			insns[k] = v.instructions;
			mbs[(size_t)k * rounds + r] = img[k].text_padded_size / dt / 1e6;
			cpu[(size_t)k * rounds + r] = img[k].text_padded_size / dc / 1e6;
		}
	}
	for (int k = 0; k < n; k++) {
		double *m = &mbs[(size_t)k * rounds], *u = &cpu[(size_t)k * rounds];
		qsort(m, rounds, sizeof(*m), cmp_double);
		qsort(u, rounds, sizeof(*u), cmp_double);
		printf("%s %zu %llu %.1f %.1f %.1f %.1f %.1f %.1f\n", argv[optind + k], img[k].text_padded_size, insns[k],
		       m[rounds / 2], m[0], m[rounds - 1], u[rounds / 2], u[0], u[rounds - 1]);
		sfi_image_free(&img[k]);
	}
	return 0;
usage:
	fprintf(stderr, "usage: validator-bench [-r ROUNDS] IMAGE...\n");
	return 2;
}
