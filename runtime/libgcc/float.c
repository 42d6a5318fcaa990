/*
 * float.c — libgcc's floating-point helpers for x86-64: conversions between
 * 128-bit integers and float/double/long double (each rounded once, to
 * nearest even), integer powers, and complex multiply and divide with
 * C99 Annex G's recovery of infinities (division by Smith's method with
 * the scaling libgcc uses, so ordinary results agree with gcc's own).
 * Nothing here calls memcpy or another helper of its own kind.
 */
#include <float.h>
#include <stdint.h>

typedef __int128 ti;
typedef unsigned __int128 uti;

/* ---- 128-bit integer -> floating point --------------------------------- */

/* The value's top 64 bits with a sticky bit for everything below, and the
 * shift that scales them back: converting `top` rounds once, correctly. */
static uint64_t squeeze(uti a, int *shift)
{
	uint64_t hi = (uint64_t)(a >> 64);
	int sh;

	if (!hi) {
		*shift = 0;
		return (uint64_t)a;
	}
	sh = 64 - __builtin_clzll(hi);
	*shift = sh;
	return (uint64_t)(a >> sh) | ((a & (((uti)1 << sh) - 1)) != 0);
}

/* uint64 -> double keeping the sticky bit: gcc's own sequence halves with
 * the low bit or'ed in, which is exact for rounding purposes. */
static double u64_to_double(uint64_t x) { return (double)x; }
static float u64_to_float(uint64_t x) { return (float)x; }

static double scale_d(double d, int sh)
{
	union { double d; uint64_t u; } s = { .u = (uint64_t)(1023 + sh) << 52 };
	return d * s.d; /* sh <= 64: 2^sh is a normal double */
}

static float scale_f(float f, int sh)
{
	union { float f; uint32_t u; } s = { .u = (uint32_t)(127 + sh) << 23 };
	return f * s.f; /* may overflow to infinity, as it should */
}

double __floatuntidf(uti a);
double __floatuntidf(uti a)
{
	int sh;
	uint64_t top = squeeze(a, &sh);
	return scale_d(u64_to_double(top), sh);
}

double __floattidf(ti a);
double __floattidf(ti a) { return a < 0 ? -__floatuntidf(-(uti)a) : __floatuntidf((uti)a); }

float __floatuntisf(uti a);
float __floatuntisf(uti a)
{
	int sh;
	uint64_t top = squeeze(a, &sh);
	return scale_f(u64_to_float(top), sh);
}

float __floattisf(ti a);
float __floattisf(ti a) { return a < 0 ? -__floatuntisf(-(uti)a) : __floatuntisf((uti)a); }

long double __floatuntixf(uti a);
long double __floatuntixf(uti a)
{
	int sh;
	uint64_t top = squeeze(a, &sh);
	long double r = (long double)top;
	while (sh--)
		r *= 2.0L;
	return r;
}

long double __floattixf(ti a);
long double __floattixf(ti a) { return a < 0 ? -__floatuntixf(-(uti)a) : __floatuntixf((uti)a); }

/* ---- floating point -> 128-bit integer (truncating) --------------------- */

uti __fixunsdfti(double d);
uti __fixunsdfti(double d)
{
	double hi;

	if (!(d >= 1.0))
		return 0;
	if (d >= 0x1p128)
		return ~(uti)0;
	hi = (double)(uint64_t)(d * 0x1p-64); /* exact: a power-of-two scale */
	return ((uti)(uint64_t)hi << 64) + (uint64_t)(d - hi * 0x1p64);
}

ti __fixdfti(double d);
ti __fixdfti(double d) { return d < 0 ? -(ti)__fixunsdfti(-d) : (ti)__fixunsdfti(d); }
uti __fixunssfti(float f);
uti __fixunssfti(float f) { return __fixunsdfti((double)f); }
ti __fixsfti(float f);
ti __fixsfti(float f) { return __fixdfti((double)f); }

uti __fixunsxfti(long double d);
uti __fixunsxfti(long double d)
{
	long double hi;

	if (!(d >= 1.0L))
		return 0;
	if (d >= 0x1p128L)
		return ~(uti)0;
	hi = (long double)(uint64_t)(d * 0x1p-64L);
	return ((uti)(uint64_t)hi << 64) + (uint64_t)(d - hi * 0x1p64L);
}

ti __fixxfti(long double d);
ti __fixxfti(long double d) { return d < 0 ? -(ti)__fixunsxfti(-d) : (ti)__fixunsxfti(d); }

/* ---- integer powers ------------------------------------------------------ */

double __powidf2(double x, int n);
double __powidf2(double x, int n)
{
	unsigned k = n < 0 ? 0u - (unsigned)n : (unsigned)n;
	double r = (k & 1) ? x : 1.0;

	while (k >>= 1) {
		x *= x;
		if (k & 1)
			r *= x;
	}
	return n < 0 ? 1.0 / r : r;
}

