/*
 * job.c — the flags `zvm run` and `zvm submit` share, parsed into one
 * description (a manifest and its opened descriptors), and the report both
 * print at the end (job.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/zvm/commands.h"
#include "tools/zvm/job.h"

/* Values of the shared long options: clear of any short option letter and
 * of the commands' own values (job.h). */
enum {
	O_REPORT = 256, O_REPORT_FILE, O_MEMORY, O_TIMEOUT, O_CPU_TIME, O_NONDET, O_IMAGE, O_IMAGE_OUT,
	O_ENV, O_SEED, O_EPOCH,
};

static const struct option shared_opts[] = {
	{ "manifest", required_argument, NULL, 'm' },
	{ "report", required_argument, NULL, O_REPORT },
	{ "report-file", required_argument, NULL, O_REPORT_FILE },
	{ "memory", required_argument, NULL, O_MEMORY },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "cpu-time", required_argument, NULL, O_CPU_TIME },
	{ "nondeterministic", no_argument, NULL, O_NONDET },
	{ "image", required_argument, NULL, O_IMAGE },
	{ "image-out", required_argument, NULL, O_IMAGE_OUT },
	{ "env", required_argument, NULL, O_ENV },
	{ "seed", required_argument, NULL, O_SEED },
	{ "epoch", required_argument, NULL, O_EPOCH },
	{ "help", no_argument, NULL, 'h' },
};
#define NSHARED (sizeof(shared_opts) / sizeof(shared_opts[0]))
#define MAX_EXTRA 16

static const char shared_help[] =
	"  -m, --manifest FILE     channels, limits and arguments from FILE (docs/manifest.md)\n"
	"  --memory BYTES          memory limit (like 64M or 1 GiB), overrides the manifest\n"
	"  --timeout SECONDS       wall-time limit (like 2, 0.5 or 500ms), overrides the manifest\n"
	"  --cpu-time SECONDS      CPU-time limit, overrides the manifest\n"
	"  --nondeterministic      admit rdtsc, cpuid, rdrand, ... (validator rule 9 off)\n"
	"  --image TAR             a tar file unpacked into the program's in-memory file\n"
	"                          system at start (channel /dev/image; musl programs)\n"
	"  --image-out TAR         the program's file system written back as a tar at exit\n"
	"                          (channel /dev/image-out)\n"
	"  --env NAME=VALUE        an environment variable (repeat; added to the manifest's)\n"
	"  --seed N, --epoch NS    the random seed and the virtual clock's start (ns since 1970)\n"
	"  --report FORMAT         the full report on stderr: text or json; none: nothing,\n"
	"                          even on failure. Default: nothing on success, one line\n"
	"                          on stderr when the run does not end ok (docs/report.md)\n"
	"  --report-file FILE      the full report (text, or --report json) into FILE\n";

void zvm_job_usage(FILE *f, const char *cmd, const struct zvm_job_extra *x)
{
	fprintf(f, "usage: %s [options] PROGRAM.nexe [-- ARGS...]\n"
		   "       %s [options] --manifest FILE [-- ARGS...]\n", cmd, cmd);
	if (x && x->synopsis)
		fputs(x->synopsis, f);
	if (x && x->about)
		fputs(x->about, f);
	fprintf(f, "Exit status: the program's exit code, or 122 memory limit, 123 CPU limit,\n"
		   "124 timeout, 125 load error, 126 validation failed, 127 internal error,\n"
		   "128+N killed by signal N, 159 seccomp violation (docs/report.md); 2 usage.\n\n");
	fputs(shared_help, f);
	if (x && x->options)
		fputs(x->options, f);
	fputs("  -h, --help              this text\n", f);
}

/* What the flags said, before the manifest they override is known. */
struct flags {
	const char *manifest, *image, *image_out;
	bool memory_set, timeout_set, cpu_set, seed_set, epoch_set, nondet;
	uint64_t memory, seed, epoch;
	double timeout, cpu;
	unsigned nenv;
	const char *env[ZVM_MAX_ENV];
};

