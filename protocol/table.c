/*
 * table.c — the one encoder and the one decoder of table-described
 * messages (wire.h). Each walks a message's rows; what a row says about
 * its field (kind, size, limits, presence) is read by both, so the two
 * sides cannot disagree about a field. Errors name the tag, the field's
 * name and its offset in the payload.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/wire.h"

#define RECORD_MAX 256          /* bytes of the largest record a table has */

/* ---- sizes --------------------------------------------------------------- */

/* Bytes a value of this kind takes on the wire; 0 for strings. */
static uint32_t width(const struct zvm_field *f, bool in_record)
{
	switch (f->kind) {
	case ZF_U32: case ZF_FD: return 4;
	case ZF_U64: case ZF_F64: return 8;
	case ZF_BOOL: return in_record ? 1 : 4;
	case ZF_BYTES: return f->max_len;
	default: return 0;
	}
}

static bool is_int(const struct zvm_field *f)
{
	return f->kind == ZF_U32 || f->kind == ZF_U64 || f->kind == ZF_BOOL || f->kind == ZF_FD;
}

static bool is_string(const struct zvm_field *f)
{
	return f->kind == ZF_STR || f->kind == ZF_STRDUP || f->kind == ZF_STRPTR;
}

/* A row's presence flag: a bool, or bits of an unsigned (m.given). */
static bool get_flag(const struct zvm_field *f, const char *base)
{
	if (f->flag_mask)
		return (*(const unsigned *)(base + f->flag_off) & f->flag_mask) != 0;
	return *(const bool *)(base + f->flag_off);
}

static void set_flag(const struct zvm_field *f, char *base)
{
	if (f->flag_mask)
		*(unsigned *)(base + f->flag_off) |= f->flag_mask;
	else
		*(bool *)(base + f->flag_off) = true;
}

/* Where a record member's value is: in the element, or beside the records. */
static const void *member_at(const struct zvm_field *mb, const void *elem, const char *base, unsigned index)
{
	if (mb->flags & ZF_BESIDE)
		return base + mb->off + (size_t)index * mb->elem_size;
	return (const char *)elem + mb->off;
}

/* A record is its fixed members, then at most one string, last. */
static void record_bounds(const struct zvm_field *f, uint32_t *min, uint32_t *max)
{
	*min = *max = 0;
	for (unsigned i = 0; i < f->nmembers; i++) {
		const struct zvm_field *mb = &f->members[i];
		if (is_string(mb)) {
			*min += (mb->flags & ZF_ABSOLUTE) ? 1 : 0;
			*max += mb->max_len;
		} else {
			*min += width(mb, true);
			*max += width(mb, true);
		}
	}
}

/* ---- encoding ------------------------------------------------------------ */

static uint64_t int_value(const struct zvm_field *f, const void *v)
{
	uint32_t u32;
	uint64_t u64;

	switch (f->kind) {
	case ZF_U32: case ZF_FD: memcpy(&u32, v, 4); return u32;
	case ZF_U64: memcpy(&u64, v, 8); return u64;
	case ZF_BOOL: return *(const bool *)v;
	default: return 0;
	}
}

static const char *str_of(const struct zvm_field *f, const void *v);

static bool is_zero(const struct zvm_field *f, const void *v)
{
	switch (f->kind) {
	case ZF_F64: return !(*(const double *)v > 0);
	case ZF_STR: return !*(const char *)v;
	case ZF_STRDUP: return !*str_of(f, v);
	case ZF_STRPTR: return !*(const char *const *)v;
	case ZF_BYTES:
		for (uint32_t i = 0; i < f->max_len; i++)
			if (((const uint8_t *)v)[i])
				return false;
		return true;
	case ZF_RECORD: return false;
	default: return int_value(f, v) == 0;
	}
}

static const char *str_of(const struct zvm_field *f, const void *v)
{
	const char *s = f->kind == ZF_STR ? (const char *)v : *(const char *const *)v;

	if (!s)
		return "";
	if ((f->flags & ZF_BASENAME) && strrchr(s, '/'))
		return strrchr(s, '/') + 1;
	return s;
}

