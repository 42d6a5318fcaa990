/*
 * string.c — memory and string functions. Word-at-a-time where it pays;
 * built with -fno-builtin -fno-tree-loop-distribute-patterns so gcc does
 * not turn these loops back into calls of themselves.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t __attribute__((may_alias, aligned(1))) word;

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	for (; n >= 32; n -= 32, dp += 32, sp += 32) {
		word a = *(const word *)sp, b = *(const word *)(sp + 8);
		word c = *(const word *)(sp + 16), e = *(const word *)(sp + 24);
		*(word *)dp = a;
		*(word *)(dp + 8) = b;
		*(word *)(dp + 16) = c;
		*(word *)(dp + 24) = e;
	}
	for (; n >= 8; n -= 8, dp += 8, sp += 8)
		*(word *)dp = *(const word *)sp;
	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n >= 8) {
		n -= 8;
		*(word *)(dp + n) = *(const word *)(sp + n);
	}
	while (n--)
		dp[n] = sp[n];
	return d;
}

void *memset(void *d, int c, size_t n)
{
	unsigned char *dp = d;
	word w = 0x0101010101010101ull * (unsigned char)c;

	for (; n >= 8; n -= 8, dp += 8)
		*(word *)dp = w;
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

size_t strlen(const char *s)
{
	const char *p = s;

	/* bytewise to an 8-byte boundary, then a word at a time: an aligned
	 * word never crosses into an unmapped page */
	for (; (uintptr_t)p & 7; p++)
		if (!*p)
			return (size_t)(p - s);
	for (;; p += 8) {
		uint64_t w = *(const uint64_t *)p;
		if (HAS_ZERO(w))
			break;
	}
	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i])
		i++;
	return i;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
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
