// conformance:
/* __int128 arithmetic: multiplication, division, shifts, comparisons, printed by our own routine. */
#include <stdio.h>

typedef __int128 i128;
typedef unsigned __int128 u128;

static void put_u(u128 v)
{
	char buf[50];
	int i = 49;
	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	fputs(buf + i, stdout);
}
static void put_i(i128 v)
{
	if (v < 0) {
		putchar('-');
		put_u((u128)0 - (u128)v);
	} else
		put_u((u128)v);
}
static void hex(u128 v) { printf("%016llx%016llx", (unsigned long long)(v >> 64), (unsigned long long)v); }

int main(void)
{
	u128 max = ~(u128)0;
	i128 imax = (i128)(max >> 1), imin = -imax - 1;
	printf("u128 max ");
	put_u(max);
	printf("\ni128 max ");
	put_i(imax);
	printf("\ni128 min ");
	put_i(imin);
	putchar('\n');
	u128 f = 1;
	for (int i = 1; i <= 34; i++) {
		f *= (u128)i;
		if (i >= 25) {
			printf("%d! = ", i);
			put_u(f);
			putchar('\n');
		}
	}
	i128 a = (i128)123456789012345678LL * 1000000007;
	i128 b = -987654321987LL;
	printf("a=");
	put_i(a);
	printf(" b=");
	put_i(b);
	printf("\na*b=");
	put_i(a * b);
	printf("\na/b=");
	put_i(a / b);
	printf(" a%%b=");
	put_i(a % b);
	printf("\n-a/7=");
	put_i(-a / 7);
	printf(" -a%%7=");
	put_i(-a % 7);
	printf("\nshifts: ");
	hex((u128)1 << 100);
	putchar(' ');
	hex(max >> 3);
	putchar(' ');
	put_i(imin >> 100);
	printf("\ncompare: %d %d %d\n", a > b, (u128)b > (u128)a, imin < imax);
	u128 x = max;
	x += 2;
	printf("wrap: ");
	put_u(x);
	u128 p = (u128)0xffffffffffffffffull * 0xffffffffffffffffull;
	printf("\n(2^64-1)^2 = ");
	hex(p);
	printf("\ndivision by powers: ");
	put_u(max / 1000000000000000000ull);
	putchar(' ');
	put_u(max % 1000000000000000000ull);
	u128 g1 = (u128)2305843009213693951ull * 618970019642690137ull, g2 = (u128)2305843009213693951ull * 3;
	while (g2) {
		u128 t = g1 % g2;
		g1 = g2;
		g2 = t;
	}
	printf("\ngcd ");
	put_u(g1);
	printf("\ndouble conv: %.17g %.17g ", (double)max, (double)imin);
	put_i((i128)1e30);
	putchar('\n');
	return 0;
}
