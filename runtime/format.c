/*
 * format.c — printf's formatter. Floating point is converted exactly (a
 * double is m * 2^e, turned into an exact decimal with a small bignum) and
 * rounded half-to-even, so %f/%e/%g print what glibc prints.
 */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "zvm-libc.h"

struct spec {
	int left, plus, space, alt, zero;
	int width, prec; /* prec < 0: none */
	char len;        /* 'H' hh, 'h', 'l', 'L' ll/j/z/t, 'D' long double */
	char conv;
};

struct sink {
	void (*out)(void *, const char *, size_t);
	void *ctx;
	int count;
};

static void put(struct sink *s, const char *p, size_t n)
{
	if (n) {
		s->out(s->ctx, p, n);
		s->count += (int)n;
	}
}

static void pad(struct sink *s, char c, int n)
{
	char buf[64];

	memset(buf, c, sizeof(buf));
	while (n > 0) {
		int k = n > 64 ? 64 : n;
		put(s, buf, k);
		n -= k;
	}
}

/* Writes prefix + zeros + body with the field's width and flags. */
static void field(struct sink *s, const struct spec *sp, const char *prefix, int zeros,
		  const char *body, int blen)
{
	int plen = (int)strlen(prefix), total = plen + zeros + blen, fill = sp->width - total;

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
	char buf[32], prefix[4] = "";
	const char *digits = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = sp->conv == 'o' ? 8 : (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p') ? 16 : 10;
	int n = 0, zeros;

	while (v) {
		buf[sizeof(buf) - 1 - n++] = digits[v % base];
		v /= base;
	}
	if (neg)
		strcpy(prefix, "-");
	else if (sp->plus && (sp->conv == 'd' || sp->conv == 'i'))
		strcpy(prefix, "+");
	else if (sp->space && (sp->conv == 'd' || sp->conv == 'i'))
		strcpy(prefix, " ");
	if ((sp->alt && (sp->conv == 'x' || sp->conv == 'X') && n) || sp->conv == 'p')
		strcat(prefix, sp->conv == 'X' ? "0X" : "0x");
	if (sp->alt && sp->conv == 'o' && (sp->prec <= n))
		sp->prec = n + 1;
	if (sp->prec >= 0)
		sp->zero = 0;
	if (sp->prec < 0)
		sp->prec = 1;
	zeros = sp->prec > n ? sp->prec - n : 0;
	field(s, sp, prefix, zeros, buf + sizeof(buf) - n, n);
}

/* ---- exact decimal expansion of a double ------------------------------ */

#define LIMBS 130 /* base 1e9: enough for 5^1074 * 2^53 */

struct big {
	uint32_t d[LIMBS];
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

/* digits of |v| (no leading zeros) into out; returns their count and sets
 * *point: the value is 0.DIGITS * 10^point. */
static int decimal(double v, char *out, int *point)
{
	union { double d; uint64_t u; } u = { .d = v };
	uint64_t m = u.u & ((1ull << 52) - 1);
	int e = (int)((u.u >> 52) & 0x7ff), dexp = 0, n = 0;
	struct big b = { .n = 0 };
	char tmp[LIMBS * 9 + 1];

	if (e == 0 && m == 0) {
		out[0] = '0';
		*point = 1;
		return 1;
	}
	if (e)
		m |= 1ull << 52;
	else
		e = 1;
	e -= 1075; /* v = m * 2^e */
	b.d[b.n++] = (uint32_t)(m % 1000000000u);
	m /= 1000000000u;
	while (m) {
		b.d[b.n++] = (uint32_t)(m % 1000000000u);
		m /= 1000000000u;
	}
	for (; e > 0; e -= e > 29 ? 29 : e)
		big_mul(&b, 1u << (e > 29 ? 29 : e));
	if (e < 0) {
		/* m / 2^k = m * 5^k / 10^k */
		dexp = e;
		for (int k = -e; k > 0; k -= k > 12 ? 12 : k) {
			uint32_t f = 1;
			for (int j = 0; j < (k > 12 ? 12 : k); j++)
				f *= 5;
			big_mul(&b, f);
		}
	}
	for (int i = b.n - 1; i >= 0; i--) {
		uint32_t x = b.d[i];
		for (int j = 8; j >= 0; j--) {
			tmp[n + j] = (char)('0' + x % 10);
			x /= 10;
		}
		n += 9;
	}
	{
		int z = 0;
		while (z < n - 1 && tmp[z] == '0')
			z++;
		memcpy(out, tmp + z, n - z);
		n -= z;
	}
	*point = n + dexp;
	return n;
}

/* Rounds digits[0..n) to keep `keep` digits, half to even. Returns the new
 * count; *point moves up if a carry adds a digit. */
static int round_digits(char *d, int n, int keep, int *point)
{
	int up;

	if (keep >= n)
		return n;
	if (keep < 0) {
		d[0] = '0';
		return 0;
	}
	if (d[keep] > '5')
		up = 1;
	else if (d[keep] < '5')
		up = 0;
	else {
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
			memmove(d + 1, d, n);
			d[0] = '1';
			n++;
			(*point)++;
		}
	}
	return n;
}

#define FBUF 1600

static int emit_fixed(char *o, const char *d, int n, int point, int prec, int alt)
{
	int k = 0;

	if (point <= 0)
		o[k++] = '0';
	for (int i = 0; i < point; i++)
		o[k++] = i < n ? d[i] : '0';
	if (prec > 0 || alt)
		o[k++] = '.';
	for (int i = 0; i < prec; i++) {
		int idx = point + i;
		o[k++] = idx >= 0 && idx < n ? d[idx] : '0';
	}
	return k;
}

static int emit_exp(char *o, const char *d, int n, int x, int prec, int alt, char e)
{
	int k = 0, ax = x < 0 ? -x : x;

	o[k++] = n ? d[0] : '0';
	if (prec > 0 || alt)
		o[k++] = '.';
	for (int i = 1; i <= prec; i++)
		o[k++] = i < n ? d[i] : '0';
	o[k++] = e;
	o[k++] = x < 0 ? '-' : '+';
	if (ax >= 100)
		o[k++] = (char)('0' + ax / 100);
	o[k++] = (char)('0' + ax / 10 % 10);
	o[k++] = (char)('0' + ax % 10);
	return k;
}

static void fmt_float(struct sink *s, struct spec *sp, double v)
{
	char d[FBUF], o[FBUF + 400], prefix[2] = "";
	int n, point, k, upper = sp->conv >= 'A' && sp->conv <= 'Z';
	char c = (char)(sp->conv | 0x20);

	if (__builtin_signbit(v)) {
		prefix[0] = '-';
		v = -v;
	} else if (sp->plus)
		prefix[0] = '+';
	else if (sp->space)
		prefix[0] = ' ';
	if (__builtin_isnan(v) || __builtin_isinf(v)) {
		sp->zero = 0;
		field(s, sp, prefix, 0, __builtin_isnan(v) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf"), 3);
		return;
	}
	if (sp->prec < 0)
		sp->prec = 6;
	n = decimal(v, d, &point);
	if (c == 'f') {
		int keep = point + sp->prec;
		n = keep < 0 ? 0 : round_digits(d, n, keep, &point);
		if (n == 0)
			point = 0;
		k = emit_fixed(o, d, n, point, sp->prec, sp->alt);
	} else if (c == 'e') {
		int x;
		n = round_digits(d, n, sp->prec + 1, &point);
		x = (v == 0) ? 0 : point - 1;
		k = emit_exp(o, d, n, x, sp->prec, sp->alt, upper ? 'E' : 'e');
	} else { /* g */
		int p = sp->prec ? sp->prec : 1, x;
		n = round_digits(d, n, p, &point);
		x = (v == 0) ? 0 : point - 1;
		if (x < p && x >= -4)
			k = emit_fixed(o, d, n, point, p - 1 - x, sp->alt);
		else
			k = emit_exp(o, d, n, x, p - 1, sp->alt, upper ? 'E' : 'e');
		if (!sp->alt) {
			/* drop trailing zeros of the fraction (and a bare point) */
			char *ep = memchr(o, upper ? 'E' : 'e', k), *dot = memchr(o, '.', k);
			int tail = ep ? (int)(o + k - ep) : 0, end = k - tail;
			if (dot) {
				int j = end;
				while (j > dot - o + 1 && o[j - 1] == '0')
					j--;
				if (j == dot - o + 1)
					j--;
				memmove(o + j, o + end, tail);
				k = j + tail;
			}
		}
	}
	field(s, sp, prefix, 0, o, k);
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
		put(&s, fmt, pct - fmt);
		fmt = pct + 1;
		for (;; fmt++) {
			if (*fmt == '-') sp.left = 1;
			else if (*fmt == '+') sp.plus = 1;
			else if (*fmt == ' ') sp.space = 1;
			else if (*fmt == '#') sp.alt = 1;
			else if (*fmt == '0') sp.zero = 1;
			else break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = 1;
				sp.width = -sp.width;
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
				sp.prec = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					sp.prec = sp.prec * 10 + (*fmt++ - '0');
			}
		}
		if (sp.left)
			sp.zero = 0;
		if (*fmt == 'h') {
			sp.len = fmt[1] == 'h' ? 'H' : 'h';
			fmt += fmt[1] == 'h' ? 2 : 1;
		} else if (*fmt == 'l') {
			sp.len = fmt[1] == 'l' ? 'L' : 'l';
			fmt += fmt[1] == 'l' ? 2 : 1;
		} else if (*fmt == 'z' || *fmt == 'j' || *fmt == 't') {
			sp.len = 'L';
			fmt++;
		} else if (*fmt == 'L') {
			sp.len = 'D';
			fmt++;
		}
		sp.conv = *fmt ? *fmt++ : '\0';
		switch (sp.conv) {
		case 'd': case 'i': {
			long long v = sp.len == 'L' || sp.len == 'l' ? (sp.len == 'L' ? va_arg(ap, long long) : va_arg(ap, long))
								      : va_arg(ap, int);
			if (sp.len == 'h') v = (short)v;
			if (sp.len == 'H') v = (signed char)v;
			fmt_int(&s, &sp, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
			break;
		}
		case 'u': case 'x': case 'X': case 'o': {
			unsigned long long v = sp.len == 'L' ? va_arg(ap, unsigned long long)
					       : sp.len == 'l' ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			if (sp.len == 'h') v = (unsigned short)v;
			if (sp.len == 'H') v = (unsigned char)v;
			fmt_int(&s, &sp, v, 0);
			break;
		}
		case 'p': {
			void *p = va_arg(ap, void *);
			if (!p) {
				sp.prec = -1;
				field(&s, &sp, "", 0, "(nil)", 5);
			} else
				fmt_int(&s, &sp, (uintptr_t)p, 0);
			break;
		}
		case 'c': {
			char ch = (char)va_arg(ap, int);
			field(&s, &sp, "", 0, &ch, 1);
			break;
		}
		case 's': {
			const char *str = va_arg(ap, const char *);
			int n;
			if (!str)
				str = sp.prec < 0 || sp.prec >= 6 ? "(null)" : "";
			n = sp.prec >= 0 ? (int)strnlen(str, sp.prec) : (int)strlen(str);
			sp.zero = 0;
			field(&s, &sp, "", 0, str, n);
			break;
		}
		case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
			fmt_float(&s, &sp, sp.len == 'D' ? (double)va_arg(ap, long double) : va_arg(ap, double));
			break;
		case 'n':
			*va_arg(ap, int *) = s.count;
			break;
		case '%':
			put(&s, "%", 1);
			break;
		default:
			put(&s, pct, fmt - pct);
		}
	}
	return s.count;
}
