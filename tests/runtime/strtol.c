/* strtol.c — the string-to-number conversions: bases, signs, prefixes,
 * end pointers, overflow with errno, atoi/atol. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	static const char *const in[] = { "0", "42", "-42", "+17", "  \t 99xyz", "0x1f", "0X1F", "0777", "08",
		"0x", "-0x10", "z", "", "   ", "2147483648", "-2147483649", "9223372036854775807",
		"9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551615",
		"18446744073709551616", "-1", "101010", "zzzz", "1e5", "12abc" };
	static const int bases[] = { 0, 10, 16, 8, 2, 36 };

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
			char *end;
			long l;
			unsigned long ul;
			long long ll;
			unsigned long long ull;
			int e1, e2, e3, e4;

			errno = 0;
			l = strtol(in[i], &end, bases[b]);
			e1 = errno;
			printf("[%s] base %d: strtol %ld end+%d e%d", in[i], bases[b], l, (int)(end - in[i]), e1);
			errno = 0;
			ul = strtoul(in[i], &end, bases[b]);
			e2 = errno;
			printf(" strtoul %lu end+%d e%d", ul, (int)(end - in[i]), e2);
			errno = 0;
			ll = strtoll(in[i], &end, bases[b]);
			e3 = errno;
			errno = 0;
			ull = strtoull(in[i], &end, bases[b]);
			e4 = errno;
			printf(" strtoll %lld e%d strtoull %llu e%d\n", ll, e3, ull, e4);
		}
	}
	printf("atoi %d %d %d atol %ld\n", atoi("123"), atoi("-9x"), atoi("junk"), atol("  -1234567890123"));
	return 0;
}
