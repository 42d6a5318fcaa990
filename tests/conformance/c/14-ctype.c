// conformance:
/* <ctype.h> classification and case mapping in the "C" locale, all 256 byte values and EOF. */
#include <ctype.h>
#include <stdio.h>

int main(void)
{
	const char *names = "anAdDglpsuxcb";
	unsigned long sums[13] = { 0 };
	int counts[13] = { 0 };
	for (int c = 0; c < 256; c++) {
		int f[13] = { !!isalnum(c), !!isalpha(c), !!isascii(c), !!isdigit(c), 0, !!isgraph(c), !!islower(c), !!isprint(c),
		              !!isspace(c), !!isupper(c), !!isxdigit(c), !!iscntrl(c), !!isblank(c) };
		f[4] = !!ispunct(c);
		for (int k = 0; k < 13; k++) {
			counts[k] += f[k];
			sums[k] = sums[k] * 3 + (unsigned long)(f[k] * c);
		}
		if (c < 128 && c % 16 == 0)
			printf("\n%02x:", c);
		if (c < 128) {
			int bits = 0;
			for (int k = 0; k < 13; k++)
				bits |= f[k] << k;
			printf(" %04x", bits);
		}
	}
	printf("\n");
	for (int k = 0; k < 13; k++)
		printf("class %c count %3d sum %lu\n", names[k], counts[k], sums[k]);
	unsigned long up = 0, lo = 0;
	for (int c = 0; c < 256; c++) {
		up = up * 31 + (unsigned long)toupper(c);
		lo = lo * 31 + (unsigned long)tolower(c);
	}
	printf("toupper hash %lu tolower hash %lu\n", up, lo);
	printf("EOF: isalpha %d isspace %d toupper %d tolower %d\n", !!isalpha(EOF), !!isspace(EOF), toupper(EOF), tolower(EOF));
	printf("high bytes: toupper(0xe9)=%d isalpha(0xe9)=%d isprint(0xa0)=%d\n", toupper(0xe9), !!isalpha(0xe9), !!isprint(0xa0));
	return 0;
}