/* A string the struct holds by pointer must fit its row: cutting an
 * alias would hand the cell another name than the one asked for. */
static bool too_long(const struct zvm_field *f, const void *v)
{
	if (f->kind == ZF_RECORD) {
		for (unsigned i = 0; i < f->nmembers; i++)
			if (!(f->members[i].flags & ZF_BESIDE) && too_long(&f->members[i], (const char *)v + f->members[i].off))
				return true;
		return false;
	}
	return f->kind == ZF_STRDUP && f->max_len && !(f->flags & ZF_BASENAME) &&
	       strnlen(str_of(f, v), (size_t)f->max_len + 1) > f->max_len;
}

/* Packs the fixed part of a value (or a record) into b; returns its size.
 * base and index: the message's struct and the record's index (ZF_BESIDE). */
static uint32_t pack(const struct zvm_field *f, const void *v, uint8_t *b, bool in_record, const char *base,
		     unsigned index)
{
	uint32_t n = 0;

	switch (f->kind) {
	case ZF_U32: case ZF_FD: le32(b, (uint32_t)int_value(f, v)); return 4;
	case ZF_U64: case ZF_F64: {
		uint64_t u;
		memcpy(&u, v, 8); /* a double's bits, or the number */
		le64(b, u);
		return 8;
	}
	case ZF_BOOL:
		if (in_record)
			return b[0] = *(const bool *)v, 1;
		le32(b, *(const bool *)v);
		return 4;
	case ZF_BYTES: memcpy(b, v, f->max_len); return f->max_len;
	case ZF_STR: case ZF_STRDUP: case ZF_STRPTR: {
		const char *s = str_of(f, v);
		n = (uint32_t)strnlen(s, f->max_len);
		memcpy(b, s, n);
		return n;
	}
	case ZF_RECORD:
		for (unsigned i = 0; i < f->nmembers; i++)
			n += pack(&f->members[i], member_at(&f->members[i], v, base, index), b + n, true, base, index);
		return n;
	}
	return 0;
}

static void put_value(struct zvm_msg *m, const struct zvm_field *f, const void *v, const char *base,
		      unsigned index)
{
	uint8_t b[RECORD_MAX];
	uint32_t min, max;

	if (too_long(f, v)) {
		if (!m->err)
			m->err = -ENAMETOOLONG;
		return;
	}
	if (is_string(f)) { /* any length: no copy */
		const char *s = str_of(f, v);
		zvm_msg_put(m, f->tag, s, (uint32_t)strnlen(s, f->max_len ? f->max_len : ZVM_PROTO_MAX + 1));
		return;
	}
	if (f->kind == ZF_RECORD) {
		record_bounds(f, &min, &max);
		if (max > sizeof(b)) { /* a table error, caught by the part's tests */
			m->err = -EOVERFLOW;
			return;
		}
	}
	zvm_msg_put(m, f->tag, b, pack(f, v, b, false, base, index));
}

int zvm_table_encode(struct zvm_msg *m, const struct zvm_msg_desc *d, const void *s)
{
	const char *base = s;

	zvm_msg_init(m, (enum zvm_msg_type)d->type);
	for (unsigned i = 0; i < d->nfields; i++) {
		const struct zvm_field *f = &d->fields[i];
		if (f->flags & ZF_REPEATED) {
			unsigned n = *(const unsigned *)(base + f->count_off);
			for (unsigned k = 0; k < n && k < f->max_count; k++)
				put_value(m, f, base + f->off + k * f->elem_size, base, k);
			continue;
		}
		if ((f->flags & ZF_IF_FLAG) && !get_flag(f, base))
			continue;
		if ((f->flags & ZF_UNLESS_FLAG) && get_flag(f, base))
			continue;
		if ((f->flags & ZF_OMIT_ZERO) && is_zero(f, base + f->off))
			continue;
		if ((f->flags & ZF_NO_NEGATIVE_FD) && *(const int *)(base + f->off) < 0)
			continue;
		put_value(m, f, base + f->off, base, 0);
	}
	return zvm_msg_finish(m);
}

