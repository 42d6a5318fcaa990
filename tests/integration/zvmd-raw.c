/*
 * zvmd-raw.c — sends zvmd hand-made bytes and prints what comes back, for
 * the robustness and attack tests: zvmd-raw SOCKET KIND [ARG], KIND one of
 *   garbage | bad-version | oversized | truncated | unknown-field | no-image | fd-index
 *   stall            half a header, then nothing (the daemon's request deadline)
 *   trickle SECONDS  a STATUS header one byte at a time, SECONDS apart
 *   fifo-image PATH  a SUBMIT whose image is the FIFO PATH, its writer held open
 *   pipe-loop        the image is a pipe whose write end is the job's stdout
 *   self-image       the image is this very connection
 *   hold N SECONDS   opens N connections, sends nothing, keeps them SECONDS;
 *                    prints what each refused one was told
 *   bigstall N SECONDS  the same, each sending all but the last byte of a
 *                    1 MiB SUBMIT
 *   map HOW DIGEST   a hostile system map (MAP, then NODEs of the image
 *                    DIGEST, hex), HOW one of: forward (a node reads
 *                    itself), later (node 0 reads node 1), by-fd (a node
 *                    names its image by fd), stall (2 nodes announced, 1
 *                    sent), huge (100,000 nodes), unknown (an unknown
 *                    digest), status (a STATUS where a NODE is due),
 *                    submit-inputs (a SUBMIT with inputs), bad-channel (an
 *                    input on a channel the node lacks), many N (N nodes
 *                    announced, N sent; prints the reports' count), wide N
 *                    (the same, each node with 60 channels that are copies
 *                    of one passed fd), mute N (wide, then 3 s without
 *                    reading before it reads the reports)
 * Prints "error CODE: text", "closed", or "reply TYPE".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "protocol/protocol.h"

static int print_reply(int fd)
{
	uint8_t *payload = NULL;
	size_t len;
	int fds[4], code;
	unsigned nfds;
	uint16_t type;
	char err[256], text[1100];

	if (zvm_proto_recv(fd, &type, &payload, &len, fds, 4, &nfds, err, sizeof(err)) < 0) {
		printf("closed\n");
		return 0;
	}
	if (type == ZVM_MSG_ERROR) {
		zvm_proto_decode_error(payload, len, &code, text, sizeof(text));
		printf("error %d: %s\n", code, text);
	} else if (type == ZVM_MSG_REPORT) {
		static struct zvm_report r;
		if (zvm_proto_decode_report(payload, len, &r, err, sizeof(err)) == 0)
			printf("report %s: %s\n", zvm_state_name(r.state), r.message);
		else
			printf("reply %u\n", type);
	} else
		printf("reply %u\n", type);
	free(payload);
	return 1;
}

/* Channels per node of `wide` and `mute`: all of them copies of one
 * passed fd (the caller's stdout). */
static unsigned node_channels = 1;

/* One node of a map: the image by digest, stdout the caller's. */
static int send_node(int fd, const uint8_t digest[32], const struct zvm_submit_input *in, unsigned nin, bool by_fd,
		     uint16_t type)
{
	static char alias[ZVM_MAX_CHANNELS][16];
	static struct zvm_submit j;
	struct zvm_msg m;
	int pass[2] = { 1, 0 }, rc;

	zvm_submit_init(&j);
	j.by_digest = !by_fd;
	memcpy(j.digest, digest, 32);
	j.image_fd = by_fd ? 1 : -1;
	j.m.nchannels = node_channels;
	for (unsigned c = 0; c < node_channels; c++) {
		snprintf(alias[c], sizeof(alias[c]), c ? "/dev/c%u" : "/dev/stdout", c);
		j.m.channels[c].alias = alias[c];
		j.m.channels[c].max_writes = j.m.channels[c].max_write_bytes = UINT64_MAX;
		j.channel_fds[c] = 0;
	}
	j.ninputs = nin;
	if (nin)
		memcpy(j.inputs, in, nin * sizeof(*in));
	if (by_fd)
		pass[1] = open("/proc/self/exe", O_RDONLY);
	rc = type == ZVM_MSG_NODE ? zvm_proto_encode_node(&m, &j) : zvm_proto_encode_submit(&m, &j);
	if (rc == 0)
		rc = zvm_proto_send(fd, &m, pass, by_fd ? 2 : 1);
	zvm_msg_free(&m);
	return rc;
}

