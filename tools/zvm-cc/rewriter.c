/*
 * rewriter.c — the SFI rewrite of AT&T assembly, statement by statement.
 *
 * What it does (docs/sfi.md §4): bundle mode on; functions and address-taken
 * code labels aligned to bundles; memory operands in 32-bit address form;
 * writes of rsp as 32-bit writes of esp; string instructions with addr32;
 * returns and indirect branches as masked groups; every call ending at a
 * bundle end (so the masked return's ret is predicted); %fs:0 from the
 * thread-pointer slot; syscall as a call into the in-sandbox system call
 * layer, cpuid as a call of the runtime's fixed answer; innermost loops
 * kept in one 32-byte window
 * (or 64-byte line), code alignments above 32 bytes made bundle-safe.
 * Everything else passes through.
 *
 * Choices: lea and the NOP forms keep their 64-bit operands (they touch no
 * memory; the validator exempts them), so their results are exact. A
 * relocated displacement ("x@tpoff(%rdx)") is signed, which the 32-bit
 * address form cannot hold: it is computed by `leaq` into r11 and used as
 * (%r11d). Labels that may be indirect targets start a bundle: functions
 * (.type @function, or .globl), and any label whose address is taken
 * ($x, x(%rip), or named in .quad/.long data, e.g. computed-goto tables).
 * `ret $n` pops with `leal n(%rsp), %esp` (no flags changed). ZVM_CC_RETURN=pop
 * in the environment emits the older pop-and-jump return without the call
 * alignment (tools/bench/ret.sh measures one against the other).
 * Errors follow cpp/gcc line markers, so they name the .S or C line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/zvm-cc/rewriter.h"

#define MAX_OPS 4
#define MAX_STMT 4096

/* ---- a string set (function and address-taken labels), with a value per
 * name (the statement where a code label is defined) ------------------- */

struct set {
	char **slot;
	long *val;
	size_t cap, n;
};

static size_t hash(const char *s, size_t len)
{
	size_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* the slot holding s, or -1 */
static long set_find(const struct set *st, const char *s, size_t len)
{
	if (!st->cap)
		return -1;
	for (size_t i = hash(s, len) & (st->cap - 1);; i = (i + 1) & (st->cap - 1)) {
		if (!st->slot[i])
			return -1;
		if (strlen(st->slot[i]) == len && !memcmp(st->slot[i], s, len))
			return (long)i;
	}
}

static bool set_has(const struct set *st, const char *s, size_t len)
{
	return set_find(st, s, len) >= 0;
}

/* the value stored with s, or -1 */
static long set_get(const struct set *st, const char *s, size_t len)
{
	long i = set_find(st, s, len);
	return i < 0 ? -1 : st->val[i];
}

/* adds s with value v; a name already there keeps its first value */
static int set_put(struct set *st, const char *s, size_t len, long v)
{
	if (set_has(st, s, len))
		return 0;
	if ((st->n + 1) * 2 > st->cap) {
		struct set big = { .cap = st->cap ? st->cap * 2 : 256 };
		big.slot = calloc(big.cap, sizeof(char *));
		big.val = calloc(big.cap, sizeof(long));
		if (!big.slot || !big.val) {
			free(big.slot);
			free(big.val);
			return -ENOMEM;
		}
		for (size_t i = 0; i < st->cap; i++)
			if (st->slot[i]) {
				size_t j = hash(st->slot[i], strlen(st->slot[i])) & (big.cap - 1);
				while (big.slot[j])
					j = (j + 1) & (big.cap - 1);
				big.slot[j] = st->slot[i];
				big.val[j] = st->val[i];
			}
		big.n = st->n;
		free(st->slot);
		free(st->val);
		*st = big;
	}
	{
		size_t i = hash(s, len) & (st->cap - 1);
		while (st->slot[i])
			i = (i + 1) & (st->cap - 1);
		st->slot[i] = strndup(s, len);
		if (!st->slot[i])
			return -ENOMEM;
		st->val[i] = v;
		st->n++;
	}
	return 0;
}

static int set_add(struct set *st, const char *s, size_t len)
{
	return set_put(st, s, len, 0);
}

static void set_free(struct set *st)
{
	for (size_t i = 0; i < st->cap; i++)
		free(st->slot[i]);
	free(st->slot);
	free(st->val);
}

/* ---- state ------------------------------------------------------------- */

struct rw {
	const char *name;
	unsigned line;
	/* the last line marker ('# 12 "f.c" 1', from cpp or around gcc's
	 * inline asm): errors name that file and line instead */
	char mark_file[256];
	unsigned mark_line, mark_at;
	bool in_comment;          /* inside a C comment that spans lines */
	FILE *out, *errs;
	int errors;
	bool in_code;
	bool prev_code;           /* for .previous */
	bool stack[16];           /* .pushsection */
	int depth;
	struct set functions;     /* .type X, @function */
	struct set addr_taken;    /* code labels whose address is used */
	char fsop[128];           /* a %fs:N operand turned into N(%r11) */
	char pending[64];         /* "lock ; xadd ...": a prefix alone, for the next instruction */
	/* loop alignment: statements are numbered alike in both passes */
	long pos;                 /* the current statement */
	struct set labels;        /* pre-pass: code label -> its statement */
	long numlab[100];         /* pre-pass: "1:" -> its statement, for "1b" */
	struct jump { char *name; long target, at; } *jumps;
	size_t njumps, capj;
	long *switches;           /* pre-pass: statements that change section */
	size_t nswitches, capsw;
	struct loop { long head, end; } *loops; /* innermost loops, by head */
	size_t nloops, li;
	long *anchors;            /* function labels aligned to 64 bytes */
	size_t nanchors, ai;
	long label_pos;           /* the statement whose labels are being emitted */
	long anchor_pos;          /* the statement of the last anchor */
	bool anchor_ok;           /* .Lzvm_fa<anchor_id> is in this section and function */
	unsigned anchor_id, loop_id;
	bool loop_open;           /* .Lzvm_le<loop_id> is still to be emitted */
	bool call_anchor_ok;      /* .Lzvm_ca<call_anchor_id> starts a bundle in this section */
	bool pop_return;          /* ZVM_CC_RETURN=pop: the old return, for benchmarks */
	unsigned call_anchor_id, call_id;
};

__attribute__((format(printf, 2, 3)))
static void error(struct rw *r, const char *fmt, ...)
{
	va_list ap;

	if (r->mark_file[0])
		fprintf(r->errs, "%s:%u: ", r->mark_file, r->mark_line + (r->line - r->mark_at - 1));
	else
		fprintf(r->errs, "%s:%u: ", r->name, r->line);
	va_start(ap, fmt);
	vfprintf(r->errs, fmt, ap);
	va_end(ap);
	fputc('\n', r->errs);
	r->errors++;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static bool is_ident_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '$' || c == '@';
}

/* Past the string ("...") or character constant ('c, 'c') starting at p,
 * with gas's backslash escapes: \" and \\ do not end a string, and an
 * octal escape is digits, never special. Stops at the NUL of an
 * unterminated string (gas warns; -fatal-warnings makes it an error). */
static const char *skip_literal(const char *p)
{
	if (*p == '\'') {
		p++;
		if (*p == '\\' && p[1])
			p += 2;
		else if (*p)
			p++;
		return *p == '\'' ? p + 1 : p;
	}
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && p[1])
			p++;
	return *p ? p + 1 : p;
}

