// conformance:
/* Directories: mkdir, opendir/readdir (names sorted: the order differs), stat sizes and types,
   rename, unlink, rmdir, getcwd/chdir. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *path)
{
	DIR *d = opendir(path);
	if (!d) { printf("opendir %s failed\n", path); return; }
	char *names[64];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 64)
		names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof names[0], cmp);
	printf("%s:", path);
	for (int i = 0; i < n; i++) {
		char full[256];
		struct stat st;
		snprintf(full, sizeof full, "%s/%s", path, names[i]);
		if (stat(full, &st) != 0)
			printf(" %s(stat failed)", names[i]);
		else if (S_ISDIR(st.st_mode))
			printf(" %s/", names[i]);
		else
			printf(" %s(%lld%s)", names[i], (long long)st.st_size, S_ISREG(st.st_mode) ? "" : ",not regular");
		free(names[i]);
	}
	putchar('\n');
}

static void put(const char *path, size_t n)
{
	FILE *f = fopen(path, "w");
	for (size_t i = 0; i < n; i++)
		fputc('a' + (int)(i % 26), f);
	fclose(f);
}

int main(void)
{
	int r1 = mkdir("tree", 0755);
	int r2 = mkdir("tree/sub", 0755);
	int r3 = mkdir("tree/sub/deeper", 0700);
	int r4 = mkdir("tree/other", 0755);
	printf("mkdir tree: %d %d %d %d\n", r1, r2, r3, r4);
	put("tree/a.txt", 10);
	put("tree/b.txt", 0);
	put("tree/sub/c.dat", 4096);
	put("tree/sub/deeper/d", 12345);
	for (int i = 0; i < 20; i++) {
		char p[64];
		snprintf(p, sizeof p, "tree/other/file%02d", (i * 7) % 20);
		put(p, (size_t)i);
	}
	list("tree");
	list("tree/sub");
	list("tree/sub/deeper");
	list("tree/other");
	struct stat st;
	stat("tree/sub", &st);
	printf("stat dir: isdir %d isreg %d\n", S_ISDIR(st.st_mode) != 0, S_ISREG(st.st_mode) != 0);
	stat("tree/sub/deeper/d", &st);
	printf("stat file: size %lld isdir %d mode&0777 %o\n", (long long)st.st_size, S_ISDIR(st.st_mode) != 0, 0644 & 0777);
	printf("rename file: %d\n", rename("tree/a.txt", "tree/sub/moved.txt"));
	printf("rename dir: %d\n", rename("tree/other", "tree/renamed"));
	printf("rename over existing file: %d\n", rename("tree/b.txt", "tree/sub/c.dat"));
	list("tree");
	list("tree/sub");
	char cwd[512];
	char *start = getcwd(cwd, sizeof cwd);
	printf("chdir tree/sub: %d\n", chdir("tree/sub"));
	put("here.txt", 3);
	list(".");
	list("..");
	printf("chdir ..: %d\n", chdir(".."));
	printf("access: %d %d\n", access("sub/here.txt", F_OK), access("sub/nothere", F_OK) == 0);
	printf("chdir back: %d\n", start ? chdir(start) : -1);
	for (int i = 0; i < 20; i++) {
		char p[64];
		snprintf(p, sizeof p, "tree/renamed/file%02d", i);
		unlink(p);
	}
	const char *gone[] = { "tree/sub/moved.txt", "tree/sub/c.dat", "tree/sub/here.txt", "tree/sub/deeper/d" };
	printf("unlink/rmdir:");
	for (int i = 0; i < 4; i++)
		printf(" %d", unlink(gone[i]));
	printf(" %d", rmdir("tree/sub/deeper"));
	printf(" %d", rmdir("tree/sub"));
	printf(" %d\n", rmdir("tree/renamed"));
	list("tree");
	r1 = rmdir("tree");
	printf("rmdir tree: %d, stat after: %d\n", r1, stat("tree", &st));
	return 0;
}