__attribute__((format(printf, 2, 3)))
static int usage_error(const struct zvm_job *j, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", j->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return ZVM_EXIT_USAGE;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return *end || errno ? -EINVAL : 0;
}

int zvm_report_format_parse(const char *s, enum zvm_report_format *out)
{
	if (!strcmp(s, "text"))
		*out = ZVM_REPORT_TEXT;
	else if (!strcmp(s, "json"))
		*out = ZVM_REPORT_JSON;
	else if (!strcmp(s, "none"))
		*out = ZVM_REPORT_NONE;
	else
		return -EINVAL;
	return 0;
}

static int take_shared(struct zvm_job *j, struct flags *f, int c, const char *arg)
{
	switch (c) {
	case 'm': f->manifest = arg; return ZVM_JOB_READY;
	case O_REPORT:
		if (zvm_report_format_parse(arg, &j->format) < 0)
			return usage_error(j, "--report '%s': expected text, json or none", arg);
		return ZVM_JOB_READY;
	case O_REPORT_FILE: j->report_file = arg; return ZVM_JOB_READY;
	case O_MEMORY:
		if (zvm_parse_bytes(arg, &f->memory) < 0 || f->memory < ZVM_MIN_MEMORY || f->memory > ZVM_MAX_MEMORY)
			return usage_error(j, "--memory '%s': expected bytes (like 64M or 1 GiB) from 1M to 3G", arg);
		f->memory_set = true;
		return ZVM_JOB_READY;
	case O_TIMEOUT:
	case O_CPU_TIME:
		if (zvm_parse_seconds(arg, c == O_TIMEOUT ? &f->timeout : &f->cpu) < 0)
			return usage_error(j, "--%s '%s': expected seconds (like 2, 0.5 or 500ms) from %g to %g",
					   c == O_TIMEOUT ? "timeout" : "cpu-time", arg, ZVM_MIN_SECONDS, ZVM_MAX_SECONDS);
		*(c == O_TIMEOUT ? &f->timeout_set : &f->cpu_set) = true;
		return ZVM_JOB_READY;
	case O_NONDET: f->nondet = true; return ZVM_JOB_READY;
	case O_IMAGE: f->image = arg; return ZVM_JOB_READY;
	case O_IMAGE_OUT: f->image_out = arg; return ZVM_JOB_READY;
	case O_ENV:
		if (!strchr(arg, '=') || arg[0] == '=')
			return usage_error(j, "--env '%s': expected NAME=VALUE", arg);
		if (f->nenv >= ZVM_MAX_ENV)
			return usage_error(j, "more than %d --env", ZVM_MAX_ENV);
		f->env[f->nenv++] = arg;
		return ZVM_JOB_READY;
	case O_SEED:
	case O_EPOCH:
		if (parse_u64(arg, c == O_SEED ? &f->seed : &f->epoch) < 0)
			return usage_error(j, "--%s '%s': expected an unsigned decimal number",
					   c == O_SEED ? "seed" : "epoch", arg);
		*(c == O_SEED ? &f->seed_set : &f->epoch_set) = true;
		return ZVM_JOB_READY;
	}
	return usage_error(j, "internal: option %d", c);
}

/* --env replaces the manifest's variable of that name, or adds one. */
static int add_env(struct zvm_job *j, const char *kv)
{
	struct zvm_manifest *m = &j->m;
	size_t name = (size_t)(strchr(kv, '=') - kv) + 1;
	unsigned i;

	for (i = 0; i < m->nenv; i++)
		if (!strncmp(m->env[i], kv, name))
			break;
	if (i == m->nenv && m->nenv >= ZVM_MAX_ENV)
		return usage_error(j, "more than %d environment variables", ZVM_MAX_ENV);
	if (i < m->nenv)
		free(m->env[i]);
	else
		m->nenv++;
	m->env[i] = strdup(kv);
	return m->env[i] ? ZVM_JOB_READY : usage_error(j, "out of memory");
}

