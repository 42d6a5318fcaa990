/*
 * float.c — libgcc's conversions between doubles and 128-bit integers,
 * integer powers, and complex multiply/divide (the simple formulas: C99
 * Annex G's infinity recovery is not done).
 */
#include <stdint.h>

typedef __int128 ti;
typedef unsigned __int128 uti;

double __floatuntidf(uti a);
double __floatuntidf(uti a)
{
	uint64_t hi = (uint64_t)(a >> 64), lo = (uint64_t)a;

	if (!hi)
		return (double)lo;
	/* keep a sticky bit so the one rounding is correct */
	{
		int sh = 64 - __builtin_clzll(hi);
		uint64_t top = (uint64_t)(a >> sh) | ((a & (((uti)1 << sh) - 1)) != 0);
		double d = (double)top;
		while (sh--)
			d *= 2.0;
		return d;
	}
}

double __floattidf(ti a);
double __floattidf(ti a) { return a < 0 ? -__floatuntidf(-(uti)a) : __floatuntidf((uti)a); }
float __floatuntisf(uti a);
float __floatuntisf(uti a) { return (float)__floatuntidf(a); }
float __floattisf(ti a);
float __floattisf(ti a) { return (float)__floattidf(a); }

uti __fixunsdfti(double d);
uti __fixunsdfti(double d)
{
	uti r = 0;
	double hi;

	if (!(d > 0))
		return 0;
	if (d >= 0x1p128)
		return ~(uti)0;
	hi = (double)(uint64_t)(d / 0x1p64);
	r = (uti)(uint64_t)hi << 64;
	r += (uint64_t)(d - hi * 0x1p64);
	return r;
}

ti __fixdfti(double d);
ti __fixdfti(double d) { return d < 0 ? -(ti)__fixunsdfti(-d) : (ti)__fixunsdfti(d); }
uti __fixunssfti(float f);
uti __fixunssfti(float f) { return __fixunsdfti(f); }
ti __fixsfti(float f);
ti __fixsfti(float f) { return __fixdfti(f); }

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
float __powisf2(float x, int n) { return (float)__powidf2(x, n); }

double _Complex __muldc3(double a, double b, double c, double d);
double _Complex __muldc3(double a, double b, double c, double d)
{
	double _Complex r;
	__real__ r = a * c - b * d;
	__imag__ r = a * d + b * c;
	return r;
}

float _Complex __mulsc3(float a, float b, float c, float d);
float _Complex __mulsc3(float a, float b, float c, float d)
{
	float _Complex r;
	__real__ r = a * c - b * d;
	__imag__ r = a * d + b * c;
	return r;
}

double _Complex __divdc3(double a, double b, double c, double d);
double _Complex __divdc3(double a, double b, double c, double d)
{
	double _Complex r;
	double den = c * c + d * d;
	__real__ r = (a * c + b * d) / den;
	__imag__ r = (b * c - a * d) / den;
	return r;
}

float _Complex __divsc3(float a, float b, float c, float d);
float _Complex __divsc3(float a, float b, float c, float d)
{
	float _Complex r;
	float den = c * c + d * d;
	__real__ r = (a * c + b * d) / den;
	__imag__ r = (b * c - a * d) / den;
	return r;
}
