/*
 * wordfreq.c — an ordinary C program (stdio, malloc, qsort, directories)
 * run unchanged in a cell: counts the words of every file under the
 * directories or files named on the command line, prints the ten most
 * frequent, and writes the whole table to freq.txt. Files come from the
 * image tar (zvm run --image); freq.txt goes back out with --image-out.
 *
 *   tar -cf text.tar docs/
 *   zvm run --image text.tar --image-out out.tar wordfreq.nexe -- docs
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct word {
	char *text;
	long count;
};

static struct word *words;
static size_t nwords, cap;
static long files;

static void add(const char *w)
{
	for (size_t i = 0; i < nwords; i++) /* small inputs: linear is fine */
		if (!strcmp(words[i].text, w)) {
			words[i].count++;
			return;
		}
	if (nwords == cap) {
		cap = cap ? 2 * cap : 256;
		words = realloc(words, cap * sizeof(*words));
		if (!words) {
			perror("realloc");
			exit(1);
		}
	}
	words[nwords].text = strdup(w);
	words[nwords++].count = 1;
}

static void count_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char w[64];
	size_t n = 0;
	int c;

	if (!f) {
		perror(path);
		return;
	}
	files++;
	while ((c = fgetc(f)) != EOF) {
		if (isalpha(c) && n < sizeof(w) - 1) {
			w[n++] = (char)tolower(c);
		} else if (!isalpha(c) && n) {
			w[n] = '\0';
			if (n > 3)
				add(w);
			n = 0;
		}
	}
	fclose(f);
}

static void walk(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char sub[4096];

	if (stat(path, &st) < 0) {
		perror(path);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		count_file(path);
		return;
	}
	if (!(d = opendir(path))) {
		perror(path);
		return;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			walk(sub);
		}
	closedir(d);
}

static int by_count(const void *a, const void *b)
{
	const struct word *x = a, *y = b;
	return x->count != y->count ? (y->count > x->count ? 1 : -1) : strcmp(x->text, y->text);
}

int main(int argc, char **argv)
{
	FILE *out;

	for (int i = 1; i < argc; i++)
		walk(argv[i]);
	if (argc < 2)
		walk(".");
	qsort(words, nwords, sizeof(*words), by_count);
	printf("%ld files, %zu different words of 4+ letters; the most frequent:\n", files, nwords);
	for (size_t i = 0; i < nwords && i < 10; i++)
		printf("%8ld  %s\n", words[i].count, words[i].text);
	if (!(out = fopen("freq.txt", "w"))) {
		perror("freq.txt");
		return 1;
	}
	for (size_t i = 0; i < nwords; i++)
		fprintf(out, "%ld %s\n", words[i].count, words[i].text);
	fclose(out);
	return 0;
}
