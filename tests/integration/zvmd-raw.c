/*
 * zvmd-raw.c — sends zvmd hand-made bytes and prints what comes back, for
 * the robustness tests: zvmd-raw SOCKET KIND, KIND one of
 *   garbage | bad-version | oversized | truncated | unknown-field | no-image | fd-index
 * Prints "error CODE: text", "closed", or "reply TYPE".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "supervisor/protocol.h"

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

	if (argc != 3) {
		fprintf(stderr, "usage: zvmd-raw SOCKET KIND\n");
		return 2;
	}
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", argv[1]);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("connect");
		return 1;
	}
	if (!strcmp(argv[2], "garbage")) {
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
		struct zvm_job_request j;
		memset(&j, 0, sizeof(j));
		j.image_fd_index = 0;
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
	if (zvm_proto_recv(fd, &type, &payload, &len, fds, 4, &nfds, err, sizeof(err)) < 0) {
		printf("closed\n");
		return 0;
	}
	if (type == ZVM_MSG_ERROR) {
		zvm_proto_decode_error(payload, len, &code, text, sizeof(text));
		printf("error %d: %s\n", code, text);
	} else
		printf("reply %u\n", type);
	free(payload);
	return 0;
}
