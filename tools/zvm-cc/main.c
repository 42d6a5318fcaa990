/*
 * main.c — zvm-cc: a gcc driver for sandboxed programs.
 *
 * C -> gcc -S (with the flags the scheme needs) -> rewriter -> as -> static
 * link at 68 KiB with the in-sandbox runtime. .s files are rewritten and
 * assembled, .S files preprocessed first. The output is checked by
 * `zvm validate`, never trusted.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <libgen.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/zvm-cc/options.h"
#include "tools/zvm-cc/rewriter.h"

extern char **environ;

#define MAX_ARGS 1024

struct argv_buf {
	const char *a[MAX_ARGS];
	int n;
};

static void push(struct argv_buf *b, const char *s)
{
	if (b->n < MAX_ARGS - 1)
		b->a[b->n++] = s;
	b->a[b->n] = NULL;
}

static const char *const forced_cflags[] = {
	"-fno-pic", "-fno-pie", "-mcmodel=small", "-ffixed-r11", "-fcf-protection=none",
	"-fno-stack-protector", "-mno-tls-direct-seg-refs", "-fno-jump-tables", "-falign-functions=32",
	"-march=x86-64-v2", "-mtune=generic", "-mno-red-zone", "-fno-asynchronous-unwind-tables",
	"-fno-unwind-tables", "-fno-exceptions", NULL };

struct opts {
	enum { LINK, COMPILE, ASSEMBLY, PREPROCESS } mode;
	const char *output;
	bool verbose, keep;
	bool no_crt, no_libs;     /* -nostdlib = both; -nostartfiles; -nodefaultlibs */
	bool deps, deps_file;     /* -MD/-MMD given; -MF given */
	bool mini;                /* --libc=mini: the small runtime instead of musl + ZRT */
	bool pic;                 /* the last of -f[no-]{pic,PIC,pie,PIE} turned it on */
	struct argv_buf cflags, asflags, ldflags, inputs;
	char rt[PATH_MAX], gcc_include[PATH_MAX], tmp[PATH_MAX];
	int ntmp;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: zvm-cc [gcc options] FILE... [-c|-S|-E] [-o OUT]\n"
		"Compiles C (.c), assembly (.s) and preprocessed assembly (.S) for a zvm cell:\n"
		"gcc -S, the SFI rewriter, as, and a static link at 0x11000 with the runtime.\n"
		"\n"
		"  -c / -S / -E        stop after the object / the rewritten assembly / cpp\n"
		"  -o FILE             output (default, as gcc: a.out; NAME.o or NAME.s in the\n"
		"                      current directory with -c or -S; stdout with -E)\n"
		"  -O*, -g, -D, -U, -I, -std=, -W*, -f*, -m*   passed to gcc (flags that break\n"
		"                      the scheme, like -mavx or -flto, are refused; -fPIC is\n"
		"                      accepted, -shared is not: build a static library)\n"
		"  -L, -l, -nostdlib   link options (-nostdlib: no crt0 and no runtime libraries)\n"
		"  --libc=musl|mini    musl with ZRT, the Linux system calls inside the cell,\n"
		"                      and runtime/zlibc's malloc, qsort and string functions\n"
		"                      (default; docs/runtime.md), or the small runtime of\n"
		"                      runtime/ (no files, no system calls: tests and benchmarks)\n"
		"  -v                  print the commands run;  -save-temps  keep temporary files\n"
		"  --help, --version\n"
		"Environment: ZVM_RUNTIME_DIR (default: <dir of zvm-cc>/../runtime);\n"
		"ZVM_LIBC (musl or mini) when --libc is not given.\n");
}

