/*
 * images.h — zvmd's validated images: SHA-256 -> sealed memfd.
 *
 * An image is read once from the client's fd, parsed and validated, then
 * copied into a memfd that is sealed against any change. Workers map that
 * memfd, so what runs is byte for byte what was validated, and a second
 * job with the same image skips both reading and validation.
 */
#ifndef ZVM_IMAGES_H
#define ZVM_IMAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sfi/sfi.h"

struct zvm_image_entry {
	uint8_t sha256[32];
	int memfd;              /* sealed; -1 for a free entry */
	size_t size;
	bool valid_det, valid_nondet; /* validated under each option set */
	uint64_t last_used;
};

struct zvm_images {
	struct zvm_image_entry *e;
	unsigned n, max;
	uint64_t clock;
};

int zvm_images_init(struct zvm_images *c, unsigned max_entries);
void zvm_images_free(struct zvm_images *c);

/* Reads an image from fd (at most SFI_MAX_IMAGE_SIZE bytes), validates it
 * unless already known valid under opt. Returns 0 and *out on success, 1
 * if invalid (verdict filled), -errno otherwise (err says why). */
int zvm_images_add_fd(struct zvm_images *c, int fd, const struct sfi_options *opt,
		      struct zvm_image_entry **out, struct sfi_verdict *verdict,
		      double *validate_s, char *err, size_t errlen);
/* An image uploaded before, by digest, validated under opt; NULL if none. */
struct zvm_image_entry *zvm_images_find(struct zvm_images *c, const uint8_t sha256[32],
					const struct sfi_options *opt);

#endif
