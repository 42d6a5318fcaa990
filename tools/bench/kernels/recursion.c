/* Deep recursion: naive Fibonacci (many shallow calls), Ackermann (deep,
 * irregular call/return) and a recursive walk 100000 frames deep.
 *   recursion [N]   fib(N), ack(2, 2000+N); default 41 */
#include <stdint.h>
#include <stdio.h>

static long arg(int argc, char **argv, long def)
{
	long v = 0;
	if (argc < 2)
		return def;
	for (const char *p = argv[1]; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	return v > 0 ? v : def;
}

static int64_t fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static int64_t ack(int64_t m, int64_t n)
{
	return m == 0 ? n + 1 : n == 0 ? ack(m - 1, 1) : ack(m - 1, ack(m, n - 1));
}

/* Not a tail call: the addition after the return keeps every frame live. */
static __attribute__((noinline)) int64_t down(int64_t d, int64_t x)
{
	return d == 0 ? x : (down(d - 1, x * INT64_C(6364136223846793005) + INT64_C(1442695040888963407)) ^ d) + 1;
}

int main(int argc, char **argv)
{
	int n = (int)arg(argc, argv, 41);
	int64_t f = fib(n), a = ack(2, 2000 + n), d = 0;

	for (int i = 0; i < 200; i++)
		d += down(100000, d + i);
	printf("fib %lld ack %lld down %lld\n", (long long)f, (long long)a, (long long)d);
	return 0;
}
