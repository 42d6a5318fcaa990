/* zvm-libc.h — internals shared by the runtime's own files. */
#ifndef ZVM_LIBC_H
#define ZVM_LIBC_H

#include <stdarg.h>
#include <stddef.h>

/* The formatter behind printf and friends: calls out(ctx, s, n) for each
 * piece; returns the number of characters produced. */
int __zvm_format(void (*out)(void *ctx, const char *s, size_t n), void *ctx, const char *fmt, va_list ap);
void __zvm_stdio_flush_all(void);
/* The last part of argv[0] (glibc's program_invocation_short_name). */
extern const char *__zvm_progname;

#endif
