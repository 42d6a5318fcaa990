// conformance: args="alpha beta gamma=1 --flag -x" env="CONF_GREETING=hello CONF_EMPTY= CONF_PATHLIKE=a:b:c"
/* argv (without argv[0], whose spelling differs) and the environment: getenv, setenv, unsetenv, environ. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv)
{
	printf("argc=%d argv0 non-empty %d\n", argc, argv[0] && argv[0][0]);
	for (int i = 1; i < argc; i++)
		printf("argv[%d]=[%s] len %zu\n", i, argv[i], strlen(argv[i]));
	printf("argv[argc] is NULL: %d\n", argv[argc] == NULL);
	const char *names[] = { "CONF_GREETING", "CONF_EMPTY", "CONF_PATHLIKE", "CONF_MISSING" };
	for (int i = 0; i < 4; i++) {
		const char *v = getenv(names[i]);
		printf("getenv(%s) = %s%s%s\n", names[i], v ? "[" : "", v ? v : "NULL", v ? "]" : "");
	}
	char *mine[16];
	int n = 0;
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "CONF_", 5) == 0 && n < 16)
			mine[n++] = *e;
	qsort(mine, (size_t)n, sizeof mine[0], cmp);
	for (int i = 0; i < n; i++)
		printf("environ: %s\n", mine[i]);
	int r = setenv("CONF_NEW", "fresh", 0);
	printf("setenv new: %d -> %s\n", r, getenv("CONF_NEW"));
	r = setenv("CONF_NEW", "other", 0);
	printf("setenv no overwrite: %d -> %s\n", r, getenv("CONF_NEW"));
	r = setenv("CONF_NEW", "other", 1);
	printf("setenv overwrite: %d -> %s\n", r, getenv("CONF_NEW"));
	r = unsetenv("CONF_GREETING");
	printf("unsetenv: %d -> %s\n", r, getenv("CONF_GREETING") ? "still set" : "gone");
	static char put[] = "CONF_PUT=via putenv";
	r = putenv(put);
	printf("putenv: %d -> %s\n", r, getenv("CONF_PUT"));
	printf("setenv bad name: %d\n", setenv("BAD=NAME", "x", 1));
	n = 0;
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "CONF_", 5) == 0 && n < 16)
			mine[n++] = *e;
	qsort(mine, (size_t)n, sizeof mine[0], cmp);
	for (int i = 0; i < n; i++)
		printf("environ after: %s\n", mine[i]);
	return 0;
}
