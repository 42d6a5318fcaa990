// conformance:
/* str* and mem* functions; comparisons print only the sign. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#pragma GCC diagnostic ignored "-Wstringop-truncation"

static int sgn(int v) { return (v > 0) - (v < 0); }

static void show(const char *what, const char *buf, size_t n)
{
	printf("%s:", what);
	for (size_t i = 0; i < n; i++)
		printf(buf[i] >= 32 && buf[i] < 127 ? "%c" : "\\%o", (unsigned char)buf[i]);
	putchar('\n');
}

int main(void)
{
	char a[64], b[64];
	printf("strlen %zu %zu %zu\n", strlen(""), strlen("abc"), strlen("hello, world"));
	printf("strnlen %zu %zu\n", strnlen("abcdef", 3), strnlen("ab", 10));
	strcpy(a, "foo");
	strcat(a, "bar");
	strncat(a, "bazqux", 3);
	printf("strcpy/strcat/strncat [%s]\n", a);
	memset(b, 'x', sizeof b);
	strncpy(b, "hi", 6);
	show("strncpy pad", b, 8);
	strncpy(b, "longer string", 4);
	show("strncpy trunc", b, 8);
	char *e = stpcpy(a, "stp");
	e = stpcpy(e, "cpy");
	printf("stpcpy [%s] len %d\n", a, (int)(e - a));
	const char *cmp[][2] = { { "abc", "abd" }, { "abc", "abc" }, { "b", "abc" }, { "", "a" }, { "a\xff", "a\x01" }, { "ABC", "abc" } };
	for (int i = 0; i < 6; i++)
		printf("cmp %d: strcmp %d strncmp2 %d strcasecmp %d strncasecmp2 %d memcmp %d\n", i, sgn(strcmp(cmp[i][0], cmp[i][1])),
		       sgn(strncmp(cmp[i][0], cmp[i][1], 2)), sgn(strcasecmp(cmp[i][0], cmp[i][1])),
		       sgn(strncasecmp(cmp[i][0], cmp[i][1], 2)), sgn(memcmp(cmp[i][0], cmp[i][1], 2)));
	const char *s = "hello, world; hello again";
	printf("strchr %td strrchr %td strchr-nul %td strchr-miss %d\n", strchr(s, 'o') - s, strrchr(s, 'o') - s,
	       strchr(s, '\0') - s, strchr(s, 'z') == NULL);
	printf("memchr %td memrchr %td\n", (const char *)memchr(s, 'l', 30) - s, (const char *)memrchr(s, 'l', strlen(s)) - s);
	printf("strspn %zu strcspn %zu strpbrk %td\n", strspn(s, "hel"), strcspn(s, ",;"), strpbrk(s, ";,") - s);
	printf("strstr %td %td %d strcasestr %td\n", strstr(s, "hello") - s, strstr(s, "again") - s, strstr(s, "xyz") == NULL,
	       strcasestr(s, "WORLD") - s);
	printf("strstr empty needle %d\n", strstr(s, "") == s);
	char m[32] = "0123456789abcdefghij";
	memmove(m + 4, m, 10);
	printf("memmove fwd [%s]\n", m);
	memmove(m, m + 6, 10);
	printf("memmove back [%s]\n", m);
	memcpy(m, "XYZ", 3);
	memset(m + 3, '-', 4);
	printf("memcpy/memset [%s]\n", m);
	char *d = strdup("duplicate me");
	char *dn = strndup("duplicate me", 9);
	printf("strdup [%s] strndup [%s]\n", d, dn);
	free(d);
	free(dn);
	void *mp = mempcpy(a, "abc", 3);
	*(char *)mp = 0;
	printf("mempcpy [%s]\n", a);
	char big1[300], big2[300];
	for (int i = 0; i < 300; i++)
		big1[i] = big2[i] = (char)(i * 7);
	big2[257] ^= 1;
	printf("memcmp long: %d at equal prefix %d\n", sgn(memcmp(big1, big2, 300)), memcmp(big1, big2, 257));
	printf("strcoll %d strxfrm %zu\n", sgn(strcoll("abc", "abd")), strxfrm(a, "xyz", sizeof a));
	printf("index %td rindex %td\n", index(s, 'w') - s, rindex(s, 'h') - s);
	printf("ffs %d %d %d\n", ffs(0), ffs(1), ffs(0x80));
	bzero(b, 4);
	printf("bzero %d %d\n", b[0], b[3]);
	return 0;
}
