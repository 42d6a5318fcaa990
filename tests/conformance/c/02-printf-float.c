// conformance:
/* printf of floating point: %e %f %g %a, widths, precisions, inf/nan, long double. */
#include <float.h>
#include <math.h>
#include <stdio.h>

int main(void)
{
	static const double vals[] = { 0.0, -0.0, 1.0, -1.5, 0.1, 2.5, 3.14159265358979, 1e10, 1.5e-5,
	                               123456789.0, 1e21, 1e-300, 1e300, 0.000123456, 99999.5, 1.0 / 3.0 };
	static const char *fmts[] = { "%e", "%f", "%g", "%.0e", "%.0f", "%.0g", "%.3e", "%.3f", "%.3g",
	                              "%12.4e", "%-12.2f|", "%+g", "% .10g", "%#g", "%#.0f", "%#.0e", "%015.3f", "%.17g" };
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		printf("[%d]", (int)i);
		for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++) {
			putchar(' ');
			printf(fmts[f], vals[i]);
		}
		putchar('\n');
	}
	double specials[] = { INFINITY, -INFINITY, NAN, -NAN };
	for (int i = 0; i < 4; i++)
		printf("special: %f %e %g %E %G %8.3f|%-8g|%+f\n", specials[i], specials[i], specials[i], specials[i],
		       specials[i], specials[i], specials[i], specials[i]);
	/* rounding of exact ties: decimal conversion must be exact */
	printf("ties: %.0f %.0f %.0f %.0f %.1f %.1f %.2f\n", 0.5, 1.5, 2.5, -3.5, 0.25, 0.35, 1.005);
	printf("exact 0.1: %.55f\n", 0.1);
	printf("big: %f\n", 1e300 * 10);
	printf("max: %.17g %e\n", DBL_MAX, DBL_MAX);
	printf("min: %.17g %e\n", DBL_MIN, DBL_MIN);
	printf("eps: %.17g %a\n", DBL_EPSILON, DBL_EPSILON);
	printf("hex: %a %a %a %a %a %A\n", 1.0, -2.0, 0.5, 3.0, 0.1, 255.75);
	printf("hex prec: %.3a %.1a %.0a %20a|\n", 1.0, 3.0, 1.0, 1.5);
	printf("hex special: %a %a %a\n", 0.0, INFINITY, -0.0);
	long double ld[] = { 1.0L, 0.1L, 1.0L / 3.0L, 1e4000L, -2.5e-4000L, 12345678901234567890.0L };
	for (int i = 0; i < 6; i++)
		printf("long double: %Lf %Le %Lg %.20Lg %.25Le\n", ld[i], ld[i], ld[i], ld[i], ld[i]);
	printf("ld special: %Lf %Lg\n", (long double)INFINITY, (long double)NAN);
	printf("float promoted: %f %g %.9g\n", 0.1f, 1e-3f, 16777217.0f);
	for (int p = 0; p <= 20; p += 4)
		printf("precision %2d: %.*f %.*e %.*g\n", p, p, M_PI, p, M_PI, p, M_PI);
	return 0;
}
