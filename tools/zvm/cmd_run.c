/*
 * cmd_run.c — `zvm run`: one program, one fresh cell, one report.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/channels.h"
#include "sfi/sfi.h"
#include "tools/zvm/commands.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: zvm run [options] PROGRAM.nexe [-- ARGS...]\n"
		"       zvm run [options] --manifest FILE [-- ARGS...]\n"
		"Runs the program in a fresh cell. Without a manifest, the caller's stdin,\n"
		"stdout and stderr are channels 0-2 and the default limits apply.\n"
		"Exit status: the program's exit code, or 122 memory limit, 123 CPU limit,\n"
		"124 timeout, 125 load error, 126 validation failed, 127 internal error,\n"
		"128+N killed by signal N, 159 seccomp violation (docs/report.md).\n"
		"\n"
		"  -m, --manifest FILE     channels, limits and arguments from FILE (docs/manifest.md)\n"
		"  --report FORMAT         text (default), json or none\n"
		"  --report-file FILE      write the report to FILE instead of stderr\n"
		"  --memory BYTES          memory limit (suffix K, M, G), overrides the manifest\n"
		"  --timeout SECONDS       wall-time limit (fractional), overrides the manifest\n"
		"  --cpu-time SECONDS      CPU-time limit (fractional), overrides the manifest\n"
		"  --nondeterministic      admit rdtsc, cpuid, rdrand, ... (validator rule 9 off)\n"
		"  --image TAR             a tar file unpacked into the program's in-memory file\n"
		"                          system at start (channel /dev/image; musl programs)\n"
		"  --image-out TAR         the program's file system written back as a tar at exit\n"
		"                          (channel /dev/image-out)\n"
		"  --env NAME=VALUE        an environment variable (repeat; added to the manifest's)\n"
		"  --seed N, --epoch NS    the random seed and the virtual clock's start (ns since 1970)\n"
		"  --no-cache              validate even if the image is in the validation cache\n"
		"  --debug-skip-validation run WITHOUT validation (tests of the second wall only;\n"
		"                          refused unless ZVM_DEBUG_ALLOW_UNVALIDATED=1)\n"
		"  -h, --help              this text\n");
}

struct run_cli {
	const char *manifest, *report_file, *format;
	const char *memory, *timeout, *cpu;
	const char *image, *image_out, *seed, *epoch;
	const char *env[ZVM_MAX_ENV];
	unsigned nenv;
	bool nondeterministic;
	struct zvm_run_options opt;
};

static int parse_u64(const char *flag, const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	if (!*s || *end || errno || *s == '-') {
		fprintf(stderr, "zvm run: %s '%s': expected an unsigned decimal number\n", flag, s);
		return -EINVAL;
	}
	return 0;
}

static int add_env(struct zvm_manifest *m, const char *kv)
{
	const char *eq = strchr(kv, '=');
	unsigned i;

	if (!eq || eq == kv) {
		fprintf(stderr, "zvm run: --env '%s': expected NAME=VALUE\n", kv);
		return -EINVAL;
	}
	for (i = 0; i < m->nenv; i++)
		if (!strncmp(m->env[i], kv, (size_t)(eq - kv) + 1))
			break;
	if (i == m->nenv && m->nenv >= ZVM_MAX_ENV) {
		fprintf(stderr, "zvm run: more than %d environment variables\n", ZVM_MAX_ENV);
		return -E2BIG;
	}
	if (i < m->nenv)
		free(m->env[i]); /* the flag overrides the manifest */
	else
		m->nenv++;
	m->env[i] = strdup(kv);
	return m->env[i] ? 0 : -ENOMEM;
}

