// conformance:
/* printf of integers: flags, widths, precisions, length modifiers, bases. */
#include <limits.h>
#include <stdio.h>

int main(void)
{
	static const int vals[] = { 0, 1, -1, 42, -42, 255, 65535, INT_MAX, INT_MIN, 1000000 };
	static const char *fmts[] = { "%d", "%5d", "%-5d|", "%05d", "%+d", "% d", "%.3d", "%8.3d",
	                              "%-+8.3d|", "%x", "%X", "%#x", "%#o", "%o", "%u", "%.0d", "%#.0o", "%+05d" };
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		printf("[%d]", vals[i]);
		for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++) {
			putchar(' ');
			printf(fmts[f], vals[i]);
		}
		putchar('\n');
	}
	printf("long: %ld %lu %lx %ld\n", LONG_MAX, ULONG_MAX, (unsigned long)LONG_MIN, LONG_MIN);
	printf("long long: %lld %llu %llo\n", LLONG_MIN, ULLONG_MAX, ULLONG_MAX);
	printf("short/char: %hd %hu %hhd %hhu %hhx\n", (short)-2, (unsigned short)65535, (signed char)-128, (unsigned char)200, 0x1ff);
	printf("size_t: %zu %zd %zx\n", sizeof(long long), (ssize_t)-5, (size_t)0xdeadbeef);
	printf("star: [%*d] [%-*d] [%.*d] [%*.*d]\n", 6, 12, 6, 12, 4, 7, 8, 3, -5);
	printf("negative width from star: [%*d]\n", -6, 12);
	printf("chars: [%c] [%3c] [%-3c] [%%]\n", 'A', 'b', 'c');
	printf("strings: [%s] [%8s] [%-8s] [%.3s] [%8.2s] [%.0s]\n", "hello", "hi", "hi", "truncate", "ab", "gone");
	int n1 = 0, n2 = 0;
	printf("count%n this%n\n", &n1, &n2);
	printf("n1=%d n2=%d\n", n1, n2);
	printf("positional: %2$s %1$s %2$s\n", "world", "hello");
	return 0;
}
