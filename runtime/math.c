/*
 * math.c — the few libm functions the runtime offers, exact ones only:
 * SSE4.1 rounding, sqrtsd, x87 fprem. (A full libm comes with musl.)
 */
#include <math.h>
#include <stdint.h>

double sqrt(double x)
{
	__asm__("sqrtsd %1, %0" : "=x"(x) : "x"(x));
	return x;
}

float sqrtf(float x)
{
	__asm__("sqrtss %1, %0" : "=x"(x) : "x"(x));
	return x;
}

double fabs(double x)
{
	union { double d; uint64_t u; } u = { .d = x };
	u.u &= ~(1ull << 63);
	return u.d;
}

#define ROUNDSD(mode) ({ double r_; __asm__("roundsd %2, %1, %0" : "=x"(r_) : "x"(x), "i"(mode)); r_; })
double floor(double x) { return ROUNDSD(9); }
double ceil(double x) { return ROUNDSD(10); }
double trunc(double x) { return ROUNDSD(11); }

double round(double x)
{
	double t = trunc(x);
	if (fabs(x - t) >= 0.5)
		t += x < 0 ? -1.0 : 1.0;
	return t;
}

double fmod(double x, double y)
{
	long double a = x, b = y;
	unsigned short sw;

	do {
		__asm__("fprem; fnstsw %1" : "+t"(a), "=a"(sw) : "u"(b));
	} while (sw & 0x400);
	return (double)a;
}

double frexp(double x, int *e)
{
	union { double d; uint64_t u; } u = { .d = x };
	int ex = (int)((u.u >> 52) & 0x7ff);

	if (ex == 0) {
		if (x == 0) {
			*e = 0;
			return x;
		}
		x = frexp(x * 0x1p64, e);
		*e -= 64;
		return x;
	}
	if (ex == 0x7ff) {
		*e = 0;
		return x;
	}
	*e = ex - 1022;
	u.u = (u.u & ~(0x7ffull << 52)) | (1022ull << 52);
	return u.d;
}

double ldexp(double x, int e)
{
	while (e > 1000) {
		x *= 0x1p1000;
		e -= 1000;
	}
	while (e < -1000) {
		x *= 0x1p-1000;
		e += 1000;
	}
	{
		union { double d; uint64_t u; } s = { .u = (uint64_t)(e + 1023) << 52 };
		if (e + 1023 <= 0)
			return x * 0x1p-1000 * ldexp(1.0, e + 1000);
		return x * s.d;
	}
}

double modf(double x, double *ip)
{
	*ip = trunc(x);
	if (*ip == x) /* integral or infinite: the fraction is a zero of x's sign */
		return __builtin_copysign(0.0, x);
	return x - *ip;
}