/* Runs cmd, its stdout on out_fd (-1: ours). */
static int run_to(const struct opts *o, struct argv_buf *cmd, int out_fd)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, rc;

	if (o->verbose) {
		for (int i = 0; i < cmd->n; i++)
			fprintf(stderr, "%s%s", i ? " " : "", cmd->a[i]);
		fputc('\n', stderr);
	}
	posix_spawn_file_actions_init(&fa);
	if (out_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	rc = posix_spawnp(&pid, cmd->a[0], &fa, NULL, (char *const *)cmd->a, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		fprintf(stderr, "zvm-cc: cannot run %s: %s\n", cmd->a[0], strerror(rc));
		return -rc;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static int run(const struct opts *o, struct argv_buf *cmd)
{
	return run_to(o, cmd, -1);
}

/* gcc -E: gcc removes its -o file when preprocessing fails, and as root
 * that removed the /dev/stdout symlink itself (autoconf's failing probes
 * did it, and configure's header checks then read nothing). So gcc never
 * gets -o here: it writes to its stdout, which is ours or the file we
 * opened; a failed run removes that file only if it is a regular file
 * we created or truncated, never a device or a symlink's target. */
static int preprocess(const struct opts *o, struct argv_buf *c)
{
	struct stat st;
	int fd, rc;

	if (!o->output || !strcmp(o->output, "-"))
		return run(o, c);
	fd = open(o->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0666);
	if (fd < 0) {
		rc = -errno;
		fprintf(stderr, "zvm-cc: %s: %s\n", o->output, strerror(errno));
		return rc;
	}
	rc = run_to(o, c, fd);
	if (rc < 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && lstat(o->output, &st) == 0 &&
	    S_ISREG(st.st_mode))
		unlink(o->output); /* as gcc: no half-written output */
	close(fd);
	return rc;
}

static int find_runtime(struct opts *o)
{
	const char *env = getenv("ZVM_RUNTIME_DIR");
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(o->rt, sizeof(o->rt), "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -errno;
	self[n] = '\0';
	if ((size_t)snprintf(o->rt, sizeof(o->rt), "%s/../runtime", dirname(self)) >= sizeof(o->rt))
		return -ENAMETOOLONG;
	return 0;
}

static int gcc_include_dir(struct opts *o)
{
	FILE *p = popen("gcc -print-file-name=include", "r");
	size_t n;

	if (!p || !fgets(o->gcc_include, sizeof(o->gcc_include), p)) {
		if (p)
			pclose(p);
		return -EIO;
	}
	pclose(p);
	n = strlen(o->gcc_include);
	while (n && (o->gcc_include[n - 1] == '\n'))
		o->gcc_include[--n] = '\0';
	return 0;
}

static const char *ext(const char *path)
{
	const char *dot = strrchr(path, '.');
	return dot && !strchr(dot, '/') ? dot : "";
}

static char *tmpname(struct opts *o, const char *base, const char *suffix)
{
	char *s;
	const char *b = strrchr(base, '/');

	if (asprintf(&s, "%s/%d-%s%s", o->tmp, o->ntmp++, b ? b + 1 : base, suffix) < 0)
		return NULL;
	return s;
}

static int slurp(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return -errno;
	do {
		if (n + 65536 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 65536);
			if (!nb) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	*out = buf;
	*len = n;
	return 0;
}

/* Whether a and b name one existing file. */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The rewriter step: src (assembly) -> dst (rewritten assembly). */
static int rewrite_file(const char *src, const char *display, const char *dst)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int rc = slurp(src, &text, &len);

	if (rc < 0) {
		fprintf(stderr, "zvm-cc: %s: %s\n", src, strerror(-rc));
		return rc;
	}
	out = fopen(dst, "we");
	if (!out) {
		rc = -errno;
		fprintf(stderr, "zvm-cc: %s: %s\n", dst, strerror(errno));
		free(text);
		return rc;
	}
	rc = zvm_rewrite(text, len, display, out, stderr);
	if (fclose(out) != 0 && rc == 0)
		rc = -EIO;
	free(text);
	return rc;
}

static void add_include_flags(const struct opts *o, struct argv_buf *c)
{
	static char inc[PATH_MAX + 16], musl_inc[PATH_MAX + 16];

	snprintf(inc, sizeof(inc), "%s/include", o->rt);
	snprintf(musl_inc, sizeof(musl_inc), "%s/musl/include", o->rt);
	push(c, "-nostdinc");
	if (o->mini) {
		push(c, "-isystem");
		push(c, inc);
		push(c, "-isystem");
		push(c, o->gcc_include);
		return;
	}
	/* musl's headers, gcc's own (intrinsics), then zvm.h */
	push(c, "-isystem");
	push(c, musl_inc);
	push(c, "-isystem");
	push(c, o->gcc_include);
	push(c, "-idirafter");
	push(c, inc);
}

/* One input to an object file (or to the -S/-E output). */
static int compile_one(struct opts *o, const char *in, const char *obj)
{
	struct argv_buf c = { 0 };
	const char *e = ext(in);
	char *asm_in = NULL, *rewritten, *depfile = NULL;
	int rc;

	if (!strcmp(e, ".c") || !strcmp(e, ".S")) {
		bool is_c = !strcmp(e, ".c");
		asm_in = tmpname(o, in, ".s");
		push(&c, "gcc");
		if (o->mode == PREPROCESS)
			push(&c, "-E");
		else if (is_c)
			push(&c, "-S");
		else
			push(&c, "-E");
		for (const char *const *f = forced_cflags; *f && is_c; f++)
			push(&c, *f);
		add_include_flags(o, &c);
		push(&c, "-D__zvm__=1");
		for (int i = 0; i < o->cflags.n; i++)
			push(&c, o->cflags.a[i]);
		/* -fPIC's default TLS model (global-dynamic) calls
		 * __tls_get_addr, which the static link rewrites into a
		 * %fs:0 read after the rewriter has run; initial-exec is what
		 * a non-PIC object uses for a variable of another file */
		if (is_c && o->pic)
			push(&c, "-ftls-model=initial-exec");
		if (!is_c)
			push(&c, "-D__ASSEMBLER__");
		/* -MD/-MMD: gcc would name the file and target after our
		 * temporary output; name them after the object */
		if (o->deps && !o->deps_file && (o->mode == COMPILE || o->mode == ASSEMBLY)) {
			const char *dot = strrchr(obj, '.');
			int stem = dot && !strchr(dot, '/') ? (int)(dot - obj) : (int)strlen(obj);
			if (asprintf(&depfile, "%.*s.d", stem, obj) < 0) {
				depfile = NULL;
				rc = -ENOMEM;
				goto out;
			}
			push(&c, "-MF");
			push(&c, depfile);
			push(&c, "-MT");
			push(&c, obj);
		}
		push(&c, in);
		if (o->mode == PREPROCESS) {
			rc = preprocess(o, &c);
			goto out;
		}
		push(&c, "-o");
		push(&c, asm_in);
		if ((rc = run(o, &c)) < 0)
			goto out;
	} else if (!strcmp(e, ".s")) {
		/* gcc -E leaves a .s alone (nothing to preprocess), and writes nothing */
		if (o->mode == PREPROCESS)
			return 0;
		asm_in = strdup(in);
	} else {
		fprintf(stderr, "zvm-cc: %s: unknown kind of input (expected .c, .s, .S, .o or .a)\n", in);
		return -EINVAL;
	}
	if (o->mode == ASSEMBLY && same_file(in, obj)) {
		fprintf(stderr, "zvm-cc: %s: -S would write the rewritten assembly over its input; name the output with -o\n",
			in);
		rc = -EINVAL;
		goto out;
	}
	rewritten = o->mode == ASSEMBLY ? strdup(obj) : tmpname(o, in, ".zvm.s");
	{
		/* Lines of gcc's output are not lines of the C file (except
		 * inside inline asm, which gcc marks and the rewriter follows). */
		char *display = NULL;
		if (!strcmp(e, ".c") && asprintf(&display, "%s (gcc -S output)", in) < 0)
			display = NULL;
		rc = rewrite_file(asm_in, display ? display : in, rewritten);
		free(display);
		if (rc < 0 && o->mode == ASSEMBLY)
			unlink(rewritten); /* no half-rewritten output */
	}
	if (rc == 0 && o->mode != ASSEMBLY) {
		struct argv_buf a = { 0 };
		push(&a, "as");
		push(&a, "--64");
		/* a warning on rewritten assembly means the rewriter misread
		 * it (a string cut at a ';' once): an error, never a silent
		 * change of the program */
		push(&a, "--fatal-warnings");
		for (int i = 0; i < o->asflags.n; i++)
			push(&a, o->asflags.a[i]);
		push(&a, rewritten);
		push(&a, "-o");
		push(&a, obj);
		rc = run(o, &a);
		if (rc < 0) {
			/* as names the lines of the temporary file: keep it */
			fprintf(stderr, "zvm-cc: %s: the assembler refused the rewritten assembly (kept in %s)\n", in,
				rewritten);
			o->keep = true;
		}
	}
	free(rewritten);
out:
	free(depfile);
	free(asm_in);
	return rc;
}

static int link_all(struct opts *o, struct argv_buf *objs)
{
	static char script[PATH_MAX + 16], crt[PATH_MAX + 16], libdir[PATH_MAX + 16];
	static char musl_libdir[PATH_MAX + 16], libc[PATH_MAX + 16];
	struct argv_buf l = { 0 };

	snprintf(musl_libdir, sizeof(musl_libdir), "-L%s/musl/lib", o->rt);
	snprintf(libc, sizeof(libc), "%s/musl/lib/libc.a", o->rt);
	if (!o->mini && !o->no_libs && access(libc, R_OK) != 0) {
		fprintf(stderr, "zvm-cc: %s: %s — build musl first ('make musl'), or link the small runtime with --libc=mini\n",
			libc, strerror(errno));
		return -ENOENT;
	}

	snprintf(script, sizeof(script), "%s/zvm.ld", o->rt);
	snprintf(crt, sizeof(crt), "%s/crt0.o", o->rt);
	snprintf(libdir, sizeof(libdir), "-L%s", o->rt);
	push(&l, "ld");
	push(&l, "-static");
	push(&l, "-nostdlib");
	push(&l, "--no-dynamic-linker");
	push(&l, "-z");
	push(&l, "noexecstack");
	push(&l, "-T");
	push(&l, script);
	if (!o->no_crt)
		push(&l, crt);
	for (int i = 0; i < objs->n; i++)
		push(&l, objs->a[i]);
	push(&l, libdir);
	if (!o->mini)
		push(&l, musl_libdir);
	if (!o->no_libs && !o->mini) {
		push(&l, "-u");
		push(&l, "malloc");
		push(&l, "-u");
		push(&l, "qsort");
	}
	push(&l, "--start-group");
	for (int i = 0; i < o->ldflags.n; i++)
		push(&l, o->ldflags.a[i]);
	if (!o->no_libs && o->mini) {
		push(&l, "-lzvmrt");
		push(&l, "-lzvmgcc");
	} else if (!o->no_libs) {
		push(&l, "-lzrt");
		/* our malloc and qsort before musl's (runtime/zlibc/); -u pulls
		 * them in even when only libc itself calls them. A program that
		 * defines malloc itself keeps its own. */
		push(&l, "-lzlibc");
		push(&l, "-lc");
		push(&l, "-lzvmgcc");
	}
	push(&l, "--end-group");
	push(&l, "-o");
	push(&l, o->output ? o->output : "a.out"); /* as gcc: autoconf looks for it */
	return run(o, &l);
}

/* "-Wl,a,b" -> "a" "b" (the strings live until exit). */
static int push_split(struct argv_buf *b, const char *list)
{
	char *copy = strdup(list), *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		push(b, t);
	return 0;
}

/* gcc options whose argument is the next word */
static bool takes_arg(const char *a)
{
	static const char *const list[] = { "-I", "-D", "-U", "-include", "-imacros", "-isystem", "-iquote",
					    "-idirafter", "-x", "-MF", "-MT", "-MQ", NULL };
	for (const char *const *p = list; *p; p++)
		if (!strcmp(a, *p))
			return true;
	return false;
}

/* Returns 0, 1 when done (--help, --version), or -EINVAL after a message. */
static int parse_args(struct opts *o, int argc, char **argv)
{
	const char *libc = getenv("ZVM_LIBC");

	if (libc && *libc && strcmp(libc, "musl") && strcmp(libc, "mini")) {
		fprintf(stderr, "zvm-cc: ZVM_LIBC='%s': musl or mini\n", libc);
		return -EINVAL;
	}
	o->mini = libc && !strcmp(libc, "mini");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *why;
		bool next = !strcmp(a, "-o") || !strcmp(a, "-Xlinker") || !strcmp(a, "-Xassembler") || takes_arg(a);

		if (next && i + 1 == argc) {
			fprintf(stderr, "zvm-cc: %s needs an argument\n", a);
			return -EINVAL;
		}
		if (!strcmp(a, "--help")) {
			usage(stdout);
			return 1;
		} else if (!strcmp(a, "--version")) {
			printf("zvm-cc 0.2 (gcc driver for zvm cells)\n");
			return 1;
		} else if (!strcmp(a, "--libc=mini")) {
			o->mini = true;
		} else if (!strcmp(a, "--libc=musl")) {
			o->mini = false;
		} else if (!strncmp(a, "--libc", 6)) {
			fprintf(stderr, "zvm-cc: %s: the libc is --libc=musl or --libc=mini\n", a);
			return -EINVAL;
		} else if (!strcmp(a, "-c") || !strcmp(a, "-S") || !strcmp(a, "-E")) {
			/* as gcc: the earliest stop wins, whatever the order */
			int m = a[1] == 'c' ? COMPILE : a[1] == 'S' ? ASSEMBLY : PREPROCESS;
			if (m > (int)o->mode)
				o->mode = m;
		} else if (!strcmp(a, "-o")) {
			o->output = argv[++i];
		} else if (!strcmp(a, "-v")) {
			o->verbose = true;
		} else if (!strcmp(a, "-save-temps")) {
			o->keep = true;
		} else if (!strcmp(a, "-nostdlib")) {
			o->no_crt = o->no_libs = true;
		} else if (!strcmp(a, "-nostartfiles")) {
			o->no_crt = true;
		} else if (!strcmp(a, "-nodefaultlibs")) {
			o->no_libs = true;
		} else if (!strcmp(a, "-static") || !strcmp(a, "-pipe") || !strcmp(a, "-rdynamic")) {
			/* always static; pipes are irrelevant; -rdynamic fills a
			 * dynamic symbol table that a static image has not
			 * (CMake passes it to every Linux link) */
		} else if (!strncmp(a, "-l", 2) || !strncmp(a, "-L", 2)) {
			push(&o->ldflags, a);
		} else if (!strncmp(a, "-Wl,", 4) || !strcmp(a, "-Xlinker")) {
			if (push_split(&o->ldflags, a[1] == 'W' ? a + 4 : argv[++i]) < 0)
				return -ENOMEM;
		} else if (!strncmp(a, "-Wa,", 4) || !strcmp(a, "-Xassembler")) {
			if (push_split(&o->asflags, a[1] == 'W' ? a + 4 : argv[++i]) < 0)
				return -ENOMEM;
		} else if (a[0] == '-' && (why = zvm_cc_refused(a))) {
			fprintf(stderr, "zvm-cc: %s is not compatible with sandboxed code: %s (docs/sfi.md)\n", a, why);
			return -EINVAL;
		} else if (takes_arg(a)) {
			o->deps_file |= !strcmp(a, "-MF");
			push(&o->cflags, a);
			push(&o->cflags, argv[++i]);
		} else if (a[0] == '-') {
			o->deps |= !strcmp(a, "-MD") || !strcmp(a, "-MMD");
			if (!strcasecmp(a, "-fpic") || !strcasecmp(a, "-fpie"))
				o->pic = true;
			else if (!strcasecmp(a, "-fno-pic") || !strcasecmp(a, "-fno-pie"))
				o->pic = false;
			push(&o->cflags, a);
		} else {
			push(&o->inputs, a);
		}
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(int argc, char **argv)
{
	static struct opts o;
	struct argv_buf objs = { 0 }, owned = { 0 };
	int rc;

	rc = parse_args(&o, argc, argv);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (o.inputs.n == 0) {
		fprintf(stderr, "zvm-cc: no input files (try --help)\n");
		return 2;
	}
	if (o.output && o.mode != LINK && o.inputs.n > 1) {
		fprintf(stderr, "zvm-cc: -o with -c, -S or -E takes one input\n");
		return 2;
	}
	if (find_runtime(&o) < 0 || gcc_include_dir(&o) < 0) {
		fprintf(stderr, "zvm-cc: cannot find the runtime or gcc's include directory\n");
		return 1;
	}
	if (access(o.rt, F_OK) != 0) {
		fprintf(stderr, "zvm-cc: no runtime directory at %s (build it, or set ZVM_RUNTIME_DIR)\n", o.rt);
		return 1;
	}
	snprintf(o.tmp, sizeof(o.tmp), "%s/zvm-cc-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(o.tmp)) {
		fprintf(stderr, "zvm-cc: temporary directory: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 0; i < o.inputs.n && rc == 0; i++) {
		const char *in = o.inputs.a[i], *e = ext(in);
		char *obj;
		if (!strcmp(e, ".o") || !strcmp(e, ".a")) {
			push(&objs, in);
			continue;
		}
		if (o.mode != LINK && o.output) {
			obj = strdup(o.output);
		} else if (o.mode == COMPILE || o.mode == ASSEMBLY) {
			const char *b = strrchr(in, '/');
			if (asprintf(&obj, "%.*s%s", (int)(strlen(b ? b + 1 : in) - strlen(e)), b ? b + 1 : in,
				     o.mode == COMPILE ? ".o" : ".s") < 0)
				obj = NULL;
		} else {
			obj = tmpname(&o, in, ".o");
		}
		if (!obj) {
			rc = -ENOMEM;
			break;
		}
		rc = compile_one(&o, in, obj);
		push(&objs, obj);
		push(&owned, obj);
	}
	if (rc == 0 && o.mode == LINK)
		rc = link_all(&o, &objs);
	for (int i = 0; i < owned.n; i++)
		free((char *)owned.a[i]);
	if (!o.keep) {
		if (nftw(o.tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
			fprintf(stderr, "zvm-cc: could not remove %s\n", o.tmp);
	} else {
		fprintf(stderr, "zvm-cc: temporary files kept in %s\n", o.tmp);
	}
	return rc == 0 ? 0 : 1;
}
