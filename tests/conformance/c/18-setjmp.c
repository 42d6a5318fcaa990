// conformance:
/* setjmp/longjmp: from nested frames, values, volatile locals, re-entry, sigsetjmp. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>

static jmp_buf env;
static int depth_reached;

static void dive(int depth, int target)
{
	char pad[64];
	pad[depth % 64] = (char)depth;
	depth_reached = depth + pad[depth % 64] * 0;
	if (depth == target)
		longjmp(env, depth);
	if (depth > 100000)
		return;
	dive(depth + 1, target);
	printf("not reached %d\n", depth);
}

static int catch_at(int target)
{
	int r = setjmp(env);
	if (r == 0) {
		dive(0, target);
		return -1;
	}
	return r;
}

int main(void)
{
	for (int t = 1; t <= 1000; t *= 10) {
		int got = catch_at(t);
		printf("longjmp from depth %d returned %d (reached %d)\n", t, got, depth_reached);
	}
	int r = setjmp(env);
	if (r == 0)
		longjmp(env, 0);
	printf("longjmp(env, 0) makes setjmp return %d\n", r);
	volatile int counter = 0;
	jmp_buf loop;
	if (setjmp(loop) < 5) {
		counter++;
		if (counter < 5)
			longjmp(loop, counter);
	}
	printf("loop via longjmp counter=%d\n", counter);
	sigjmp_buf senv;
	int s = sigsetjmp(senv, 1);
	if (s == 0)
		siglongjmp(senv, 7);
	printf("siglongjmp returned %d\n", s);
	jmp_buf outer, inner;
	volatile int stage = 0;
	if (setjmp(outer) == 0) {
		stage = 1;
		if (setjmp(inner) == 0) {
			stage = 2;
			longjmp(outer, 1);
		}
		stage = 99;
	}
	printf("nested buffers stage=%d\n", stage);
	return 0;
}
