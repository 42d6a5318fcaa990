/*
 * bigimage.c — an image with 8 MiB of constant data (t_image.sh, the start
 * benchmark in tools/bench/start.sh). The array is initialised at both ends,
 * so the whole of it lies in the file's read-only segment, not in bss.
 * No argument: prints three entries (touches three pages of it).
 * "sum": adds every entry (touches all of it).
 */
#include <stdio.h>
#include <string.h>

#define N (2u << 20) /* 2 Mi entries of 4 bytes: 8 MiB */

static const unsigned big[N] = { [0] = 1, [1] = 2, [N / 2] = 3, [N - 1] = 4 };

int main(int argc, char **argv)
{
	unsigned long long sum = 0;

	if (argc > 1 && strcmp(argv[1], "sum") == 0) {
		for (unsigned i = 0; i < N; i++)
			sum += big[i] * (i % 7 + 1ull);
		printf("sum %llu\n", sum);
		return 0;
	}
	printf("%u %u %u\n", big[0], big[N / 2], big[N - 1]);
	return 0;
}
