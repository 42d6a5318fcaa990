/*
 * protocol.h — zvmd's wire format (docs/protocol.md), the one public header
 * of the protocol part (protocol/: framing.c frames and moves messages,
 * messages.c describes each message's fields as a table, table.c encodes
 * and decodes from the tables). Shared by the daemon (supervisor/daemon*)
 * and the `zvm submit` / `zvm status` client; it needs nothing of either.
 *
 * A message is a 16-byte header {magic, version, type, length, 0} followed
 * by `length` bytes of fields {tag u16, length u32, value}, all little
 * endian, on a SOCK_STREAM Unix socket. File descriptors (the image, the
 * channels) travel with the header's bytes as SCM_RIGHTS. Decoders never
 * trust a length: every field is bounds-checked and errors name the tag
 * and offset. Error contract: >= 0 or -errno (-EBADMSG for a malformed
 * message, -EMSGSIZE for an oversized one, -EPROTONOSUPPORT for another
 * version).
 */
#ifndef ZVM_PROTOCOL_H
#define ZVM_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channels/channels.h"
#include "sfi/sfi.h"

#define ZVM_PROTO_MAGIC    0x314d565au /* "ZVM1" */
#define ZVM_PROTO_VERSION  1
#define ZVM_PROTO_HEADER   16
#define ZVM_PROTO_MAX      (1u << 20)  /* payload bytes */
#define ZVM_PROTO_MAX_FDS  (ZVM_MAX_CHANNELS + 2) /* image, channels, a template's memory (to a worker) */

enum zvm_msg_type {
	ZVM_MSG_SUBMIT = 1,        /* run a job; fds: image (unless by digest), channels */
	ZVM_MSG_STATUS = 2,        /* pool and queue figures */
	ZVM_MSG_UPLOAD = 3,        /* validate and keep an image; fd: the image */
	ZVM_MSG_MAP = 4,           /* a system map: its node count, then that many NODEs */
	ZVM_MSG_NODE = 5,          /* one node of a map: a SUBMIT by digest, with its inputs */
	ZVM_MSG_REPORT = 0x81,     /* the run's report */
	ZVM_MSG_STATUS_REPLY = 0x82,
	ZVM_MSG_DIGEST = 0x83,     /* the uploaded image's SHA-256 */
	ZVM_MSG_ERROR = 0x84,
};

enum zvm_proto_error {
	ZVM_ERR_MALFORMED = 1,
	ZVM_ERR_OVERSIZED = 2,
	ZVM_ERR_BUSY = 3,          /* the queue is full: try again later */
	ZVM_ERR_NOT_FOUND = 4,     /* no image with that digest */
	ZVM_ERR_VERSION = 5,
	ZVM_ERR_PERMISSION = 6,
	ZVM_ERR_INTERNAL = 7,
	ZVM_ERR_LIMIT = 8,         /* a per-uid or daemon-wide limit: the text names it */
	ZVM_ERR_TIMEOUT = 9,       /* the request did not arrive within request_timeout */
};

/* A job as SUBMIT carries it: the job's manifest (channels/channels.h),
 * and what a manifest does not say, the image (an fd index or a digest)
 * and each channel's fd index. The one description of a job from the
 * client to the cell (docs/zvmd.md, "A job's one description"): the
 * client encodes it, zvmd decodes it, caps its limits and encodes it
 * again into the slot's window, where the worker decodes it.
 *
 * The manifest's fields on the wire: program (the base name of its path,
 * argv[0], tag 12; decoded as that name, "program" when absent), memory,
 * timeout and cpu_time (sent only when m.given says they were given;
 * decoding sets the bit; absent or 0: the daemon's default), deterministic,
 * seed, epoch_ns, args, env, and each channel's type, limits and alias
 * (the URI stays on the client: a decoded channel's uri is NULL, its fd
 * came with the message). */
struct zvm_submit_input {
	uint32_t channel;          /* this job's channel ... */
	uint32_t node;             /* ... reads the edge written by this earlier node of the map */
	uint32_t from;             /* ... on that node's channel `from` */
};

