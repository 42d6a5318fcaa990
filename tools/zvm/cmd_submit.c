/*
 * cmd_submit.c — `zvm submit` and `zvm status`: clients of zvmd.
 * The client opens the image and passes it (and its own stdin, stdout and
 * stderr as channels 0-2) as fds, so the daemon never opens a path a
 * client names, and output streams straight to the client.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "channels/channels.h"
#include "supervisor/protocol.h"
#include "tools/zvm/commands.h"

#define DEFAULT_SOCKET "/run/zvm.sock"

static int connect_to(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

/* Reads the daemon's answer; prints errors. Returns the message type or -1. */
static int answer(int fd, uint8_t **payload, size_t *len)
{
	unsigned nfds;
	int fds[1], code;
	uint16_t type;
	char err[256] = "", text[1100];
	int rc = zvm_proto_recv(fd, &type, payload, len, fds, 0, &nfds, err, sizeof(err));

	if (rc < 0) {
		fprintf(stderr, "zvm: reading zvmd's answer: %s\n", err[0] ? err : strerror(-rc));
		return -1;
	}
	if (type == ZVM_MSG_ERROR) {
		zvm_proto_decode_error(*payload, *len, &code, text, sizeof(text));
		fprintf(stderr, "zvm: zvmd refused the request (%s): %s\n",
			code == ZVM_ERR_BUSY ? "busy" : code == ZVM_ERR_NOT_FOUND ? "not found"
			: code == ZVM_ERR_PERMISSION ? "permission" : code == ZVM_ERR_VERSION ? "version"
			: code == ZVM_ERR_OVERSIZED ? "oversized" : code == ZVM_ERR_MALFORMED ? "malformed" : "error",
			text);
		return -code - 100;
	}
	return type;
}

static void submit_usage(FILE *f)
{
	fprintf(f,
		"usage: zvm submit [options] PROGRAM.nexe [-- ARGS...]\n"
		"Runs the program in a warm cell of zvmd; stdin, stdout and stderr are\n"
		"channels 0-2. Exit status as for `zvm run`; 75 if zvmd is busy.\n"
		"\n"
		"  -s, --socket PATH     zvmd's socket (default " DEFAULT_SOCKET ", or $ZVM_SOCKET)\n"
		"  --report FORMAT       text (default), json or none (on stderr)\n"
		"  --memory BYTES        memory limit (capped by zvmd)\n"
		"  --timeout SECONDS     wall-time limit (fractional, capped by zvmd)\n"
		"  --cpu-time SECONDS    CPU-time limit (fractional, capped by zvmd)\n"
		"  --nondeterministic    admit rdtsc, cpuid, ... (validator rule 9 off)\n"
		"  --digest HEX          run an image uploaded before (`zvm upload`) instead of PROGRAM\n"
		"  --image TAR           unpacked into the program's file system at start (/dev/image)\n"
		"  --image-out TAR       the program's file system as a tar at exit (/dev/image-out)\n"
		"  --env NAME=VALUE      an environment variable (repeat)\n"
		"  --seed N, --epoch NS  the random seed and the virtual clock's start\n"
		"  -h, --help            this text\n");
}

static int parse_digest(const char *hex, uint8_t out[32])
{
	if (strlen(hex) != 64)
		return -EINVAL;
	for (int i = 0; i < 32; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		out[i] = (uint8_t)v;
	}
	return 0;
}

