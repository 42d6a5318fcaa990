/*
 * peers.h — what every map example's C program shares: dying with a
 * message, and its peers, the files a cell sees in /dev/in or /dev/out
 * (docs/system-map.md: a program finds its peers by listing them), sorted
 * by name.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The paths in dir ("/dev/in", "/dev/out"), sorted; *n of them. */
static char **peers(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	char **v = NULL;
	struct dirent *de;

	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (!(v = realloc(v, (*n + 1) * sizeof(*v))) || !(v[*n] = malloc(strlen(dir) + strlen(de->d_name) + 2)))
			die("malloc");
		sprintf(v[(*n)++], "%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (v)
		qsort(v, *n, sizeof(*v), by_name);
	return v;
}
