/*
 * client.c — zvmd's clients' side of the socket (client.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "protocol/protocol.h"
#include "tools/zvm/client.h"

int zvm_client_connect(const char *path)
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

int zvm_client_answer(int fd, const char *cmd, uint8_t **payload, size_t *len)
{
	unsigned nfds;
	int fds[1], code;
	uint16_t type;
	char err[256] = "", text[1100];
	int rc = zvm_proto_recv(fd, &type, payload, len, fds, 0, &nfds, err, sizeof(err));

	if (rc < 0) {
		fprintf(stderr, "%s: reading zvmd's answer: %s\n", cmd, err[0] ? err : strerror(-rc));
		return -1;
	}
	if (type == ZVM_MSG_ERROR) {
		zvm_proto_decode_error(*payload, *len, &code, text, sizeof(text));
		fprintf(stderr, "%s: zvmd refused the request (%s): %s\n", cmd,
			code == ZVM_ERR_BUSY ? "busy" : code == ZVM_ERR_NOT_FOUND ? "not found"
			: code == ZVM_ERR_PERMISSION ? "permission" : code == ZVM_ERR_VERSION ? "version"
			: code == ZVM_ERR_OVERSIZED ? "oversized" : code == ZVM_ERR_MALFORMED ? "malformed"
			: code == ZVM_ERR_LIMIT ? "limit" : code == ZVM_ERR_TIMEOUT ? "timeout" : "error",
			text);
		return -code - 100;
	}
	return type;
}

int zvm_client_refusal_status(int answer)
{
	/* EX_TEMPFAIL: try again (when the uid has fewer jobs or connections) */
	return answer == -ZVM_ERR_BUSY - 100 || answer == -ZVM_ERR_LIMIT - 100 ? 75 : 125;
}

int zvm_client_upload(const char *sock, const char *cmd, const char *path, uint8_t digest[32],
		      struct zvm_report *rep)
{
	static struct zvm_submit j;
	struct zvm_msg m;
	uint8_t *payload = NULL;
	size_t len;
	int fd, img, type, rc;

	memset(rep, 0, sizeof(*rep));
	rep->state = ZVM_STATE_LOAD_ERROR;
	img = open(path, O_RDONLY | O_CLOEXEC);
	if (img < 0) {
		snprintf(rep->message, sizeof(rep->message), "%s: %s", path, strerror(errno));
		return 125;
	}
	fd = zvm_client_connect(sock);
	if (fd < 0) {
		snprintf(rep->message, sizeof(rep->message), "cannot reach zvmd at %s: %s", sock, strerror(-fd));
		close(img);
		return -125;
	}
	zvm_submit_init(&j); /* no program name, channels or limits: only the image */
	j.image_fd = 0;
	zvm_proto_encode_submit(&m, &j);
	m.buf[6] = ZVM_MSG_UPLOAD; /* same fields as a submit, another type */
	rc = zvm_proto_send(fd, &m, &img, 1);
	zvm_msg_free(&m);
	close(img);
	if (rc < 0) {
		snprintf(rep->message, sizeof(rep->message), "sending %s to zvmd: %s", path, strerror(-rc));
		close(fd);
		return -125;
	}
	type = zvm_client_answer(fd, cmd, &payload, &len);
	close(fd);
	rc = -125;
	if (type == ZVM_MSG_DIGEST && zvm_proto_decode_digest(payload, len, digest) == 0) {
		rc = 0;
	} else if (type == ZVM_MSG_REPORT && zvm_proto_decode_report(payload, len, rep, NULL, 0) == 0) {
		rc = 126; /* validation failed, or the image could not be read */
	} else if (type < -1) {
		snprintf(rep->message, sizeof(rep->message), "zvmd refused to take %s", path);
		rc = -zvm_client_refusal_status(type);
	} else {
		snprintf(rep->message, sizeof(rep->message), "no answer from zvmd for %s", path);
	}
	free(payload);
	return rc;
}