int cmd_submit(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "report", required_argument, NULL, 'R' },
		{ "memory", required_argument, NULL, 'M' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "cpu-time", required_argument, NULL, 'C' },
		{ "nondeterministic", no_argument, NULL, 'n' },
		{ "digest", required_argument, NULL, 'D' },
		{ "image", required_argument, NULL, 'I' },
		{ "image-out", required_argument, NULL, 'O' },
		{ "env", required_argument, NULL, 'E' },
		{ "seed", required_argument, NULL, 'S' },
		{ "epoch", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 } };
	static struct zvm_job_request j;
	const char *sock = getenv("ZVM_SOCKET") ? getenv("ZVM_SOCKET") : DEFAULT_SOCKET, *format = "text";
	static const char *const aliases[3] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };
	struct zvm_report *rep;
	struct zvm_msg m;
	uint8_t *payload = NULL;
	size_t len;
	const char *image = NULL, *image_out = NULL;
	int c, fd, fds[6], nfds, type, status;
	char *end;

	j.deterministic = true;
	while ((c = getopt_long(argc, argv, "+s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'R': format = optarg; break;
		/* the manifest's own parsers, as zvm run uses them */
		case 'M':
			if (zvm_manifest_parse_bytes(optarg, &j.memory) < 0 || j.memory < ZVM_MIN_MEMORY ||
			    j.memory > ZVM_MAX_MEMORY) {
				fprintf(stderr, "zvm submit: --memory '%s': expected bytes (suffix K, M or G) from 1M to 3G\n", optarg);
				return ZVM_EXIT_USAGE;
			}
			break;
		case 'T':
		case 'C':
			if (zvm_manifest_parse_seconds(optarg, c == 'T' ? &j.timeout : &j.cpu_time) < 0) {
				fprintf(stderr, "zvm submit: --%s '%s': expected seconds from %g to %g\n",
					c == 'T' ? "timeout" : "cpu-time", optarg, ZVM_MIN_SECONDS, ZVM_MAX_SECONDS);
				return ZVM_EXIT_USAGE;
			}
			break;
		case 'n': j.deterministic = false; break;
		case 'D':
			if (parse_digest(optarg, j.digest) < 0) {
				fprintf(stderr, "zvm submit: --digest: expected 64 hex digits\n");
				return ZVM_EXIT_USAGE;
			}
			j.by_digest = true;
			break;
		case 'I': image = optarg; break;
		case 'O': image_out = optarg; break;
		case 'E':
			if (!strchr(optarg, '=') || optarg[0] == '=' || j.nenv >= ZVM_MAX_ENV) {
				fprintf(stderr, "zvm submit: --env '%s': expected NAME=VALUE (at most %d)\n", optarg, ZVM_MAX_ENV);
				return ZVM_EXIT_USAGE;
			}
			j.env[j.nenv++] = optarg;
			break;
		case 'S':
		case 'P':
			errno = 0;
			*(c == 'S' ? &j.seed : &j.epoch_ns) = strtoull(optarg, &end, 10);
			if (!*optarg || *end || errno || optarg[0] == '-') {
				fprintf(stderr, "zvm submit: --%s '%s': expected an unsigned decimal number\n",
					c == 'S' ? "seed" : "epoch", optarg);
				return ZVM_EXIT_USAGE;
			}
			break;
		case 'h': submit_usage(stdout); return 0;
		default: submit_usage(stderr); return ZVM_EXIT_USAGE;
		}
	}
	if (!j.by_digest && optind >= argc) {
		submit_usage(stderr);
		return ZVM_EXIT_USAGE;
	}
	/* fds[0] is the image, or a placeholder when the job names a digest */
	fds[0] = j.by_digest ? open("/dev/null", O_RDONLY | O_CLOEXEC) : open(argv[optind], O_RDONLY | O_CLOEXEC);
	if (fds[0] < 0) {
		fprintf(stderr, "zvm submit: %s: %s\n", argv[optind], strerror(errno));
		return 125;
	}
	if (!j.by_digest) {
		snprintf(j.program_name, sizeof(j.program_name), "%s",
			 strrchr(argv[optind], '/') ? strrchr(argv[optind], '/') + 1 : argv[optind]);
		optind++;
	}
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	for (; optind < argc && j.nargs < ZVM_MAX_ARGS; optind++)
		j.args[j.nargs++] = argv[optind];
	j.image_fd_index = j.by_digest ? -1 : 0;
	for (int i = 0; i < 3; i++) {
		fds[i + 1] = i;
		j.ch[i].fd_index = (uint32_t)i + 1;
		snprintf(j.ch[i].alias, sizeof(j.ch[i].alias), "%s", aliases[i]);
		j.ch[i].max_reads = j.ch[i].max_read_bytes = i == 0 ? ZVM_NO_LIMIT : 0;
		j.ch[i].max_writes = j.ch[i].max_write_bytes = i == 0 ? 0 : ZVM_NO_LIMIT;
	}
	j.nchannels = 3;
	nfds = 4;
	/* image channels: files the client opens, as for `zvm run` */
	for (int k = 0; k < 2; k++) {
		const char *path = k ? image_out : image;
		unsigned i = j.nchannels;
		if (!path)
			continue;
		fds[nfds] = k ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : open(path, O_RDONLY | O_CLOEXEC);
		if (fds[nfds] < 0) {
			fprintf(stderr, "zvm submit: %s: %s\n", path, strerror(errno));
			return 125;
		}
		j.ch[i].fd_index = (uint32_t)nfds++;
		snprintf(j.ch[i].alias, sizeof(j.ch[i].alias), "%s", k ? "/dev/image-out" : "/dev/image");
		j.ch[i].type = k ? 0 : 1; /* the image is read at offsets */
		j.ch[i].max_reads = j.ch[i].max_read_bytes = k ? 0 : ZVM_NO_LIMIT;
		j.ch[i].max_writes = j.ch[i].max_write_bytes = k ? ZVM_NO_LIMIT : 0;
		j.nchannels++;
	}
	fd = connect_to(sock);
	if (fd < 0) {
		fprintf(stderr, "zvm submit: cannot reach zvmd at %s: %s\n", sock, strerror(-fd));
		return 125;
	}
	if (zvm_proto_encode_submit(&m, &j) < 0) {
		fprintf(stderr, "zvm submit: encoding the job: %s\n", strerror(errno));
		return 125;
	}
	if (zvm_proto_send(fd, &m, fds, (unsigned)nfds) < 0) {
		int e = errno;
		/* zvmd may have answered and closed before reading (a client it
		 * refuses): its error is still waiting to be read */
		type = answer(fd, &payload, &len);
		if (type > -100) {
			fprintf(stderr, "zvm submit: sending the job: %s\n", strerror(e));
			return 125;
		}
	} else {
		type = answer(fd, &payload, &len);
	}
	zvm_msg_free(&m);
	close(fds[0]);
	for (int k = 4; k < nfds; k++)
		close(fds[k]);
	close(fd);
	if (type == -ZVM_ERR_BUSY - 100)
		return 75; /* EX_TEMPFAIL: try again */
	if (type != ZVM_MSG_REPORT) {
		free(payload);
		return 125;
	}
	rep = calloc(1, sizeof(*rep));
	if (!rep || zvm_proto_decode_report(payload, len, rep, NULL, 0) < 0) {
		fprintf(stderr, "zvm submit: zvmd sent a malformed report\n");
		free(payload);
		free(rep);
		return 127;
	}
	free(payload);
	if (!strcmp(format, "json"))
		zvm_report_print_json(stderr, rep);
	else if (strcmp(format, "none"))
		zvm_report_print_text(stderr, rep);
	status = zvm_state_exit_status(rep->state, rep->exit_code, rep->signal);
	free(rep);
	return status;
}

