/*
 * stdio.c — buffered streams on channels 0-2 through the read/write traps.
 * stdout is fully buffered (flushed when full, before stdin is read, and at
 * exit), stderr unbuffered (one write per call), as glibc does when stdout
 * is not a terminal; setvbuf changes the mode.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zvm.h>

#include "zvm-libc.h"

struct zvm_file {
	int handle;
	int is_write, mode, eof, err; /* mode: _IOFBF, _IOLBF or _IONBF */
	size_t n, pos;             /* bytes in buf; read position */
	char buf[BUFSIZ];
};

static struct zvm_file files[3] = {
	{ .handle = 0, .mode = _IOFBF },
	{ .handle = 1, .is_write = 1, .mode = _IOFBF },
	{ .handle = 2, .is_write = 1, .mode = _IONBF },
};
FILE *stdin = &files[0], *stdout = &files[1], *stderr = &files[2];

static int write_all(FILE *f, const char *p, size_t n)
{
	while (n) {
		long w = zvm_trap_write(f->handle, p, n, 0);
		if (w <= 0) {
			f->err = 1;
			errno = w < 0 ? (int)-w : EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int fflush(FILE *f)
{
	if (!f) {
		__zvm_stdio_flush_all();
		return 0;
	}
	if (!f->is_write || !f->n)
		return 0;
	{
		int rc = write_all(f, f->buf, f->n);
		f->n = 0;
		return rc < 0 ? EOF : 0;
	}
}

void __zvm_stdio_flush_all(void)
{
	fflush(stdout);
	fflush(stderr);
}

size_t fwrite(const void *p, size_t size, size_t count, FILE *f)
{
	size_t n = size * count;

	if (!f->is_write) {
		f->err = 1;
		errno = EBADF;
		return 0;
	}
	if (n == 0)
		return count;
	/* unbuffered streams and big writes go straight through */
	if (f->mode == _IONBF || n >= sizeof(f->buf)) {
		if (fflush(f) < 0 || write_all(f, p, n) < 0)
			return 0;
		return count;
	}
	if (f->n + n > sizeof(f->buf) && fflush(f) < 0)
		return 0;
	memcpy(f->buf + f->n, p, n);
	f->n += n;
	if (f->mode == _IOLBF && memchr(p, '\n', n) && fflush(f) < 0)
		return 0;
	return count;
}

int setvbuf(FILE *f, char *buf, int mode, size_t size)
{
	(void)buf; /* the stream keeps its own buffer */
	(void)size;
	if (mode != _IOFBF && mode != _IOLBF && mode != _IONBF)
		return -1;
	fflush(f);
	f->mode = mode;
	return 0;
}

void setbuf(FILE *f, char *buf)
{
	setvbuf(f, buf, buf ? _IOFBF : _IONBF, BUFSIZ);
}

int fputc(int c, FILE *f)
{
	unsigned char ch = (unsigned char)c;
	return fwrite(&ch, 1, 1, f) == 1 ? ch : EOF;
}

int putc(int c, FILE *f) { return fputc(c, f); }
int putchar(int c) { return fputc(c, stdout); }

int fputs(const char *s, FILE *f)
{
	size_t n = strlen(s);
	return fwrite(s, 1, n, f) == n || n == 0 ? 0 : EOF;
}

int puts(const char *s)
{
	return fputs(s, stdout) == 0 && fputc('\n', stdout) != EOF ? 0 : EOF;
}

static void to_file(void *ctx, const char *s, size_t n)
{
	fwrite(s, 1, n, ctx);
}

/* An unbuffered stream still gets one write per call, not one per piece. */
struct batch {
	FILE *f;
	size_t n;
	char buf[512];
};

static void to_batch(void *ctx, const char *s, size_t n)
{
	struct batch *b = ctx;

	if (b->n + n > sizeof(b->buf)) {
		fwrite(b->buf, 1, b->n, b->f);
		b->n = 0;
	}
	if (n >= sizeof(b->buf)) {
		fwrite(s, 1, n, b->f);
		return;
	}
	memcpy(b->buf + b->n, s, n);
	b->n += n;
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
	struct batch b;
	int n;

	if (f->mode != _IONBF)
		return __zvm_format(to_file, f, fmt, ap);
	b.f = f;
	b.n = 0;
	n = __zvm_format(to_batch, &b, fmt, ap);
	if (b.n)
		fwrite(b.buf, 1, b.n, f);
	return n;
}

int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

int vprintf(const char *fmt, va_list ap) { return vfprintf(stdout, fmt, ap); }

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return n;
}

struct strbuf {
	char *p;
	size_t cap, n;
};

static void to_string(void *ctx, const char *s, size_t n)
{
	struct strbuf *b = ctx;
	if (b->n < b->cap) {
		size_t k = b->cap - b->n < n ? b->cap - b->n : n;
		memcpy(b->p + b->n, s, k);
	}
	b->n += n;
}

int vsnprintf(char *s, size_t size, const char *fmt, va_list ap)
{
	struct strbuf b = { s, size ? size - 1 : 0, 0 };
	int n = __zvm_format(to_string, &b, fmt, ap);
	if (size)
		s[b.n < b.cap ? b.n : b.cap] = '\0';
	return n;
}

int snprintf(char *s, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(s, size, fmt, ap);
	va_end(ap);
	return n;
}

int vsprintf(char *s, const char *fmt, va_list ap) { return vsnprintf(s, (size_t)-1 >> 1, fmt, ap); }

int sprintf(char *s, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsprintf(s, fmt, ap);
	va_end(ap);
	return n;
}

static int refill(FILE *f)
{
	long r;

	if (f->is_write || f->eof)
		return -1;
	f->n = f->pos = 0;
	fflush(stdout); /* a prompt shows before input is awaited */
	r = zvm_trap_read(f->handle, f->buf, sizeof(f->buf), 0);
	if (r <= 0) {
		if (r < 0)
			f->err = 1;
		else
			f->eof = 1;
		return -1;
	}
	f->n = (size_t)r;
	f->pos = 0;
	return 0;
}

int fgetc(FILE *f)
{
	if (f->pos == f->n && refill(f) < 0)
		return EOF;
	return (unsigned char)f->buf[f->pos++];
}

int ungetc(int c, FILE *f)
{
	if (c == EOF || f->is_write)
		return EOF;
	if (f->pos == 0) {
		if (f->n == sizeof(f->buf))
			return EOF;
		memmove(f->buf + 1, f->buf, f->n);
		f->n++;
		f->pos = 1;
	}
	f->buf[--f->pos] = (char)c;
	f->eof = 0;
	return (unsigned char)c;
}

int getc(FILE *f) { return fgetc(f); }
int getchar(void) { return fgetc(stdin); }

char *fgets(char *s, int size, FILE *f)
{
	int i = 0;

	if (size <= 0)
		return NULL;
	while (i < size - 1) {
		int c = fgetc(f);
		if (c == EOF)
			break;
		s[i++] = (char)c;
		if (c == '\n')
			break;
	}
	if (i == 0)
		return NULL;
	s[i] = '\0';
	return s;
}

size_t fread(void *p, size_t size, size_t count, FILE *f)
{
	size_t want = size * count, got = 0;

	if (!size || !count)
		return 0;
	while (got < want) {
		size_t k;
		if (f->pos == f->n) {
			if (want - got >= sizeof(f->buf) && !f->is_write && !f->eof) {
				/* a big read goes straight into the caller's buffer */
				long r;
				fflush(stdout);
				r = zvm_trap_read(f->handle, (char *)p + got, want - got, 0);
				if (r <= 0) {
					if (r < 0)
						f->err = 1;
					else
						f->eof = 1;
					break;
				}
				got += (size_t)r;
				continue;
			}
			if (refill(f) < 0)
				break;
		}
		k = f->n - f->pos < want - got ? f->n - f->pos : want - got;
		memcpy((char *)p + got, f->buf + f->pos, k);
		f->pos += k;
		got += k;
	}
	return got / size;
}

int feof(FILE *f) { return f->eof; }
void clearerr(FILE *f) { f->eof = f->err = 0; }
int fileno(FILE *f) { return f->handle; }
int ferror(FILE *f) { return f->err; }

void perror(const char *s)
{
	if (s && *s)
		fprintf(stderr, "%s: %s\n", s, strerror(errno));
	else
		fprintf(stderr, "%s\n", strerror(errno));
}