static bool is_quote(int c)
{
	return c == '"' || c == '\'';
}

/* ---- sections ---------------------------------------------------------- */

/* ".section NAME[,"FLAGS"...]": code if NAME is .text* or FLAGS has 'x'.
 * NAME is bare or quoted (".section \".text.a,b\",\"ax\"": a comma or an
 * escaped quote inside the name is part of it). */
static bool section_is_code(const char *args)
{
	char name[256];
	size_t n = 0;
	const char *p = args;

	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			if (n + 1 < sizeof(name))
				name[n++] = *p;
		}
		if (*p)
			p++;
	} else {
		for (; *p && *p != ',' && !isspace((unsigned char)*p); p++)
			if (n + 1 < sizeof(name))
				name[n++] = *p;
	}
	name[n] = '\0';
	if (!strncmp(name, ".text", 5))
		return true;
	while (isspace((unsigned char)*p))
		p++;
	if (*p++ != ',')
		return false;
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '"')
		return false;
	for (p++; *p && *p != '"'; p++)
		if (*p == 'x')
			return true;
	return false;
}

/* d is the directive `word`, alone or followed by its arguments */
static bool is_directive(const char *d, const char *word)
{
	size_t n = strlen(word);
	return !strncmp(d, word, n) && (d[n] == '\0' || isspace((unsigned char)d[n]));
}

static bool track_section(struct rw *r, const char *d)
{
	bool now = r->in_code;

	if (is_directive(d, ".text"))
		now = true;
	else if (is_directive(d, ".data") || is_directive(d, ".bss"))
		now = false;
	else if (!strncmp(d, ".section", 8) && isspace((unsigned char)d[8]))
		now = section_is_code(trim((char *)d + 9));
	else if (!strncmp(d, ".pushsection", 12) && isspace((unsigned char)d[12])) {
		if (r->depth < 16)
			r->stack[r->depth++] = r->in_code;
		now = section_is_code(trim((char *)d + 13));
	} else if (!strcmp(d, ".popsection")) {
		if (r->depth > 0)
			now = r->stack[--r->depth];
	} else if (!strcmp(d, ".previous")) {
		now = r->prev_code;
	} else {
		return false;
	}
	r->prev_code = r->in_code;
	r->in_code = now;
	return true;
}