float __powisf2(float x, int n);
float __powisf2(float x, int n)
{
	unsigned k = n < 0 ? 0u - (unsigned)n : (unsigned)n;
	float r = (k & 1) ? x : 1.0f;

	while (k >>= 1) {
		x *= x;
		if (k & 1)
			r *= x;
	}
	return n < 0 ? 1.0f / r : r;
}

long double __powixf2(long double x, int n);
long double __powixf2(long double x, int n)
{
	unsigned k = n < 0 ? 0u - (unsigned)n : (unsigned)n;
	long double r = (k & 1) ? x : 1.0L;

	while (k >>= 1) {
		x *= x;
		if (k & 1)
			r *= x;
	}
	return n < 0 ? 1.0L / r : r;
}

/* ---- complex multiply and divide ---------------------------------------- */

/* One body per type. T is the type, S its suffix for the builtins, and
 * MIN/MAX/EPS its <float.h> limits. */
#define COMPLEX_MUL(NAME, T, S)                                                         \
	T _Complex NAME(T a, T b, T c, T d);                                            \
	T _Complex NAME(T a, T b, T c, T d)                                             \
	{                                                                               \
		T ac = a * c, bd = b * d, ad = a * d, bc = b * c;                       \
		T x = ac - bd, y = ad + bc;                                             \
		T _Complex r;                                                           \
		if (__builtin_isnan(x) && __builtin_isnan(y)) {                         \
			/* Annex G: an infinite operand gives an infinite result */     \
			int again = 0;                                                  \
			if (__builtin_isinf(a) || __builtin_isinf(b)) {                 \
				a = __builtin_copysign##S(__builtin_isinf(a) ? 1 : 0, a); \
				b = __builtin_copysign##S(__builtin_isinf(b) ? 1 : 0, b); \
				if (__builtin_isnan(c)) c = __builtin_copysign##S(0, c); \
				if (__builtin_isnan(d)) d = __builtin_copysign##S(0, d); \
				again = 1;                                              \
			}                                                               \
			if (__builtin_isinf(c) || __builtin_isinf(d)) {                 \
				c = __builtin_copysign##S(__builtin_isinf(c) ? 1 : 0, c); \
				d = __builtin_copysign##S(__builtin_isinf(d) ? 1 : 0, d); \
				if (__builtin_isnan(a)) a = __builtin_copysign##S(0, a); \
				if (__builtin_isnan(b)) b = __builtin_copysign##S(0, b); \
				again = 1;                                              \
			}                                                               \
			if (!again && (__builtin_isinf(ac) || __builtin_isinf(bd) ||    \
				       __builtin_isinf(ad) || __builtin_isinf(bc))) {   \
				if (__builtin_isnan(a)) a = __builtin_copysign##S(0, a); \
				if (__builtin_isnan(b)) b = __builtin_copysign##S(0, b); \
				if (__builtin_isnan(c)) c = __builtin_copysign##S(0, c); \
				if (__builtin_isnan(d)) d = __builtin_copysign##S(0, d); \
				again = 1;                                              \
			}                                                               \
			if (again) {                                                    \
				x = __builtin_inf##S() * (a * c - b * d);               \
				y = __builtin_inf##S() * (a * d + b * c);               \
			}                                                               \
		}                                                                       \
		__real__ r = x;                                                         \
		__imag__ r = y;                                                         \
		return r;                                                               \
	}

COMPLEX_MUL(__mulsc3, float, f)
COMPLEX_MUL(__muldc3, double, )
COMPLEX_MUL(__mulxc3, long double, l)

/* Smith's method: divide through by the larger of |c| and |d|, scaling
 * first where the denominator is huge or tiny, as libgcc does. */
