// conformance:
/* libm functions with exact results: rounding, remainders, decomposition, classification. */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdio.h>

int main(void)
{
	const double v[] = { 2.5, -2.5, 3.5, -0.5, 0.49999999999999994, 1e16 + 2, 7.0, -7.25, 1e300, -0.0 };
	for (int i = 0; i < 10; i++)
		printf("%-24.17g floor %g ceil %g trunc %g round %g rint %g nearbyint %g lround %ld llrint %lld\n", v[i],
		       floor(v[i]), ceil(v[i]), trunc(v[i]), round(v[i]), rint(v[i]), nearbyint(v[i]),
		       fabs(v[i]) < 1e18 ? lround(v[i]) : 0L, fabs(v[i]) < 1e18 ? llrint(v[i]) : 0LL);
	printf("fmod: %g %g %g %g %g\n", fmod(10, 3), fmod(-10, 3), fmod(10, -3), fmod(5.5, 1.25), fmod(1e300, 7));
	printf("remainder: %g %g %g %g\n", remainder(10, 3), remainder(11, 3), remainder(-10, 4), remainder(5.5, 1.25));
	int q;
	double rq = remquo(29, 5, &q);
	printf("remquo: %g %d\n", rq, q & 7);
	int ex;
	double m = frexp(48, &ex);
	printf("frexp(48) %g %d ", m, ex);
	m = frexp(-0.1, &ex);
	printf("frexp(-0.1) %.17g %d ", m, ex);
	printf("ldexp %g %g scalbn %g\n", ldexp(0.75, 4), ldexp(1, -1074), scalbn(3, 10));
	double ip;
	double fp = modf(-3.75, &ip);
	printf("modf %g %g ilogb %d %d logb %g\n", fp, ip, ilogb(1024), ilogb(0.1), logb(1e-3));
	printf("copysign %g %g fdim %g %g fmax %g fmin %g fma %.17g\n", copysign(3, -0.0), copysign(-2, 1), fdim(5, 3),
	       fdim(3, 5), fmax(NAN, 2), fmin(-1, NAN), fma(0.1, 10, -1));
	printf("nextafter %a %a %.17g\n", nextafter(1, 2), nextafter(1, 0), nextafter(0, 1) / DBL_MIN * 0x1p52);
	const double cls[] = { 0, -0.0, 1, DBL_MIN / 2, INFINITY, -INFINITY, NAN };
	for (int i = 0; i < 7; i++) {
		int c = fpclassify(cls[i]);
		printf("class %d: %s finite %d inf %d nan %d normal %d signbit %d\n", i,
		       c == FP_ZERO ? "zero" : c == FP_SUBNORMAL ? "subnormal" : c == FP_NORMAL ? "normal" : c == FP_INFINITE ? "inf" : "nan",
		       isfinite(cls[i]) != 0, isinf(cls[i]) != 0, isnan(cls[i]) != 0, isnormal(cls[i]) != 0, signbit(cls[i]) != 0);
	}
	printf("sqrt exact: %g %g %g\n", sqrt(0.25), sqrt(1e10), sqrt(65536));
	printf("fabs %g %g abs-int-conv %d\n", fabs(-0.0), fabs(-3.5), (int)-3.9);
	int modes[] = { FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO };
	const char *mn[] = { "nearest", "upward", "downward", "towardzero" };
	for (int i = 0; i < 4; i++) {
		fesetround(modes[i]);
		volatile double x = 2.5, y = -2.5, one = 1, three = 3;
		/* through volatile pointers: without FENV_ACCESS gcc may move or
		 * fold rounding-mode-dependent calls across fesetround */
		double (*volatile rint_p)(double) = rint, (*volatile nearbyint_p)(double) = nearbyint;
		printf("round mode %-10s rint %g %g nearbyint %g 1/3 %.17g\n", mn[i], rint_p(x), rint_p(y), nearbyint_p(x + 1),
		       one / three);
		fesetround(FE_TONEAREST);
	}
	feclearexcept(FE_ALL_EXCEPT);
	volatile double z = 0;
	volatile double r = 1 / z;
	printf("1/0 %g divbyzero %d\n", r, fetestexcept(FE_DIVBYZERO) != 0);
	return 0;
}
