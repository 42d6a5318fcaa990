/*
 * zvm-client.h — libzvm-client: submitting jobs to zvmd from a process of
 * your own (docs/client.md). The one public header of client/; `zvm
 * submit`, `zvm status`, `zvm upload` and `zvm map --socket` are its first
 * users. It links the wire protocol (protocol/), the manifest and channel
 * opening of channels/ and libc, nothing of the local runner: no Zydis,
 * libseccomp, libbpf or dynamic libcrypto (build/lib/libzvm-client.a;
 * link it with $(CLIENT_LDLIBS), see the Makefile).
 *
 * Every call opens its own connection (zvmd answers one request per
 * connection, docs/protocol.md) and is safe to call from several threads
 * at once. Results are an exit status as `zvm submit` would end with:
 * 0 done (a report or a digest filled), 75 zvmd busy or at a limit (try
 * again later), 125 zvmd unreachable or refusing, 126 an image zvmd would
 * not take, 127 a malformed answer. On anything but 0 the report's
 * message says why.
 *
 * `cmd` arguments: a prefix for messages printed on stderr (as the CLI
 * does), or NULL to print nothing (a service: read rep->message instead).
 */
#ifndef ZVM_CLIENT_H
#define ZVM_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/protocol.h"

#define ZVM_DEFAULT_SOCKET "/run/zvm.sock"

/* A connected socket, or -errno. */
int zvm_client_connect(const char *path);
/* Reads zvmd's answer into a malloc'ed *payload (free it): returns the
 * message type, -1 on a broken connection, or -(100 + code) for an ERROR
 * (why, in both cases, into why[] when whylen > 0; printed on stderr as
 * "CMD: zvmd refused the request (busy): text" when cmd is not NULL). */
int zvm_client_read_answer(int fd, const char *cmd, uint8_t **payload, size_t *len, char *why, size_t whylen);
/* zvm_client_read_answer without why[]. */
int zvm_client_answer(int fd, const char *cmd, uint8_t **payload, size_t *len);
/* The exit status for an answer that was no report: 75 when zvmd was busy
 * or at a limit (try again later), else 125. */
int zvm_client_refusal_status(int answer);

/* Uploads an image (UPLOAD): 0 with its digest; 126 when zvmd refused the
 * image (*rep: validation failed, or not an image) or 125 when it cannot
 * be opened here (*rep's message says why); or minus an exit status when
 * zvmd could not be used (unreachable: -125; busy or at a limit: -75;
 * *rep's message says why, a refusal also printed as it came). The _fd
 * form takes an open descriptor (not closed). */
int zvm_client_upload(const char *sock, const char *cmd, const char *path, uint8_t digest[32],
		      struct zvm_report *rep);
int zvm_client_upload_fd(const char *sock, const char *cmd, int image, uint8_t digest[32],
			 struct zvm_report *rep);

/* Sends one SUBMIT (s's fd indexes into fds[nfds]: fds[0] the image, or a
 * placeholder when by digest, then the channels) and reads the report into
 * *rep: 0, or 75 / 125 / 127 as above. */
int zvm_client_submit(const char *sock, const char *cmd, const struct zvm_submit *s, const int *fds,
		      unsigned nfds, struct zvm_report *rep);

/* The common job in one call: a program by descriptor or by digest (from
 * zvm_client_upload), its arguments, and three descriptors as channels
 * 0-2 (/dev/stdin, /dev/stdout, /dev/stderr inside), zvmd's default
 * limits. */
struct zvm_client_job {
	int image_fd;               /* the .nexe, read-only; or -1 and digest or template */
	const uint8_t *digest;      /* 32 bytes, when image_fd is -1 */
	/* docs/zvmd.md, "Templates": with image_fd -1 and no digest, a copy of
	 * the template of this name (the uid's own, else a global one); with
	 * an image, the job's cell is kept as that template (keep: ZVM_TPL_MAKE,
	 * or ZVM_TPL_MAKE_GLOBAL as root). NULL: no template. */
	const char *template_name;
	unsigned keep;
	const char *argv0;          /* the program's argv[0]; NULL: "program" */
	unsigned nargs;             /* argv[1..] */
	const char *const *args;
	int stdio[3];               /* channels 0 (read), 1 and 2 (written) */
};
int zvm_client_run(const char *sock, const char *cmd, const struct zvm_client_job *job, struct zvm_report *rep);

/* zvmd's pool, queue and totals (STATUS): 0, or 125 / 75 (why in why[]). */
int zvm_client_status(const char *sock, const char *cmd, struct zvm_status *st, char *why, size_t whylen);

#endif
