// conformance:
/* sscanf: conversions, return counts, %n, scansets, widths, suppression, failures. */
#include <stdio.h>
#include <string.h>

int main(void)
{
	int a = -1, b = -1, c = -1, n = -1;
	double d = 0;
	char s[64] = "", t[64] = "";
	int r;

	r = sscanf("12 34 56", "%d %d %d", &a, &b, &c);
	printf("r=%d %d %d %d\n", r, a, b, c);
	r = sscanf("  -7x", "%d%n", &a, &n);
	printf("r=%d a=%d n=%d\n", r, a, n);
	r = sscanf("0x1f 017 -0x10", "%i %i %i", &a, &b, &c);
	printf("%%i r=%d %d %d %d\n", r, a, b, c);
	r = sscanf("ff 777 1010", "%x %o %d", &a, &b, &c);
	printf("%%x%%o r=%d %d %d %d\n", r, a, b, c);
	r = sscanf("3.25e2 rest", "%lf %s", &d, s);
	printf("r=%d d=%g s=%s\n", r, d, s);
	r = sscanf("name=value;other", "%[^=]=%[^;]", s, t);
	printf("scanset r=%d [%s] [%s]\n", r, s, t);
	r = sscanf("abc123def", "%[a-z]%d%s", s, &a, t);
	printf("range r=%d [%s] %d [%s]\n", r, s, a, t);
	r = sscanf("123456789", "%3d%2d%d", &a, &b, &c);
	printf("widths r=%d %d %d %d\n", r, a, b, c);
	r = sscanf("10 20 30", "%d %*d %d", &a, &b);
	printf("suppress r=%d %d %d\n", r, a, b);
	a = b = -1;
	r = sscanf("abc", "%d", &a);
	printf("mismatch r=%d a=%d\n", r, a);
	r = sscanf("", "%d", &a);
	printf("empty r=%d\n", r);
	r = sscanf("   ", "%d", &a);
	printf("blank r=%d\n", r);
	r = sscanf("5 apples", "%d apples%n", &a, &n);
	printf("literal r=%d a=%d n=%d\n", r, a, n);
	r = sscanf("5 pears", "%d apples%n", &a, &n);
	printf("literal mismatch r=%d\n", r);
	char ch[4] = "";
	r = sscanf("xyz", "%3c", ch);
	printf("%%c r=%d [%.3s]\n", r, ch);
	long long ll = 0;
	unsigned long long ull = 0;
	r = sscanf("-9223372036854775808 18446744073709551615", "%lld %llu", &ll, &ull);
	printf("ll r=%d %lld %llu\n", r, ll, ull);
	short sh = 0;
	signed char hh = 0;
	r = sscanf("-300 -5", "%hd %hhd", &sh, &hh);
	printf("h/hh r=%d %d %d\n", r, sh, hh);
	float f = 0;
	r = sscanf("inf -nan 0.5", "%lf %s %f", &d, s, &f);
	printf("inf r=%d %f [%s] %g\n", r, d, s, f);
	r = sscanf("100%", "%d%%", &a);
	printf("percent r=%d %d\n", r, a);
	r = sscanf("a,b,,c", "%[^,],%[^,],%[^,]", s, t, s);
	printf("empty field r=%d [%s]\n", r, t);
	return 0;
}
