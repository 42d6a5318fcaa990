/*
 * format-support.c — the runtime's printf formatter (runtime/format.c)
 * built natively for test_format.c, with its entry renamed so nothing
 * clashes with glibc, plus an snprintf on top of it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#define __zvm_format zvmtest_format
#include "../../../runtime/format.c"

int zvmtest_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int zvmtest_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

struct cap {
	char *p;
	size_t size, n;
};

static void to_buf(void *ctx, const char *s, size_t n)
{
	struct cap *c = ctx;

	for (size_t i = 0; i < n; i++, c->n++)
		if (c->n + 1 < c->size)
			c->p[c->n] = s[i];
}

int zvmtest_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct cap c = { buf, size, 0 };
	int r = zvmtest_format(to_buf, &c, fmt, ap);

	if (size)
		buf[c.n < size ? c.n : size - 1] = '\0';
	return r;
}

int zvmtest_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = zvmtest_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return r;
}
