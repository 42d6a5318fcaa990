/*
 * channels.h — the manifest and the channels it declares.
 *
 * The manifest parser is pure (no I/O besides reading the text it is given).
 * Opening channels happens in the trusted parent (it may open host files);
 * channel I/O with limits and digests happens in the worker, on fds it holds.
 * Error contract: >= 0 or -errno; parse errors also fill "file:line: message".
 */
#ifndef ZVM_CHANNELS_H
#define ZVM_CHANNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/sha.h>

#define ZVM_MAX_CHANNELS 64
#define ZVM_MAX_ARGS 256
#define ZVM_MAX_ENV 256
#define ZVM_NO_LIMIT UINT64_MAX

struct zvm_channel_decl {
	char *uri;            /* host side: a path, "/dev/stdin|stdout|stderr" (the caller's), or "fd:N" */
	char *alias;          /* what the program sees, e.g. "/dev/stdout", "/dev/input" */
	unsigned type;        /* enum zvm_channel_type (0..3) */
	uint64_t max_reads, max_read_bytes, max_writes, max_write_bytes;
	unsigned line;        /* manifest line, for messages */
};

struct zvm_manifest {
	char *program;        /* path of the .nexe */
	uint64_t memory;      /* bytes the program may use: image + heap + stack */
	double timeout;       /* wall seconds, > 0 */
	double cpu_time;      /* CPU seconds, 0 = same as timeout */
	bool deterministic;   /* default true */
	uint64_t seed;
	uint64_t epoch_ns;
	unsigned nargs;  char *args[ZVM_MAX_ARGS];   /* argv[1..]; argv[0] is the program alias */
	unsigned nenv;   char *env[ZVM_MAX_ENV];     /* "NAME=value" */
	unsigned nchannels; struct zvm_channel_decl channels[ZVM_MAX_CHANNELS];
	unsigned given;       /* ZVM_GIVEN_*: limits set by the text or a flag, not defaults */
};

/* A limit not given is the runner's default: zvm run's (above), or zvmd's
 * configured one for a job submitted to it. */
#define ZVM_GIVEN_MEMORY   1u
#define ZVM_GIVEN_TIMEOUT  2u
#define ZVM_GIVEN_CPU_TIME 4u

#define ZVM_DEFAULT_MEMORY  (256ull << 20)
#define ZVM_DEFAULT_TIMEOUT 10.0

/* Parses manifest text. name is used in messages ("name:line: ..."). On error
 * returns -EINVAL and writes the message into err. The manifest owns its
 * strings: free with zvm_manifest_free. */
int zvm_manifest_parse(const char *text, size_t len, const char *name,
		       struct zvm_manifest *m, char *err, size_t errlen);
int zvm_manifest_load(const char *path, struct zvm_manifest *m, char *err, size_t errlen);
/* The manifest `zvm run prog.nexe` uses: stdin, stdout, stderr as channels
 * 0-2 with no limits except the defaults, default memory and timeout. */
int zvm_manifest_default(const char *program, struct zvm_manifest *m);
void zvm_manifest_free(struct zvm_manifest *m);

/* Bytes and seconds as the manifest, zvmd's configuration and the zvm
 * command line all write them (channels/units.c; docs/manifest.md). Pure.
 * Bytes: decimal digits, then optionally one space and a binary unit K, M,
 * G or T (either case, alone or as KiB, MiB, ...; B is bytes): "4096",
 * "64M", "1 GiB". Seconds: digits with an optional fraction ("2", "0.5",
 * ".25"), then optionally one space and a unit s, ms, min or h; the value
 * must lie in [ZVM_MIN_SECONDS, ZVM_MAX_SECONDS] (below 1 ms a timer rounds
 * to zero, which setitimer reads as "no limit"). No sign, exponent, hex,
 * inf or surrounding space. Return 0, -EINVAL (syntax) or -ERANGE (does not
 * fit / out of range); *out is untouched on error. Memory limits are
 * checked by the caller against [ZVM_MIN_MEMORY, ZVM_MAX_MEMORY]. */
#define ZVM_MIN_MEMORY  (1ull << 20)
#define ZVM_MAX_MEMORY  (3ull << 30)
#define ZVM_MIN_SECONDS 0.001
#define ZVM_MAX_SECONDS (86400.0 * 365)
int zvm_parse_bytes(const char *s, uint64_t *out);
int zvm_parse_seconds(const char *s, double *out);

/* ---- channels at run time ---------------------------------------------- */

struct zvm_channel_stats {
	uint64_t reads, read_bytes, writes, write_bytes;
	bool limit_hit;       /* a call got -EDQUOT or was cut short by a limit */
	SHA256_CTX digest;    /* of the bytes written, in the order written */
};

struct zvm_channel {
	int fd;               /* -1 if not open */
	unsigned type;
	bool readable, writable;
	uint64_t size;        /* at open, for regular files */
	uint64_t max_reads, max_read_bytes, max_writes, max_write_bytes;
	struct zvm_channel_stats *stats; /* lives in memory the parent can read */
};

/* Opens every declared channel in the parent. Readable if the URI can be
 * opened for reading, writable likewise (files are created 0644 if the
 * channel allows writes). On error: -errno and "alias (uri): why" in err. */
int zvm_channels_open(const struct zvm_manifest *m, struct zvm_channel *ch,
		      struct zvm_channel_stats *stats, char *err, size_t errlen);
void zvm_channels_close(struct zvm_channel *ch, unsigned n);
/* A caller's descriptor open O_RDWR, for a channel that only reads (or
 * only writes, or neither: read-only then): returns a descriptor reopened
 * with just that access (the old one closed) where that has no side
 * effects (regular files, pty slaves), else fd itself. Raw read/write
 * under the cell-stage filter then meets the kernel's access check. */
int zvm_channel_narrow_fd(int fd, bool readable, bool writable);

/* The I/O the traps do. buf is already checked to be sandbox memory.
 * Return bytes moved or -errno; -EDQUOT once a limit is reached; a call that
 * would pass a byte limit moves only what is left (a short count). */
long zvm_channel_read(struct zvm_channel *c, void *buf, uint64_t size, int64_t offset);
long zvm_channel_write(struct zvm_channel *c, const void *buf, uint64_t size, int64_t offset);

/* Finishes the SHA-256 of what was written (works on a copy of the context,
 * so it can be called from the parent after the worker died). */
void zvm_channel_digest(const struct zvm_channel_stats *s, uint8_t out[32]);

#endif /* ZVM_CHANNELS_H */