/* ---- decoding ------------------------------------------------------------ */

struct dec {
	const struct zvm_msg_desc *d;
	unsigned nfds;
	const struct zvm_wire_field *wf;
	char *err;
	size_t errlen;
	char where[96];            /* "field 11 (channel 2 alias) at offset 80" */
	char what[48];             /* "channel 2 alias" */
};

static void locate(struct dec *c, const struct zvm_field *f, int index, const struct zvm_field *member)
{
	int n = snprintf(c->what, sizeof(c->what), "%s", f->name);
	if (index >= 0)
		n += snprintf(c->what + n, sizeof(c->what) - (size_t)n, " %d", index);
	if (member)
		snprintf(c->what + n, sizeof(c->what) - (size_t)n, " %s", member->name);
	snprintf(c->where, sizeof(c->where), "field %u (%s) at offset %zu", c->wf->tag, c->what, c->wf->at);
}

/* One fixed-size or string value from v[0..len) into dst. */
static int decode_value(struct dec *c, const struct zvm_field *f, const uint8_t *v, uint32_t len, void *dst,
			bool in_record)
{
	uint32_t w = width(f, in_record);

	if (is_string(f)) {
		char *out = f->kind == ZF_STR ? dst : f->store;
		if (f->max_len && len > f->max_len)
			return zvm_wire_bad(c->err, c->errlen, "%s: string of %u bytes, at most %u", c->where, len, f->max_len);
		if (memchr(v, '\0', len))
			return zvm_wire_bad(c->err, c->errlen, "%s: NUL byte in a string", c->where);
		if ((f->flags & ZF_ABSOLUTE) && (len == 0 || v[0] != '/'))
			return zvm_wire_bad(c->err, c->errlen, "%s: must be an absolute name", c->where);
		if (f->kind == ZF_STRDUP) {
			char *s = strndup((const char *)v, len);
			if (!s)
				return -ENOMEM;
			*(char **)dst = s;
			return 0;
		}
		memcpy(out, v, len);
		out[len] = '\0';
		if (f->kind == ZF_STRPTR)
			*(const char **)dst = out;
		return 0;
	}
	if (c->d->widen_ints && !in_record && is_int(f)) {
		if (len != 4 && len != 8)
			return zvm_wire_bad(c->err, c->errlen, "%s: %u bytes, expected 4 or 8", c->where, len);
	} else if (len != w) {
		return zvm_wire_bad(c->err, c->errlen, "%s: %u bytes, expected %u", c->where, len, w);
	}
	switch (f->kind) {
	case ZF_F64: {
		uint64_t u = rd64(v);
		double x;
		memcpy(&x, &u, 8);
		if ((f->flags & ZF_SECONDS) && !(x > 0 && x < 1e7))
			return zvm_wire_bad(c->err, c->errlen, "%s: seconds must be positive and finite", c->where);
		memcpy(dst, &x, 8);
		return 0;
	}
	case ZF_BYTES:
		memcpy(dst, v, w);
		return 0;
	default: {
		uint64_t x = len == 8 ? rd64(v) : len == 4 ? rd32(v) : v[0];
		if (f->max_value && x > f->max_value) {
			if (!(f->flags & ZF_CLAMP))
				return zvm_wire_bad(c->err, c->errlen, "%s: %llu is above the maximum %llu", c->where,
						    (unsigned long long)x, (unsigned long long)f->max_value);
			x = f->max_value;
		}
		if (f->kind == ZF_FD && x >= c->nfds)
			return zvm_wire_bad(c->err, c->errlen, "%s index %llu but %u fds passed (field %u at offset %zu)",
					    c->what, (unsigned long long)x, c->nfds, c->wf->tag, c->wf->at);
		if (f->kind == ZF_BOOL)
			*(bool *)dst = x != 0;
		else if (f->kind == ZF_U64)
			memcpy(dst, &x, 8);
		else { /* ints, enums: 4 bytes in the struct */
			uint32_t x32 = (uint32_t)x;
			memcpy(dst, &x32, 4);
		}
		return 0;
	}
	}
}

