/*
 * framing.c — the frame of every message: building one (header, fields),
 * checking a header, walking a payload's fields, and moving whole messages
 * with their fds over the socket. What the fields mean is in messages.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "protocol/wire.h"

/* ---- building --------------------------------------------------------- */

void zvm_msg_init(struct zvm_msg *m, enum zvm_msg_type type)
{
	memset(m, 0, sizeof(*m));
	m->cap = 1024;
	m->buf = calloc(1, m->cap);
	if (!m->buf) {
		m->err = -ENOMEM;
		return;
	}
	le32(m->buf, ZVM_PROTO_MAGIC);
	le16(m->buf + 4, ZVM_PROTO_VERSION);
	le16(m->buf + 6, (uint16_t)type);
	m->len = ZVM_PROTO_HEADER;
}

void zvm_msg_free(struct zvm_msg *m)
{
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

void zvm_msg_put(struct zvm_msg *m, uint16_t tag, const void *v, uint32_t len)
{
	size_t need = m->len + 6 + (size_t)len;

	if (m->err)
		return;
	if (need - ZVM_PROTO_HEADER > ZVM_PROTO_MAX) {
		m->err = -EMSGSIZE;
		return;
	}
	if (need > m->cap) {
		size_t cap = m->cap;
		uint8_t *b;
		while (cap < need)
			cap *= 2;
		b = realloc(m->buf, cap);
		if (!b) {
			m->err = -ENOMEM;
			return;
		}
		m->buf = b;
		m->cap = cap;
	}
	le16(m->buf + m->len, tag);
	le32(m->buf + m->len + 2, len);
	if (len)
		memcpy(m->buf + m->len + 6, v, len);
	m->len = need;
}

void zvm_msg_put_u32(struct zvm_msg *m, uint16_t tag, uint32_t v)
{
	uint8_t b[4];
	le32(b, v);
	zvm_msg_put(m, tag, b, 4);
}

void zvm_msg_put_u64(struct zvm_msg *m, uint16_t tag, uint64_t v)
{
	uint8_t b[8];
	le64(b, v);
	zvm_msg_put(m, tag, b, 8);
}

void zvm_msg_put_f64(struct zvm_msg *m, uint16_t tag, double v)
{
	uint64_t u;
	memcpy(&u, &v, 8);
	zvm_msg_put_u64(m, tag, u);
}

void zvm_msg_put_str(struct zvm_msg *m, uint16_t tag, const char *s)
{
	zvm_msg_put(m, tag, s, (uint32_t)strlen(s));
}

int zvm_msg_finish(struct zvm_msg *m)
{
	if (m->err)
		return m->err;
	le32(m->buf + 8, (uint32_t)(m->len - ZVM_PROTO_HEADER));
	le32(m->buf + 12, 0);
	return 0;
}

/* ---- parsing ---------------------------------------------------------- */

int zvm_wire_bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

int zvm_proto_check_header(const uint8_t *h, size_t len, uint16_t *type, char *err, size_t errlen)
{
	uint32_t plen;

	if (len < ZVM_PROTO_HEADER)
		return zvm_wire_bad(err, errlen, "truncated header (%zu bytes)", len);
	if (rd32(h) != ZVM_PROTO_MAGIC)
		return zvm_wire_bad(err, errlen, "bad magic 0x%08x", rd32(h));
	if (rd16(h + 4) != ZVM_PROTO_VERSION) {
		if (err)
			snprintf(err, errlen, "protocol version %u is not supported (this is version %u)", rd16(h + 4),
				 ZVM_PROTO_VERSION);
		return -EPROTONOSUPPORT;
	}
	plen = rd32(h + 8);
	if (plen > ZVM_PROTO_MAX) {
		if (err)
			snprintf(err, errlen, "message of %u bytes exceeds the maximum %u", plen, ZVM_PROTO_MAX);
		return -EMSGSIZE;
	}
	if (rd32(h + 12) != 0)
		return zvm_wire_bad(err, errlen, "reserved header field is not zero");
	*type = rd16(h + 6);
	return (int)plen;
}

int zvm_wire_next(const uint8_t *p, size_t len, size_t *pos, struct zvm_wire_field *f, char *err, size_t errlen)
{
	if (*pos == len)
		return 0;
	if (len - *pos < 6)
		return zvm_wire_bad(err, errlen, "truncated field header at offset %zu", *pos);
	f->tag = rd16(p + *pos);
	f->len = rd32(p + *pos + 2);
	f->at = *pos;
	if (f->len > len - *pos - 6)
		return zvm_wire_bad(err, errlen, "field %u at offset %zu: length %u runs past the message", f->tag, *pos, f->len);
	f->v = p + *pos + 6;
	*pos += 6 + (size_t)f->len;
	return 1;
}

/* ---- moving ----------------------------------------------------------- */

ssize_t zvm_sendmsg_fds(int sock, const void *buf, size_t len, const int *fds, unsigned nfds, int flags)
{
	char cbuf[CMSG_SPACE(sizeof(int) * ZVM_PROTO_MAX_FDS)];
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (nfds > ZVM_PROTO_MAX_FDS)
		return -E2BIG;
	if (nfds) {
		struct cmsghdr *c;
		memset(cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(sock, &msg, flags);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

ssize_t zvm_recvmsg_fds(int sock, void *buf, size_t len, int *fds, unsigned max, unsigned *nfds, int flags,
			int *msg_flags)
{
	char cbuf[CMSG_SPACE(sizeof(int) * ZVM_PROTO_MAX_FDS)];
	struct iovec iov = { buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	ssize_t n;

	do
		n = recvmsg(sock, &msg, flags | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*nfds < max)
				fds[(*nfds)++] = fd;
			else
				close(fd); /* more than we take: never keep what we do not use */
		}
	}
	if (msg_flags)
		*msg_flags = msg.msg_flags;
	return n;
}

int zvm_proto_send(int sock, const struct zvm_msg *m, const int *fds, unsigned nfds)
{
	size_t off = 0;

	if (nfds > ZVM_PROTO_MAX_FDS)
		return -E2BIG;
	while (off < m->len) {
		/* the fds go with the first bytes */
		ssize_t n = zvm_sendmsg_fds(sock, m->buf + off, m->len - off, off ? NULL : fds, off ? 0 : nfds,
					    MSG_NOSIGNAL);
		if (n <= 0)
			return n < 0 ? (int)n : -EPIPE;
		off += (size_t)n;
	}
	return 0;
}

static int read_full(int sock, uint8_t *p, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(sock, p + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		got += (size_t)n;
	}
	return 0;
}

int zvm_proto_recv(int sock, uint16_t *type, uint8_t **payload, size_t *len, int *fds, unsigned max_fds,
		   unsigned *nfds, char *err, size_t errlen)
{
	uint8_t h[ZVM_PROTO_HEADER];
	size_t got;
	ssize_t n;
	int plen, rc;

	*nfds = 0;
	*payload = NULL;
	n = zvm_recvmsg_fds(sock, h, sizeof(h), fds, max_fds, nfds, 0, NULL);
	if (n < 0)
		return (int)n;
	if (n == 0) {
		for (unsigned i = 0; i < *nfds; i++)
			close(fds[i]);
		*nfds = 0;
		return -ECONNRESET;
	}
	got = (size_t)n;
	if (got < sizeof(h) && (rc = read_full(sock, h + got, sizeof(h) - got)) < 0)
		goto fail;
	plen = zvm_proto_check_header(h, sizeof(h), type, err, errlen);
	if (plen < 0) {
		rc = plen;
		goto fail;
	}
	*payload = malloc((size_t)plen + 1);
	if (!*payload) {
		rc = -ENOMEM;
		goto fail;
	}
	if ((rc = read_full(sock, *payload, (size_t)plen)) < 0)
		goto fail;
	*len = (size_t)plen;
	return 0;
fail:
	free(*payload);
	*payload = NULL;
	for (unsigned i = 0; i < *nfds; i++)
		close(fds[i]);
	*nfds = 0;
	if (rc == -ECONNRESET && err && !err[0])
		snprintf(err, errlen, "connection closed mid-message");
	return rc;
}
