/*
 * images.h — zvmd's cache of validated images: (uid, SHA-256) -> sealed memfd.
 *
 * An image reaches zvmd as a sealed memfd made by a validator helper
 * (supervisor/validator.h), so what runs is byte for byte what was
 * validated. Entries belong to the uid that sent the image: a digest names
 * an image only for that uid (docs/protocol.md), and one uid's uploads can
 * neither evict nor reveal another's beyond the shared byte cap. A job never
 * points into the cache: it takes its own dup of the memfd when accepted
 * (zvm_images_take), so eviction cannot change what a queued job runs.
 */
#ifndef ZVM_IMAGES_H
#define ZVM_IMAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sfi/sfi.h"

struct zvm_image_entry {
	uid_t uid;              /* the owner */
	uint8_t sha256[32];
	int memfd;              /* sealed; -1 for a free entry */
	uint64_t size;
	bool valid_det, valid_nondet; /* validated under each option set */
	uint64_t last_used;
};

struct zvm_images_limits {
	unsigned max_entries;
	uint64_t max_bytes;     /* all uids */
	uint64_t uid_max_bytes; /* one uid */
};

struct zvm_images {
	struct zvm_image_entry *e;
	struct zvm_images_limits lim;
	uint64_t bytes;
	uint64_t clock;
};

int zvm_images_init(struct zvm_images *c, const struct zvm_images_limits *lim);
void zvm_images_free(struct zvm_images *c);
/* New limits (SIGHUP); entries over them are evicted, oldest first. */
void zvm_images_set_limits(struct zvm_images *c, const struct zvm_images_limits *lim);

/* uid's image with that digest, validated under opt; NULL if none. */
struct zvm_image_entry *zvm_images_find(struct zvm_images *c, uid_t uid, const uint8_t sha256[32],
					const struct sfi_options *opt);
/* Keeps a validated image (takes a dup of memfd; the caller keeps its own),
 * evicting the least recently used entries until the limits hold. An image
 * larger than a limit is not kept: -EFBIG, and the job still runs from the
 * caller's memfd. Returns 0 or -errno. */
int zvm_images_add(struct zvm_images *c, uid_t uid, const uint8_t sha256[32], int memfd, uint64_t size,
		   const struct sfi_options *opt);
/* A job's own reference to the entry's image: a dup of its memfd, or -errno. */
int zvm_images_take(const struct zvm_image_entry *e);
/* Bytes uid has in the cache. */
uint64_t zvm_images_uid_bytes(const struct zvm_images *c, uid_t uid);

#endif
