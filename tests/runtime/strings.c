/* strings.c — the string and memory functions at many alignments and
 * lengths (word-at-a-time code has edge cases at both ends), ctype. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sign(int x) { return (x > 0) - (x < 0); }

int main(void)
{
	static char a[600], b[600], c[600];
	unsigned long h = 0;

	for (int i = 0; i < 600; i++)
		a[i] = (char)('a' + i % 26);
	for (int off = 0; off < 16; off++) {
		for (int len = 0; len < 80; len++) {
			memset(b, '#', sizeof(b));
			memcpy(b + off, a + (off * 3) % 7, (size_t)len);
			b[off + len] = '\0';
			h = h * 33 + strlen(b + off);
			memmove(b + off + 3, b + off, (size_t)len);
			memmove(b + off, b + off + 2, (size_t)len);
			h = h * 33 + (unsigned char)b[off + len / 2];
			memset(c, 0, sizeof(c));
			memset(c + off, 'x', (size_t)len);
			h = h * 33 + strlen(c);
			strcpy(c + 100, b + off);
			h = h * 33 + (unsigned)sign(strcmp(c + 100, b + off));
			h = h * 33 + (unsigned)sign(memcmp(a + off, a + off + 26, (size_t)len));
			h = h * 33 + (unsigned)sign(memcmp(a + off, a + off + 1, (size_t)len));
			h = h * 33 + (unsigned)sign(strncmp(a + off, a + off + 26, (size_t)len));
			{
				char *p = memchr(a + off, 'z', (size_t)len);
				h = h * 33 + (unsigned long)(p ? p - a : -1);
			}
		}
	}
	printf("hash %lx\n", h);
	{
		/* memset and memcpy byte for byte: nothing outside the range,
		 * everything inside, at every alignment and the lengths where
		 * 8- and 16-byte stores take over */
		/* called through volatile pointers: gcc knows what memset
		 * does and could check its own idea of it instead */
		void *(*volatile set)(void *, int, size_t) = memset;
		void *(*volatile cpy)(void *restrict, const void *restrict, size_t) = memcpy;
		long bad = 0;
		for (int off = 0; off < 32; off++)
			for (int len = 0; len < 200; len++) {
				set(c, 0, sizeof(c));
				set(c + off, 'x', (size_t)len);
				set(b, 0, sizeof(b));
				cpy(b + off, a + 1, (size_t)len);
				for (int i = 0; i < 300; i++) {
					bool in = i >= off && i < off + len;
					bad += c[i] != (in ? 'x' : 0);
					bad += b[i] != (in ? a[1 + i - off] : 0);
				}
			}
		printf("memset/memcpy wrong bytes %ld\n", bad);
	}
	strcpy(b, "hello");
	strcat(b, ", world");
	strncat(b, "!!!", 1);
	printf("%s %zu\n", b, strlen(b));
	printf("strchr %s | strrchr %s | strstr %s | %s\n", strchr(b, 'o'), strrchr(b, 'o'), strstr(b, "wor"),
	       strstr(b, "xyz") ? "found" : "none");
	printf("strchr nul %d strstr empty %d\n", strchr(b, '\0') == b + strlen(b), strstr(b, "") == b);
	printf("cmp %d %d %d %d\n", sign(strcmp("abc", "abd")), sign(strcmp("abc", "abc")), sign(strcmp("b", "abc")),
	       sign(strcmp("\xff", "a")));
	printf("strncmp %d %d\n", sign(strncmp("abcdef", "abcxyz", 3)), sign(strncmp("abcdef", "abcxyz", 4)));
	memset(c, 'q', 10);
	strncpy(c, "ab", 5);
	printf("strncpy %d %d %d %c\n", c[0], c[2], c[4], c[5]);
	printf("spn %zu cspn %zu\n", strspn("aabbcx", "ab"), strcspn("hello world", " "));
	{
		char *d = strdup(b);
		printf("strdup %s %d\n", d, d != b);
		free(d);
	}
	for (int ch = 0; ch < 128; ch++)
		h = h * 3 + (unsigned long)(!!isalpha(ch) + 2 * !!isdigit(ch) + 4 * !!isspace(ch) + 8 * !!isupper(ch) +
					     16 * !!islower(ch) + 32 * !!ispunct(ch) + 64 * !!isprint(ch) + 128 * !!isxdigit(ch) +
					     256 * !!iscntrl(ch) + 512 * !!isalnum(ch) + 1024 * !!isgraph(ch)) +
		    (unsigned long)toupper(ch) + (unsigned long)tolower(ch);
	printf("ctype %lx\n", h);
	return 0;
}
