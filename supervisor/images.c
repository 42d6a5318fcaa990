/*
 * images.c — the daemon's cache of validated, sealed images.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/images.h"

int zvm_images_init(struct zvm_images *c, unsigned max_entries)
{
	c->e = calloc(max_entries, sizeof(*c->e));
	if (!c->e)
		return -ENOMEM;
	for (unsigned i = 0; i < max_entries; i++)
		c->e[i].memfd = -1;
	c->n = 0;
	c->max = max_entries;
	c->clock = 0;
	return 0;
}

void zvm_images_free(struct zvm_images *c)
{
	for (unsigned i = 0; i < c->max; i++)
		if (c->e[i].memfd >= 0)
			close(c->e[i].memfd);
	free(c->e);
	c->e = NULL;
}

static struct zvm_image_entry *lookup(struct zvm_images *c, const uint8_t sha256[32])
{
	for (unsigned i = 0; i < c->max; i++)
		if (c->e[i].memfd >= 0 && memcmp(c->e[i].sha256, sha256, 32) == 0)
			return &c->e[i];
	return NULL;
}

static bool valid_under(const struct zvm_image_entry *e, const struct sfi_options *opt)
{
	/* A deterministic verdict is stricter, so it vouches for both. */
	return e->valid_det || (!opt->deterministic && e->valid_nondet);
}

struct zvm_image_entry *zvm_images_find(struct zvm_images *c, const uint8_t sha256[32],
					const struct sfi_options *opt)
{
	struct zvm_image_entry *e = lookup(c, sha256);

	if (!e || !valid_under(e, opt))
		return NULL;
	e->last_used = ++c->clock;
	return e;
}

static int read_all(int fd, uint8_t **out, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap), *nb;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;
		if (n == cap) {
			if (cap >= SFI_MAX_IMAGE_SIZE) {
				free(buf);
				return -EFBIG;
			}
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			return -e;
		}
		if (r == 0)
			break;
		n += r;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int sealed_memfd(const uint8_t *bytes, size_t len)
{
	int fd = memfd_create("zvm-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	size_t off = 0;

	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t w = write(fd, bytes + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : EIO;
			close(fd);
			return -e;
		}
		off += w;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static struct zvm_image_entry *free_entry(struct zvm_images *c)
{
	struct zvm_image_entry *lru = &c->e[0];

	for (unsigned i = 0; i < c->max; i++) {
		if (c->e[i].memfd < 0)
			return &c->e[i];
		if (c->e[i].last_used < lru->last_used)
			lru = &c->e[i];
	}
	/* Workers that got the old memfd hold their own reference. */
	close(lru->memfd);
	lru->memfd = -1;
	return lru;
}

int zvm_images_add_fd(struct zvm_images *c, int fd, const struct sfi_options *opt,
		      struct zvm_image_entry **out, struct sfi_verdict *verdict,
		      double *validate_s, char *err, size_t errlen)
{
	struct sfi_image img;
	struct zvm_image_entry *e;
	struct timespec t0, t1;
	uint8_t *bytes = NULL;
	size_t len = 0;
	int rc;

	*validate_s = 0;
	rc = read_all(fd, &bytes, &len);
	if (rc < 0) {
		snprintf(err, errlen, "reading the image: %s", strerror(-rc));
		return rc;
	}
	rc = sfi_image_parse(bytes, len, &img, err, errlen);
	if (rc < 0)
		goto out_free;
	e = lookup(c, img.sha256);
	if (e && valid_under(e, opt)) {
		e->last_used = ++c->clock;
		*out = e;
		rc = 0;
		goto out_img;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = sfi_validate_image(&img, opt, verdict);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*validate_s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (rc != 0) {
		if (rc < 0)
			snprintf(err, errlen, "validator: %s", strerror(-rc));
		goto out_img;
	}
	if (!e) {
		e = free_entry(c);
		rc = sealed_memfd(bytes, len);
		if (rc < 0) {
			snprintf(err, errlen, "sealed copy of the image: %s", strerror(-rc));
			goto out_img;
		}
		memset(e, 0, sizeof(*e));
		e->memfd = rc;
		e->size = len;
		memcpy(e->sha256, img.sha256, 32);
	}
	if (opt->deterministic)
		e->valid_det = true;
	else
		e->valid_nondet = true;
	e->last_used = ++c->clock;
	*out = e;
	rc = 0;
out_img:
	sfi_image_free(&img);
out_free:
	free(bytes);
	return rc;
}