/* An image channel from a flag: read-only (random reads) or write-only. */
static int add_channel(struct zvm_manifest *m, const char *path, const char *alias, unsigned type, bool input)
{
	struct zvm_channel_decl *d;

	for (unsigned i = 0; i < m->nchannels; i++)
		if (!strcmp(m->channels[i].alias, alias)) {
			fprintf(stderr, "zvm run: the manifest already declares %s\n", alias);
			return -EEXIST;
		}
	if (m->nchannels >= ZVM_MAX_CHANNELS) {
		fprintf(stderr, "zvm run: more than %d channels\n", ZVM_MAX_CHANNELS);
		return -E2BIG;
	}
	d = &m->channels[m->nchannels];
	memset(d, 0, sizeof(*d));
	d->uri = strdup(path);
	d->alias = strdup(alias);
	if (!d->uri || !d->alias) {
		free(d->uri);
		free(d->alias);
		return -ENOMEM;
	}
	d->type = type;
	if (input)
		d->max_reads = d->max_read_bytes = UINT64_MAX;
	else
		d->max_writes = d->max_write_bytes = UINT64_MAX;
	m->nchannels++;
	return 0;
}

static int apply_overrides(const struct run_cli *cli, struct zvm_manifest *m)
{
	/* the manifest's own parsers: flags and manifests follow one rule */
	if (cli->memory && (zvm_manifest_parse_bytes(cli->memory, &m->memory) < 0 ||
			    m->memory < ZVM_MIN_MEMORY || m->memory > ZVM_MAX_MEMORY)) {
		fprintf(stderr, "zvm run: --memory '%s': expected bytes (suffix K, M or G) from 1M to 3G\n", cli->memory);
		return -EINVAL;
	}
	if (cli->timeout && zvm_manifest_parse_seconds(cli->timeout, &m->timeout) < 0) {
		fprintf(stderr, "zvm run: --timeout '%s': expected seconds from %g to %g\n", cli->timeout,
			ZVM_MIN_SECONDS, ZVM_MAX_SECONDS);
		return -EINVAL;
	}
	if (cli->cpu && zvm_manifest_parse_seconds(cli->cpu, &m->cpu_time) < 0) {
		fprintf(stderr, "zvm run: --cpu-time '%s': expected seconds from %g to %g\n", cli->cpu,
			ZVM_MIN_SECONDS, ZVM_MAX_SECONDS);
		return -EINVAL;
	}
	if (m->cpu_time >= m->timeout)
		m->cpu_time = 0; /* no CPU limit below the wall limit: the wall limit governs */
	if (cli->nondeterministic)
		m->deterministic = false;
	if ((cli->seed && parse_u64("--seed", cli->seed, &m->seed) < 0) ||
	    (cli->epoch && parse_u64("--epoch", cli->epoch, &m->epoch_ns) < 0))
		return -EINVAL;
	for (unsigned i = 0; i < cli->nenv; i++)
		if (add_env(m, cli->env[i]) < 0)
			return -EINVAL;
	if ((cli->image && add_channel(m, cli->image, "/dev/image", ZVM_CHANNEL_RND_READ_SEQ_WRITE, true) < 0) ||
	    (cli->image_out && add_channel(m, cli->image_out, "/dev/image-out", ZVM_CHANNEL_SEQ_READ_SEQ_WRITE, false) < 0))
		return -EINVAL;
	return 0;
}

static int add_args(struct zvm_manifest *m, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (m->nargs >= ZVM_MAX_ARGS) {
			fprintf(stderr, "zvm run: more than %d arguments\n", ZVM_MAX_ARGS);
			return -E2BIG;
		}
		m->args[m->nargs] = strdup(argv[i]);
		if (!m->args[m->nargs])
			return -ENOMEM;
		m->nargs++;
	}
	return 0;
}

