/*
 * format.c — printf's formatter, shared by every printf-family function.
 *
 * Integers: %d %i %u %o %x %X %c %s %p %n %% with the flags "-+ #0", width,
 * precision ('*' too) and the hh h l ll j z t L modifiers.
 * Floating point: %f %F %e %E %g %G %a %A. A double is m * 2^e; it is turned
 * into its exact decimal expansion with a small bignum and rounded once,
 * half to even on the exact value, which is what glibc does in the default
 * rounding mode, so the output is byte for byte glibc's. long double
 * arguments are read as long double but printed through double (see
 * runtime/README.md for that and the other differences).
 *
 * Nothing is buffered here: pieces go to the sink's out() as they are made,
 * so any precision or width works without a large stack buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "include/zvm-libc.h"

struct spec {
	int left, plus, space, alt, zero;
	int width, prec; /* prec < 0: none given */
	char len;        /* 'H' hh, 'h', 'l', 'L' ll/j/z/t, 'D' long double */
	char conv;
};

struct sink {
	void (*out)(void *, const char *, size_t); /* NULL: only count */
	void *ctx;
	size_t count;
};

static void put(struct sink *s, const char *p, size_t n)
{
	if (n && s->out)
		s->out(s->ctx, p, n);
	s->count += n;
}

static void pad(struct sink *s, char c, size_t n)
{
	char buf[64];

	if (!n)
		return;
	if (!s->out) {
		s->count += n;
		return;
	}
	memset(buf, c, sizeof(buf));
	while (n > 0) {
		size_t k = n > sizeof(buf) ? sizeof(buf) : n;
		put(s, buf, k);
		n -= k;
	}
}

static size_t fill_for(const struct spec *sp, size_t len)
{
	return (size_t)sp->width > len ? (size_t)sp->width - len : 0;
}

/* Writes prefix, zeros, body with the field's width and flags. */
static void field(struct sink *s, const struct spec *sp, const char *prefix, size_t zeros,
		  const char *body, size_t blen)
{
	size_t plen = strlen(prefix), fill = fill_for(sp, plen + zeros + blen);

	if (!sp->left && !sp->zero)
		pad(s, ' ', fill);
	put(s, prefix, plen);
	if (!sp->left && sp->zero)
		pad(s, '0', fill);
	pad(s, '0', zeros);
	put(s, body, blen);
	if (sp->left)
		pad(s, ' ', fill);
}

