/*
 * daemon-proto.h — the daemon's side of the wire: read one request from a
 * client connection, send one reply. Implemented on top of the protocol
 * module (protocol/protocol.h), which owns the encoding.
 */
#ifndef ZVM_DAEMON_PROTO_H
#define ZVM_DAEMON_PROTO_H

#include "protocol/protocol.h"
#include "supervisor/daemon.h"

enum zvmd_request_kind { ZVMD_REQ_SUBMIT, ZVMD_REQ_STATUS, ZVMD_REQ_UPLOAD, ZVMD_REQ_MAP };

/* Decodes one whole message (the payload after a checked header, and the
 * fds that came with it, which are all given to req or closed). Fills req
 * for SUBMIT and UPLOAD: the job's manifest as the client sent it (limits
 * not in m.given: the daemon's defaults) and its descriptors, taken
 * (zvm_submit_take_fds). Returns the kind, or -EBADMSG with err set (req
 * then holds nothing). The daemon reads the bytes itself, without blocking
 * (daemon.c). */
int zvmd_decode_request(uint16_t type, const uint8_t *payload, size_t len, int *fds, unsigned nfds,
			struct zvm_submit *req, char *err, size_t errlen);

struct zvmd_reply_extra {
	double queue_s, handout_s;
	uint64_t cgroup_peak;
	bool oom;
};
int zvmd_send_report(int conn, const struct zvm_report *rep, const struct zvmd_reply_extra *x);
/* The REPORT message zvmd_send_report sends, built into m (free it). */
int zvmd_encode_report(struct zvm_msg *m, const struct zvm_report *rep, const struct zvmd_reply_extra *x);
int zvmd_send_status(int conn, const struct zvmd *d);
int zvmd_send_digest(int conn, const uint8_t digest[32]);
/* code: one of the protocol's error codes (busy, malformed, ...). */
int zvmd_send_error(int conn, int code, const char *message);

#endif
