/*
 * test_template.c — sfi_template_layout, the one description of a
 * template's memory that the keep request writes and every copy's worker
 * maps. A copy's worker trusts no size from the window: a heap end or a
 * stack size that a forged (or a taken-over worker's) template names must
 * give -EINVAL, never a range over the text, the info block or past 4 GiB.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "sfi/sfi.h"

#define STACK_TOP (ZVM_SANDBOX_END - ZVM_TEMPLATE_INFO_BYTES - 4096)

/* text at 0x11000, rodata, then data+bss: image_end 0x20000 */
static void image(struct sfi_image *img)
{
	memset(img, 0, sizeof(*img));
	img->nseg = 3;
	img->text = 0;
	img->seg[0] = (struct sfi_segment){ .vaddr = 0x11000, .memsz = 0x3000, .prot = PROT_READ | PROT_EXEC };
	img->seg[1] = (struct sfi_segment){ .vaddr = 0x14000, .memsz = 0x1000, .prot = PROT_READ };
	img->seg[2] = (struct sfi_segment){ .vaddr = 0x15000, .memsz = 0xa123, .prot = PROT_READ | PROT_WRITE };
	img->image_end = 0x20000;
}

static void test_layout_ranges(void **state)
{
	struct sfi_range r[SFI_MAX_SEGMENTS + 2];
	struct sfi_image img;
	uint64_t bytes;

	(void)state;
	image(&img);
	/* the writable segment (rounded to pages), the heap to its page end, the stack */
	assert_int_equal(sfi_template_layout(&img, 0x20001, 0x10000, r, &bytes), 3);
	assert_true(r[0].start == 0x15000 && r[0].len == 0xb000);
	assert_true(r[1].start == 0x20000 && r[1].len == 0x1000);
	assert_true(r[2].start == STACK_TOP - 0x10000 && r[2].len == 0x10000);
	assert_true(bytes == 0xb000 + 0x1000 + 0x10000);
	/* an empty heap has no range */
	assert_int_equal(sfi_template_layout(&img, 0x20000, 0x10000, r, &bytes), 2);
	assert_true(r[1].start == STACK_TOP - 0x10000);
	/* no range is executable, reaches the info block or passes 4 GiB */
	for (int i = 0; i < 2; i++)
		assert_true(r[i].start >= 0x15000 && r[i].start + r[i].len <= STACK_TOP);
}

static void test_layout_refuses_forged_sizes(void **state)
{
	struct sfi_range r[SFI_MAX_SEGMENTS + 2];
	struct sfi_image img;
	uint64_t bytes;

	(void)state;
	image(&img);
	assert_int_equal(sfi_template_layout(&img, 0x1ffff, 0x10000, r, &bytes), -EINVAL);  /* heap below its start */
	assert_int_equal(sfi_template_layout(&img, 0, 0x10000, r, &bytes), -EINVAL);
	assert_int_equal(sfi_template_layout(&img, 0x20000, 0x10001, r, &bytes), -EINVAL); /* not pages */
	assert_int_equal(sfi_template_layout(&img, 0x20000, 0, r, &bytes), -EINVAL);
	assert_int_equal(sfi_template_layout(&img, 0x20000, ~0ull & ~4095ull, r, &bytes), -EINVAL);
	assert_int_equal(sfi_template_layout(&img, 0x20000, STACK_TOP, r, &bytes), -EINVAL); /* over the image */
	/* a heap that runs into the stack or its guard page, or past 4 GiB */
	assert_int_equal(sfi_template_layout(&img, STACK_TOP - 0x10000 - 4095, 0x10000, r, &bytes), -EINVAL);
	assert_int_equal(sfi_template_layout(&img, ZVM_SANDBOX_END + 0x1000, 0x10000, r, &bytes), -EINVAL);
	assert_int_equal(sfi_template_layout(&img, ~0ull, 0x10000, r, &bytes), -EINVAL);
	assert_int_equal(sfi_template_layout(&img, STACK_TOP - 0x11000, 0x10000, r, &bytes), 3); /* the most */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_ranges),
		cmocka_unit_test(test_layout_refuses_forged_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
