// conformance:
/* libm: elementary functions printed with %.12g (C libraries may differ in the last ulp),
   exact functions printed in full. */
#include <math.h>
#include <stdio.h>

typedef double (*fn1)(double);
static void table(const char *name, fn1 f, const double *xs, int n)
{
	printf("%-6s", name);
	for (int i = 0; i < n; i++)
		printf(" %.12g", f(xs[i]));
	putchar('\n');
}

int main(void)
{
	const double trig[] = { 0, 0.5, 1, -1, 2, 3, 10, 100 };
	table("sin", sin, trig, 8);
	table("cos", cos, trig, 8);
	table("tan", tan, trig, 8);
	table("atan", atan, trig, 8);
	table("sinh", sinh, trig, 7);
	table("cosh", cosh, trig, 7);
	table("tanh", tanh, trig, 8);
	table("exp", exp, trig, 8);
	table("expm1", expm1, trig, 8);
	table("exp2", exp2, trig, 8);
	const double pos[] = { 1e-10, 0.25, 0.5, 1, 2, 10, 1000, 1e100 };
	table("log", log, pos, 8);
	table("log10", log10, pos, 8);
	table("log2", log2, pos, 8);
	table("log1p", log1p, pos, 8);
	table("sqrt", sqrt, pos, 8);
	table("cbrt", cbrt, pos, 8);
	const double unit[] = { -1, -0.5, 0, 0.25, 0.5, 0.75, 1 };
	table("asin", asin, unit, 7);
	table("acos", acos, unit, 7);
	table("atanh", atanh, unit + 1, 5);
	table("asinh", asinh, trig, 8);
	table("acosh", acosh, pos + 3, 5);
	printf("pow: %.12g %.12g %.12g %.12g %.12g %.12g %.12g %.12g\n", pow(2, 10), pow(2, 0.5), pow(10, -3), pow(-2, 3),
	       (double)(isnan(pow(-8, 1.0 / 3.0)) != 0), pow(0, 0), pow(1.0001, 10000), pow(2, -1074));
	printf("pow special: %g %g %g %g %g\n", pow(0, -1), pow(-0.0, -1), pow(1, NAN), pow(NAN, 0), pow(-1, INFINITY));
	printf("atan2: %.12g %.12g %.12g %.12g %.12g %.12g\n", atan2(1, 1), atan2(1, -1), atan2(-1, -1), atan2(0, -1),
	       atan2(-0.0, -1), atan2(0, 0));
	printf("hypot: %.12g %.12g %.12g %g\n", hypot(3, 4), hypot(1e200, 1e200), hypot(5, 12), hypot(INFINITY, NAN));
	printf("exact sqrt: %.17g %.17g %.17g\n", sqrt(2), sqrt(1e-300), sqrt(144));
	printf("sqrt(-1) nan %d sign %d\n", isnan(sqrt(-1)) != 0, 0);
	printf("lgamma: %.12g %.12g %.12g %.12g\n", lgamma(1), lgamma(2), lgamma(10), lgamma(0.5));
	printf("tgamma: %.12g %.12g %.12g %.12g\n", tgamma(1), tgamma(5), tgamma(0.5), tgamma(20));
	printf("erf: %.12g %.12g erfc: %.12g %.12g\n", erf(0.5), erf(2), erfc(0.5), erfc(3));
	printf("M_PI %.17g M_E %.17g\n", M_PI, M_E);
	printf("float: sinf %.6g expf %.6g sqrtf %.9g powf %.6g\n", (double)sinf(1.0f), (double)expf(1.0f), (double)sqrtf(2.0f),
	       (double)powf(3.0f, 4.0f));
	printf("long double: sqrtl %.18Lg expl %.15Lg\n", sqrtl(2.0L), expl(1.0L));
	return 0;
}
