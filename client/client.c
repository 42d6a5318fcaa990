/*
 * client.c — zvmd's clients' side of the socket (zvm-client.h): connecting,
 * reading an answer, uploading an image, submitting a job, asking for the
 * status. One connection per request, as zvmd answers them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client/zvm-client.h"

/* A message the caller sees: into buf, and on stderr with cmd's prefix. */
__attribute__((format(printf, 4, 5)))
static void say(const char *cmd, char *buf, size_t len, const char *fmt, ...)
{
	char text[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (len)
		snprintf(buf, len, "%s", text);
	if (cmd)
		fprintf(stderr, "%s: %s\n", cmd, text);
}

int zvm_client_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memcpy(a.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static const char *error_name(int code)
{
	switch (code) {
	case ZVM_ERR_BUSY: return "busy";
	case ZVM_ERR_NOT_FOUND: return "not found";
	case ZVM_ERR_PERMISSION: return "permission";
	case ZVM_ERR_VERSION: return "version";
	case ZVM_ERR_OVERSIZED: return "oversized";
	case ZVM_ERR_MALFORMED: return "malformed";
	case ZVM_ERR_LIMIT: return "limit";
	case ZVM_ERR_TIMEOUT: return "timeout";
	default: return "error";
	}
}

int zvm_client_read_answer(int fd, const char *cmd, uint8_t **payload, size_t *len, char *why, size_t whylen)
{
	unsigned nfds;
	int fds[1], code = 0;
	uint16_t type;
	char err[256] = "", text[1100] = "";
	int rc = zvm_proto_recv(fd, &type, payload, len, fds, 0, &nfds, err, sizeof(err));

	if (rc < 0) {
		say(cmd, why, whylen, "reading zvmd's answer: %s", err[0] ? err : strerror(-rc));
		return -1;
	}
	if (type == ZVM_MSG_ERROR) {
		zvm_proto_decode_error(*payload, *len, &code, text, sizeof(text));
		say(cmd, why, whylen, "zvmd refused the request (%s): %s", error_name(code), text);
		return -code - 100;
	}
	return type;
}

int zvm_client_answer(int fd, const char *cmd, uint8_t **payload, size_t *len)
{
	return zvm_client_read_answer(fd, cmd, payload, len, NULL, 0);
}

int zvm_client_refusal_status(int answer)
{
	/* EX_TEMPFAIL: try again (when the uid has fewer jobs or connections) */
	return answer == -ZVM_ERR_BUSY - 100 || answer == -ZVM_ERR_LIMIT - 100 ? 75 : 125;
}

static void load_error(struct zvm_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->state = ZVM_STATE_LOAD_ERROR;
}

/* path: the image's name in messages, NULL for one passed by fd (a refusal's
 * message is then zvmd's own text, else "zvmd refused to take PATH", the
 * text having been printed as it came). */
static int upload(const char *sock, const char *cmd, int img, const char *path, uint8_t digest[32],
		  struct zvm_report *rep)
{
	struct zvm_submit *j = malloc(sizeof(*j));
	const char *name = path ? path : "the image";
	struct zvm_msg m;
	uint8_t *payload = NULL;
	size_t len;
	int fd, type, rc;

	load_error(rep);
	if (!j) {
		snprintf(rep->message, sizeof(rep->message), "out of memory");
		return -125;
	}
	fd = zvm_client_connect(sock);
	if (fd < 0) {
		snprintf(rep->message, sizeof(rep->message), "cannot reach zvmd at %s: %s", sock, strerror(-fd));
		free(j);
		return -125;
	}
	zvm_submit_init(j); /* no program name, channels or limits: only the image */
	j->image_fd = 0;
	zvm_proto_encode_submit(&m, j);
	free(j);
	m.buf[6] = ZVM_MSG_UPLOAD; /* same fields as a submit, another type */
	rc = zvm_proto_send(fd, &m, &img, 1);
	zvm_msg_free(&m);
	if (rc < 0) {
		snprintf(rep->message, sizeof(rep->message), "sending %s to zvmd: %s", name, strerror(-rc));
		close(fd);
		return -125;
	}
	type = zvm_client_read_answer(fd, cmd, &payload, &len, rep->message, sizeof(rep->message));
	close(fd);
	rc = -125;
	if (type == ZVM_MSG_DIGEST && zvm_proto_decode_digest(payload, len, digest) == 0) {
		rc = 0;
	} else if (type == ZVM_MSG_REPORT && zvm_proto_decode_report(payload, len, rep, NULL, 0) == 0) {
		rc = 126; /* validation failed, or the image could not be read */
	} else if (type < -1) {
		if (path)
			snprintf(rep->message, sizeof(rep->message), "zvmd refused to take %s", path);
		rc = -zvm_client_refusal_status(type);
	} else {
		snprintf(rep->message, sizeof(rep->message), "no answer from zvmd for %s", name);
	}
	free(payload);
	return rc;
}

int zvm_client_upload_fd(const char *sock, const char *cmd, int img, uint8_t digest[32], struct zvm_report *rep)
{
	return upload(sock, cmd, img, NULL, digest, rep);
}

int zvm_client_upload(const char *sock, const char *cmd, const char *path, uint8_t digest[32],
		      struct zvm_report *rep)
{
	int img = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (img < 0) {
		load_error(rep);
		snprintf(rep->message, sizeof(rep->message), "%s: %s", path, strerror(errno));
		return 125;
	}
	rc = upload(sock, cmd, img, path, digest, rep);
	close(img);
	return rc;
}
