/*
 * units.c — bytes and seconds as people write them: one syntax for the
 * manifest, zvmd's configuration and the zvm command line, so a value that
 * one of them takes, the others take with the same meaning (channels.h).
 *
 * Exact or refused: no sign, no exponent, no hex, no "inf", nothing after
 * the unit, nothing that silently wraps. Pure: no locale, no errno.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "channels/channels.h"

/* The longest number we read (digits and one point): far more than any
 * value in range needs, and it keeps strtod on a bounded copy. */
#define MAX_NUMBER 64

/* Where the unit starts: at s, or after one space that follows the number. */
static const char *unit_of(const char *s)
{
	return s[0] == ' ' && s[1] != '\0' && s[1] != ' ' ? s + 1 : s;
}

static int parse_digits(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* K, M, G, T (either case), alone or with "iB"; "B" or nothing is bytes.
 * Returns the shift, or -1 for anything else ("MB" is refused: it could
 * mean 10^6 as well as 2^20). */
static int byte_unit(const char *u)
{
	static const char letters[] = "kmgt";
	const char *l;

	if (!*u || !strcmp(u, "B"))
		return 0;
	l = strchr(letters, u[0] | 0x20);
	if (!l || (u[1] && strcmp(u + 1, "iB")))
		return -1;
	return 10 * (int)(l - letters + 1);
}

int zvm_parse_bytes(const char *s, uint64_t *out)
{
	size_t n = strspn(s, "0123456789");
	uint64_t v;
	int shift, rc;

	if (n == 0)
		return -EINVAL;
	shift = byte_unit(unit_of(s + n));
	if (shift < 0)
		return -EINVAL;
	if ((rc = parse_digits(s, n, &v)) < 0)
		return rc;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

/* s, ms, min, h; nothing is seconds. Milliseconds divide, so that "1ms" is
 * exactly what "0.001" is. Returns false for anything else ("m" is refused:
 * minutes or milliseconds?). */
static bool second_unit(const char *u, double *mul, double *div)
{
	static const struct { const char *name; double mul, div; } units[] = {
		{ "", 1, 1 }, { "s", 1, 1 }, { "ms", 1, 1000 }, { "min", 60, 1 }, { "h", 3600, 1 },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(u, units[i].name)) {
			*mul = units[i].mul;
			*div = units[i].div;
			return true;
		}
	return false;
}

int zvm_parse_seconds(const char *s, double *out)
{
	size_t ip = strspn(s, "0123456789"), fp = 0;
	char num[MAX_NUMBER + 1];
	double mul, div, v;

	if (s[ip] == '.')
		fp = strspn(s + ip + 1, "0123456789") + 1;
	/* digits, digits.digits, .digits or digits. ; not "." alone */
	if (ip + fp == 0 || (ip == 0 && fp == 1))
		return -EINVAL;
	if (!second_unit(unit_of(s + ip + fp), &mul, &div))
		return -EINVAL;
	if (ip + fp > MAX_NUMBER)
		return -ERANGE;
	memcpy(num, s, ip + fp);
	num[ip + fp] = '\0';
	v = strtod(num, NULL) * mul / div; /* digits and a point only: at worst inf, refused below */
	if (!(v >= ZVM_MIN_SECONDS && v <= ZVM_MAX_SECONDS))
		return -ERANGE;
	*out = v;
	return 0;
}