struct zvm_submit {
	struct zvm_manifest m;
	bool by_digest;
	uint8_t digest[32];
	/* Indexes into the fds passed with the message (the image's -1 when by
	 * digest); zvm_submit_take_fds turns them into the descriptors. */
	int image_fd;
	int channel_fds[ZVM_MAX_CHANNELS];
	/* NODE only (a SUBMIT with inputs is malformed): which channels are
	 * edges from earlier nodes, so zvmd runs this node after them and
	 * gives it end of file where one of them failed. */
	unsigned ninputs;
	struct zvm_submit_input inputs[ZVM_MAX_CHANNELS];
	/* Templates (docs/zvmd.md, "Templates"): a job run from the template
	 * named tpl_name (no image: the template's), or a job whose cell is
	 * kept as that template at its keep request (global: by root, for
	 * every uid). ZVM_TPL_NONE and an empty name for any other job. */
	uint32_t tpl_op;
	char tpl_name[64];
};
enum { ZVM_TPL_NONE = 0, ZVM_TPL_USE = 1, ZVM_TPL_MAKE = 2, ZVM_TPL_MAKE_GLOBAL = 3 };
/* 1 to 63 bytes of [A-Za-z0-9._-], not starting with '.'. */
bool zvm_template_name_ok(const char *name);

/* MAP: a system map's header; `nodes` NODE messages follow on the same
 * connection, in run order (a node's inputs name only earlier nodes). */
#define ZVM_PROTO_MAX_NODES 65536
struct zvm_map_request {
	uint32_t nodes;            /* 1 .. ZVM_PROTO_MAX_NODES (zvmd's map_nodes caps it lower) */
	double timeout;            /* the whole map's wall seconds; 0: zvmd's map_timeout */
};

struct zvm_status {
	uint32_t pool, warm, busy, queued, queue_max;
	uint64_t jobs, ok, failed, busy_rejected;
	double uptime_s;
};

/* A growable message being built. */
struct zvm_msg {
	uint8_t *buf;
	size_t len, cap;
	int err;                   /* first error while building */
};

void zvm_msg_init(struct zvm_msg *m, enum zvm_msg_type type);
void zvm_msg_free(struct zvm_msg *m);
void zvm_msg_put(struct zvm_msg *m, uint16_t tag, const void *v, uint32_t len);
void zvm_msg_put_u32(struct zvm_msg *m, uint16_t tag, uint32_t v);
void zvm_msg_put_u64(struct zvm_msg *m, uint16_t tag, uint64_t v);
void zvm_msg_put_f64(struct zvm_msg *m, uint16_t tag, double v);
void zvm_msg_put_str(struct zvm_msg *m, uint16_t tag, const char *s);
/* Completes the header. Returns 0 or the first error (-EMSGSIZE, -ENOMEM). */
int zvm_msg_finish(struct zvm_msg *m);

/* Encoders of whole messages. */
/* SUBMIT from s (UPLOAD too: the same fields, the type changed after).
 * -ENAMETOOLONG (in m->err too) for an alias over 63 bytes. */
int zvm_proto_encode_submit(struct zvm_msg *m, const struct zvm_submit *s);
int zvm_proto_encode_report(struct zvm_msg *m, const struct zvm_report *r);
int zvm_proto_encode_status(struct zvm_msg *m, const struct zvm_status *s);
int zvm_proto_encode_error(struct zvm_msg *m, int code, const char *text);
int zvm_proto_encode_digest(struct zvm_msg *m, const uint8_t digest[32]);
int zvm_proto_encode_map(struct zvm_msg *m, const struct zvm_map_request *r);
/* NODE from s: a SUBMIT's fields (by digest only) and its inputs. */
int zvm_proto_encode_node(struct zvm_msg *m, const struct zvm_submit *s);

