// conformance:
/* strtok, strtok_r, strsep and a small search/replace built on strstr. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *replace_all(const char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), count = 0;
	for (const char *p = s; (p = strstr(p, from)); p += fl)
		count++;
	char *out = malloc(strlen(s) + count * tl + 1), *o = out;
	const char *p;
	while ((p = strstr(s, from))) {
		memcpy(o, s, (size_t)(p - s));
		o += p - s;
		memcpy(o, to, tl);
		o += tl;
		s = p + fl;
	}
	strcpy(o, s);
	return out;
}

int main(void)
{
	char line[] = "  alpha, beta;;gamma ,delta,, epsilon ";
	int i = 0;
	for (char *t = strtok(line, " ,;"); t; t = strtok(NULL, " ,;"))
		printf("tok %d [%s]\n", ++i, t);
	char csv[] = "k1=v1&k2=v2&&k3=&=v4";
	char *save1, *save2;
	for (char *pair = strtok_r(csv, "&", &save1); pair; pair = strtok_r(NULL, "&", &save1)) {
		char *k = strtok_r(pair, "=", &save2);
		char *v = strtok_r(NULL, "=", &save2);
		printf("pair k=[%s] v=[%s]\n", k ? k : "(null)", v ? v : "(null)");
	}
	char sep[] = "a::b:c:";
	char *cur = sep, *f;
	while ((f = strsep(&cur, ":")))
		printf("strsep [%s]\n", f);
	char empty[] = ";;;";
	printf("strtok only delims: %s\n", strtok(empty, ";") ? "token" : "NULL");
	char *r = replace_all("the cat sat on the mat with the hat", "at", "og");
	printf("replace: %s\n", r);
	free(r);
	r = replace_all("aaaa", "aa", "b");
	printf("replace overlapping: %s\n", r);
	free(r);
	const char *hay = "abababcabababcd";
	int count = 0;
	for (const char *p = hay; (p = strstr(p, "abab")); p++)
		count++;
	printf("overlapping abab: %d, last abcd at %td\n", count, strstr(hay, "abcd") - hay);
	return 0;
}