int cmd_status(int argc, char **argv)
{
	const char *sock = getenv("ZVM_SOCKET") ? getenv("ZVM_SOCKET") : DEFAULT_SOCKET;
	struct zvm_status s;
	struct zvm_msg m;
	uint8_t *payload = NULL;
	size_t len;
	int fd, type;

	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "-s") || !strcmp(argv[i], "--socket")) && i + 1 < argc)
			sock = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: zvm status [-s SOCKET]\nShows zvmd's pool size, warm and busy cells, queue and totals.\n");
			return 0;
		} else {
			fprintf(stderr, "zvm status: unexpected argument '%s'\n", argv[i]);
			return ZVM_EXIT_USAGE;
		}
	}
	fd = connect_to(sock);
	if (fd < 0) {
		fprintf(stderr, "zvm status: cannot reach zvmd at %s: %s\n", sock, strerror(-fd));
		return 1;
	}
	zvm_msg_init(&m, ZVM_MSG_STATUS);
	if (zvm_msg_finish(&m) < 0 || zvm_proto_send(fd, &m, NULL, 0) < 0) {
		fprintf(stderr, "zvm status: sending: %s\n", strerror(errno));
		return 1;
	}
	zvm_msg_free(&m);
	type = answer(fd, &payload, &len);
	close(fd);
	if (type != ZVM_MSG_STATUS_REPLY || zvm_proto_decode_status(payload, len, &s, NULL, 0) < 0) {
		free(payload);
		return 1;
	}
	free(payload);
	printf("pool %u, warm %u, busy %u, queued %u (max %u)\n", s.pool, s.warm, s.busy, s.queued, s.queue_max);
	printf("jobs %llu: %llu ok, %llu failed, %llu refused busy; up %.1f s\n", (unsigned long long)s.jobs,
	       (unsigned long long)s.ok, (unsigned long long)s.failed, (unsigned long long)s.busy_rejected, s.uptime_s);
	return 0;
}

int cmd_upload(int argc, char **argv)
{
	const char *sock = getenv("ZVM_SOCKET") ? getenv("ZVM_SOCKET") : DEFAULT_SOCKET;
	static struct zvm_job_request j;
	struct zvm_msg m;
	uint8_t *payload = NULL, digest[32];
	size_t len;
	int fd, img, type;
	const char *path = NULL;

	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "-s") || !strcmp(argv[i], "--socket")) && i + 1 < argc)
			sock = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: zvm upload [-s SOCKET] PROGRAM.nexe\nValidates the image in zvmd and prints its SHA-256,\n"
			       "which `zvm submit --digest` can then name.\n");
			return 0;
		} else
			path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: zvm upload [-s SOCKET] PROGRAM.nexe\n");
		return ZVM_EXIT_USAGE;
	}
	img = open(path, O_RDONLY | O_CLOEXEC);
	if (img < 0) {
		fprintf(stderr, "zvm upload: %s: %s\n", path, strerror(errno));
		return 125;
	}
	fd = connect_to(sock);
	if (fd < 0) {
		fprintf(stderr, "zvm upload: cannot reach zvmd at %s: %s\n", sock, strerror(-fd));
		return 125;
	}
	j.image_fd_index = 0;
	j.deterministic = true;
	zvm_proto_encode_submit(&m, &j);
	m.buf[6] = ZVM_MSG_UPLOAD; /* same fields as a submit, another type */
	if (zvm_proto_send(fd, &m, &img, 1) < 0) {
		fprintf(stderr, "zvm upload: sending: %s\n", strerror(errno));
		return 125;
	}
	zvm_msg_free(&m);
	close(img);
	type = answer(fd, &payload, &len);
	close(fd);
	if (type == ZVM_MSG_DIGEST && zvm_proto_decode_digest(payload, len, digest) == 0) {
		for (int i = 0; i < 32; i++)
			printf("%02x", digest[i]);
		printf("\n");
		free(payload);
		return 0;
	}
	if (type == ZVM_MSG_REPORT) {
		static struct zvm_report r;
		if (zvm_proto_decode_report(payload, len, &r, NULL, 0) == 0)
			zvm_report_print_text(stderr, &r);
		free(payload);
		return 126;
	}
	free(payload);
	return 125;
}
