/*
 * fuzz_elf.c — libFuzzer target for the image parser (sfi_image_parse).
 * Any input must give either an error with a message or an image whose
 * invariants hold: one R-X segment at the text base, no W+X, all below the
 * image limit, a padded text that is a whole number of pages.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "sfi/sfi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sfi_image img;
	char err[256] = "";
	int rc = sfi_image_parse(data, size, &img, err, sizeof(err));

	if (rc < 0) {
		assert(err[0] != '\0');
		return 0;
	}
	assert(img.nseg >= 1 && img.nseg <= SFI_MAX_SEGMENTS);
	assert(img.seg[img.text].vaddr == ZVM_TEXT_BASE);
	assert(img.seg[img.text].prot & PROT_EXEC);
	assert(img.text_padded_size % 4096 == 0 && img.text_padded_size >= img.seg[img.text].filesz);
	assert(img.entry % ZVM_BUNDLE_SIZE == 0);
	for (unsigned i = 0; i < img.nseg; i++) {
		assert((img.seg[i].prot & (PROT_WRITE | PROT_EXEC)) != (PROT_WRITE | PROT_EXEC));
		assert(img.seg[i].vaddr + img.seg[i].memsz <= img.image_end);
		assert(img.seg[i].file_offset + img.seg[i].filesz <= img.size);
	}
	sfi_image_free(&img);
	return 0;
}