/* Header check: returns the payload length or -errno. */
int zvm_proto_check_header(const uint8_t *h, size_t len, uint16_t *type, char *err, size_t errlen);
/* Decoders of payloads (after the header). nfds: how many fds came along.
 * A submit decoded (0) owns its manifest's strings (zvm_submit_free); on
 * an error nothing is left to free. Its fds are indexes until
 * zvm_submit_take_fds. */
int zvm_proto_decode_submit(const uint8_t *p, size_t len, unsigned nfds, struct zvm_submit *s,
			    char *err, size_t errlen);
/* The same fields; an upload names its image by fd, never by digest. */
int zvm_proto_decode_upload(const uint8_t *p, size_t len, unsigned nfds, struct zvm_submit *s,
			    char *err, size_t errlen);
/* An empty job: no channels, deterministic, no image (image_fd -1). */
void zvm_submit_init(struct zvm_submit *s);
/* Replaces the fd indexes of a decoded submit by the passed fds[]
 * themselves (an fd a second channel names again: a copy of it), and
 * closes the fds nothing names; fds[] is then empty. A field is -1 where
 * there is none. -EMFILE etc. if a copy fails (the taken fds stay in s). */
int zvm_submit_take_fds(struct zvm_submit *s, int *fds, unsigned nfds);
/* Closes the descriptors taken into s (those >= 0), sets them to -1. */
void zvm_submit_close_fds(struct zvm_submit *s);
/* Frees the manifest's strings (not the descriptors). */
void zvm_submit_free(struct zvm_submit *s);
/* A map's header, and one of its nodes (a submit by digest; its inputs'
 * channels below its channel count; their nodes are not checked here). */
int zvm_proto_decode_map(const uint8_t *p, size_t len, struct zvm_map_request *r, char *err, size_t errlen);
int zvm_proto_decode_node(const uint8_t *p, size_t len, unsigned nfds, struct zvm_submit *s,
			  char *err, size_t errlen);
int zvm_proto_decode_report(const uint8_t *p, size_t len, struct zvm_report *r, char *err, size_t errlen);
int zvm_proto_decode_status(const uint8_t *p, size_t len, struct zvm_status *s, char *err, size_t errlen);
int zvm_proto_decode_error(const uint8_t *p, size_t len, int *code, char *text, size_t textlen);
int zvm_proto_decode_digest(const uint8_t *p, size_t len, uint8_t digest[32]);

/* One sendmsg of len bytes with fds attached as SCM_RIGHTS (none when
 * nfds is 0; at most ZVM_PROTO_MAX_FDS), retried on EINTR. Returns the
 * bytes sent or -errno. Every fd-passing socket of zvm goes through this
 * pair: clients, zvmd, its workers and validator helpers. */
ssize_t zvm_sendmsg_fds(int sock, const void *buf, size_t len, const int *fds, unsigned nfds, int flags);
/* One recvmsg (MSG_CMSG_CLOEXEC, retried on EINTR) into buf. The fds that
 * came with it, even with an empty record, are appended to fds[*nfds] up
 * to max, and any beyond max closed: nothing passed is ever kept unseen.
 * *msg_flags (may be NULL) gets the message's flags (MSG_TRUNC,
 * MSG_CTRUNC). Returns the bytes received (0 at end of stream) or -errno. */
ssize_t zvm_recvmsg_fds(int sock, void *buf, size_t len, int *fds, unsigned max, unsigned *nfds, int flags,
			int *msg_flags);

/* Sends a finished message with fds (may be none). */
int zvm_proto_send(int sock, const struct zvm_msg *m, const int *fds, unsigned nfds);
/* Receives one whole message: *type, payload into a malloc'ed *payload
 * (free it), fds into fds[] (at most max_fds; extra ones are closed).
 * -ECONNRESET on a clean end of stream before any byte. */
int zvm_proto_recv(int sock, uint16_t *type, uint8_t **payload, size_t *len, int *fds, unsigned max_fds,
		   unsigned *nfds, char *err, size_t errlen);

#endif
