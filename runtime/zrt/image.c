/*
 * image.c — tar images (ZeroVM's "fstab" idea): /dev/image is unpacked
 * into / before main runs; /dev/image-out receives the file system (without
 * /dev) as a tar at exit.
 *
 * Reading accepts POSIX ustar and GNU tar: regular files, directories, hard
 * links (copied; a link to itself leaves the file as it is), GNU long names ('L'), pax extended headers ('x': path,
 * size); symbolic links, devices and FIFOs are skipped. Every header's
 * checksum, number fields and bounds are checked: a damaged archive is
 * -EINVAL, never a crash. Writing produces ustar (GNU 'L' records for names
 * the ustar fields cannot hold), entries sorted by name, so the same tree
 * always gives the same bytes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vfs.h"
#include "zrt.h"
#include "zvm.h"

#define BLOCK 512
#define MAX_NAME 4096

struct reader {
	int handle;
	int random;
	uint64_t off, size;
	const unsigned char *mem; /* an archive in memory (zrt_image_mount), else a channel */
};

/* Up to len bytes at the reader's offset: 0 at the end, or the trap's error. */
static long pull(struct reader *r, void *dst, uint64_t len)
{
	if (r->mem) {
		uint64_t left = r->off < r->size ? r->size - r->off : 0;
		if (len > left)
			len = left;
		memcpy(dst, r->mem + r->off, len);
		return (long)len;
	}
	return zvm_trap_read(r->handle, dst, len, r->random ? (int64_t)r->off : 0);
}

/* Reads exactly len bytes (dst may be NULL: skip). 0, or -EINVAL at a
 * premature end, or the trap's error. */
static int take(struct reader *r, void *dst, uint64_t len)
{
	static unsigned char scratch[16384];

	while (len) {
		uint64_t n = len;
		void *p = dst;
		if (!dst) {
			p = scratch;
			if (n > sizeof(scratch))
				n = sizeof(scratch);
		} else if (n > (1u << 30)) {
			n = 1u << 30;
		}
		long got = r->mem && !dst ? (long)(r->off + n <= r->size ? n : 0) : pull(r, p, n);
		if (got < 0)
			return (int)got;
		if (got == 0)
			return -EINVAL;
		r->off += (uint64_t)got;
		len -= (uint64_t)got;
		if (dst)
			dst = (char *)dst + got;
	}
	return 0;
}

/* An octal field (NUL or space terminated, leading spaces allowed), or
 * GNU base-256 (high bit of the first byte). -1 if malformed. */
