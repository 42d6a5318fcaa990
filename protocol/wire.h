/*
 * wire.h — inside the protocol part: byte order, the field iterator, and
 * the field tables that SUBMIT, REPORT and STATUS_REPLY are encoded and
 * decoded from. Not for other parts (they use protocol/protocol.h); the
 * part's own tests read the tables to check every field.
 *
 * One table per message: each row says a field's tag, its kind on the
 * wire, where it lives in the C struct, its limits and its name. The
 * encoder and the decoder both walk the same rows (table.c), so a field
 * cannot be added to one side only.
 */
#ifndef ZVM_PROTOCOL_WIRE_H
#define ZVM_PROTOCOL_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/protocol.h"

static inline void le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
static inline void le64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }
static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t rd32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}
static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* One field of a payload, as the iterator found it. */
struct zvm_wire_field {
	uint16_t tag;
	uint32_t len;
	const uint8_t *v;
	size_t at;                 /* offset of its header in the payload */
};

/* Iterates fields; returns 1 with *f, 0 at the end, -EBADMSG (err set) if
 * a field header is truncated or a length runs past the end. */
int zvm_wire_next(const uint8_t *p, size_t len, size_t *pos, struct zvm_wire_field *f, char *err, size_t errlen);
/* Formats err and returns -EBADMSG. */
int zvm_wire_bad(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- field tables ------------------------------------------------------ */

enum zvm_fkind {
	ZF_U32,                    /* 4 bytes; stored as any 4-byte integer or enum */
	ZF_U64,                    /* 8 bytes */
	ZF_F64,                    /* 8 bytes, IEEE-754 */
	ZF_BOOL,                   /* 4 bytes on the wire (1 byte in a record), a bool */
	ZF_FD,                     /* u32 index of a passed fd: must be < the fds passed */
	ZF_BYTES,                  /* exactly max_len bytes, a uint8_t[max_len] */
	ZF_STR,                    /* 0..max_len bytes, no NUL, a char[max_len + 1] */
	ZF_STRDUP,                 /* no NUL, a malloc'ed char * (freed by the owner); encoding
				    * one over max_len (if set) is -ENAMETOOLONG, not a cut */
	ZF_STRPTR,                 /* no NUL, a const char *; decoded into a static buffer */
	ZF_RECORD,                 /* the members in order, all fixed but a last string */
};

enum {
	ZF_REPEATED = 1 << 0,      /* an array at off, its count (unsigned) at count_off */
	ZF_OMIT_ZERO = 1 << 1,     /* encoded only when not 0 / empty / NULL */
	ZF_IF_FLAG = 1 << 2,       /* encoded only when the bool at flag_off is set; decoding sets it */
	ZF_UNLESS_FLAG = 1 << 3,   /* encoded only when the bool at flag_off is clear */
	ZF_SECONDS = 1 << 4,       /* f64 in (0, 1e7) */
	ZF_ABSOLUTE = 1 << 5,      /* a string that starts with '/' */
	ZF_CLAMP = 1 << 6,         /* a value above max_value decodes as max_value */
	ZF_BASENAME = 1 << 7,      /* a string encoded as its last '/' component (at most max_len bytes) */
	ZF_NO_NEGATIVE_FD = 1 << 9, /* an fd index encoded only when it is >= 0 (none: -1) */
	ZF_BESIDE = 1 << 8,        /* a record member stored beside the records: in an array at
				    * off from the message's struct, elem_size apart, at the record's index */
};

struct zvm_field {
	uint16_t tag;              /* 0 for the members of a record */
	uint8_t kind;              /* enum zvm_fkind */
	uint16_t flags;
	const char *name;          /* in error messages: "field 9 (argument) at offset 40" */
	size_t off;                /* of the value in the struct (or record element) */
	size_t count_off, elem_size; /* ZF_REPEATED */
	unsigned max_count;        /* ZF_REPEATED: at most this many */
	size_t flag_off;           /* ZF_IF_FLAG, ZF_UNLESS_FLAG: a bool there, or with */
	unsigned flag_mask;        /* not 0: an unsigned there, the flag its bits flag_mask */
	uint32_t max_len;          /* strings and bytes */
	uint64_t max_value;        /* integers, 0: any */
	char *store;               /* ZF_STRPTR: max_len + 1 bytes */
	const struct zvm_field *members; /* ZF_RECORD */
	unsigned nmembers;
};

struct zvm_msg_desc {
	uint16_t type;             /* enum zvm_msg_type */
	const struct zvm_field *fields;
	unsigned nfields;
	bool ignore_unknown;       /* a newer peer may add fields (REPORT, STATUS_REPLY) */
	bool widen_ints;           /* an integer may come as 4 or 8 bytes (REPORT, STATUS_REPLY) */
};

extern const struct zvm_msg_desc zvm_submit_desc, zvm_report_desc, zvm_status_desc, zvm_map_desc;

/* Encodes the struct at s as a whole message of d's type. */
int zvm_table_encode(struct zvm_msg *m, const struct zvm_msg_desc *d, const void *s);
/* Decodes a payload into s (which the caller initialised with defaults).
 * nfds: the fds passed, for ZF_FD. Returns 0 or -EBADMSG / -ENOMEM; what
 * ZF_STRDUP fields allocated stays in s for the caller to free. */
int zvm_table_decode(const uint8_t *p, size_t len, const struct zvm_msg_desc *d, unsigned nfds, void *s,
		     char *err, size_t errlen);

#endif
