/*
 * string.c — memory and string functions. Word-at-a-time where it pays,
 * memset 16 bytes at a time; memcpy, memmove, strlen and strcmp are the
 * default libc's SSE2 ones (runtime/zlibc/, linked in by mk/runtime.mk).
 * Built with -fno-builtin -fno-tree-loop-distribute-patterns so gcc does
 * not turn these loops back into calls of themselves.
 */
#include <emmintrin.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t __attribute__((may_alias, aligned(1))) word;

/* 16 bytes at a time (SSE2 is part of x86-64): up to 32 bytes with two
 * overlapping stores, longer with the last 16 first and aligned stores */
void *memset(void *d, int c, size_t n)
{
	unsigned char *dp = d;
	__m128i v = _mm_set1_epi8((char)c);

	if (n >= 16) {
		unsigned char *end = dp + n;
		_mm_storeu_si128((__m128i *)(void *)dp, v);
		_mm_storeu_si128((__m128i *)(void *)(end - 16), v);
		/* the two cover up to 32 bytes; between them, aligned stores */
		if (n > 32) {
			unsigned char *p = (unsigned char *)(((uintptr_t)dp + 16) & ~(uintptr_t)15);
			for (; p + 16 <= end; p += 16)
				_mm_store_si128((__m128i *)(void *)p, v);
		}
		return d;
	}
	if (n >= 8) {
		word w = 0x0101010101010101ull * (unsigned char)c;
		*(word *)dp = w;
		*(word *)(dp + n - 8) = w;
		return d;
	}
	while (n--)
		*dp++ = (unsigned char)c;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n >= 8 && *(const word *)p == *(const word *)q; n -= 8, p += 8, q += 8)
		;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

#define HAS_ZERO(x) (((x) - 0x0101010101010101ull) & ~(x) & 0x8080808080808080ull)

size_t strnlen(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i])
		i++;
	return i;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++)
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	return 0;
}

char *strcpy(char *restrict d, const char *restrict s)
{
	memcpy(d, s, strlen(s) + 1);
	return d;
}

char *strncpy(char *restrict d, const char *restrict s, size_t n)
{
	size_t k = strnlen(s, n);
	memcpy(d, s, k);
	memset(d + k, 0, n - k);
	return d;
}

char *strcat(char *restrict d, const char *restrict s)
{
	strcpy(d + strlen(d), s);
	return d;
}

char *strncat(char *restrict d, const char *restrict s, size_t n)
{
	char *e = d + strlen(d);
	size_t k = strnlen(s, n);
	memcpy(e, s, k);
	e[k] = '\0';
	return d;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;
	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

char *strstr(const char *h, const char *n)
{
	size_t k = strlen(n);

	if (!k)
		return (char *)h;
	for (; *h; h++)
		if (*h == *n && !strncmp(h, n, k))
			return (char *)h;
	return NULL;
}

char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	return d ? memcpy(d, s, n) : NULL;
}

size_t strspn(const char *s, const char *accept)
{
	size_t i = 0;
	while (s[i] && strchr(accept, s[i]))
		i++;
	return i;
}

size_t strcspn(const char *s, const char *reject)
{
	size_t i = 0;
	while (s[i] && !strchr(reject, s[i]))
		i++;
	return i;
}

char *strerror(int e)
{
	switch (e) {
	case 0: return "Success";
	case 1: return "Operation not permitted";
	case 2: return "No such file or directory";
	case 5: return "Input/output error";
	case 9: return "Bad file descriptor";
	case 12: return "Cannot allocate memory";
	case 14: return "Bad address";
	case 22: return "Invalid argument";
	case 34: return "Numerical result out of range";
	case 38: return "Function not implemented";
	case 122: return "Disk quota exceeded";
	default: return "Unknown error";
	}
}
