// conformance:
/* snprintf/vsnprintf: truncation, return values, NULL buffer, sprintf into arrays. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#pragma GCC diagnostic ignored "-Wformat-truncation"

static int wrap(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

int main(void)
{
	char buf[32];
	volatile double val = 2.75;
	for (size_t n = 0; n <= 12; n++) {
		memset(buf, '#', sizeof buf);
		int r = snprintf(buf, n, "%s-%d-%.2f", "abc", 12345, (double)val);
		buf[sizeof buf - 1] = 0;
		printf("n=%2zu r=%d buf=[%.*s] byte_after=%d\n", n, r, (int)(n ? n - 1 : 0), n ? buf : "",
		       n ? (unsigned char)buf[n] : -1);
	}
	printf("null: %d\n", snprintf(NULL, 0, "%d %s %g", 123456, "xyz", 1e100));
	printf("wrap: %d [%s]\n", wrap(buf, 8, "%05d%s", 42, "tail"), buf);
	char big[4096];
	int len = 0;
	for (int i = 0; i < 300; i++)
		len += snprintf(big + len, sizeof big - (size_t)len, "%d,", i * i);
	unsigned sum = 0;
	for (int i = 0; i < len; i++)
		sum = sum * 31 + (unsigned char)big[i];
	printf("built %d bytes, strlen %zu, hash %08x, tail [%s]\n", len, strlen(big), sum, big + len - 12);
	int r = sprintf(buf, "%c%c%c%5s", 'x', 'y', 'z', "q");
	printf("sprintf %d [%s]\n", r, buf);
	r = snprintf(buf, sizeof buf, "%s", "");
	printf("empty %d [%s]\n", r, buf);
	r = snprintf(buf, 5, "%d", -123456789);
	printf("neg trunc %d [%s]\n", r, buf);
	return 0;
}
