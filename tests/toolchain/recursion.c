/* Deep and mutual recursion, tail calls, function pointers in a table. */
#include <stdio.h>

static int is_even(unsigned n);
static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }
static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static long ack(long m, long n) { return m == 0 ? n + 1 : n == 0 ? ack(m - 1, 1) : ack(m - 1, ack(m, n - 1)); }
static long sum_to(long n, long acc) { return n == 0 ? acc : sum_to(n - 1, acc + n); }
static long sq(long x) { return x * x; }
static long neg(long x) { return -x; }
static long twice(long x) { return 2 * x; }

int main(void)
{
	long (*ops[])(long) = { sq, neg, twice };
	long v = 3;

	printf("fib(27) = %ld\n", fib(27));
	printf("ack(2, 300) = %ld\n", ack(2, 300));
	printf("sum_to(100000) = %ld\n", sum_to(100000, 0));
	printf("is_even(10001) = %d\n", is_even(10001));
	for (int i = 0; i < 12; i++)
		v = ops[i % 3](v) % 1000003;
	printf("ops = %ld\n", v);
	return 0;
}
