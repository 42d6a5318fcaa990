/* Deep recursion: naive Fibonacci (many shallow calls), Ackermann (deep,
 * irregular call/return) and a recursive walk 100000 frames deep.
 *   recursion [N]   fib(N), ack(2, 2000+N); default 41 */
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

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static long ack(long m, long n)
{
	return m == 0 ? n + 1 : n == 0 ? ack(m - 1, 1) : ack(m - 1, ack(m, n - 1));
}

/* Not a tail call: the addition after the return keeps every frame live. */
static __attribute__((noinline)) long down(long d, long x)
{
	return d == 0 ? x : (down(d - 1, x * 6364136223846793005L + 1442695040888963407L) ^ d) + 1;
}

int main(int argc, char **argv)
{
	int n = (int)arg(argc, argv, 41);
	long f = fib(n), a = ack(2, 2000 + n), d = 0;

	for (int i = 0; i < 200; i++)
		d += down(100000, d + i);
	printf("fib %ld ack %ld down %ld\n", f, a, d);
	return 0;
}
