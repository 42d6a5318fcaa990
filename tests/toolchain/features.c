/* Code shapes the rewriter must get right: variadic functions, alloca,
 * computed goto through a static label table, calls through struct
 * members, dense switches, big struct copies (rep movs), vectorised SSE
 * loops, a zero-initialised __thread variable, callbacks, and gcc's
 * __builtin_setjmp/longjmp (rsp loaded from memory, a jump to a label
 * whose address was stored). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long sum_va(int n, ...)
{
	va_list ap;
	long s = 0;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		s += i % 2 ? (long)va_arg(ap, double) : va_arg(ap, long);
	va_end(ap);
	return s;
}

static int fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	int r;

	va_start(ap, f);
	r = vsnprintf(buf, len, f, ap);
	va_end(ap);
	return r;
}

__attribute__((noinline)) static unsigned use_alloca(unsigned n)
{
	unsigned char *p = __builtin_alloca(n);
	unsigned s = 0;

	for (unsigned i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7);
	for (unsigned i = 0; i < n; i++)
		s = s * 31 + p[i];
	return s;
}

/* A tiny bytecode interpreter: the labels' addresses sit in rodata, so the
 * rewriter must align them although no instruction names them. */
__attribute__((noinline)) static long interp(const unsigned char *code)
{
	static const void *const ops[] = { &&op_push1, &&op_add, &&op_dup, &&op_mul, &&op_end };
	long stack[64], *sp = stack;

	goto *ops[*code++];
op_push1:
	*sp++ = 1;
	goto *ops[*code++];
op_add:
	sp--;
	sp[-1] += sp[0];
	goto *ops[*code++];
op_dup:
	*sp = sp[-1];
	sp++;
	goto *ops[*code++];
op_mul:
	sp--;
	sp[-1] *= sp[0];
	goto *ops[*code++];
op_end:
	return sp[-1];
}

struct shape {
	const char *name;
	double (*area)(const double *);
	double dims[2];
};
static double rect(const double *d) { return d[0] * d[1]; }
static double tri(const double *d) { return d[0] * d[1] / 2; }

__attribute__((noinline)) static const char *day(int d)
{
	switch (d) {
	case 0: return "sun"; case 1: return "mon"; case 2: return "tue"; case 3: return "wed";
	case 4: return "thu"; case 5: return "fri"; case 6: return "sat"; case 7: return "sun";
	case 8: return "mon"; case 9: return "tue"; case 10: return "wed"; case 11: return "thu";
	default: return "?";
	}
}

struct blob { char bytes[1000]; int tag; };
__attribute__((noinline)) static struct blob copy_blob(const struct blob *b, int tag)
{
	struct blob c = *b;
	c.tag = tag;
	return c;
}

static float xs[1024], ys[1024];
static double dot(const double *a, const double *b, int n)
{
	double s = 0;
	for (int i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

static __thread int tls_counter;
__attribute__((noinline)) static int bump_tls(void) { return ++tls_counter; }

static void *jmpbuf[5];
__attribute__((noinline)) static void thrower(int n)
{
	if (n > 3)
		__builtin_longjmp(jmpbuf, 1);
	thrower(n + 1);
}

static int cmp_desc(const void *a, const void *b) { return *(const int *)b - *(const int *)a; }


int main(void)
{
	static const unsigned char prog[] = { 0, 0, 1, 2, 1, 2, 3, 2, 3, 4 }; /* 1 1 + dup + dup * dup * -> 256 */
	struct shape shapes[] = { { "rect", rect, { 3, 4 } }, { "tri", tri, { 3, 4 } } };
	struct blob b, c;
	char buf[128];
	double da[100], db[100];
	int arr[] = { 5, 1, 4, 2, 3 };
	float fs = 0;

	printf("sum_va %ld\n", sum_va(6, 10L, 2.5, 20L, 3.75, 30L, -1.0));
	fmt(buf, sizeof(buf), "%s/%d/%.2f/%c", "va", 42, 3.14159, 'z');
	printf("fmt %s\n", buf);
	printf("alloca %u %u\n", use_alloca(10), use_alloca(5000));
	printf("interp %ld\n", interp(prog));
	for (unsigned i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		printf("%s %.1f\n", shapes[i].name, shapes[i].area(shapes[i].dims));
	for (int i = 0; i < 13; i++)
		printf("%s%c", day(i), i < 12 ? ' ' : '\n');
	memset(&b, 0, sizeof(b));
	for (int i = 0; i < 1000; i++)
		b.bytes[i] = (char)(i ^ 0x5a);
	c = copy_blob(&b, 77);
	printf("blob %d %d %d\n", c.tag, c.bytes[999], memcmp(b.bytes, c.bytes, sizeof(b.bytes)));
	for (int i = 0; i < 1024; i++) {
		xs[i] = (float)i * 0.5f;
		ys[i] = 1.0f / (float)(i + 1);
	}
	for (int i = 0; i < 1024; i++)
		fs += xs[i] * ys[i];
	for (int i = 0; i < 100; i++) {
		da[i] = i * 0.25;
		db[i] = 100 - i;
	}
	printf("vector %.3f dot %.3f\n", fs, dot(da, db, 100));
	bump_tls();
	bump_tls();
	printf("tls %d\n", bump_tls());
	{
		volatile int stage = 0;
		if (__builtin_setjmp(jmpbuf) == 0) {
			stage = 1;
			thrower(0);
			stage = 2;
		} else {
			stage += 10;
		}
		printf("longjmp stage %d\n", stage);
	}
	qsort(arr, 5, sizeof(int), cmp_desc);
	printf("sorted %d %d %d %d %d\n", arr[0], arr[1], arr[2], arr[3], arr[4]);
	return 0;
}