static void emit(struct rw *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- operands ---------------------------------------------------------- */

static const char *const reg64[] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
				     "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
static const char *const reg32[] = { "eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp",
				     "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d" };

/* "%rax" -> "%eax"; anything else unchanged. */
static void reg32_of(const char *reg, char *out, size_t len)
{
	for (int i = 0; reg[0] == '%' && i < 16; i++) {
		if (!strcmp(reg + 1, reg64[i])) {
			snprintf(out, len, "%%%s", reg32[i]);
			return;
		}
	}
	snprintf(out, len, "%s", reg);
}

static bool is_reg64(const char *s)
{
	if (s[0] != '%')
		return false;
	for (int i = 0; i < 16; i++)
		if (!strcmp(s + 1, reg64[i]))
			return true;
	return false;
}

/* Splits "a, b(c,d), e" at top-level commas. Returns the count or -1. */
static int split_operands(char *s, char **ops)
{
	int n = 0, depth = 0;
	char *start = s;

	if (!*trim(s))
		return 0;
	for (char *p = s;; p++) {
		if (is_quote(*p)) {
			/* a character constant ($',) is one operand */
			p = (char *)skip_literal(p) - 1;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if ((*p == ',' && depth == 0) || *p == '\0') {
			bool end = *p == '\0';
			if (n == MAX_OPS)
				return -1;
			*p = '\0';
			ops[n++] = trim(start);
			if (end)
				break;
			start = p + 1;
		}
	}
	return n;
}

static bool is_memory(const char *op)
{
	/* "%fs:8" is a segment-qualified address, not a register */
	if (op[0] == '%' && strlen(op) > 4 && op[3] == ':')
		return true;
	return op[0] != '$' && op[0] != '%' && op[0] != '*' && op[0] != '\0';
}

/* A displacement that names a symbol (not a plain number like 0x1234). */
static bool has_symbol(const char *s)
{
	char *end;

	strtoll(s, &end, 0);
	if (end != s && *end == '\0')
		return false;
	for (; *s; s++)
		if (isalpha((unsigned char)*s) || *s == '_' || *s == '.')
			return true;
	return false;
}

/* Rewrites a memory operand to 32-bit address form. Sets *addr32 when the
 * instruction needs the addr32 prefix instead (a numeric absolute address).
 * Returns 0, or -1 after reporting an operand it cannot make safe. */
static int rewrite_memory(struct rw *r, const char *op, char *out, size_t len, bool *addr32)
{
	char buf[512], *paren, *close, *parts[3] = { NULL, NULL, NULL }, seg[8] = "";
	const char *disp;
	int np = 0;

	if (strlen(op) >= sizeof(buf)) {
		error(r, "operand too long");
		return -1;
	}
	strcpy(buf, op);
	disp = buf;
	if (buf[0] == '%' && buf[3] == ':') {
		if (!strncmp(buf, "%fs:", 4) || !strncmp(buf, "%gs:", 4)) {
			error(r, "'%s': %%fs/%%gs addressing reaches outside the sandbox (only %%fs:N with a numeric N is rewritten)",
			      op);
			return -1;
		}
		memcpy(seg, buf, 4);
		seg[4] = '\0';
		disp = buf + 4;
	}
	/* The register part is the last parenthesised group: the displacement
	 * before it may itself be an expression in parentheses, "(-1-2)(%rdi)". */
	paren = NULL;
	if (buf[strlen(buf) - 1] == ')') {
		int depth = 0;
		for (char *q = buf + strlen(buf) - 1; q >= disp; q--) {
			if (*q == ')')
				depth++;
			else if (*q == '(' && --depth == 0) {
				paren = q;
				break;
			}
		}
		/* a group holding no register is an expression, not registers */
		if (paren && !strchr(paren, '%'))
			paren = NULL;
	}
	if (!paren) {
		/* absolute: a symbol becomes rip-relative, a number needs addr32 */
		if (has_symbol(disp)) {
			if ((size_t)snprintf(out, len, "%s%s(%%rip)", seg, disp) >= len)
				return error(r, "operand too long"), -1;
		} else {
			if ((size_t)snprintf(out, len, "%s%s", seg, disp) >= len)
				return error(r, "operand too long"), -1;
			*addr32 = true;
		}
		return 0;
	}
	close = strchr(paren, ')');
	if (!close || close[1] != '\0' || strchr(paren + 1, '(')) {
		error(r, "cannot parse memory operand '%s'", op);
		return -1;
	}
	*paren = '\0';
	*close = '\0';
	for (char *p = paren + 1, *q; np < 3; p = q + 1) {
		q = strchr(p, ',');
		if (q)
			*q = '\0';
		parts[np++] = trim(p);
		if (!q)
			break;
	}
	/* rsp or rip as base with no index: already confined */
	if (parts[0] && (!strcmp(parts[0], "%rsp") || !strcmp(parts[0], "%rip")) && (np < 2 || !*parts[1])) {
		snprintf(out, len, "%s", op);
		return 0;
	}
	/* A relocated displacement like "x@tpoff" is signed; the 0x67 form's
	 * 32-bit field is not (gas refuses it). The address is the same mod
	 * 2^32 when computed by a lea into the scratch register and used as %r11d. */
	if (strchr(disp, '@')) {
		if (strstr(op, "%r11")) {
			error(r, "'%s': a relocated displacement with %%r11 (the rewriter's scratch register)", op);
			return -1;
		}
		emit(r, "leaq %s, %%r11", op + strlen(seg));
		snprintf(out, len, "%s(%%r11d)", seg);
		return 0;
	}
	{
		char b[16] = "", i[16] = "";
		if (parts[0] && *parts[0])
			reg32_of(parts[0], b, sizeof(b));
		if (np >= 2 && *parts[1])
			reg32_of(parts[1], i, sizeof(i));
		if (!strcmp(b, "%rip")) {
			error(r, "'%s': rip-relative with an index", op);
			return -1;
		}
		int w;
		if (np == 3)
			w = snprintf(out, len, "%s%s(%s,%s,%s)", seg, disp, b, i, parts[2]);
		else if (np == 2)
			w = snprintf(out, len, "%s%s(%s,%s)", seg, disp, b, i);
		else
			w = snprintf(out, len, "%s%s(%s)", seg, disp, b);
		if (w < 0 || (size_t)w >= len)
			return error(r, "operand too long"), -1;
	}
	return 0;
}

/* ---- emitting ---------------------------------------------------------- */

static void emit(struct rw *r, const char *fmt, ...)
{
	va_list ap;

	fputc('\t', r->out);
	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
	fputc('\n', r->out);
}

/*
 * A call ends at a bundle end (docs/sfi.md §4), so the address it pushes
 * is the bundle start the masked return goes to, and the return-stack
 * predictor guesses it right. gas sizes the NOPs in front from the call
 * group's own length and its distance from a bundle start in the same
 * section (the last function label, used through an alias set at the end
 * of the file, as the loop alignment does), in at most two parts that
 * never cross a bundle boundary. Without such an anchor the
 * call stays where it is: the return rounds up to the bundle after it,
 * correct but mispredicted. Returns the call's number, 0 if none.
 */
static unsigned call_begin(struct rw *r)
{
	unsigned n;

	if (!r->call_anchor_ok || r->pop_return)
		return 0;
	n = ++r->call_id;
	/* .nops knows nothing of bundles: first to the next bundle start if
	 * the group does not fit before it, then up to the group, each part
	 * inside one bundle (gas's comparisons are -1 when true) */
	fprintf(r->out,
		"\t.nops ((-(. - .Lzvm_cb%u)) & 31) & ((((-(. - .Lzvm_cb%u)) & 31) < (.Lzvm_ce%u - .Lzvm_cs%u)))\n"
		"\t.nops ((.Lzvm_cs%u - .Lzvm_ce%u) - (. - .Lzvm_cb%u)) & 31\n.Lzvm_cs%u:\n",
		r->call_anchor_id, r->call_anchor_id, n, n, n, n, r->call_anchor_id, n);
	return n;
}

static void call_end(struct rw *r, unsigned n)
{
	if (n)
		fprintf(r->out, ".Lzvm_ce%u:\n", n);
	emit(r, ".p2align 5");
}

static void emit_masked(struct rw *r, const char *kind, const char *reg64name)
{
	char r32[16];
	unsigned n = strcmp(kind, "call") ? 0 : call_begin(r);

	reg32_of(reg64name, r32, sizeof(r32));
	emit(r, ".bundle_lock");
	emit(r, "andl $-32, %s", r32);
	emit(r, "%s *%s", kind, reg64name);
	emit(r, ".bundle_unlock");
	if (!strcmp(kind, "call"))
		call_end(r, n);
}

/* The masked return keeps the return-stack predictor: the address is
 * rounded up to a bundle start in r11d (a no-op for a call that ends at
 * a bundle end) and written back over itself, and a plain ret follows.
 * The validator admits a ret only right after `andl; movq` in its bundle
 * (docs/sfi.md §4). `ret $n` pops with `leal n(%rsp), %esp` and a masked
 * jump (rare: no x86-64 ABI uses it). */
static void emit_return(struct rw *r, const char *pop_bytes)
{
	if (pop_bytes || r->pop_return) {
		emit(r, "popq %%r11");
		if (pop_bytes)
			emit(r, "leal %s(%%rsp), %%esp", pop_bytes + (pop_bytes[0] == '$'));
		emit(r, ".bundle_lock");
		emit(r, "addl $31, %%r11d");
		emit(r, "andl $-32, %%r11d");
		emit(r, "jmp *%%r11");
		emit(r, ".bundle_unlock");
		return;
	}
	emit(r, "movl (%%rsp), %%r11d");
	emit(r, "addl $31, %%r11d");
	emit(r, ".bundle_lock");
	emit(r, "andl $-32, %%r11d");
	emit(r, "movq %%r11, (%%rsp)");
	emit(r, "ret");
	emit(r, ".bundle_unlock");
}

/* ---- instructions ------------------------------------------------------ */

static bool in_list(const char *m, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(m, *list))
			return true;
	return false;
}

static bool is_string_op(const char *m, int nops)
{
	static const char *const stems[] = { "movs", "stos", "lods", "cmps", "scas", NULL };

	if (!strcmp(m, "xlat") || !strcmp(m, "xlatb"))
		return true;
	for (const char *const *s = stems; *s; s++) {
		size_t n = strlen(*s);
		if (!strncmp(m, *s, n) && (m[n] == '\0' || (strchr("bwlq", m[n]) && m[n + 1] == '\0') ||
					   (nops == 0 && m[n] == 'd' && m[n + 1] == '\0')))
			return true;
	}
	return false;
}

static bool is_direct_branch(const char *m)
{
	static const char *const others[] = { "call", "callq", "loop", "loope", "loopne", "loopz",
					      "loopnz", "jrcxz", "jecxz", NULL };
	return m[0] == 'j' || in_list(m, others);
}

/* `OPq src, %rsp` -> `OPl src32, %esp`, for the few ops that keep rsp in
 * the sandbox when done in 32 bits. */
static int rewrite_rsp_write(struct rw *r, const char *prefix, const char *m, char **ops, int n)
{
	static const char *const ok[] = { "sub", "add", "and", "mov", "lea" };
	char base[16], src[512];
	size_t ml = strlen(m);
	bool addr32 = false;

	snprintf(base, sizeof(base), "%.*s", (int)(ml && m[ml - 1] == 'q' && ml > 3 ? ml - 1 : ml), m);
	if (n != 2 || !in_list(base, (const char *const[]){ ok[0], ok[1], ok[2], ok[3], ok[4], NULL })) {
		error(r, "'%s' writes %%rsp in a way the sandbox cannot allow", m);
		return -1;
	}
	if (!strcmp(base, "and") && ops[0][0] == '$') {
		long v = strtol(ops[0] + 1, NULL, 0);
		if (v < 0 && v >= -128) {
			emit(r, "%s%s %s, %%rsp", prefix, m, ops[0]);
			return 0;
		}
	}
	if (ops[0][0] == '%')
		reg32_of(ops[0], src, sizeof(src));
	else if (is_memory(ops[0]) && strcmp(base, "lea") != 0) {
		if (rewrite_memory(r, ops[0], src, sizeof(src), &addr32) < 0)
			return -1;
	} else
		snprintf(src, sizeof(src), "%s", ops[0]);
	emit(r, "%s%s%sl %s, %%esp", addr32 ? "addr32 " : "", prefix, base, src);
	return 0;
}

static int rewrite_branch_target(struct rw *r, const char *kind, const char *target)
{
	char mem[512];
	bool addr32 = false;

	if (target[0] == '%') {
		if (!is_reg64(target)) {
			error(r, "indirect %s through '%s': only 64-bit registers", kind, target);
			return -1;
		}
		emit_masked(r, kind, target);
		return 0;
	}
	if (rewrite_memory(r, target, mem, sizeof(mem), &addr32) < 0)
		return -1;
	emit(r, "%smovq %s, %%r11", addr32 ? "addr32 " : "", mem);
	if (!strcmp(kind, "jmp")) {
		/* A jump through memory may use a saved return address (musl's
		 * longjmp jumps to what setjmp found at (%rsp)), which is not a
		 * bundle start: like a return, round it up to the next one. A
		 * function or label address is a bundle start and stays. */
		emit(r, ".bundle_lock");
		emit(r, "addl $31, %%r11d");
		emit(r, "andl $-32, %%r11d");
		emit(r, "jmp *%%r11");
		emit(r, ".bundle_unlock");
		return 0;
	}
	emit_masked(r, kind, "%r11");
	return 0;
}

/* Instructions the validator refuses (docs/sfi.md §7), caught here with a
 * line number. A name matches with or without a b/w/l/q size suffix. */
static const struct {
	const char *name;
	const char *why;
} refused_insns[] = {
	{ "sysenter", "enters the kernel" },        { "sysexit", "privileged" },
	{ "sysret", "privileged" },                 { "into", "an interrupt" },
	{ "int1", "an interrupt" },                 { "icebp", "an interrupt" },
	{ "lret", "a far return" },                 { "ljmp", "a far jump" },
	{ "lcall", "a far call" },                  { "iret", "changes the code segment" },
	{ "enter", "writes rsp unmasked" },         { "popf", "sets flags like AC and TF" },
	{ "cli", "privileged" },                    { "sti", "privileged" },
	{ "in", "port I/O" },                       { "out", "port I/O" },
	{ "ins", "port I/O" },                      { "outs", "port I/O" },
	{ "lfs", "loads a segment register" },      { "lgs", "loads a segment register" },
	{ "lss", "loads a segment register" },      { "lds", "loads a segment register" },
	{ "les", "loads a segment register" },      { "swapgs", "privileged" },
	{ "rdfsbase", "reads a thread-pointer base" }, { "wrfsbase", "writes a thread-pointer base" },
	{ "rdgsbase", "reads a thread-pointer base" }, { "wrgsbase", "writes a thread-pointer base" },
	{ "lgdt", "privileged" },                   { "lidt", "privileged" },
	{ "lldt", "privileged" },                   { "ltr", "privileged" },
	{ "sgdt", "reveals system state" },         { "sidt", "reveals system state" },
	{ "sldt", "reveals system state" },         { "str", "reveals system state" },
	{ "smsw", "reveals system state" },         { "lmsw", "privileged" },
	{ "lar", "reveals system state" },          { "lsl", "reveals system state" },
	{ "verr", "reveals system state" },         { "verw", "reveals system state" },
	{ "clflush", "cache control" },             { "clflushopt", "cache control" },
	{ "clwb", "cache control" },                { "monitor", "waits on memory" },
	{ "mwait", "waits on memory" },             { "umonitor", "waits on memory" },
	{ "umwait", "waits on memory" },            { "tpause", "waits" },
	{ "xbegin", "TSX" },                        { "xend", "TSX" },
	{ "xabort", "TSX" },                        { "rdpkru", "protection keys" },
	{ "wrpkru", "protection keys" },            { "enqcmd", "device command" },
	{ "movdir64b", "device command" },          { "xsave", "XSAVE" },
	{ "xrstor", "XSAVE" },                      { "xsaveopt", "XSAVE" },
	{ "xsavec", "XSAVE" },                      { "xsaves", "XSAVE" },
	{ "xrstors", "XSAVE" },                     { "xsave64", "XSAVE" },
	{ "xrstor64", "XSAVE" },
};

static const char *refused_why(const char *m)
{
	size_t ml = strlen(m);

	for (size_t i = 0; i < sizeof(refused_insns) / sizeof(refused_insns[0]); i++) {
		size_t n = strlen(refused_insns[i].name);
		if (!strncmp(m, refused_insns[i].name, n) &&
		    (ml == n || (ml == n + 1 && strchr("bwlq", m[n]))))
			return refused_insns[i].why;
	}
	return NULL;
}

static bool is_segment_reg(const char *op)
{
	static const char *const sregs[] = { "%cs", "%ds", "%es", "%fs", "%gs", "%ss", NULL };
	return in_list(op, sregs);
}

static int instruction(struct rw *r, char *stmt)
{
	static const char *const prefixes[] = { "rep", "repe", "repz", "repne", "repnz", "lock",
						"addr32", "data16", "notrack", "bnd", "rex64", NULL };
	char pre[64] = "", *m, *rest, *ops[MAX_OPS], mnem[32];
	int n;

	/* a prefix written as a statement of its own belongs to this one */
	snprintf(pre, sizeof(pre), "%s", r->pending);
	r->pending[0] = '\0';
	/* prefixes, then the mnemonic */
	for (;;) {
		m = stmt;
		rest = m;
		while (*rest && !isspace((unsigned char)*rest))
			rest++;
		if (*rest)
			*rest++ = '\0';
		if (!in_list(m, prefixes))
			break;
		if (!strcmp(m, "notrack") || !strcmp(m, "bnd"))
			; /* meaningless here: dropped */
		else if (strlen(pre) + strlen(m) + 2 < sizeof(pre)) {
			strcat(pre, m);
			strcat(pre, " ");
		}
		stmt = trim(rest);
	}
	snprintf(mnem, sizeof(mnem), "%s", m);
	if (!mnem[0]) {
		snprintf(r->pending, sizeof(r->pending), "%s", pre);
		return 0;
	}
	/* gcc writes __builtin_ctz as "rep bsf", which newer CPUs run as tzcnt
	 * (BMI1, outside the admitted ISA); the two differ only for a zero
	 * input, where __builtin_ctz is undefined: plain bsf it is. */
	if (!strncmp(mnem, "bsf", 3) && !strncmp(pre, "rep", 3))
		pre[0] = '\0';
	n = split_operands(rest, ops);
	if (n < 0) {
		error(r, "too many operands");
		return -1;
	}

	{
		const char *why = refused_why(mnem);
		if (why) {
			error(r, "'%s' is not allowed in sandboxed code (%s)", mnem, why);
			return -1;
		}
	}
	/* without CET a no-op; the validator refuses it (rule 7) */
	if (!strcmp(mnem, "endbr64") || !strcmp(mnem, "endbr32"))
		return 0;
	for (int i = 0; i < n; i++)
		if (is_segment_reg(ops[i])) {
			error(r, "'%s %s': segment registers may not be read or written", mnem, ops[i]);
			return -1;
		}
	if (!strcmp(mnem, "int")) {
		if (n == 1 && (!strcmp(ops[0], "$3") || !strcmp(ops[0], "$0x3"))) {
			emit(r, "int3");
			return 0;
		}
		error(r, "'int %s' enters the kernel; sandboxed code leaves only through the traps", n ? ops[0] : "");
		return -1;
	}
	if (!strcmp(mnem, "syscall")) {
		unsigned c = call_begin(r);
		emit(r, "call __zvm_syscall");
		call_end(r, c);
		return 0;
	}
	/* the validator refuses cpuid; the runtime answers a fixed baseline
	 * (runtime/cpuid.S) */
	if (!strcmp(mnem, "cpuid")) {
		unsigned c = call_begin(r);
		emit(r, "call __zvm_cpuid");
		call_end(r, c);
		return 0;
	}
	if (!strcmp(mnem, "ret") || !strcmp(mnem, "retq") || !strcmp(mnem, "retl")) {
		emit_return(r, n == 1 ? ops[0] : NULL);
		return 0;
	}
	if (!strcmp(mnem, "leave") || !strcmp(mnem, "leaveq") || !strcmp(mnem, "leavel")) {
		emit(r, "movl %%ebp, %%esp");
		emit(r, "popq %%rbp");
		return 0;
	}
	if (is_direct_branch(mnem)) {
		bool call = !strncmp(mnem, "call", 4);
		if (n == 1 && ops[0][0] == '*') {
			if (rewrite_branch_target(r, call ? "call" : "jmp", trim(ops[0] + 1)) < 0)
				return -1;
		} else if (n == 1 && !call && !strncmp(ops[0], "zvm_trap_", 9)) {
			/* a tail call of a trap (gcc's sibling call): the validator
			 * admits only calls into the trampolines, so call and return */
			if (strcmp(mnem, "jmp") != 0 && strcmp(mnem, "jmpq") != 0) {
				error(r, "'%s %s': a conditional jump into a trap", mnem, ops[0]);
				return -1;
			}
			unsigned c = call_begin(r);
			emit(r, "%scall %s", pre, ops[0]);
			call_end(r, c);
			emit_return(r, NULL);
			return 0;
		} else if (n == 1) {
			unsigned c = call ? call_begin(r) : 0;
			emit(r, "%s%s %s", pre, mnem, ops[0]);
			if (call)
				call_end(r, c);
		} else {
			error(r, "'%s' needs one target", mnem);
			return -1;
		}
		return 0;
	}
	if (is_string_op(mnem, n)) {
		if (!strcmp(mnem, "movsd") || !strcmp(mnem, "cmpsd"))
			mnem[strlen(mnem) - 1] = 'l';
		if (n > 0 && !strncmp(mnem, "xlat", 4))
			n = 0;
		emit(r, "addr32 %s%s", pre, mnem);
		return 0;
	}
	if (!strcmp(mnem, "maskmovdqu")) {
		emit(r, "addr32 %s%s %s, %s", pre, mnem, n > 0 ? ops[0] : "", n > 1 ? ops[1] : "");
		return 0;
	}

	/* movq %fs:0, %reg: the thread pointer lives in a sandbox variable */
	if (n == 2 && (!strcmp(ops[0], "%fs:0") || !strcmp(ops[0], "%fs:0x0")) && ops[1][0] == '%') {
		emit(r, "%s __zvm_thread_pointer(%%rip), %s", mnem, ops[1]);
		return 0;
	}
	/* Any other %fs:N (a number: musl's TLS descriptors read %fs:8 and
	 * subtract %fs:0): the thread pointer into r11, then N(%r11), which
	 * becomes an ordinary 32-bit address below. */
	for (int i = 0; i < n; i++) {
		char *end;
		if (strncmp(ops[i], "%fs:", 4) != 0 || !ops[i][4])
			continue;
		strtoll(ops[i] + 4, &end, 0);
		if (*end != '\0')
			break; /* symbolic or register forms: refused by rewrite_memory */
		for (int j = 0; j < n; j++)
			if (strstr(ops[j], "%r11")) {
				error(r, "'%s': r11 is reserved for the rewriter", mnem);
				return -1;
			}
		emit(r, "movq __zvm_thread_pointer(%%rip), %%r11");
		snprintf(r->fsop, sizeof(r->fsop), "%s(%%r11)", ops[i] + 4);
		ops[i] = r->fsop;
		break;
	}
	/* writes of rsp */
	if (n >= 1 && !strcmp(ops[n - 1], "%rsp") && strncmp(mnem, "push", 4) != 0 &&
	    strncmp(mnem, "cmp", 3) != 0 && strncmp(mnem, "test", 4) != 0 && strncmp(mnem, "bt", 2) != 0)
		return rewrite_rsp_write(r, pre, mnem, ops, n);

	/* everything else: memory operands in 32-bit form (lea and nop untouched) */
	{
		char line[MAX_STMT], conv[MAX_OPS][512];
		bool addr32 = false, skip = !strncmp(mnem, "lea", 3) || !strncmp(mnem, "nop", 3);
		int len = 0;

		for (int i = 0; i < n; i++) {
			if (!skip && is_memory(ops[i])) {
				if (rewrite_memory(r, ops[i], conv[i], sizeof(conv[i]), &addr32) < 0)
					return -1;
			} else {
				snprintf(conv[i], sizeof(conv[i]), "%s", ops[i]);
			}
		}
		len = snprintf(line, sizeof(line), "%s%s%s", addr32 ? "addr32 " : "", pre, mnem);
		for (int i = 0; i < n && len < (int)sizeof(line); i++)
			len += snprintf(line + len, sizeof(line) - len, "%s%s", i ? ", " : " ", conv[i]);
		emit(r, "%s", line);
	}
	return 0;
}

/* ---- statements -------------------------------------------------------- */

/* Loop alignment (docs/sfi.md §4). The head of an innermost loop starts
 * a bundle, so a loop of up to 32 bytes sits in one 32-byte fetch window.
 * A loop of 33 to 64 bytes that would start in the upper half of a
 * 64-byte line gets 32 more bytes of NOPs, so it sits in one line: the
 * function holding it is 64-byte aligned, with an anchor label, and gas
 * sizes the NOPs once it knows the loop's length (a .nops of an
 * expression; its comparisons are -1 when true). gas takes such an
 * expression only while it names a symbol not yet defined, so the anchor
 * is used through an alias set at the end of the file (.Lzvm_fb<n> for
 * .Lzvm_fa<n>); otherwise a second loop after the first one's NOPs is
 * "non-absolute". Padding in whole
 * bundles from a bundle start can never cross a bundle boundary. */
static void align_statement(struct rw *r)
{
	while (r->ai < r->nanchors && r->anchors[r->ai] < r->pos)
		r->ai++;
	if (r->ai < r->nanchors && r->anchors[r->ai] == r->pos) {
		/* a bundle first: from there the 64-byte step is 0 or 32 bytes,
		 * whole bundles (gcc -Os does not align functions) */
		fprintf(r->out, "\t.p2align 5\n\t.p2align 6\n.Lzvm_fa%u:\n", ++r->anchor_id);
		r->anchor_ok = true;
		r->anchor_pos = r->pos;
	}
	while (r->li < r->nloops && r->loops[r->li].end < r->pos)
		r->li++; /* a loop whose head was not emitted in code */
	if (r->li < r->nloops && r->loops[r->li].head == r->pos) {
		fprintf(r->out, "\t.p2align 5\n");
		if (r->anchor_ok) {
			unsigned n = ++r->loop_id;
			fprintf(r->out,
				".Lzvm_lp%u:\n"
				"\t.nops 32 & ((((.Lzvm_lp%u - .Lzvm_fb%u) & 32) != 0) & ((.Lzvm_le%u - .Lzvm_lh%u) > 32)"
				" & ((.Lzvm_le%u - .Lzvm_lh%u) <= 64))\n"
				".Lzvm_lh%u:\n",
				n, n, r->anchor_id, n, n, n, n, n);
			r->loop_open = true;
		}
	}
}

/* after the loop's last backward branch */
static void loop_end(struct rw *r)
{
	if (r->li < r->nloops && r->loops[r->li].end == r->pos) {
		if (r->loop_open)
			fprintf(r->out, ".Lzvm_le%u:\n", r->loop_id);
		r->loop_open = false;
		r->li++;
	}
}

static void label(struct rw *r, const char *name, size_t len)
{
	bool function = set_has(&r->functions, name, len);

	if (r->in_code && r->label_pos != r->pos) {
		r->label_pos = r->pos;
		align_statement(r);
	}
	/* another function: the anchor is no longer its own */
	if (r->in_code && function && r->anchor_pos != r->pos)
		r->anchor_ok = false;
	if (r->in_code && (function || set_has(&r->addr_taken, name, len))) {
		fprintf(r->out, "\t.p2align 5\n%.*s:\n.Lzvm_ca%u:\n", (int)len, name, ++r->call_anchor_id);
		r->call_anchor_ok = true;
		return;
	}
	fprintf(r->out, "%.*s:\n", (int)len, name);
}

/* .p2align N / .balign 2^N / .align 2^N above 32 bytes in code: gas pads
 * such a gap with long NOPs that cross bundle boundaries (the validator
 * refuses them). To 64: a bundle, then 0 or 32 bytes, whole bundles.
 * Above 64 there is no bundle-safe form: an error. A maximum skip under
 * 32 bytes is safe as written (it ends at a bundle start). Returns true
 * when the directive was handled here. */
static bool code_alignment(struct rw *r, const char *d)
{
	const char *a, *c;
	char *e;
	long v, n = 0;
	bool bytes = false;

	if (is_directive(d, ".p2align"))
		a = d + 8;
	else if (is_directive(d, ".balign") || is_directive(d, ".align"))
		a = d + (d[1] == 'b' ? 7 : 6), bytes = true;
	else
		return false;
	v = strtol(a, &e, 0);
	if (e == a || v <= 0)
		return false; /* an expression, or nothing: gas's business */
	if (bytes) {
		if (v & (v - 1))
			return false; /* gas refuses it */
		while ((1L << n) < v)
			n++;
	} else {
		n = v;
	}
	if (n <= 5)
		return false;
	c = strchr(e, ',');
	if (c && (c = strchr(c + 1, ','))) {
		long max = strtol(c + 1, &e, 0);
		if (e != c + 1 && max < 32)
			return false;
	}
	if (n > 6) {
		error(r, "'%s': code alignment above 64 bytes has no bundle-safe padding", d);
		return true;
	}
	fprintf(r->out, "\t.p2align 5\n\t.p2align 6\n");
	return true;
}

static void directive(struct rw *r, char *d)
{
	/* the validator decodes 64-bit code in 32-byte bundles: other modes
	 * or bundle sizes would only fail there, later and less clearly */
	if (!strncmp(d, ".code16", 7) || !strncmp(d, ".code32", 7)) {
		error(r, "'%s': sandboxed code is 64-bit only", d);
		return;
	}
	if (!strncmp(d, ".bundle_align_mode", 18)) {
		char *v = trim(d + 18);
		if (strcmp(v, "5") != 0)
			error(r, "'%s': bundles are 32 bytes (.bundle_align_mode 5)", d);
		return; /* already at the top of the output */
	}
	if (r->in_code && code_alignment(r, d))
		return;
	if (track_section(r, d))
		r->anchor_ok = r->call_anchor_ok = false; /* the anchors are in another section */
	fprintf(r->out, "\t%s\n", d);
}

/* Strips comments as gas does: "#" to the end of the line, "/" at the
 * start of a statement to the end of the line, and C comments, which may
 * span lines (*in_comment carries one over). Strings and character
 * constants are copied whole, escapes included: a '#', ';' or slash-star
 * inside "q\"x;#" is data. */
static void strip_comment(bool *in_comment, char *s)
{
	bool at_start = true; /* only blanks since the line or a ';' began */
	char *w = s;

	for (char *p = s; *p;) {
		if (*in_comment) {
			char *e = strstr(p, "*/");
			if (!e)
				break;
			*in_comment = false;
			p = e + 2;
			*w++ = ' ';
			continue;
		}
		if (is_quote(*p)) {
			const char *e = skip_literal(p);
			while (p < e)
				*w++ = *p++;
			at_start = false;
			continue;
		}
		if (*p == '#')
			break;
		if (p[0] == '/' && p[1] == '*') {
			*in_comment = true;
			p += 2;
			continue;
		}
		if (*p == '/' && at_start)
			break;
		if (*p == ';')
			at_start = true;
		else if (!isspace((unsigned char)*p))
			at_start = false;
		*w++ = *p++;
	}
	*w = '\0';
}

/* The next statement of a comment-free line, cut at a ';' outside
 * strings and character constants; NULL after the last. */
static char *next_statement(char **cursor)
{
	char *start = *cursor, *p = start;

	if (!start)
		return NULL;
	while (*p && *p != ';')
		p = is_quote(*p) ? (char *)skip_literal(p) : p + 1;
	if (*p) {
		*p = '\0';
		*cursor = p + 1;
	} else {
		*cursor = NULL;
	}
	return start;
}

/* Past the labels ("name:") that start a statement (not "%fs:", not
 * inside operands or strings). With r, each is emitted. */
static char *skip_labels(struct rw *r, char *s)
{
	for (s = trim(s);;) {
		char *p = s;
		while (is_ident_char((unsigned char)*p))
			p++;
		if (p == s || *p != ':' || s[0] == '$')
			return s;
		if (r)
			label(r, s, p - s);
		s = trim(p + 1);
	}
}

static void statement(struct rw *r, char *s)
{
	r->pos++;
	s = skip_labels(r, s);
	if (!*s)
		;
	else if (s[0] == '.')
		directive(r, s);
	else if (strlen(s) >= MAX_STMT)
		error(r, "statement longer than %d bytes", MAX_STMT);
	else if (!r->in_code)
		fprintf(r->out, "\t%s\n", s); /* instructions outside code sections are data to us */
	else
		instruction(r, s);
	loop_end(r);
}

/* One line: comments out, then each statement. */
static void line(struct rw *r, char *l)
{
	char *cur = l, *st;

	strip_comment(&r->in_comment, l);
	while ((st = next_statement(&cur)))
		statement(r, st);
}

/* Address-taken names on one line: "$x" and "x(%rip)" in instructions,
 * every name in an address-sized data directive (".quad .L3", the label
 * table of a computed goto). Marking a data label too is harmless: only
 * labels in code sections are aligned. */
static int collect_refs(struct rw *r, const char *t, const char *e)
{
	static const char *const data_dirs[] = { ".quad", ".long", ".8byte", ".4byte", ".int", ".dc.a", NULL };
	bool data = false;
	int rc = 0;

	if (*t == '.') {
		const char *d = t;
		char word[16];
		while (d < e && !isspace((unsigned char)*d))
			d++;
		if ((size_t)(d - t) >= sizeof(word))
			return 0;
		snprintf(word, sizeof(word), "%.*s", (int)(d - t), t);
		if (!in_list(word, data_dirs))
			return 0;
		data = true;
		t = d;
	}
	for (const char *q = t; q < e && rc == 0; q++) {
		const char *qe = q;
		if (is_quote(*q)) {
			/* "$x" in a string is no reference */
			q = skip_literal(q) - 1;
			continue;
		}
		if (!(isalpha((unsigned char)*q) || *q == '_' || *q == '.') ||
		    (q > t && q[-1] != '$' && (is_ident_char((unsigned char)q[-1]) || q[-1] == '%' || q[-1] == '@')))
			continue;
		while (qe < e && is_ident_char((unsigned char)*qe))
			qe++;
		if (data || (q > t && q[-1] == '$') || (qe + 5 <= e && !strncmp(qe, "(%rip", 5)))
			rc = set_add(&r->addr_taken, q, qe - q);
		q = qe - 1;
	}
	return rc;
}

/* The names a .globl/.global lists ("a, b"), or the one a .type names
 * when it says function (@function, %function, STT_FUNC, gnu_indirect_function). */
static int collect_symbols(struct rw *r, const char *st)
{
	bool globl = st[1] == 'g';
	const char *name = st;
	int rc = 0;

	while (*name && !isspace((unsigned char)*name))
		name++;
	while (rc == 0) {
		const char *ne;
		while (isspace((unsigned char)*name))
			name++;
		ne = name;
		while (is_ident_char((unsigned char)*ne))
			ne++;
		if (ne == name)
			break;
		if (!globl) {
			if (strstr(ne, "function") || strstr(ne, "STT_FUNC"))
				rc = set_add(&r->functions, name, ne - name);
			break;
		}
		rc = set_add(&r->functions, name, ne - name);
		while (isspace((unsigned char)*ne))
			ne++;
		if (*ne != ',')
			break;
		name = ne + 1;
	}
	return rc;
}

/* Pre-pass, loops: the labels that start statement r->pos (code labels
 * recorded with it); returns what follows them. */
static char *scan_labels(struct rw *r, char *s, int *rc)
{
	for (s = trim(s);;) {
		char *p = s, *e;
		while (is_ident_char((unsigned char)*p))
			p++;
		if (p == s || *p != ':' || s[0] == '$')
			return s;
		if (r->in_code && *rc == 0) {
			long num = strtol(s, &e, 10);
			if (e == p && isdigit((unsigned char)*s)) {
				if (num >= 0 && num < 100)
					r->numlab[num] = r->pos;
			} else {
				*rc = set_put(&r->labels, s, p - s, r->pos);
			}
		}
		s = trim(p + 1);
	}
}

/* Pre-pass, loops: a direct jump to a label ("jne .L8", "jmp 1b") */
static int scan_jump(struct rw *r, const char *st)
{
	const char *m = st, *t;
	char *e;
	struct jump j = { .target = -1, .at = r->pos };

	if (m[0] != 'j' && strncmp(m, "loop", 4) != 0)
		return 0;
	for (t = m; *t && !isspace((unsigned char)*t); t++)
		;
	while (isspace((unsigned char)*t))
		t++;
	if (!*t || *t == '*')
		return 0;
	if (isdigit((unsigned char)*t)) {
		long num = strtol(t, &e, 10);
		if (*e != 'b' || e[1] || num >= 100 || r->numlab[num] < 0)
			return 0; /* "1f" is forward */
		j.target = r->numlab[num];
	} else {
		for (e = (char *)t; is_ident_char((unsigned char)*e); e++)
			;
		if (*e)
			return 0;
		if (!(j.name = strdup(t)))
			return -ENOMEM;
	}
	if (r->njumps == r->capj) {
		size_t cap = r->capj ? r->capj * 2 : 256;
		struct jump *n = realloc(r->jumps, cap * sizeof(*n));
		if (!n) {
			free(j.name);
			return -ENOMEM;
		}
		r->jumps = n;
		r->capj = cap;
	}
	r->jumps[r->njumps++] = j;
	return 0;
}

/* Pre-pass: a section directive at r->pos (a jump back across one, from
 * a cold part to the hot one, is no loop) */
static int scan_switch(struct rw *r)
{
	if (r->nswitches == r->capsw) {
		size_t cap = r->capsw ? r->capsw * 2 : 64;
		long *n = realloc(r->switches, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		r->switches = n;
		r->capsw = cap;
	}
	r->switches[r->nswitches++] = r->pos;
	return 0;
}

/* is there a section directive in (h, e]? (switches are in order) */
static bool switch_between(const struct rw *r, long h, long e)
{
	size_t lo = 0, hi = r->nswitches;

	while (lo < hi) { /* the first switch after h */
		size_t mid = (lo + hi) / 2;
		if (r->switches[mid] <= h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->nswitches && r->switches[lo] <= e;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

static int cmp_loop(const void *a, const void *b)
{
	const struct loop *x = a, *y = b;
	return (x->head > y->head) - (x->head < y->head);
}

/* After the pre-pass: the innermost loops (a backward jump to a label in
 * the same function, holding no other such loop), and the functions
 * that hold them. Partly overlapping loops keep only the first. */
static int plan_loops(struct rw *r)
{
	long *fn = calloc(r->labels.n + 1, sizeof(long));
	struct loop *all = calloc(r->njumps + 1, sizeof(*all));
	size_t nfn = 0, n = 0, m = 0;

	if (!fn || !all) {
		free(fn);
		free(all);
		return -ENOMEM;
	}
	for (size_t i = 0; i < r->labels.cap; i++)
		if (r->labels.slot[i] && set_has(&r->functions, r->labels.slot[i], strlen(r->labels.slot[i])))
			fn[nfn++] = r->labels.val[i];
	qsort(fn, nfn, sizeof(long), cmp_long);
	for (size_t i = 0; i < r->njumps; i++) {
		struct jump *j = &r->jumps[i];
		long h = j->name ? set_get(&r->labels, j->name, strlen(j->name)) : j->target;
		size_t k = 0;
		if (h < 0 || h > j->at)
			continue;
		while (k < nfn && fn[k] <= h)
			k++;
		if (k < nfn && fn[k] <= j->at)
			continue; /* back into another function: no loop */
		if (switch_between(r, h, j->at))
			continue; /* from another section */
		all[n++] = (struct loop){ h, j->at };
	}
	qsort(all, n, sizeof(*all), cmp_loop);
	for (size_t i = 0; i < n; i++) { /* one loop per head, to its last back edge */
		if (m && all[m - 1].head == all[i].head) {
			if (all[i].end > all[m - 1].end)
				all[m - 1].end = all[i].end;
		} else {
			all[m++] = all[i];
		}
	}
	n = 0;
	for (size_t i = 0; i < m; i++) {
		bool inner = true;
		for (size_t k = i + 1; k < m && all[k].head <= all[i].end && inner; k++)
			inner = all[k].end > all[i].end;
		if (inner && (!n || all[i].head > all[n - 1].end))
			all[n++] = all[i];
	}
	r->loops = all;
	r->nloops = n;
	r->anchors = fn; /* reused: the function before each loop, in order */
	r->nanchors = 0;
	for (size_t i = 0, k = 0; i < n; i++) {
		long f = -1;
		while (k < nfn && fn[k] <= all[i].head)
			f = fn[k++];
		if (f >= 0 && (!r->nanchors || r->anchors[r->nanchors - 1] != f))
			r->anchors[r->nanchors++] = f;
	}
	return 0;
}

/* Pre-pass: which labels are functions (.type X,@function, or .globl in
 * hand-written code that omits .type), and which have their address
 * taken: all may be indirect-branch targets, so all start a bundle. It
 * reads the statements the main pass will: comments out, split at ';',
 * labels skipped. */
static int collect(struct rw *r, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	char buf[MAX_STMT * 2];
	bool in_comment = false;
	int rc = 0;

	while (p < end && rc == 0) {
		const char *l = p, *nl = memchr(p, '\n', end - p);
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *cur = buf, *st;

		p = nl ? nl + 1 : end;
		if (n >= sizeof(buf))
			continue; /* the main pass reports it */
		memcpy(buf, l, n);
		buf[n] = '\0';
		strip_comment(&in_comment, buf);
		while (rc == 0 && (st = next_statement(&cur))) {
			r->pos++;
			st = scan_labels(r, st, &rc);
			if (is_directive(st, ".type") || is_directive(st, ".globl") || is_directive(st, ".global"))
				rc = rc ? rc : collect_symbols(r, st);
			else if (*st)
				rc = rc ? rc : collect_refs(r, st, st + strlen(st));
			if (rc == 0 && st[0] == '.' && track_section(r, st))
				rc = scan_switch(r);
			else if (rc == 0 && *st && r->in_code)
				rc = scan_jump(r, st);
		}
	}
	/* the main pass starts over */
	r->pos = 0;
	r->in_code = true;
	r->prev_code = false;
	r->depth = 0;
	return rc ? rc : plan_loops(r);
}

/* "# 12 "file" flags": the next line is line 12 of file; an empty name
 * ("# 0 "" 2", the end of an inline asm block) goes back to the input.
 * The name runs to the line's last quote: gcc writes it raw around inline
 * asm ('# 1 "a"b;#c.c" 1'), cpp escapes '\\' and '"' (undone here), so
 * errors name the file as it is called. */
static void line_marker(struct rw *r, const char *l, size_t n)
{
	const char *e = l + n, *q;
	unsigned long num = 0;
	size_t len = 0;

	if (n < 5 || l[0] != '#')
		return;
	for (l++; l < e && *l == ' '; l++)
		;
	if (l == e || !isdigit((unsigned char)*l))
		return;
	for (; l < e && isdigit((unsigned char)*l); l++)
		num = num * 10 + (unsigned long)(*l - '0');
	if (l == e || *l != ' ' || l + 1 == e || l[1] != '"')
		return;
	l += 2;
	for (q = e; q > l && q[-1] != '"'; q--)
		;
	if (q == l)
		return;
	for (q--; l < q; l++) {
		if (*l == '\\' && l + 1 < q && (l[1] == '\\' || l[1] == '"'))
			l++;
		if (len + 1 >= sizeof(r->mark_file))
			return;
		r->mark_file[len++] = *l;
	}
	r->mark_file[len] = '\0';
	r->mark_line = (unsigned)num;
	r->mark_at = r->line;
}

int zvm_rewrite(const char *text, size_t len, const char *name, FILE *out, FILE *errs)
{
	struct rw r = { .name = name, .out = out, .errs = errs, .in_code = true, .label_pos = -1, .anchor_pos = -1 };
	const char *p = text, *end = text + len;
	char buf[MAX_STMT * 2];
	int rc;

	const char *ret_env = getenv("ZVM_CC_RETURN");

	r.pop_return = ret_env && !strcmp(ret_env, "pop");
	for (size_t i = 0; i < sizeof(r.numlab) / sizeof(r.numlab[0]); i++)
		r.numlab[i] = -1;
	if ((rc = collect(&r, text, len)) < 0)
		goto out;
	fprintf(out, "\t.bundle_align_mode 5\n");
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		r.line++;
		if (!r.in_comment)
			line_marker(&r, p, n);
		if (n >= sizeof(buf)) {
			error(&r, "line longer than %zu bytes", sizeof(buf) - 1);
		} else {
			memcpy(buf, p, n);
			buf[n] = '\0';
			line(&r, buf);
		}
		p = nl ? nl + 1 : end;
	}
	for (unsigned i = 1; i <= r.anchor_id; i++)
		fprintf(out, "\t.set .Lzvm_fb%u, .Lzvm_fa%u\n", i, i);
	for (unsigned i = 1; i <= r.call_anchor_id; i++)
		fprintf(out, "\t.set .Lzvm_cb%u, .Lzvm_ca%u\n", i, i);
	rc = r.errors ? -EINVAL : 0;
out:
	set_free(&r.functions);
	set_free(&r.addr_taken);
	set_free(&r.labels);
	for (size_t i = 0; i < r.njumps; i++)
		free(r.jumps[i].name);
	free(r.jumps);
	free(r.switches);
	free(r.loops);
	free(r.anchors);
	return rc;
}