#define COMPLEX_DIV(NAME, T, S, MIN, MAX, EPS)                                          \
	T _Complex NAME(T a, T b, T c, T d);                                            \
	T _Complex NAME(T a, T b, T c, T d)                                             \
	{                                                                               \
		const T big = MAX / 2, tiny = EPS, up = 1 / EPS, max2 = big * EPS;      \
		T ratio, den, x, y;                                                     \
		T _Complex r;                                                           \
		if (__builtin_fabs##S(c) < __builtin_fabs##S(d)) {                      \
			if (__builtin_fabs##S(d) >= big) {                              \
				a /= 2; b /= 2; c /= 2; d /= 2;                         \
			}                                                               \
			if (__builtin_fabs##S(d) < tiny ||                              \
			    (((__builtin_fabs##S(a) < MIN && __builtin_fabs##S(b) < max2) ||      \
			      (__builtin_fabs##S(b) < MIN && __builtin_fabs##S(a) < max2)) && \
			     __builtin_fabs##S(d) < max2)) {                            \
				a *= up; b *= up; c *= up; d *= up;                     \
			}                                                               \
			ratio = c / d;                                                  \
			den = c * ratio + d;                                            \
			if (__builtin_fabs##S(ratio) > MIN) {                           \
				x = (a * ratio + b) / den;                              \
				y = (b * ratio - a) / den;                              \
			} else {                                                        \
				x = (c * (a / d) + b) / den;                            \
				y = (c * (b / d) - a) / den;                            \
			}                                                               \
		} else {                                                                \
			if (__builtin_fabs##S(c) >= big) {                              \
				a /= 2; b /= 2; c /= 2; d /= 2;                         \
			}                                                               \
			if (__builtin_fabs##S(c) < tiny ||                              \
			    (((__builtin_fabs##S(a) < MIN && __builtin_fabs##S(b) < max2) ||      \
			      (__builtin_fabs##S(b) < MIN && __builtin_fabs##S(a) < max2)) && \
			     __builtin_fabs##S(c) < max2)) {                            \
				a *= up; b *= up; c *= up; d *= up;                     \
			}                                                               \
			ratio = d / c;                                                  \
			den = d * ratio + c;                                            \
			if (__builtin_fabs##S(ratio) > MIN) {                           \
				x = (b * ratio + a) / den;                              \
				y = (b - a * ratio) / den;                              \
			} else {                                                        \
				x = (a + d * (b / c)) / den;                            \
				y = (b - d * (a / c)) / den;                            \
			}                                                               \
		}                                                                       \
		if (__builtin_isnan(x) && __builtin_isnan(y)) {                         \
			if (c == 0 && d == 0 && (!__builtin_isnan(a) || !__builtin_isnan(b))) { \
				x = __builtin_copysign##S(__builtin_inf##S(), c) * a;   \
				y = __builtin_copysign##S(__builtin_inf##S(), c) * b;   \
			} else if ((__builtin_isinf(a) || __builtin_isinf(b)) &&        \
				   __builtin_isfinite(c) && __builtin_isfinite(d)) {    \
				a = __builtin_copysign##S(__builtin_isinf(a) ? 1 : 0, a); \
				b = __builtin_copysign##S(__builtin_isinf(b) ? 1 : 0, b); \
				x = __builtin_inf##S() * (a * c + b * d);               \
				y = __builtin_inf##S() * (b * c - a * d);               \
			} else if ((__builtin_isinf(c) || __builtin_isinf(d)) &&        \
				   __builtin_isfinite(a) && __builtin_isfinite(b)) {    \
				c = __builtin_copysign##S(__builtin_isinf(c) ? 1 : 0, c); \
				d = __builtin_copysign##S(__builtin_isinf(d) ? 1 : 0, d); \
				x = 0 * (a * c + b * d);                                \
				y = 0 * (b * c - a * d);                                \
			}                                                               \
		}                                                                       \
		__real__ r = x;                                                         \
		__imag__ r = y;                                                         \
		return r;                                                               \
	}

/* float: like gcc 12's libgcc, the plain formula in double, rounded once
 * at the end (double's range and precision make scaling unnecessary). */
float _Complex __divsc3(float a, float b, float c, float d);
float _Complex __divsc3(float a, float b, float c, float d)
{
	double aa = a, bb = b, cc = c, dd = d, den = cc * cc + dd * dd;
	double x = (aa * cc + bb * dd) / den, y = (bb * cc - aa * dd) / den;
	float _Complex r;

	if (__builtin_isnan(x) && __builtin_isnan(y)) {
		if (cc == 0 && dd == 0 && (!__builtin_isnan(aa) || !__builtin_isnan(bb))) {
			x = __builtin_copysign(__builtin_inf(), cc) * aa;
			y = __builtin_copysign(__builtin_inf(), cc) * bb;
		} else if ((__builtin_isinf(aa) || __builtin_isinf(bb)) && __builtin_isfinite(cc) &&
			   __builtin_isfinite(dd)) {
			aa = __builtin_copysign(__builtin_isinf(aa) ? 1 : 0, aa);
			bb = __builtin_copysign(__builtin_isinf(bb) ? 1 : 0, bb);
			x = __builtin_inf() * (aa * cc + bb * dd);
			y = __builtin_inf() * (bb * cc - aa * dd);
		} else if ((__builtin_isinf(cc) || __builtin_isinf(dd)) && __builtin_isfinite(aa) &&
			   __builtin_isfinite(bb)) {
			cc = __builtin_copysign(__builtin_isinf(cc) ? 1 : 0, cc);
			dd = __builtin_copysign(__builtin_isinf(dd) ? 1 : 0, dd);
			x = 0 * (aa * cc + bb * dd);
			y = 0 * (bb * cc - aa * dd);
		}
	}
	__real__ r = (float)x;
	__imag__ r = (float)y;
	return r;
}

COMPLEX_DIV(__divdc3, double, , DBL_MIN, DBL_MAX, DBL_EPSILON)
COMPLEX_DIV(__divxc3, long double, l, LDBL_MIN, LDBL_MAX, LDBL_EPSILON)