static void fmt_int(struct sink *s, struct spec *sp, uint64_t v, int neg)
{
	char buf[24], prefix[4] = "";
	const char *digits = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = sp->conv == 'o' ? 8 : (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p') ? 16 : 10;
	int n = 0, prec = sp->prec;
	size_t zeros;

	while (v) {
		buf[sizeof(buf) - 1 - n++] = digits[v % base];
		v /= base;
	}
	if (neg)
		strcpy(prefix, "-");
	else if (sp->plus && sp->conv != 'u' && sp->conv != 'o' && sp->conv != 'x' && sp->conv != 'X')
		strcpy(prefix, "+");
	else if (sp->space && sp->conv != 'u' && sp->conv != 'o' && sp->conv != 'x' && sp->conv != 'X')
		strcpy(prefix, " ");
	if ((sp->alt && (sp->conv == 'x' || sp->conv == 'X') && n) || sp->conv == 'p')
		strcat(prefix, sp->conv == 'X' ? "0X" : "0x");
	/* a precision turns the 0 flag off; '#' on %o only adds a leading zero */
	if (prec >= 0)
		sp->zero = 0;
	else
		prec = 1;
	if (sp->alt && sp->conv == 'o' && prec <= n)
		prec = n + 1;
	zeros = prec > n ? (size_t)(prec - n) : 0;
	field(s, sp, prefix, zeros, buf + sizeof(buf) - n, (size_t)n);
}

/* ---- exact decimal expansion of a double ------------------------------ */

#define LIMBS 90 /* base 1e9: 5^1074 * 2^53 has 767 digits */
#define DIGITS (LIMBS * 9)

struct big {
	uint32_t d[LIMBS]; /* least significant first */
	int n;
};

static void big_mul(struct big *b, uint32_t f)
{
	uint64_t carry = 0;

	for (int i = 0; i < b->n; i++) {
		uint64_t x = (uint64_t)b->d[i] * f + carry;
		b->d[i] = (uint32_t)(x % 1000000000u);
		carry = x / 1000000000u;
	}
	while (carry && b->n < LIMBS) {
		b->d[b->n++] = (uint32_t)(carry % 1000000000u);
		carry /= 1000000000u;
	}
}

/* The digits of |v| (v finite, no leading zeros) into out; returns their
 * count and sets *point so that v = 0.DIGITS * 10^point. Zero is "0" with
 * point 1. */
static int decimal(double v, char *out, int *point)
{
	union { double d; uint64_t u; } u = { .d = v };
	uint64_t m = u.u & ((1ull << 52) - 1);
	int e = (int)((u.u >> 52) & 0x7ff), n = 0, z = 0;
	struct big b = { .n = 0 };

	if (e == 0 && m == 0) {
		out[0] = '0';
		*point = 1;
		return 1;
	}
	if (e)
		m |= 1ull << 52;
	else
		e = 1;
	e -= 1075; /* |v| = m * 2^e */
	while (m) {
		b.d[b.n++] = (uint32_t)(m % 1000000000u);
		m /= 1000000000u;
	}
	for (; e > 0; e -= e > 29 ? 29 : e)
		big_mul(&b, 1u << (e > 29 ? 29 : e));
	*point = e; /* m / 2^k = m * 5^k / 10^k */
	for (int k = -e; k > 0; k -= 13) {
		uint32_t f = 1;
		for (int j = 0; j < (k > 13 ? 13 : k); j++)
			f *= 5;
		big_mul(&b, f);
	}
	for (int i = b.n - 1; i >= 0; i--) {
		uint32_t x = b.d[i];
		for (int j = 8; j >= 0; j--) {
			out[n + j] = (char)('0' + x % 10);
			x /= 10;
		}
		n += 9;
	}
	while (z < n - 1 && out[z] == '0')
		z++;
	memmove(out, out + z, (size_t)(n - z));
	n -= z;
	*point += n;
	return n;
}

/* Rounds d[0..n) to `keep` digits, half to even (keep may be 0: the value
 * then rounds to 0 or to one unit of the next place). Returns the new count;
 * *point moves up when a carry adds a digit. */
static int round_digits(char *d, int n, int keep, int *point)
{
	int up;

	if (keep >= n)
		return n;
	if (keep < 0)
		return 0; /* below half a unit of the last place kept */
	if (d[keep] != '5') {
		up = d[keep] > '5';
	} else {
		up = 0;
		for (int i = keep + 1; i < n; i++)
			if (d[i] != '0')
				up = 1;
		if (!up)
			up = keep > 0 && ((d[keep - 1] - '0') & 1);
	}
	n = keep;
	if (up) {
		int i = keep - 1;
		while (i >= 0 && d[i] == '9')
			d[i--] = '0';
		if (i >= 0) {
			d[i]++;
		} else {
			/* all nines (or nothing kept): 1 followed by the zeros */
			d[0] = '1';
			if (n == 0)
				n = 1;
			(*point)++;
		}
	}
	return n;
}

/* [int].[frac] from digits d (value 0.d * 10^point), `prec` fraction digits. */
static void emit_fixed(struct sink *s, const char *d, int n, int point, int prec, int alt)
{
	if (point <= 0) {
		put(s, "0", 1);
	} else {
		put(s, d, (size_t)(point < n ? point : n));
		if (point > n)
			pad(s, '0', (size_t)(point - n));
	}
	if (prec > 0 || alt)
		put(s, ".", 1);
	if (prec > 0) {
		int lead = point < 0 ? -point : 0, from = point > 0 ? point : 0;
		if (lead > prec)
			lead = prec;
		pad(s, '0', (size_t)lead);
		if (from < n) {
			int k = n - from < prec - lead ? n - from : prec - lead;
			put(s, d + from, (size_t)k);
			lead += k;
		}
		pad(s, '0', (size_t)(prec - lead));
	}
}

static void emit_exp(struct sink *s, const char *d, int n, int x, int prec, int alt, char e)
{
	char tail[8];
	int k = 0, ax = x < 0 ? -x : x;

	put(s, d, 1);
	if (prec > 0 || alt)
		put(s, ".", 1);
	if (prec > 0) {
		int have = n - 1 < prec ? n - 1 : prec;
		put(s, d + 1, (size_t)have);
		pad(s, '0', (size_t)(prec - have));
	}
	tail[k++] = e;
	tail[k++] = x < 0 ? '-' : '+';
	if (ax >= 100)
		tail[k++] = (char)('0' + ax / 100);
	tail[k++] = (char)('0' + ax / 10 % 10);
	tail[k++] = (char)('0' + ax % 10);
	put(s, tail, (size_t)k);
}

struct fparts {
	char d[DIGITS + 2];
	int n, point, x, prec, style; /* style 'f' or 'e' */
};

/* %a: hexadecimal mantissa, glibc's layout (0x1.8p+1; subnormals 0x0.xp-1022). */
static void emit_hex(struct sink *s, double v, int prec, int alt, int upper, int with_0x)
{
	union { double d; uint64_t u; } u = { .d = v };
	uint64_t m = u.u & ((1ull << 52) - 1);
	int e = (int)((u.u >> 52) & 0x7ff), lead = 1, x, k = 0;
	const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[40];

	if (e == 0) {
		lead = 0;
		x = m ? -1022 : 0;
	} else {
		x = e - 1023;
	}
	if (prec >= 0 && prec < 13) {
		/* round the digits with the leading one, half to even */
		int drop = (13 - prec) * 4;
		uint64_t all = ((uint64_t)lead << 52) | m;
		uint64_t rest = all & ((1ull << drop) - 1), half = 1ull << (drop - 1);
		all >>= drop;
		if (rest > half || (rest == half && (all & 1)))
			all++;
		lead = (int)(all >> (prec * 4));
		m = (all << drop) & ((1ull << 52) - 1);
	}
	if (with_0x) {
		buf[k++] = '0';
		buf[k++] = upper ? 'X' : 'x';
	}
	buf[k++] = (char)('0' + lead);
	{
		int nd = 13;
		if (prec < 0)
			while (nd > 0 && !((m >> ((13 - nd) * 4)) & 15))
				nd--;
		else if (prec < 13)
			nd = prec;
		if (nd > 0 || alt || prec > 0)
			buf[k++] = '.';
		for (int i = 0; i < nd; i++)
			buf[k++] = hex[(m >> ((12 - i) * 4)) & 15];
	}
	put(s, buf, (size_t)k);
	if (prec > 13)
		pad(s, '0', (size_t)(prec - 13));
	k = 0;
	buf[k++] = upper ? 'P' : 'p';
	buf[k++] = x < 0 ? '-' : '+';
	{
		int ax = x < 0 ? -x : x, p = 1000;
		while (p > 1 && ax < p)
			p /= 10;
		for (; p; p /= 10)
			buf[k++] = (char)('0' + ax / p % 10);
	}
	put(s, buf, (size_t)k);
}

static void fmt_float(struct sink *s, struct spec *sp, double v)
{
	struct fparts f;
	struct sink count = { NULL, NULL, 0 };
	char prefix[2] = "";
	int upper = sp->conv >= 'A' && sp->conv <= 'Z', alt = sp->alt;
	char c = (char)(sp->conv | 0x20);
	size_t fill;

	if (__builtin_signbit(v)) {
		prefix[0] = '-';
		v = -v;
	} else if (sp->plus) {
		prefix[0] = '+';
	} else if (sp->space) {
		prefix[0] = ' ';
	}
	if (__builtin_isnan(v) || __builtin_isinf(v)) {
		sp->zero = 0;
		field(s, sp, prefix, 0, __builtin_isnan(v) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf"), 3);
		return;
	}
	if (c == 'a') {
		emit_hex(&count, v, sp->prec, alt, upper, 1);
		fill = fill_for(sp, strlen(prefix) + count.count);
		if (!sp->left && !sp->zero)
			pad(s, ' ', fill);
		put(s, prefix, strlen(prefix));
		if (!sp->left && sp->zero) { /* zeros go between "0x" and the digits */
			put(s, upper ? "0X" : "0x", 2);
			pad(s, '0', fill);
			emit_hex(s, v, sp->prec, alt, upper, 0);
		} else {
			emit_hex(s, v, sp->prec, alt, upper, 1);
		}
		if (sp->left)
			pad(s, ' ', fill);
		return;
	}
	if (sp->prec < 0)
		sp->prec = 6;
	f.n = decimal(v, f.d, &f.point);
	if (c == 'f') {
		f.n = round_digits(f.d, f.n, f.point + sp->prec, &f.point);
		f.style = 'f';
		f.prec = sp->prec;
	} else if (c == 'e') {
		f.n = round_digits(f.d, f.n, sp->prec + 1, &f.point);
		f.x = v == 0 ? 0 : f.point - 1;
		f.style = 'e';
		f.prec = sp->prec;
	} else { /* g: P significant digits, fixed if -4 <= X < P */
		int p = sp->prec ? sp->prec : 1, before = f.point;
		f.n = round_digits(f.d, f.n, p, &f.point);
		f.x = v == 0 ? 0 : f.point - 1;
		if (!alt) /* trailing zeros of the fraction are dropped */
			while (f.n > 1 && f.d[f.n - 1] == '0')
				f.n--;
		if (f.x < p && f.x >= -4) {
			f.style = 'f';
			f.prec = p - 1 - f.x;
			if (!alt && f.prec > f.n - f.point)
				f.prec = f.n - f.point > 0 ? f.n - f.point : 0;
		} else {
			f.style = 'e';
			f.prec = p - 1;
			if (!alt && f.prec > f.n - 1)
				f.prec = f.n - 1;
			/* glibc chooses the digits before rounding: when the carry
			 * of 9.99.. pushes the exponent to P, "%#.2g" of 99.96 is
			 * "1.e+02" there, not "1.0e+02". Do the same. */
			if (alt && f.point != before && f.x == p)
				f.prec = 0;
		}
	}
	if (f.n == 0) { /* rounded to zero */
		f.d[0] = '0';
		f.n = 1;
		f.point = 1;
	}
	if (f.style == 'f')
		emit_fixed(&count, f.d, f.n, f.point, f.prec, alt);
	else
		emit_exp(&count, f.d, f.n, f.x, f.prec, alt, upper ? 'E' : 'e');
	fill = fill_for(sp, strlen(prefix) + count.count);
	if (!sp->left && !sp->zero)
		pad(s, ' ', fill);
	put(s, prefix, strlen(prefix));
	if (!sp->left && sp->zero)
		pad(s, '0', fill);
	if (f.style == 'f')
		emit_fixed(s, f.d, f.n, f.point, f.prec, alt);
	else
		emit_exp(s, f.d, f.n, f.x, f.prec, alt, upper ? 'E' : 'e');
	if (sp->left)
		pad(s, ' ', fill);
}

int __zvm_format(void (*out)(void *, const char *, size_t), void *ctx, const char *fmt, va_list ap)
{
	struct sink s = { out, ctx, 0 };

	while (*fmt) {
		struct spec sp = { .prec = -1 };
		const char *pct = strchr(fmt, '%');

		if (!pct) {
			put(&s, fmt, strlen(fmt));
			break;
		}
		put(&s, fmt, (size_t)(pct - fmt));
		fmt = pct + 1;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = 1;
			else if (*fmt == '+')
				sp.plus = 1;
			else if (*fmt == ' ')
				sp.space = 1;
			else if (*fmt == '#')
				sp.alt = 1;
			else if (*fmt == '0')
				sp.zero = 1;
			else
				break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = 1;
				sp.width = sp.width == -2147483647 - 1 ? 2147483647 : -sp.width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				sp.width = sp.width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			sp.prec = 0;
			if (*fmt == '*') {
				sp.prec = va_arg(ap, int); /* negative: as if none */
				if (sp.prec < 0)
					sp.prec = -1;
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					sp.prec = sp.prec * 10 + (*fmt++ - '0');
			}
		}
		if (sp.left)
			sp.zero = 0;
		if (sp.plus)
			sp.space = 0;
		switch (*fmt) {
		case 'h':
			sp.len = fmt[1] == 'h' ? 'H' : 'h';
			fmt += fmt[1] == 'h' ? 2 : 1;
			break;
		case 'l':
			sp.len = fmt[1] == 'l' ? 'L' : 'l';
			fmt += fmt[1] == 'l' ? 2 : 1;
			break;
		case 'q': case 'z': case 'j': case 't':
			sp.len = 'L';
			fmt++;
			break;
		case 'L':
			sp.len = 'D';
			fmt++;
			break;
		}
		sp.conv = *fmt ? *fmt++ : '\0';
		switch (sp.conv) {
		case 'd': case 'i': {
			long long v = sp.len == 'L' ? va_arg(ap, long long) : sp.len == 'l' ? va_arg(ap, long) : va_arg(ap, int);
			if (sp.len == 'h')
				v = (short)v;
			if (sp.len == 'H')
				v = (signed char)v;
			fmt_int(&s, &sp, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
			break;
		}
		case 'u': case 'x': case 'X': case 'o': {
			unsigned long long v = sp.len == 'L' ? va_arg(ap, unsigned long long)
					       : sp.len == 'l' ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			if (sp.len == 'h')
				v = (unsigned short)v;
			if (sp.len == 'H')
				v = (unsigned char)v;
			fmt_int(&s, &sp, v, 0);
			break;
		}
		case 'p': {
			void *p = va_arg(ap, void *);
			if (!p) {
				sp.zero = 0;
				field(&s, &sp, "", 0, "(nil)", 5);
			} else {
				sp.alt = 1;
				fmt_int(&s, &sp, (uintptr_t)p, 0);
			}
			break;
		}
		case 'c': {
			char ch = (char)va_arg(ap, int);
			sp.zero = 0;
			field(&s, &sp, "", 0, &ch, 1);
			break;
		}
		case 's': {
			const char *str = va_arg(ap, const char *);
			size_t n;
			if (!str)
				str = sp.prec < 0 || sp.prec >= 6 ? "(null)" : "";
			n = sp.prec >= 0 ? strnlen(str, (size_t)sp.prec) : strlen(str);
			sp.zero = 0;
			field(&s, &sp, "", 0, str, n);
			break;
		}
		case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
			fmt_float(&s, &sp, sp.len == 'D' ? (double)va_arg(ap, long double) : va_arg(ap, double));
			break;
		case 'n':
			if (sp.len == 'L')
				*va_arg(ap, long long *) = (long long)s.count;
			else if (sp.len == 'l')
				*va_arg(ap, long *) = (long)s.count;
			else if (sp.len == 'h')
				*va_arg(ap, short *) = (short)s.count;
			else if (sp.len == 'H')
				*va_arg(ap, signed char *) = (signed char)s.count;
			else
				*va_arg(ap, int *) = (int)s.count;
			break;
		case '%':
			put(&s, "%", 1);
			break;
		case '\0':
			/* a lone '%' at the end: glibc prints nothing for it */
			break;
		default:
			put(&s, pct, (size_t)(fmt - pct));
		}
	}
	return s.count > 2147483647u ? -1 : (int)s.count;
}