static int decode_record(struct dec *c, const struct zvm_field *f, int index, void *dst, char *base)
{
	const struct zvm_wire_field *wf = c->wf;
	uint32_t min, max, pos = 0;
	int rc;

	record_bounds(f, &min, &max);
	locate(c, f, index, NULL);
	if (wf->len < min || wf->len > max)
		return zvm_wire_bad(c->err, c->errlen, "%s: %u bytes, expected %u to %u", c->where, wf->len, min, max);
	for (unsigned i = 0; i < f->nmembers; i++) {
		const struct zvm_field *mb = &f->members[i];
		uint32_t n = is_string(mb) ? wf->len - pos : width(mb, true);
		locate(c, f, index, mb);
		void *at = (void *)member_at(mb, dst, base, index < 0 ? 0 : (unsigned)index);
		if ((rc = decode_value(c, mb, wf->v + pos, n, at, true)) < 0)
			return rc;
		pos += n;
	}
	return 0;
}

static const struct zvm_field *row(const struct zvm_msg_desc *d, uint16_t tag, unsigned *i)
{
	for (*i = 0; *i < d->nfields; (*i)++)
		if (d->fields[*i].tag == tag)
			return &d->fields[*i];
	return NULL;
}

int zvm_table_decode(const uint8_t *p, size_t len, const struct zvm_msg_desc *d, unsigned nfds, void *s,
		     char *err, size_t errlen)
{
	struct zvm_wire_field wf;
	struct dec c = { .d = d, .nfds = nfds, .wf = &wf, .err = err, .errlen = errlen };
	size_t pos = 0, first[64];
	uint64_t seen = 0;
	char *base = s;
	int rc;

	if (d->nfields > 64)
		return -EOVERFLOW; /* a table error: seen has one bit a row */
	while ((rc = zvm_wire_next(p, len, &pos, &wf, err, errlen)) == 1) {
		unsigned i;
		const struct zvm_field *f = row(d, wf.tag, &i);
		unsigned *count;
		void *dst;

		if (!f) {
			if (d->ignore_unknown)
				continue;
			return zvm_wire_bad(err, errlen, "unknown field %u at offset %zu", wf.tag, wf.at);
		}
		locate(&c, f, -1, NULL);
		if (!(f->flags & ZF_REPEATED)) {
			if (seen & (1ull << i))
				return zvm_wire_bad(err, errlen, "%s given twice (first at offset %zu)", c.where, first[i]);
			seen |= 1ull << i;
			first[i] = wf.at;
			dst = base + f->off;
			rc = f->kind == ZF_RECORD ? decode_record(&c, f, -1, dst, base)
						  : decode_value(&c, f, wf.v, wf.len, dst, false);
			if (rc < 0)
				return rc;
			/* present is given, but for a 0 the encoder would have left out */
			if ((f->flags & ZF_IF_FLAG) && !((f->flags & ZF_OMIT_ZERO) && is_zero(f, dst)))
				set_flag(f, base);
			continue;
		}
		count = (unsigned *)(base + f->count_off);
		if (*count >= f->max_count)
			return zvm_wire_bad(err, errlen, "%s: more than %u %s fields", c.where, f->max_count, f->name);
		dst = base + f->off + *count * f->elem_size;
		rc = f->kind == ZF_RECORD ? decode_record(&c, f, (int)*count, dst, base)
					  : (locate(&c, f, (int)*count, NULL), decode_value(&c, f, wf.v, wf.len, dst, false));
		if (rc < 0)
			return rc;
		(*count)++; /* only whole values count: the owner frees count of them */
	}
	return rc;
}
