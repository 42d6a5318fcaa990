/*
 * validator.h — reading and validating a client's image off zvmd's event
 * loop, in an unprivileged helper process (`zvm-validator`).
 *
 * Root never decodes attacker bytes: zvmd passes the client's image fd to
 * a helper it started earlier; the helper (its own uid, no capabilities,
 * no_new_privs, a seccomp allow-list) checks the fd is a regular file of
 * bounded size, copies it into a sealed memfd, hashes it, and after zvmd's
 * go-ahead parses and validates that memfd. A helper is bound to the uid
 * of its first image and serves only that uid's images afterwards, so a
 * helper compromised by a hostile ELF sees nothing of another tenant's. zvmd never waits for a helper: each step is an event, and a
 * helper that takes longer than validate_timeout is killed.
 *
 * The wire between them: a SOCK_SEQPACKET socketpair, fixed-size records.
 *   zvmd   -> helper  zvm_vh_request + the image fd (SCM_RIGHTS)
 *   helper -> zvmd    zvm_vh_reply{kind HASHED} + the sealed memfd
 *   zvmd   -> helper  one byte: 'V' validate it, 'Q' quit (a cache hit)
 *   helper -> zvmd    zvm_vh_reply{kind RESULT}
 * zvmd treats every reply as untrusted input: strings are terminated and
 * the memfd's seals and size are checked before use.
 */
#ifndef ZVM_VALIDATOR_H
#define ZVM_VALIDATOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sfi/sfi.h"

#define ZVM_VH_SOCKET_FD 3       /* the helper's end, at this fd after exec */

struct zvm_vh_request {
	uint32_t deterministic;
};

enum zvm_vh_kind { ZVM_VH_HASHED = 1, ZVM_VH_RESULT = 2, ZVM_VH_ERROR = 3 };

struct zvm_vh_reply {
	uint32_t kind;
	int32_t rc;                /* RESULT: 0 valid, 1 invalid; ERROR: -errno */
	uint8_t sha256[32];        /* HASHED */
	uint64_t size;             /* HASHED: bytes in the memfd */
	double validate_s;         /* RESULT */
	/* RESULT, invalid: the verdict's fields, by value */
	char rule[64];
	uint64_t offset, address, instructions;
	uint8_t bytes[15];
	uint8_t nbytes;
	char disasm[128];
	char message[256];         /* ERROR (and load errors): a sentence */
};

/* ---- zvmd's side (supervisor/validator.c) ------------------------------ */

enum zvm_vh_state { ZVM_VH_EMPTY, ZVM_VH_IDLE, ZVM_VH_HASHING, ZVM_VH_VALIDATING };

struct zvm_vhelper {
	enum zvm_vh_state state;
	pid_t pid;
	int pidfd, sock;           /* -1 when closed */
	int memfd;                 /* the sealed copy, once HASHED */
	uint8_t sha256[32];
	uint64_t size;
	void *job;                 /* the daemon's job while at work */
	bool bound;                /* has served uid; serves no other */
	uid_t uid;
};

/* Starts a helper (path: the zvm-validator program) that will run as
 * uid/gid. Returns 0 or -errno (err says why). Runs in zvmd. */
int zvm_vh_spawn(struct zvm_vhelper *h, const char *path, uid_t uid, gid_t gid, char *err, size_t errlen);
/* Hands an idle helper the image fd. 0 or -errno. */
int zvm_vh_start(struct zvm_vhelper *h, int image_fd, bool deterministic);
/* Reads one reply (the socket is readable). Returns its kind, 0 if there
 * was nothing to read, or -errno when the helper broke the protocol or
 * closed. A HASHED reply fills h->memfd, h->sha256 and h->size after
 * checking the memfd's seals and size. */
int zvm_vh_read(struct zvm_vhelper *h, struct zvm_vh_reply *r);
/* After HASHED: 'V' to validate, 'Q' to let it go. 0 or -errno. */
int zvm_vh_continue(struct zvm_vhelper *h, bool validate);
/* A RESULT's verdict as zvmd's own struct (rule names mapped to zvmd's
 * table, so no pointer comes from the helper). */
void zvm_vh_verdict(const struct zvm_vh_reply *r, struct sfi_verdict *v);
/* Kills (if running) and reaps the helper; closes everything. */
void zvm_vh_reap(struct zvm_vhelper *h);

/* ---- the helper's side (supervisor/validator-main.c) ------------------- */

/* Checks and copies fd into a sealed memfd of st_size bytes. Returns the
 * memfd or -errno with a message (a pipe, a socket, too large, changed
 * size while read). Pure apart from the fds; unit-tested. */
int zvm_vh_copy_image(int fd, uint64_t max_size, char *err, size_t errlen);

#endif
