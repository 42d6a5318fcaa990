/*
 * main.c — zvm-serve, the program behind `zvm serve` (docs/http.md):
 * configuration, tenants, the drop to an unprivileged user, signals.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "client/zvm-client.h"
#include "serve/serve.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: zvm serve [--config FILE] [--KEY VALUE]...\n"
		"\n"
		"An HTTP API in front of zvmd: Piston's /api/v2 (runtimes, execute) and zvm's /v1\n"
		"(images, jobs, status), tenants by bearer token, the playground at /. docs/http.md.\n"
		"\n"
		"  --config FILE           key = value lines, [tenant NAME] sections (docs/http.md)\n"
		"  --listen HOST:PORT      default 127.0.0.1:8080\n"
		"  --socket PATH           zvmd's socket (default /run/zvm.sock)\n"
		"  --tokens FILE           'TOKEN TENANT' lines; without it: loopback only, one tenant\n"
		"  --playground DIR        static files at / (default: beside the binary)\n"
		"  --compiler PATH         zvm-compile (default: beside the binary)\n"
		"  --lua PATH, --python PATH   the interpreters' images\n"
		"  --user NAME             who to run as when started as root (default nobody)\n"
		"  --state-dir DIR         where compiles write their files (default /tmp)\n"
		"  --job-threads N, --max-connections N, --request-timeout S, --max-body BYTES,\n"
		"  --max-image BYTES, --cache-entries N, --drain S\n"
		"  --concurrent N, --cpu-per-minute S, --max-memory BYTES, --max-output BYTES,\n"
		"  --rate R, --burst N, --max-timeout S   every tenant's quotas (docs/http.md)\n"
		"\n"
		"Logs one line per request on stderr; SIGTERM drains running requests and exits 0.\n");
}

static bool loopback(const char *host)
{
	return !strncmp(host, "127.", 4) || !strcmp(host, "::1");
}

static int drop_privileges(const char *user)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	pw = getpwnam(user);
	if (!pw || pw->pw_uid == 0) {
		fprintf(stderr, "zvm-serve: --user %s: %s\n", user, pw ? "is root: zvm serve runs unprivileged"
								       : "no such user");
		return -1;
	}
	if (setgroups(0, NULL) < 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0) {
		fprintf(stderr, "zvm-serve: becoming %s: %s\n", user, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct serve_config cfg;
	struct serve_tenants ts;
	struct serve_server *srv;
	char bindir[PATH_MAX], err[768];
	struct rlimit rl;
	ssize_t n = readlink("/proc/self/exe", bindir, sizeof(bindir) - 1);
	sigset_t set;
	int sig;

	if (n < 0)
		n = 0;
	bindir[n] = '\0';
	if (strrchr(bindir, '/'))
		*strrchr(bindir, '/') = '\0';
	serve_config_defaults(&cfg, bindir);
	/* argv[0] is "serve" (exec'd by the zvm front end) or zvm-serve */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
	for (int i = 1; i + 1 < argc; i += 2)
		if (!strcmp(argv[i], "--config") && serve_config_load(&cfg, argv[i + 1], err, sizeof(err)) < 0) {
			fprintf(stderr, "zvm-serve: %s\n", err);
			return 2;
		}
	for (int i = 1; i < argc; i += 2) {
		char key[64];

		if (strncmp(argv[i], "--", 2) || i + 1 >= argc || strlen(argv[i]) >= sizeof(key) + 2) {
			fprintf(stderr, "zvm-serve: '%s': expected --KEY VALUE (zvm serve --help)\n", argv[i]);
			return 2;
		}
		if (!strcmp(argv[i], "--config"))
			continue;
		strcpy(key, argv[i] + 2);
		for (char *c = key; *c; c++)
			if (*c == '-')
				*c = '_';
		if (serve_config_set(&cfg, &cfg.quota, key, argv[i + 1], err, sizeof(err)) < 0) {
			fprintf(stderr, "zvm-serve: --%s: %s\n", argv[i] + 2, err);
			return 2;
		}
	}
	if (cfg.tokens[0]) {
		if (serve_tenants_load(&ts, cfg.tokens, &cfg.quota, err, sizeof(err)) < 0) {
			fprintf(stderr, "zvm-serve: %s\n", err);
			return 2;
		}
		for (unsigned i = 0; i < cfg.ntenant_quotas; i++) {
			struct serve_tenant *t = serve_tenant_named(&ts, cfg.tenant_quotas[i].name);
			if (!t) {
				fprintf(stderr, "zvm-serve: [tenant %s]: no token names this tenant\n",
					cfg.tenant_quotas[i].name);
				return 2;
			}
			t->q = cfg.tenant_quotas[i].q;
			t->tokens = t->q.burst;
		}
	} else {
		if (serve_tenants_open(&ts, &cfg.quota) < 0) {
			fprintf(stderr, "zvm-serve: out of memory\n");
			return 1;
		}
		if (!loopback(cfg.listen_host)) {
			fprintf(stderr, "zvm-serve: no --tokens: listening on 127.0.0.1, not %s\n", cfg.listen_host);
			snprintf(cfg.listen_host, sizeof(cfg.listen_host), "127.0.0.1");
		}
	}
	/* a connection and a few channel memfds per request */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (drop_privileges(cfg.user) < 0)
		return 1;
	/* every thread started below inherits this mask: signals come to sigwait */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	srv = serve_start(&cfg, &ts, err, sizeof(err));
	if (!srv) {
		fprintf(stderr, "zvm-serve: %s\n", err);
		return 1;
	}
	fprintf(stderr, "zvm-serve: listening on %s:%u as uid %u, zvmd at %s, %s\n", cfg.listen_host, cfg.port,
		(unsigned)getuid(), cfg.socket,
		ts.open ? "no --tokens: loopback only, every request is tenant 'local'" : "bearer tokens required");
	{
		struct zvm_status st;
		if (zvm_client_status(cfg.socket, NULL, &st, err, sizeof(err)))
			fprintf(stderr, "zvm-serve: warning: %s (jobs fail until zvmd answers)\n", err);
	}
	while (sigwait(&set, &sig) == 0 && sig != SIGTERM && sig != SIGINT)
		;
	fprintf(stderr, "zvm-serve: %s: draining\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	if (serve_stop(srv))
		_exit(1);
	serve_tenants_free(&ts);
	return 0;
}
