/* Dense matrix multiply, doubles, i-k-j loop order (a streaming inner loop
 * the compiler vectorises), repeated three times.
 *   matmul [N]   N x N matrices; default 700 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long arg(int argc, char **argv, long def)
{
	long v = 0;
	if (argc < 2)
		return def;
	for (const char *p = argv[1]; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	return v > 0 ? v : def;
}

int main(int argc, char **argv)
{
	int n = (int)arg(argc, argv, 700);
	size_t bytes = sizeof(double) * (size_t)n * n;
	double *a = malloc(bytes), *b = malloc(bytes), *c = malloc(bytes), trace = 0, sum = 0;

	memset(c, 0, bytes);
	for (int i = 0; i < n * n; i++) {
		a[i] = (i % 17) * 0.25;
		b[i] = (i % 13) * 0.5;
	}
	for (int rep = 0; rep < 3; rep++)
		for (int i = 0; i < n; i++)
			for (int k = 0; k < n; k++) {
				double aik = a[i * n + k];
				for (int j = 0; j < n; j++)
					c[i * n + j] += aik * b[k * n + j];
			}
	for (int i = 0; i < n; i++)
		trace += c[i * n + i];
	for (int i = 0; i < n * n; i += 7)
		sum += c[i];
	printf("trace %.3f sum %.3f\n", trace, sum);
	return 0;
}
