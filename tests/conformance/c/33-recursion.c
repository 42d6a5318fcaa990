// conformance:
/* Deep recursion (100,000 frames), mutual recursion, Ackermann, recursive data structures. */
#include <stdio.h>
#include <stdlib.h>

static unsigned long deep(unsigned n, volatile unsigned *sink)
{
	if (n == 0)
		return 0;
	unsigned long r = deep(n - 1, sink);
	*sink += n;
	return r + (n ^ (n >> 3));
}

static int is_odd(unsigned n);
static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }

static unsigned ack(unsigned m, unsigned n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ack(m - 1, 1);
	return ack(m - 1, ack(m, n - 1));
}

struct node { int key; struct node *l, *r; };
static struct node *insert(struct node *t, int k)
{
	if (!t) {
		t = calloc(1, sizeof *t);
		t->key = k;
		return t;
	}
	if (k < t->key)
		t->l = insert(t->l, k);
	else
		t->r = insert(t->r, k);
	return t;
}
static int height(struct node *t)
{
	if (!t)
		return 0;
	int a = height(t->l), b = height(t->r);
	return 1 + (a > b ? a : b);
}
static long walk(struct node *t, long acc)
{
	if (!t)
		return acc;
	acc = walk(t->l, acc);
	acc = acc * 7 + t->key;
	acc %= 1000000007;
	return walk(t->r, acc);
}
static void drop(struct node *t)
{
	if (t) {
		drop(t->l);
		drop(t->r);
		free(t);
	}
}

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void)
{
	volatile unsigned sink = 0;
	unsigned long d = deep(100000, &sink);
	printf("deep(100000) = %lu sink %u\n", d, sink);
	printf("is_even(20001) %d is_odd(20001) %d\n", is_even(20001), is_odd(20001));
	printf("ack(2,3)=%u ack(3,5)=%u\n", ack(2, 3), ack(3, 5));
	printf("fib(27)=%ld\n", fib(27));
	struct node *t = NULL;
	unsigned s = 1;
	for (int i = 0; i < 5000; i++) {
		s = s * 1664525u + 1013904223u;
		t = insert(t, (int)(s >> 12) % 100000);
	}
	printf("random tree height %d walk %ld\n", height(t), walk(t, 0));
	drop(t);
	t = NULL;
	for (int i = 0; i < 3000; i++) /* degenerate: a 3000-deep list */
		t = insert(t, i);
	printf("sorted-insert tree height %d walk %ld\n", height(t), walk(t, 0));
	drop(t);
	return 0;
}