static int print_report(const struct run_cli *cli, const struct zvm_report *rep)
{
	FILE *f = stderr;

	if (!strcmp(cli->format, "none"))
		return 0;
	if (cli->report_file && !(f = fopen(cli->report_file, "we"))) {
		fprintf(stderr, "zvm run: --report-file %s: %s\n", cli->report_file, strerror(errno));
		return -errno;
	}
	if (!strcmp(cli->format, "json"))
		zvm_report_print_json(f, rep);
	else
		zvm_report_print_text(f, rep);
	if (f != stderr && fclose(f) != 0)
		return -EIO;
	return 0;
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "manifest", required_argument, NULL, 'm' },
		{ "report", required_argument, NULL, 'R' },
		{ "report-file", required_argument, NULL, 'F' },
		{ "memory", required_argument, NULL, 'M' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "cpu-time", required_argument, NULL, 'C' },
		{ "nondeterministic", no_argument, NULL, 'n' },
		{ "image", required_argument, NULL, 'I' },
		{ "image-out", required_argument, NULL, 'O' },
		{ "env", required_argument, NULL, 'E' },
		{ "seed", required_argument, NULL, 's' },
		{ "epoch", required_argument, NULL, 'e' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "debug-skip-validation", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 } };
	struct run_cli cli = { .format = "text", .opt = { .use_cache = true } };
	struct zvm_manifest m;
	struct zvm_report *rep;
	char err[1024];
	int c, rc, status;

	/* "+" stops at the first non-option: the program's own arguments follow. */
	while ((c = getopt_long(argc, argv, "+m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': cli.manifest = optarg; break;
		case 'R': cli.format = optarg; break;
		case 'F': cli.report_file = optarg; break;
		case 'M': cli.memory = optarg; break;
		case 'T': cli.timeout = optarg; break;
		case 'C': cli.cpu = optarg; break;
		case 'n': cli.nondeterministic = true; break;
		case 'I': cli.image = optarg; break;
		case 'O': cli.image_out = optarg; break;
		case 's': cli.seed = optarg; break;
		case 'e': cli.epoch = optarg; break;
		case 'E':
			if (cli.nenv >= ZVM_MAX_ENV) {
				fprintf(stderr, "zvm run: more than %d --env\n", ZVM_MAX_ENV);
				return ZVM_EXIT_USAGE;
			}
			cli.env[cli.nenv++] = optarg;
			break;
		case 'N': cli.opt.use_cache = false; break;
		case 'S': cli.opt.skip_validation = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return ZVM_EXIT_USAGE;
		}
	}
	if (strcmp(cli.format, "text") && strcmp(cli.format, "json") && strcmp(cli.format, "none")) {
		fprintf(stderr, "zvm run: --report '%s': expected text, json or none\n", cli.format);
		return ZVM_EXIT_USAGE;
	}
	if (cli.manifest) {
		rc = zvm_manifest_load(cli.manifest, &m, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "zvm run: %s\n", err);
			return 125;
		}
	} else {
		if (optind >= argc || !strcmp(argv[optind], "--")) {
			usage(stderr);
			return ZVM_EXIT_USAGE;
		}
		rc = zvm_manifest_default(argv[optind++], &m);
		if (rc < 0) {
			fprintf(stderr, "zvm run: %s\n", strerror(-rc));
			return 125;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (apply_overrides(&cli, &m) < 0 || add_args(&m, argc - optind, argv + optind) < 0) {
		zvm_manifest_free(&m);
		return ZVM_EXIT_USAGE;
	}
	rep = calloc(1, sizeof(*rep));
	if (!rep)
		return 127;
	rc = zvm_run(&m, &cli.opt, rep);
	if (rc < 0 && !rep->message[0])
		snprintf(rep->message, sizeof(rep->message), "%s", strerror(-rc));
	if (rc < 0)
		rep->state = ZVM_STATE_INTERNAL_ERROR;
	if (rep->state == ZVM_STATE_LOAD_ERROR && !strcmp(cli.format, "text"))
		fprintf(stderr, "zvm run: %s\n", rep->message);
	else
		print_report(&cli, rep);
	status = zvm_state_exit_status(rep->state, rep->exit_code, rep->signal);
	free(rep);
	zvm_manifest_free(&m);
	return status;
}