/* An image channel from a flag: read at offsets, or written in order. */
static int add_image_channel(struct zvm_job *j, const char *path, const char *alias, bool input)
{
	struct zvm_manifest *m = &j->m;
	struct zvm_channel_decl *d;

	for (unsigned i = 0; i < m->nchannels; i++)
		if (!strcmp(m->channels[i].alias, alias))
			return usage_error(j, "--%s: the manifest already declares %s", input ? "image" : "image-out",
					   alias);
	if (m->nchannels >= ZVM_MAX_CHANNELS)
		return usage_error(j, "more than %d channels", ZVM_MAX_CHANNELS);
	d = &m->channels[m->nchannels];
	*d = (struct zvm_channel_decl){
		.type = input ? ZVM_CHANNEL_RND_READ_SEQ_WRITE : ZVM_CHANNEL_SEQ_READ_SEQ_WRITE,
		.max_reads = input ? ZVM_NO_LIMIT : 0, .max_read_bytes = input ? ZVM_NO_LIMIT : 0,
		.max_writes = input ? 0 : ZVM_NO_LIMIT, .max_write_bytes = input ? 0 : ZVM_NO_LIMIT };
	m->nchannels++; /* counted first, so zvm_manifest_free frees what was set */
	d->uri = strdup(path);
	d->alias = strdup(alias);
	return d->uri && d->alias ? ZVM_JOB_READY : usage_error(j, "out of memory");
}

static int apply_flags(struct zvm_job *j, const struct flags *f)
{
	struct zvm_manifest *m = &j->m;
	int rc;

	if (f->memory_set) {
		m->memory = f->memory;
		m->given |= ZVM_GIVEN_MEMORY;
	}
	if (f->timeout_set) {
		m->timeout = f->timeout;
		m->given |= ZVM_GIVEN_TIMEOUT;
	}
	if (f->cpu_set) {
		m->cpu_time = f->cpu; /* at or above the wall limit: the wall limit governs */
		m->given |= ZVM_GIVEN_CPU_TIME;
	}
	if (f->nondet)
		m->deterministic = false;
	if (f->seed_set)
		m->seed = f->seed;
	if (f->epoch_set)
		m->epoch_ns = f->epoch;
	for (unsigned i = 0; i < f->nenv; i++)
		if ((rc = add_env(j, f->env[i])) != ZVM_JOB_READY)
			return rc;
	if (f->image && (rc = add_image_channel(j, f->image, "/dev/image", true)) != ZVM_JOB_READY)
		return rc;
	if (f->image_out && (rc = add_image_channel(j, f->image_out, "/dev/image-out", false)) != ZVM_JOB_READY)
		return rc;
	return ZVM_JOB_READY;
}

static int add_args(struct zvm_job *j, int argc, char **argv)
{
	struct zvm_manifest *m = &j->m;

	for (int i = 0; i < argc; i++) {
		if (m->nargs >= ZVM_MAX_ARGS)
			return usage_error(j, "more than %d arguments", ZVM_MAX_ARGS);
		if (!(m->args[m->nargs] = strdup(argv[i])))
			return usage_error(j, "out of memory");
		m->nargs++;
	}
	return ZVM_JOB_READY;
}

/* The shared options and the command's own, as one getopt table. */
static void build_table(struct option *out, char *shortopts, size_t shortlen, const struct zvm_job_extra *x)
{
	size_t n = 0;

	for (size_t i = 0; i < NSHARED; i++)
		out[n++] = shared_opts[i];
	for (size_t i = 0; x && x->longopts && x->longopts[i].name && i < MAX_EXTRA; i++)
		out[n++] = x->longopts[i];
	out[n] = (struct option){ 0 };
	/* "+": stop at the program, its own options follow; ":": we say what is missing */
	snprintf(shortopts, shortlen, "+:m:h%s", x && x->shortopts ? x->shortopts : "");
}

static void job_init(struct zvm_job *j, const char *cmd)
{
	memset(j, 0, sizeof(*j));
	j->cmd = cmd;
	j->image_fd = -1;
	for (unsigned i = 0; i < ZVM_MAX_CHANNELS; i++)
		j->chan_fd[i] = -1;
}

