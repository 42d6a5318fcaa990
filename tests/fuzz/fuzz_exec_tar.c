/*
 * fuzz_exec_tar.c — libFuzzer target for zvm exec's reader of the archive
 * a cell writes (tools/zvm/exec-tar.c): any bytes walk to the end or are
 * refused with -EINVAL, never a crash; every entry handed on has a
 * NUL-terminated name, data inside the input, and a split into components
 * with no "..", no "." and no empty one (what write-back resolves under
 * the caller's directory). Nothing is written: the walk and the split are
 * what parse untrusted bytes.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "tools/zvm/exec-tar.c"
#include "tests/fuzz/fuzz-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *lo, *hi;

static int each(const struct zvm_tar_entry *e, void *ctx)
{
	static char buf[ZVM_TAR_NAME_MAX];
	const char *comp[MAX_DEPTH];
	int n;

	CHECK(memchr(e->name, '\0', sizeof(e->name)) && e->name[0]);
	CHECK(e->data >= lo && e->size <= (uint64_t)(hi - e->data));
	n = zvm_tar_split(e->name, buf, sizeof(buf), comp, MAX_DEPTH);
	CHECK(n >= -EINVAL);
	for (int i = 0; i < n; i++)
		CHECK(comp[i][0] && strcmp(comp[i], ".") && strcmp(comp[i], "..") && !strchr(comp[i], '/'));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t bad = 0;
	int rc;

	lo = data;
	hi = data + size;
	rc = zvm_tar_walk(data, size, each, NULL, &bad);
	CHECK(rc == 0 || rc == -EINVAL);
	CHECK(bad <= size);
	return 0;
}
