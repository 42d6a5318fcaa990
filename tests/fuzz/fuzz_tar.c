/*
 * fuzz_tar.c — libFuzzer target for ZRT's image reader (runtime/zrt/image.c
 * with the file system of vfs.c): any bytes as /dev/image either unpack
 * (rc 0) or are refused with -errno, never a crash. What unpacks is packed
 * to /dev/image-out; that archive must unpack again and pack to the same
 * bytes (the writer is deterministic and the reader reads what it wrote).
 * The same bytes mounted from memory (zrt_image_mount, the embedded archive
 * of python.nexe) are accepted or refused alike.
 * Built with ZRT's sources and the unit tests' fake traps (mk/zrt.mk).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zvm.h"
#include "zrt.h"
#include "vfs.h"
#include "zrt-support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include "tests/fuzz/fuzz-check.h"

static int run(const void *image, size_t size, unsigned char **out, size_t *out_len)
{
	static struct zvm_info info;
	static struct zvm_channel_info ci[2];
	static const char *const aliases[] = { "/dev/image", "/dev/image-out" };
	static const unsigned types[] = { 1, 0 };
	const char *inputs[] = { image, NULL };
	size_t lens[] = { size, 0 };
	int rc;

	fake_cell(&info, ci, 2, aliases, types, inputs, lens);
	rc = zrt_fs_init(&info);
	if (rc == 0) {
		zrt_fs_fini();
		*out_len = fake_chans[1].out_len;
		*out = malloc(*out_len + 1);
		CHECK(*out);
		memcpy(*out, fake_chans[1].out, *out_len);
	}
	return rc;
}

/* mounts a read-only copy of the bytes; 0 or -errno */
static int mount(const uint8_t *data, size_t size)
{
	static struct zvm_info info;
	static struct zvm_channel_info ci[1];
	static const char *const aliases[] = { "/dev/null-in" };
	static const unsigned types[] = { 0 };
	const char *inputs[] = { NULL };
	size_t lens[] = { 0 };

	fake_cell(&info, ci, 1, aliases, types, inputs, lens);
	CHECK(zrt_fs_init(&info) == 0);
	return zrt_image_mount(data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{

	unsigned char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	int rc = run(data, size, &a, &alen);

	CHECK(rc <= 0);
	CHECK(mount(data, size) == rc);
	if (rc < 0)
		return 0;
	CHECK(alen % 512 == 0 && alen >= 1024);
	rc = run(a, alen, &b, &blen);
	CHECK(rc == 0);
	CHECK(alen == blen && !memcmp(a, b, alen));
	free(a);
	free(b);
	return 0;
}
