/*
 * main.c — zvmd: the privileged supervisor with a warm pool of cells.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/daemon.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: zvmd [options]\n"
		"Keeps a pool of pre-jailed workers warm and runs each submitted job in a\n"
		"fresh one (docs/protocol.md). Runs as root; logs to stderr.\n"
		"\n"
		"  -c, --config FILE     configuration file (docs/zvmd.md); flags override it\n"
		"  -p, --pool N          warm workers (default 8)\n"
		"  -s, --socket PATH     Unix socket (default /run/zvm.sock)\n"
		"  -q, --queue N         jobs that may wait for a worker before 'busy' (default 256)\n"
		"  -f, --foreground      stay in the foreground (the default; for systemd)\n"
		"  -h, --help            this text\n"
		"Signals: SIGTERM drains running cells and exits; SIGHUP reloads the limits.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "pool", required_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "queue", required_argument, NULL, 'q' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 } };
	const char *pool = NULL, *sock = NULL, *queue = NULL;
	static struct zvmd d;
	char err[1024];
	int c, rc;

	zvmd_config_defaults(&d.cfg);
	while ((c = getopt_long(argc, argv, "c:p:s:q:fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': d.config_path = optarg; break;
		case 'p': pool = optarg; break;
		case 's': sock = optarg; break;
		case 'q': queue = optarg; break;
		case 'f': break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "zvmd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (d.config_path && zvmd_config_load(&d.cfg, d.config_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "zvmd: %s\n", err);
		return 2;
	}
	{
		char *flags = d.flags;
		int n = 0;
		if (pool)
			n += snprintf(flags + n, sizeof(d.flags) - n, "pool_size = %s\n", pool);
		if (sock)
			n += snprintf(flags + n, sizeof(d.flags) - n, "socket = %s\n", sock);
		if (queue)
			n += snprintf(flags + n, sizeof(d.flags) - n, "queue_max = %s\n", queue);
		if (n >= (int)sizeof(d.flags) || zvmd_config_parse(&d.cfg, flags, "command line", err, sizeof(err)) < 0) {
			fprintf(stderr, "zvmd: %s\n", n >= (int)sizeof(d.flags) ? "arguments too long" : err);
			return 2;
		}
	}
	if (geteuid() != 0) {
		fprintf(stderr, "zvmd: must run as root (it creates namespaces, cgroups and uids)\n");
		return 1;
	}
	rc = zvmd_start(&d, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "zvmd: %s\n", err[0] ? err : strerror(-rc));
		return 1;
	}
	fprintf(stderr, "zvmd: listening on %s, pool of %u\n", d.cfg.socket_path, d.cfg.pool_size);
	rc = zvmd_run(&d);
	zvmd_stop(&d);
	fprintf(stderr, "zvmd: stopped\n");
	return rc < 0 ? 1 : 0;
}
