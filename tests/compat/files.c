/* files MODE ... — a program for tests/compat/t_exec.sh (zvm exec):
 *   cat FILE...          FILE's contents on stdout
 *   write FILE TEXT      FILE holds TEXT and a newline (directories made)
 *   env NAME             the variable's value, or "(unset)"
 *   exit N               exit status N after writing "bye" to stderr
 *   spin                 writes spun/x forever (until a limit ends it)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void mkparents(const char *path)
{
	char b[4096];

	snprintf(b, sizeof(b), "%s", path);
	for (char *p = strchr(b + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		mkdir(b, 0755);
		*p = '/';
	}
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	if (!strcmp(m, "cat")) {
		for (int i = 2; i < argc; i++) {
			FILE *f = fopen(argv[i], "r");
			int c;
			if (!f) {
				fprintf(stderr, "files: %s: %s\n", argv[i], strerror(errno));
				return 1;
			}
			while ((c = getc(f)) != EOF)
				putchar(c);
			fclose(f);
		}
		return 0;
	}
	if (!strcmp(m, "write") && argc == 4) {
		FILE *f;
		mkparents(argv[2]);
		if (!(f = fopen(argv[2], "w"))) {
			fprintf(stderr, "files: %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		fprintf(f, "%s\n", argv[3]);
		return fclose(f) ? 1 : 0;
	}
	if (!strcmp(m, "env") && argc == 3) {
		const char *v = getenv(argv[2]);
		printf("%s\n", v ? v : "(unset)");
		return 0;
	}
	if (!strcmp(m, "exit") && argc == 3) {
		fprintf(stderr, "bye\n");
		return atoi(argv[2]);
	}
	if (!strcmp(m, "spin")) {
		mkparents("spun/x");
		FILE *f = fopen("spun/x", "w");
		for (;;)
			fputc('x', f);
	}
	fprintf(stderr, "usage: files cat|write|env|exit|spin ...\n");
	return 2;
}
