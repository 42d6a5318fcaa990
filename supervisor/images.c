/*
 * images.c — the daemon's cache of validated, sealed images (images.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/images.h"

int zvm_images_init(struct zvm_images *c, const struct zvm_images_limits *lim)
{
	memset(c, 0, sizeof(*c));
	c->e = calloc(lim->max_entries, sizeof(*c->e));
	if (!c->e)
		return -ENOMEM;
	for (unsigned i = 0; i < lim->max_entries; i++)
		c->e[i].memfd = -1;
	c->lim = *lim;
	return 0;
}

static void drop(struct zvm_images *c, struct zvm_image_entry *e)
{
	close(e->memfd);
	e->memfd = -1;
	c->bytes -= e->size;
}

void zvm_images_free(struct zvm_images *c)
{
	for (unsigned i = 0; i < c->lim.max_entries; i++)
		if (c->e[i].memfd >= 0)
			drop(c, &c->e[i]);
	free(c->e);
	c->e = NULL;
}

uint64_t zvm_images_uid_bytes(const struct zvm_images *c, uid_t uid)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < c->lim.max_entries; i++)
		if (c->e[i].memfd >= 0 && c->e[i].uid == uid)
			n += c->e[i].size;
	return n;
}

/* The least recently used entry (of uid only, if only_uid), or NULL. */
static struct zvm_image_entry *lru(struct zvm_images *c, bool only_uid, uid_t uid)
{
	struct zvm_image_entry *best = NULL;

	for (unsigned i = 0; i < c->lim.max_entries; i++) {
		struct zvm_image_entry *e = &c->e[i];
		if (e->memfd < 0 || (only_uid && e->uid != uid))
			continue;
		if (!best || e->last_used < best->last_used)
			best = e;
	}
	return best;
}

void zvm_images_set_limits(struct zvm_images *c, const struct zvm_images_limits *lim)
{
	/* the table's size is fixed at start; the byte caps can change */
	c->lim.max_bytes = lim->max_bytes;
	c->lim.uid_max_bytes = lim->uid_max_bytes;
	while (c->bytes > c->lim.max_bytes)
		drop(c, lru(c, false, 0));
	for (unsigned i = 0; i < c->lim.max_entries; i++)
		while (c->e[i].memfd >= 0 && zvm_images_uid_bytes(c, c->e[i].uid) > c->lim.uid_max_bytes)
			drop(c, lru(c, true, c->e[i].uid));
}

static struct zvm_image_entry *lookup(struct zvm_images *c, uid_t uid, const uint8_t sha256[32])
{
	for (unsigned i = 0; i < c->lim.max_entries; i++)
		if (c->e[i].memfd >= 0 && c->e[i].uid == uid && memcmp(c->e[i].sha256, sha256, 32) == 0)
			return &c->e[i];
	return NULL;
}

static bool valid_under(const struct zvm_image_entry *e, const struct sfi_options *opt)
{
	/* A deterministic verdict is stricter, so it vouches for both. */
	return e->valid_det || (!opt->deterministic && e->valid_nondet);
}

struct zvm_image_entry *zvm_images_find(struct zvm_images *c, uid_t uid, const uint8_t sha256[32],
					const struct sfi_options *opt)
{
	struct zvm_image_entry *e = lookup(c, uid, sha256);

	if (!e || !valid_under(e, opt))
		return NULL;
	e->last_used = ++c->clock;
	return e;
}

int zvm_images_add(struct zvm_images *c, uid_t uid, const uint8_t sha256[32], int memfd, uint64_t size,
		   const struct sfi_options *opt)
{
	struct zvm_image_entry *e = lookup(c, uid, sha256);
	int fd;

	if (!e) {
		if (size > c->lim.max_bytes || size > c->lim.uid_max_bytes)
			return -EFBIG;
		/* this uid's own oldest images go first, then anyone's */
		while (zvm_images_uid_bytes(c, uid) + size > c->lim.uid_max_bytes)
			drop(c, lru(c, true, uid));
		while (c->bytes + size > c->lim.max_bytes)
			drop(c, lru(c, false, 0));
		for (unsigned i = 0; i < c->lim.max_entries && !e; i++)
			if (c->e[i].memfd < 0)
				e = &c->e[i];
		if (!e) {
			e = lru(c, false, 0);
			drop(c, e);
		}
		fd = fcntl(memfd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return -errno;
		memset(e, 0, sizeof(*e));
		e->memfd = fd;
		e->uid = uid;
		e->size = size;
		memcpy(e->sha256, sha256, 32);
		c->bytes += size;
	}
	if (opt->deterministic)
		e->valid_det = true;
	else
		e->valid_nondet = true;
	e->last_used = ++c->clock;
	return 0;
}

int zvm_images_take(const struct zvm_image_entry *e)
{
	int fd = fcntl(e->memfd, F_DUPFD_CLOEXEC, 3);

	return fd < 0 ? -errno : fd;
}
