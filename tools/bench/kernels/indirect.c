/* Indirect control flow: (1) calls through a table of function pointers
 * (vtable-style dispatch), (2) a stack bytecode interpreter dispatching
 * with a switch (natively a jump table, an indirect jmp per bytecode; zvm-cc
 * compiles with -fno-jump-tables, so in the cell a tree of compares).
 *   indirect [N]   N million dispatches of each kind; default 60 */
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

typedef int64_t (*op_fn)(int64_t acc, int64_t arg);
static int64_t op_add(int64_t a, int64_t b) { return a + b; }
static int64_t op_sub(int64_t a, int64_t b) { return a - b; }
static int64_t op_mul(int64_t a, int64_t b) { return (a * b) % 1000003; }
static int64_t op_xor(int64_t a, int64_t b) { return a ^ b; }
static int64_t op_shl(int64_t a, int64_t b) { return (a << (b & 7)) & 0xffffff; }
static int64_t op_mod(int64_t a, int64_t b) { return b ? a % (b | 1) : a; }

struct shape;
struct shape_ops { int64_t (*area)(const struct shape *); int64_t (*grow)(struct shape *, int64_t); };
struct shape { const struct shape_ops *ops; int64_t a, b; };
static int64_t rect_area(const struct shape *s) { return s->a * s->b; }
static int64_t rect_grow(struct shape *s, int64_t d) { s->a = (s->a + d) & 1023; return s->a; }
static int64_t tri_area(const struct shape *s) { return s->a * s->b / 2; }
static int64_t tri_grow(struct shape *s, int64_t d) { s->b = (s->b ^ d) & 1023; return s->b; }
static int64_t sq_area(const struct shape *s) { return s->a * s->a; }
static int64_t sq_grow(struct shape *s, int64_t d) { s->a = (s->a * 3 + d) & 1023; return s->a; }
static const struct shape_ops rect = { rect_area, rect_grow }, tri = { tri_area, tri_grow },
			      sq = { sq_area, sq_grow };

enum { PUSH, ADD, SUB, MUL, DUP, SWAP, DROP, JNZ, DEC, HALT, XOR, SHR };

/* Runs the bytecode with the stack (7, start); returns the accumulator. */
static int64_t run_vm(const unsigned char *code, int64_t start)
{
	int64_t stack[64], *sp = stack;
	const unsigned char *pc = code;

	*sp++ = 7;     /* acc */
	*sp++ = start; /* i */
	for (;;) {
		switch (*pc++) {
		case PUSH: *sp++ = *pc++; break;
		case ADD: sp--; sp[-1] += sp[0]; break;
		case SUB: sp--; sp[-1] -= sp[0]; break;
		case MUL: sp--; sp[-1] *= sp[0]; break;
		case XOR: sp--; sp[-1] ^= sp[0]; break;
		case SHR: sp--; sp[-1] = (int64_t)((uint64_t)sp[-1] >> sp[0]); break;
		case DUP: sp[0] = sp[-1]; sp++; break;
		case SWAP: { int64_t t = sp[-1]; sp[-1] = sp[-2]; sp[-2] = t; break; }
		case DROP: sp--; break;
		case DEC: sp[-1]--; break;
		case JNZ: { unsigned char to = *pc++; if (sp[-1]) pc = code + to; break; }
		case HALT: return sp[-2];
		default: return -1;
		}
	}
}

int main(int argc, char **argv)
{
	static const op_fn table[] = { op_add, op_sub, op_mul, op_xor, op_shl, op_mod };
	int64_t iters = arg(argc, argv, 60) * 1000000, acc = 1, area = 0;
	unsigned char prog[256];
	struct shape shapes[16];

	for (int i = 0; i < 256; i++)
		prog[i] = (unsigned char)((i * 37 + 11) % 6);
	for (int64_t i = 0; i < iters; i++)
		acc = table[prog[i & 255]](acc, i & 1023);

	for (int i = 0; i < 16; i++) {
		shapes[i].ops = i % 3 == 0 ? &rect : i % 3 == 1 ? &tri : &sq;
		shapes[i].a = i + 1;
		shapes[i].b = 2 * i + 3;
	}
	for (int64_t i = 0; i < iters / 4; i++) {
		struct shape *s = &shapes[(i * 7) & 15];
		area += s->ops->area(s) + s->ops->grow(s, i & 63);
	}

	/* do { acc = acc * 33 + (acc >> 5); } while (--i); stack: acc i */
	static const unsigned char code[] = {
		SWAP,                   /* i acc */
		DUP, PUSH, 5, SHR,      /* i acc acc>>5 */
		SWAP, PUSH, 33, MUL,    /* i acc>>5 acc*33 */
		ADD,                    /* i acc' */
		SWAP, DEC,              /* acc' i-1 */
		JNZ, 0,
		HALT,
	};
	int64_t vm = 0;
	for (int r = 0; r < 8; r++)
		vm += run_vm(code, iters / 8 / 8);
	printf("acc %lld area %lld vm %lld\n", (long long)acc, (long long)area, (long long)vm);
	return 0;
}
