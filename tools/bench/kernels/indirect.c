/* Indirect calls: a bytecode interpreter dispatching through a table of
 * function pointers. */
#include <stdio.h>
#include <stdlib.h>

typedef long (*op_fn)(long acc, long arg);
static long op_add(long a, long b) { return a + b; }
static long op_sub(long a, long b) { return a - b; }
static long op_mul(long a, long b) { return (a * b) % 1000003; }
static long op_xor(long a, long b) { return a ^ b; }
static long op_shl(long a, long b) { return (a << (b & 7)) & 0xffffff; }
static long op_mod(long a, long b) { return b ? a % (b | 1) : a; }

int main(int argc, char **argv)
{
	static const op_fn table[] = { op_add, op_sub, op_mul, op_xor, op_shl, op_mod };
	long iters = argc > 1 ? atol(argv[1]) : 250000000, acc = 1;
	unsigned char prog[256];

	for (int i = 0; i < 256; i++)
		prog[i] = (unsigned char)((i * 37 + 11) % 6);
	for (long i = 0; i < iters; i++)
		acc = table[prog[i & 255]](acc, i & 1023);
	printf("acc %ld\n", acc);
	return 0;
}
