/* SSE arithmetic and printf's float formats. */
#include <math.h>
#include <stdio.h>

int main(void)
{
	double x = 0, vals[] = { 0.1, 1.0 / 3, 2.5, -7.125, 1e-7, 123456789.987654321, 6.02214076e23 };
	float f = 1.0f;

	for (int i = 1; i <= 1000; i++)
		x += 1.0 / ((double)i * i);
	printf("basel %.15f %.6e %g\n", x, x, x);
	for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		printf("%f|%.3f|%e|%.2e|%g|%.10g|%10.4f|%-12.3g|\n", vals[i], vals[i], vals[i], vals[i],
		       vals[i], vals[i], vals[i], vals[i]);
	for (int i = 0; i < 20; i++)
		f = f * 1.5f - 0.25f;
	printf("float %.6f sqrt %.12f floor %.1f ceil %.1f fmod %.6f\n", f, sqrt(2.0), floor(-2.5), ceil(-2.5),
	       fmod(10.5, 3.0));
	printf("int<->double %d %ld %.1f\n", (int)-3.99, (long)1e15, (double)(1LL << 60));
	return 0;
}
