/* math.c — the exact libm subset: sqrt, fabs, floor, ceil, trunc, round,
 * fmod, frexp, ldexp, modf. */
#include <math.h>
#include <stdio.h>

int main(void)
{
	static const double v[] = { 0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, 2.0, 1e-310, 123.456, -987.001,
		1e15 + 0.5, 4503599627370497.0, 1e300, 3.0, 10.0, 0.1 };
	int n = (int)(sizeof(v) / sizeof(v[0]));

	for (int i = 0; i < n; i++) {
		double x = v[i], ip, fr;
		int e;
		fr = frexp(x, &e);
		printf("%g: sqrt %.17g fabs %g floor %g ceil %g trunc %g round %g frexp %.17g*2^%d modf %.17g+%g\n", x,
		       sqrt(fabs(x)), fabs(x), floor(x), ceil(x), trunc(x), round(x), fr, e, modf(x, &ip), ip);
		for (int j = 0; j < n; j++)
			if (v[j] != 0)
				printf("%.17g ", fmod(x, v[j]));
		printf("\n");
	}
	printf("ldexp %.17g %.17g %.17g\n", ldexp(1.0, 10), ldexp(3.0, -1074), ldexp(1.5, 1023));
	printf("sqrt(2) %.17g sqrtf(2) %.9g\n", sqrt(2.0), (double)sqrtf(2.0f));
	return 0;
}