static int hostile_map(int fd, const char *how, const char *hex, int count)
{
	struct zvm_map_request r = { .nodes = 1 };
	struct zvm_submit_input in = { 0, 0, 0 };
	uint8_t digest[32] = { 0 };
	struct zvm_msg m;

	for (int i = 0; i < 32 && strlen(hex) == 64; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		digest[i] = (uint8_t)v;
	}
	if (!strcmp(how, "submit-inputs")) {
		send_node(fd, digest, &in, 1, false, ZVM_MSG_SUBMIT);
		return !print_reply(fd);
	}
	if (!strcmp(how, "stall") || !strcmp(how, "later"))
		r.nodes = 2;
	if (!strcmp(how, "huge"))
		r.nodes = 100000;
	if (!strcmp(how, "wide") || !strcmp(how, "mute"))
		node_channels = 60;
	if (!strcmp(how, "many") || !strcmp(how, "wide") || !strcmp(how, "mute"))
		r.nodes = (uint32_t)count;
	zvm_proto_encode_map(&m, &r);
	zvm_proto_send(fd, &m, NULL, 0);
	zvm_msg_free(&m);
	if (!strcmp(how, "huge"))
		return !print_reply(fd);
	if (!strcmp(how, "status")) {
		zvm_msg_init(&m, ZVM_MSG_STATUS);
		zvm_msg_finish(&m);
		zvm_proto_send(fd, &m, NULL, 0);
		zvm_msg_free(&m);
	} else if (!strcmp(how, "forward")) {
		send_node(fd, digest, &in, 1, false, ZVM_MSG_NODE);
	} else if (!strcmp(how, "later")) {
		in.node = 1;
		send_node(fd, digest, &in, 1, false, ZVM_MSG_NODE);
	} else if (!strcmp(how, "bad-channel")) {
		in.channel = 5;
		send_node(fd, digest, &in, 1, false, ZVM_MSG_NODE);
	} else if (!strcmp(how, "by-fd")) {
		send_node(fd, digest, NULL, 0, true, ZVM_MSG_NODE);
	} else if (!strcmp(how, "many") || !strcmp(how, "wide") || !strcmp(how, "mute")) {
		int reports = 0;
		for (int i = 0; i < count; i++)
			if (send_node(fd, digest, NULL, 0, false, ZVM_MSG_NODE) < 0)
				break;
		if (!strcmp(how, "mute")) {
			/* a client that reads nothing for a while: zvmd must keep
			 * its reports and serve others meanwhile */
			printf("sent %d\n", count);
			fflush(stdout);
			sleep(3);
		}
		for (int i = 0; i < count && print_reply(fd); i++)
			reports++;
		printf("reports %d\n", reports);
		return 0;
	} else { /* stall, unknown: one node sent */
		send_node(fd, digest, NULL, 0, false, ZVM_MSG_NODE);
	}
	return !print_reply(fd);
}

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	uint8_t buf[64] = { 0 }, *payload = NULL;
	struct zvm_msg m;
	size_t n = 0, len;
	int fd, fds[4], code;
	unsigned nfds;
	uint16_t type;
	char err[256], text[1100];

	if (argc < 3) {
		fprintf(stderr, "usage: zvmd-raw SOCKET KIND [ARG...]\n");
		return 2;
	}
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", argv[1]);
	signal(SIGPIPE, SIG_IGN); /* a refused write still leaves the answer to read */
	if ((!strcmp(argv[2], "hold") || !strcmp(argv[2], "bigstall")) && argc == 5) {
		int want = atoi(argv[3]), refused = 0;
		bool big = !strcmp(argv[2], "bigstall");
		static uint8_t msg1[ZVM_PROTO_HEADER + ZVM_PROTO_MAX];
		if (big) {
			/* a header announcing the largest payload, then that less one byte */
			zvm_msg_init(&m, ZVM_MSG_SUBMIT);
			zvm_msg_finish(&m);
			memcpy(msg1, m.buf, ZVM_PROTO_HEADER);
			zvm_msg_free(&m);
			msg1[8] = (uint8_t)ZVM_PROTO_MAX, msg1[9] = (uint8_t)(ZVM_PROTO_MAX >> 8);
			msg1[10] = (uint8_t)(ZVM_PROTO_MAX >> 16), msg1[11] = (uint8_t)(ZVM_PROTO_MAX >> 24);
		}
		for (int i = 0; i < want; i++) {
			struct pollfd p;
			fd = socket(AF_UNIX, SOCK_STREAM, 0);
			if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
				printf("connect %d: %s\n", i, strerror(errno));
				refused++;
				continue;
			}
			if (big) {
				size_t off = 0, total = sizeof(msg1) - 1;
				while (off < total) {
					ssize_t w = write(fd, msg1 + off, total - off);
					if (w <= 0)
						break;
					off += (size_t)w;
				}
			}
			/* a refusal comes at once; an accepted one says nothing */
			p = (struct pollfd){ .fd = fd, .events = POLLIN };
			if (poll(&p, 1, 20) == 1 && zvm_proto_recv(fd, &type, &payload, &len, fds, 4, &nfds, err, sizeof(err)) == 0) {
				if (type == ZVM_MSG_ERROR && zvm_proto_decode_error(payload, len, &code, text, sizeof(text)) == 0)
					printf("error %d: %s\n", code, text);
				free(payload);
				close(fd);
				refused++;
			}
		}
		printf("held %d\n", want - refused);
		fflush(stdout);
		sleep((unsigned)atoi(argv[4]));
		return 0;
	}
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("connect");
		return 1;
	}
	if (!strcmp(argv[2], "map") && argc >= 5)
		return hostile_map(fd, argv[3], argv[4], argc > 5 ? atoi(argv[5]) : 0);
	if (!strcmp(argv[2], "stall")) {
		zvm_msg_init(&m, ZVM_MSG_STATUS);
		zvm_msg_finish(&m);
		if (write(fd, m.buf, 8) != 8)
			return 1;
		goto reply;
	} else if (!strcmp(argv[2], "trickle") && argc == 4) {
		zvm_msg_init(&m, ZVM_MSG_STATUS);
		zvm_msg_finish(&m);
		for (size_t i = 0; i < m.len; i++) {
			if (write(fd, m.buf + i, 1) != 1)
				break;
			usleep((useconds_t)(atof(argv[3]) * 1e6));
		}
		goto reply;
	} else if (!strcmp(argv[2], "fifo-image") || !strcmp(argv[2], "pipe-loop") || !strcmp(argv[2], "self-image")) {
		static struct zvm_submit j;
		int pass[3], np = 0, p[2], holder = -1;
		zvm_submit_init(&j);
		j.image_fd = 0;
		if (!strcmp(argv[2], "fifo-image") && argc == 4) {
			holder = open(argv[3], O_RDWR); /* a writer that never writes */
			pass[np++] = open(argv[3], O_RDONLY | O_NONBLOCK);
		} else if (!strcmp(argv[2], "pipe-loop")) {
			if (pipe(p) < 0)
				return 1;
			pass[np++] = p[0];
			pass[np++] = p[1];
			j.m.nchannels = 1;
			j.m.channels[0].alias = (char *)"/dev/stdout";
			j.channel_fds[0] = 1;
			j.m.channels[0].type = 0;
			j.m.channels[0].max_writes = j.m.channels[0].max_write_bytes = UINT64_MAX;
		} else {
			pass[np++] = fd;
		}
		(void)holder;
		zvm_proto_encode_submit(&m, &j);
		if (zvm_proto_send(fd, &m, pass, (unsigned)np) < 0)
			return 1;
		zvm_msg_free(&m);
		goto reply;
	} else if (!strcmp(argv[2], "garbage")) {
		memcpy(buf, "GET / HTTP/1.0\r\n\r\n", 18);
		n = 18;
	} else if (!strcmp(argv[2], "bad-version") || !strcmp(argv[2], "oversized")) {
		zvm_msg_init(&m, ZVM_MSG_STATUS);
		zvm_msg_finish(&m);
		memcpy(buf, m.buf, m.len);
		n = m.len;
		zvm_msg_free(&m);
		if (!strcmp(argv[2], "bad-version"))
			buf[4] = 9;
		else
			buf[8] = buf[9] = buf[10] = 0xff, buf[11] = 0x7f;
	} else if (!strcmp(argv[2], "truncated")) {
		memcpy(buf, "ZVM", 3);
		n = 3;
	} else {
		zvm_msg_init(&m, ZVM_MSG_SUBMIT);
		if (!strcmp(argv[2], "unknown-field"))
			zvm_msg_put_u32(&m, 999, 1);
		else if (!strcmp(argv[2], "fd-index"))
			zvm_msg_put_u32(&m, 1, 5); /* image fd index 5, no fds passed */
		/* no-image: an empty submit */
		zvm_msg_finish(&m);
		if (write(fd, m.buf, m.len) != (ssize_t)m.len)
			return 1;
		zvm_msg_free(&m);
		goto reply;
	}
	if (write(fd, buf, n) != (ssize_t)n)
		return 1;
	if (!strcmp(argv[2], "truncated"))
		shutdown(fd, SHUT_WR);
reply:
	print_reply(fd);
	return 0;
}
