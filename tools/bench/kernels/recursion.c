/* Deep recursion: naive Fibonacci and Ackermann. */
#include <stdio.h>
#include <stdlib.h>

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static long ack(long m, long n) { return m == 0 ? n + 1 : n == 0 ? ack(m - 1, 1) : ack(m - 1, ack(m, n - 1)); }

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 42;
	printf("fib %ld ack %ld\n", fib(n), ack(2, 2000 + n));
	return 0;
}