int zvm_job_parse(struct zvm_job *j, const char *cmd, int argc, char **argv, const struct zvm_job_extra *x)
{
	struct option table[NSHARED + MAX_EXTRA + 1];
	static struct flags f;
	char shortopts[64], err[1024];
	int c, rc;

	job_init(j, cmd);
	memset(&f, 0, sizeof(f));
	build_table(table, shortopts, sizeof(shortopts), x);
	opterr = 0;
	optind = 0; /* a fresh scan, also when called twice (tests) */
	while ((c = getopt_long(argc, argv, shortopts, table, NULL)) != -1) {
		const char *opt = argv[optind - 1];

		if (c == 'h') {
			zvm_job_usage(stdout, cmd, x);
			return 0;
		}
		if (c == ':')
			return usage_error(j, "%s needs a value (see %s --help)", opt, cmd);
		if (c == '?') {
			if (!strncmp(opt, "--", 2))
				return usage_error(j, "unknown option '%s' (see %s --help)", opt, cmd);
			return usage_error(j, "unknown option '-%c' (see %s --help)", optopt, cmd);
		}
		rc = (c >= O_REPORT && c <= O_EPOCH) || c == 'm' ? take_shared(j, &f, c, optarg)
			: x && x->take ? x->take(j, x->ctx, c, optarg) : usage_error(j, "internal: option %d", c);
		if (rc != ZVM_JOB_READY)
			return rc;
	}
	if (j->format == ZVM_REPORT_NONE && j->report_file)
		return usage_error(j, "--report none and --report-file: choose one");
	if (f.manifest && j->no_program)
		return usage_error(j, "--manifest names a program; --digest names another");
	if (f.manifest) {
		rc = zvm_manifest_load(f.manifest, &j->m, err, sizeof(err));
		if (rc < 0)
			return zvm_job_load_error(j, err);
	} else if (j->no_program) {
		if (zvm_manifest_default("", &j->m) < 0)
			return zvm_job_load_error(j, strerror(ENOMEM));
	} else {
		if (optind >= argc || !strcmp(argv[optind], "--")) {
			zvm_job_usage(stderr, cmd, x);
			return ZVM_EXIT_USAGE;
		}
		if (zvm_manifest_default(argv[optind++], &j->m) < 0)
			return zvm_job_load_error(j, strerror(ENOMEM));
	}
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if ((rc = apply_flags(j, &f)) != ZVM_JOB_READY || (rc = add_args(j, argc - optind, argv + optind)) != ZVM_JOB_READY) {
		zvm_job_free(j);
		return rc;
	}
	return ZVM_JOB_READY;
}

int zvm_job_open(struct zvm_job *j)
{
	static struct zvm_channel ch[ZVM_MAX_CHANNELS];
	static struct zvm_channel_stats stats[ZVM_MAX_CHANNELS];
	char err[1024];
	struct stat st;

	if (!j->no_program) {
		j->image_fd = open(j->m.program, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (j->image_fd < 0 || fstat(j->image_fd, &st) < 0) {
			snprintf(err, sizeof(err), "%s: %s", j->m.program, strerror(errno));
			return zvm_job_load_error(j, err);
		}
		/* never a pipe or a device: zvmd reads the image by its size */
		if (!S_ISREG(st.st_mode)) {
			snprintf(err, sizeof(err), "%s: not a regular file", j->m.program);
			return zvm_job_load_error(j, err);
		}
	}
	/* The one place channels are opened, for both commands; the stats are
	 * the runner's business, not ours. */
	if (zvm_channels_open(&j->m, ch, stats, err, sizeof(err)) < 0)
		return zvm_job_load_error(j, err);
	for (unsigned i = 0; i < j->m.nchannels; i++)
		j->chan_fd[i] = ch[i].fd;
	return ZVM_JOB_READY;
}

void zvm_job_free(struct zvm_job *j)
{
	for (unsigned i = 0; i < ZVM_MAX_CHANNELS; i++)
		if (j->chan_fd[i] >= 0) {
			close(j->chan_fd[i]);
			j->chan_fd[i] = -1;
		}
	if (j->image_fd >= 0)
		close(j->image_fd);
	j->image_fd = -1;
	zvm_manifest_free(&j->m);
}