static int64_t number(const unsigned char *f, size_t len)
{
	uint64_t v = 0;
	size_t i = 0;

	if (f[0] & 0x80) {
		if (f[0] != 0x80)
			return -1; /* negative, or too large */
		for (i = 1; i < len; i++) {
			if (v >> 55)
				return -1;
			v = (v << 8) | f[i];
		}
		return v > (uint64_t)INT64_MAX ? -1 : (int64_t)v;
	}
	while (i < len && f[i] == ' ')
		i++;
	if (i == len || f[i] == '\0')
		return 0;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return -1;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	for (; i < len; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	return (int64_t)v;
}

static int checksum_ok(const unsigned char *h)
{
	int64_t want = number(h + 148, 8);
	uint64_t sum = 0;

	for (int i = 0; i < BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return want >= 0 && (uint64_t)want == sum;
}

static int all_zero(const unsigned char *h)
{
	for (int i = 0; i < BLOCK; i++)
		if (h[i])
			return 0;
	return 1;
}

/* Copies a field that may lack its NUL. */
static size_t field(char *dst, const unsigned char *src, size_t len)
{
	size_t n = strnlen((const char *)src, len);
	memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}

/* Reads the data of an 'L' or 'x' record (at most MAX_NAME - 1 bytes kept). */
static int take_text(struct reader *r, uint64_t size, char *out, size_t cap, uint64_t *kept)
{
	uint64_t keep = size < cap - 1 ? size : cap - 1;
	int rc;

	if ((rc = take(r, out, keep)) < 0 || (rc = take(r, NULL, size - keep)) < 0)
		return rc;
	out[keep] = '\0';
	*kept = keep;
	return take(r, NULL, (BLOCK - size % BLOCK) % BLOCK);
}

/* pax records "LEN key=value\n": path and size matter here */
static int pax(const char *p, uint64_t len, char *path, int64_t *size)
{
	const char *end = p + len;

	while (p < end) {
		char *q;
		unsigned long n = strtoul(p, &q, 10);
		if (q == p || *q != ' ' || n == 0 || n > (unsigned long)(end - p))
			return -EINVAL;
		const char *kv = q + 1, *rec_end = p + n;
		if (kv >= rec_end || rec_end[-1] != '\n')
			return -EINVAL;
		const char *eq = memchr(kv, '=', (size_t)(rec_end - kv));
		if (!eq)
			return -EINVAL;
		size_t klen = (size_t)(eq - kv), vlen = (size_t)(rec_end - 1 - (eq + 1));
		if (klen == 4 && !memcmp(kv, "path", 4)) {
			if (vlen >= MAX_NAME)
				return -ENAMETOOLONG;
			memcpy(path, eq + 1, vlen);
			path[vlen] = '\0';
		} else if (klen == 4 && !memcmp(kv, "size", 4)) {
			char buf[24];
			if (vlen == 0 || vlen >= sizeof(buf))
				return -EINVAL;
			memcpy(buf, eq + 1, vlen);
			buf[vlen] = '\0';
			*size = (int64_t)strtoull(buf, &q, 10);
			if (*q || *size < 0)
				return -EINVAL;
		}
		p = rec_end;
	}
	return 0;
}

static int unpack(struct reader *rd);

int zrt_image_unpack(int handle, unsigned chan_type, uint64_t size)
{
	struct reader r = { handle, chan_type == ZVM_CHANNEL_RND_READ_SEQ_WRITE || chan_type == ZVM_CHANNEL_RND_READ_RND_WRITE,
			    0, size, NULL };
	int rc;

	zrt_keep_times = 1;
	rc = unpack(&r);
	zrt_keep_times = 0;
	return rc;
}

/* the nodes made since inode `after` (inode numbers only grow) */
static void mark_made(struct node *d, uint64_t after)
{
	for (size_t i = 0; i < d->nents; i++) {
		struct node *n = d->ents[i].node;
		if (n->ino > after)
			n->made = 1;
		if (n->type == NODE_DIR)
			mark_made(n, after);
	}
}

/* An archive already in the cell's memory (a read-only section of the
 * program, as mk/python/embed.S makes one): its files are not copied but point at their
 * bytes in the archive, which the loader maps from the image file and so
 * every cell of that image shares. A file written to gets a copy first
 * (vfs.c, borrowed). Its nodes count as made: /dev/image-out leaves them
 * out until the program changes them. */
int zrt_image_mount(const unsigned char *p, uint64_t size)
{
	struct reader r = { -1, 1, 0, size, p };
	uint64_t after = zrt_last_ino();
	int rc;

	zrt_keep_times = 1;
	rc = unpack(&r);
	zrt_keep_times = 0;
	if (rc == 0)
		mark_made(&zrt_root, after);
	return rc;
}

static int unpack(struct reader *rd)
{
	static unsigned char h[BLOCK];
	static char name[MAX_NAME], long_name[MAX_NAME], pax_path[MAX_NAME], text[MAX_NAME], link[MAX_NAME];
	struct reader r = *rd;
	uint64_t size = r.size;
	int64_t pax_size = -1;
	int rc;

	long_name[0] = pax_path[0] = '\0';
	for (;;) {
		long got = 0;
		/* the end: a zero block, or the end of the file between entries */
		while (got < BLOCK) {
			r.off += (uint64_t)got;
			long n = pull(&r, h + got, (uint64_t)(BLOCK - got));
			r.off -= (uint64_t)got;
			if (n < 0)
				return (int)n;
			if (n == 0)
				break;
			got += n;
		}
		r.off += (uint64_t)got;
		if (got == 0)
			return 0;
		if (got < BLOCK)
			return -EINVAL;
		if (all_zero(h))
			return 0;
		if (!checksum_ok(h))
			return -EINVAL;
		int64_t fsize = number(h + 124, 12), mode = number(h + 100, 8), mtime = number(h + 136, 12);
		if (fsize < 0 || mode < 0 || mtime < 0)
			return -EINVAL;
		if (pax_size >= 0)
			fsize = pax_size;
		char type = (char)h[156];
		uint64_t kept;
		if (type == 'L' || type == 'x' || type == 'g') {
			if ((rc = take_text(&r, (uint64_t)fsize, type == 'L' ? long_name : text, MAX_NAME, &kept)) < 0)
				return rc;
			if (type == 'L' && (uint64_t)fsize >= MAX_NAME)
				return -ENAMETOOLONG;
			if (type == 'x' && (rc = pax(text, kept, pax_path, &pax_size)) < 0)
				return rc;
			continue;
		}
		/* the entry's name: pax path, GNU long name, or prefix/name */
		if (pax_path[0]) {
			strcpy(name, pax_path);
		} else if (long_name[0]) {
			strcpy(name, long_name);
		} else {
			char prefix[160];
			size_t pl = !memcmp(h + 257, "ustar", 5) ? field(prefix, h + 345, 155) : 0;
			size_t nl;
			if (pl) {
				memcpy(name, prefix, pl);
				name[pl] = '/';
				nl = field(name + pl + 1, h, 100);
				(void)nl;
			} else {
				field(name, h, 100);
			}
		}
		pax_path[0] = long_name[0] = '\0';
		pax_size = -1;
		if (!name[0])
			return -EINVAL;
		uint64_t data = (uint64_t)fsize, pad = (BLOCK - data % BLOCK) % BLOCK;
		if (size && (r.off + data > size || r.off + data < r.off))
			return -EINVAL;
		int64_t mtime_ns = mtime > INT64_MAX / 1000000000 ? INT64_MAX : mtime * 1000000000;
		if (type == '5') {
			if ((rc = zrt_mkdir_p(name, (unsigned)mode & 07777, mtime_ns, 1)) < 0)
				return rc;
			if ((rc = take(&r, NULL, data + pad)) < 0)
				return rc;
		} else if (type == '0' || type == '\0' || type == '7') {
			struct node *n = zrt_create_file(name, (unsigned)mode & 07777, mtime_ns, &rc);
			if (!n)
				return rc == -EISDIR || rc == -ENOTDIR ? -EINVAL : rc;
			if (r.mem && data) {
				/* mapped, not copied (zrt_image_mount); a name given
				 * twice drops the first one's contents */
				if (n->data && !n->borrowed)
					zrt_free(n->data, n->cap);
				n->cap = 0;
				n->data = (unsigned char *)(uintptr_t)(r.mem + r.off);
				n->size = data;
				n->borrowed = 1;
				r.off += data;
			} else if (data) {
				/* straight into the file's buffer */
				if ((rc = zrt_node_write(n, data - 1, "", 1)) < 0) /* reserve, size = data */
					return rc;
				if ((rc = take(&r, n->data, data)) < 0)
					return rc;
			}
			n->mtime = mtime_ns;
			if ((rc = take(&r, NULL, pad)) < 0)
				return rc;
		} else if (type == '1') {
			struct node *src, *n;
			field(link, h + 157, 100);
			if (!(src = zrt_lookup(link)) || src->type != NODE_REG)
				return -EINVAL;
			/* a link to itself (GNU tar writes one for a path given
			 * twice): the file is there already; creating it again
			 * would truncate the only copy of its contents */
			if (zrt_lookup(name) != src) {
				if (!(n = zrt_create_file(name, src->mode, src->mtime, &rc)))
					return rc;
				if (src->maps)
					zrt_fmap_pull(src, 0, src->size);
				if (src->size && (rc = zrt_node_write(n, 0, src->data, src->size)) < 0)
					return rc;
			}
			if ((rc = take(&r, NULL, data + pad)) < 0)
				return rc;
		} else {
			/* symlinks, devices, FIFOs, unknown types: skipped */
			if ((rc = take(&r, NULL, data + pad)) < 0)
				return rc;
		}
	}
}

/* ---- writing ----------------------------------------------------------------------------- */

static int out_handle;
static int out_error;

static void put(const void *buf, uint64_t len)
{
	while (len && !out_error) {
		long w = zvm_trap_write(out_handle, buf, len, 0);
		if (w <= 0) {
			out_error = w < 0 ? (int)w : -EIO;
			return;
		}
		buf = (const char *)buf + w;
		len -= (uint64_t)w;
	}
}

static void octal(unsigned char *f, size_t len, uint64_t v)
{
	f[len - 1] = '\0';
	for (size_t i = len - 1; i-- > 0;) {
		f[i] = (unsigned char)('0' + (v & 7));
		v >>= 3;
	}
}

/* One ustar header block, checksum included; gnu: the GNU magic, which
 * GNU tar wants on entries that follow an 'L' long-name record. */
static void fill(unsigned char *h, const char *name, size_t nlen, char type, unsigned mode, unsigned owner,
		 uint64_t size, uint64_t mtime_s, int gnu)
{
	uint64_t sum = 0;

	memset(h, 0, BLOCK);
	memcpy(h, name, nlen > 100 ? 100 : nlen);
	octal(h + 100, 8, mode & 07777);
	octal(h + 108, 8, owner);
	octal(h + 116, 8, owner);
	octal(h + 124, 12, size);
	octal(h + 136, 12, mtime_s);
	h[156] = (unsigned char)type;
	if (gnu) {
		memcpy(h + 257, "ustar  ", 8);
	} else {
		memcpy(h + 257, "ustar", 6);
		memcpy(h + 263, "00", 2);
	}
	if (owner) {
		memcpy(h + 265, "zvm", 3);
		memcpy(h + 297, "zvm", 3);
	}
	memset(h + 148, ' ', 8);
	for (int i = 0; i < BLOCK; i++)
		sum += h[i];
	octal(h + 148, 7, sum);
}

/* An entry's header, after a GNU 'L' record when the name needs one. */
static void header(const char *name, size_t nlen, char type, unsigned mode, uint64_t size, int64_t mtime_ns)
{
	static const unsigned char zeros[BLOCK];
	unsigned char h[BLOCK];

	if (nlen > 100) {
		fill(h, "././@LongLink", 13, 'L', 0644, 0, nlen + 1, 0, 1);
		put(h, BLOCK);
		put(name, nlen);
		put(zeros, BLOCK - nlen % BLOCK); /* the NUL and the padding */
	}
	fill(h, name, nlen, type, mode, UID, size, mtime_ns > 0 ? (uint64_t)(mtime_ns / 1000000000) : 0, nlen > 100);
	put(h, BLOCK);
}

static int by_name(const void *a, const void *b)
{
	const struct dirent_slot *x = *(const struct dirent_slot *const *)a, *y = *(const struct dirent_slot *const *)b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Whether a node goes into the output: not what ZRT made at start and the
 * program left alone (vfs.h) */
static int kept(const struct node *n)
{
	if (!n->made)
		return 1;
	if (n->type == NODE_DIR)
		for (size_t i = 0; i < n->nents; i++)
			if (kept(n->ents[i].node))
				return 1;
	return 0;
}

static void pack_dir(struct node *d, char *path, size_t plen)
{
	const struct dirent_slot **order;
	static const unsigned char zeros[BLOCK];

	if (!d->nents)
		return;
	order = zrt_alloc(d->nents * sizeof(*order));
	if (!order) {
		out_error = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < d->nents; i++)
		order[i] = &d->ents[i];
	qsort(order, d->nents, sizeof(*order), by_name);
	for (size_t i = 0; i < d->nents && !out_error; i++) {
		const struct dirent_slot *e = order[i];
		struct node *n = e->node;
		size_t len = plen + e->len;
		if (plen == 0 && e->len == 3 && !memcmp(e->name, "dev", 3))
			continue; /* the channels and devices stay out */
		if (len + 2 >= MAX_NAME || !kept(n))
			continue;
		memcpy(path + plen, e->name, e->len);
		if (n->type == NODE_DIR) {
			path[len] = '/';
			path[len + 1] = '\0';
			header(path, len + 1, '5', n->mode, 0, n->mtime);
			pack_dir(n, path, len + 1);
		} else if (n->type == NODE_REG) {
			path[len] = '\0';
			header(path, len, '0', n->mode, n->size, n->mtime);
			if (n->maps)
				zrt_fmap_pull(n, 0, n->size);
			put(n->data, n->size);
			put(zeros, (BLOCK - n->size % BLOCK) % BLOCK);
		}
	}
	zrt_free(order, d->nents * sizeof(*order));
}

int zrt_image_pack(int handle)
{
	static char path[MAX_NAME];
	static const unsigned char zeros[2 * BLOCK];

	out_handle = handle;
	out_error = 0;
	pack_dir(&zrt_root, path, 0);
	put(zeros, sizeof(zeros));
	return out_error;
}
