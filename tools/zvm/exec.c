/*
 * exec.c — `zvm exec PROGRAM.nexe ARGS...`: a nexe as a host command
 * (docs/exec.md). The caller's working directory (or --dir) is packed
 * into a tar by the host's tar and given to the cell as its image, at
 * its host path, and the program starts in the caller's working
 * directory: relative and absolute names inside it work; stdin, stdout and
 * stderr are the caller's; at exit the cell's file system comes back as
 * /dev/image-out and what changed in it is written back (exec.h), as the
 * caller. The exit status is the program's (or zvm run's 122-127).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <ftw.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/zvm/commands.h"
#include "tools/zvm/exec.h"

extern char **environ;

#define MAX_ARGS 4096

static void usage(FILE *f)
{
	fprintf(f,
		"usage: zvm exec [options] PROGRAM.nexe [ARGS...]\n"
		"Runs a nexe as a host command: the working directory's files are in the\n"
		"cell at their host paths (unpacked from a tar, as with zvm run --image),\n"
		"the program starts in that directory, stdin, stdout and stderr are the\n"
		"caller's, files it wrote or changed in the directory are written back at\n"
		"exit (nothing is deleted; the rest of the cell's tree stays there), and\n"
		"the exit status is the program's (docs/exec.md).\n"
		"\n"
		"  --dir DIR               the directory to give and write back (default: .);\n"
		"                          the program starts in . if it is inside DIR\n"
		"  --no-write-back         give the files, write nothing back\n"
		"  --pass-env NAME         copy the caller's variable NAME into the cell\n"
		"                          (repeat; none is passed otherwise)\n"
		"  --memory, --timeout, --cpu-time, --env, --seed, --epoch, --report,\n"
		"  --report-file, --nondeterministic, --no-cache, --fd N (the caller's\n"
		"  descriptor N open at N in the cell, as /dev/fd/N)\n"
		"                          as for zvm run\n"
		"  -h, --help              this text\n");
}

/* zvm run's options that take a value (the next word, or after '='):
 * o's first k bytes */
static bool takes_value(const char *o, size_t k)
{
	static const char *const v[] = { "--memory", "--timeout", "--cpu-time", "--env", "--seed",
					 "--epoch", "--report", "--report-file", "--fd" };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (strlen(v[i]) == k && !strncmp(o, v[i], k))
			return true;
	return false;
}

static bool passed_flag(const char *o)
{
	return !strcmp(o, "--nondeterministic") || !strcmp(o, "--no-cache");
}

/* The host's tar packs dir (an absolute path) under its own path, so the
 * cell sees it where the host has it (symlinks stored as such, which ZRT
 * skips: nothing outside dir is read through one). */
static int pack(const char *dir, const char *tar)
{
	const char *av[] = { "tar", "--create", "--format=gnu", "--file", tar, "--directory", "/",
			     "--warning=no-file-changed", "--", dir + 1, NULL };
	pid_t pid;
	int st, rc;

	if ((rc = posix_spawnp(&pid, "tar", NULL, NULL, (char *const *)av, environ)) != 0) {
		fprintf(stderr, "zvm exec: running tar: %s\n", strerror(rc));
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	/* 1: a file changed while tar read it (a test writing beside the
	 * program); the archive is whole */
	if (!WIFEXITED(st) || WEXITSTATUS(st) > 1) {
		fprintf(stderr, "zvm exec: tar could not pack %s (status %d)\n", dir, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return -1;
	}
	return 0;
}

/* a whole file mapped read-only; *len 0 (and NULL) for an empty one */
static const unsigned char *map_file(const char *path, size_t *len)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*len = 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "zvm exec: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return MAP_FAILED;
	}
	if (st.st_size == 0) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		fprintf(stderr, "zvm exec: %s: %s\n", path, strerror(errno));
	else
		*len = (size_t)st.st_size;
	return p;
}

static int write_back(const char *dir, const char *given, const char *tar)
{
	struct zvm_write_back wb;
	const unsigned char *in, *out;
	size_t in_len, out_len;
	int dfd, rc = -1;

	if ((out = map_file(tar, &out_len)) == MAP_FAILED)
		return -1;
	if (!out) /* killed from outside: the cell wrote nothing */
		return 0;
	if ((in = map_file(given, &in_len)) == MAP_FAILED)
		goto unmap_out;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "zvm exec: writing back into %s: %s\n", dir, strerror(errno));
		goto unmap;
	}
	rc = zvm_write_back(dfd, dir, in, in_len, out, out_len, &wb);
	close(dfd);
	if (rc < 0)
		fprintf(stderr, "zvm exec: writing back into %s: %s\n", dir, wb.error);
unmap:
	if (in)
		munmap((void *)in, in_len);
unmap_out:
	munmap((void *)out, out_len);
	return rc < 0 ? -1 : 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

int cmd_exec(int argc, char **argv)
{
	static const char *av[MAX_ARGS];
	static char absdir[PATH_MAX], cwd[PATH_MAX];
	char tmpl[4096], in[4200], out[4200], *pwd;
	const char *dir = ".", *tmpdir = getenv("TMPDIR");
	bool back = true, inside;
	int n = 0, i, status;
	size_t l;

	av[n++] = "run";
	for (i = 1; i < argc && argv[i][0] == '-' && n < MAX_ARGS - 8; i++) {
		char *a = argv[i], *eq = strchr(a, '=');
		size_t k = eq ? (size_t)(eq - a) : strlen(a);

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "--no-write-back")) {
			back = false;
		} else if (!strcmp(a, "--dir") || !strncmp(a, "--dir=", 6)) {
			if (!eq && i + 1 == argc)
				goto missing;
			dir = eq ? eq + 1 : argv[++i];
		} else if (!strcmp(a, "--pass-env") || !strncmp(a, "--pass-env=", 11)) {
			const char *name, *val;
			char *e;
			if (!eq && i + 1 == argc)
				goto missing;
			name = eq ? eq + 1 : argv[++i];
			if ((val = getenv(name))) {
				if (asprintf(&e, "%s=%s", name, val) < 0)
					return 127;
				av[n++] = "--env";
				av[n++] = e;
			}
		} else if (passed_flag(a)) {
			av[n++] = a;
		} else if (takes_value(a, k)) {
			if (!eq && i + 1 == argc)
				goto missing;
			av[n++] = a;
			if (!eq)
				av[n++] = argv[++i];
		} else {
			fprintf(stderr, "zvm exec: %s: not an option of zvm exec (--manifest, --image and "
				"--image-out are what exec does itself; see zvm exec --help)\n", a);
			return ZVM_EXIT_USAGE;
		}
	}
	if (i == argc) {
		fprintf(stderr, "zvm exec: no program (zvm exec [options] PROGRAM.nexe [ARGS...])\n");
		return ZVM_EXIT_USAGE;
	}
	if (argc - i + n + 8 > MAX_ARGS) {
		fprintf(stderr, "zvm exec: too many arguments\n");
		return ZVM_EXIT_USAGE;
	}
	/* the directory at its host path in the cell, the program started in
	 * the caller's working directory when that is inside it (ZRT takes
	 * PWD as the working directory), else in the directory itself */
	if (!realpath(dir, absdir) || !getcwd(cwd, sizeof(cwd))) {
		fprintf(stderr, "zvm exec: %s: %s\n", dir, strerror(errno));
		return 127;
	}
	if (!strcmp(absdir, "/")) {
		fprintf(stderr, "zvm exec: the directory is /: the whole host would be the image (use --dir)\n");
		return ZVM_EXIT_USAGE;
	}
	l = strlen(absdir);
	inside = !strncmp(cwd, absdir, l) && (cwd[l] == '\0' || cwd[l] == '/');
	if (asprintf(&pwd, "PWD=%s", inside ? cwd : absdir) < 0)
		return 127;
	av[n++] = "--env";
	av[n++] = pwd;
	snprintf(tmpl, sizeof(tmpl), "%s/zvm-exec-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(tmpl)) {
		fprintf(stderr, "zvm exec: %s: %s\n", tmpl, strerror(errno));
		return 127;
	}
	snprintf(in, sizeof(in), "%s/in.tar", tmpl);
	snprintf(out, sizeof(out), "%s/out.tar", tmpl);
	if (pack(absdir, in) < 0) {
		nftw(tmpl, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
		return 127;
	}
	av[n++] = "--image";
	av[n++] = in;
	if (back) {
		av[n++] = "--image-out";
		av[n++] = out;
	}
	av[n++] = argv[i++];
	av[n++] = "--";
	while (i < argc)
		av[n++] = argv[i++];
	av[n] = NULL;
	status = cmd_run(n, (char **)av);
	if (back && write_back(absdir, in, out) < 0)
		status = 127;
	nftw(tmpl, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	return status;
missing:
	fprintf(stderr, "zvm exec: %s needs a value\n", argv[i]);
	return ZVM_EXIT_USAGE;
}
