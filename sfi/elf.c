/*
 * elf.c — reading a zvm image: a static, non-PIE ELF64 x86-64 executable.
 *
 * Pure code: it checks the headers against the layout of docs/sfi.md and
 * never trusts a field before checking it against the file size. Every error
 * names the file offset of the offending header.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sfi/sfi.h"

#define PAGE 4096ull

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -ENOEXEC;
}

static int prot_of(uint32_t flags)
{
	return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) |
	       ((flags & PF_X) ? PROT_EXEC : 0);
}

/* The highest address an image segment may reach: the stack and the info
 * block live at the top, so keep the image in the lower 3 GiB. */
#define SFI_IMAGE_LIMIT (3ull << 30)

static int check_header(const Elf64_Ehdr *eh, size_t size, char *err, size_t errlen)
{
	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return fail(err, errlen, "offset 0x0: not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, "offset 0x4: not a 64-bit little-endian ELF");
	if (eh->e_machine != EM_X86_64)
		return fail(err, errlen, "offset 0x12: machine %u is not x86-64", eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return fail(err, errlen, "offset 0x10: type %u is not a static executable (ET_EXEC); build with zvm-cc",
			    eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return fail(err, errlen, "offset 0x36: program header size %u, expected %zu",
			    eh->e_phentsize, sizeof(Elf64_Phdr));
	if (eh->e_phnum == 0 || eh->e_phoff >= size ||
	    eh->e_phnum > (size - eh->e_phoff) / sizeof(Elf64_Phdr))
		return fail(err, errlen, "offset 0x20: program headers (%u at 0x%llx) lie outside the file",
			    eh->e_phnum, (unsigned long long)eh->e_phoff);
	return 0;
}

static int add_segment(struct sfi_image *img, const Elf64_Phdr *ph, uint64_t at, size_t size,
		       char *err, size_t errlen)
{
	struct sfi_segment *s;

	if (img->nseg == SFI_MAX_SEGMENTS)
		return fail(err, errlen, "offset 0x%llx: more than %d loadable segments",
			    (unsigned long long)at, SFI_MAX_SEGMENTS);
	if (ph->p_filesz > ph->p_memsz)
		return fail(err, errlen, "offset 0x%llx: segment file size exceeds its memory size",
			    (unsigned long long)at);
	if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
		return fail(err, errlen, "offset 0x%llx: segment data (0x%llx bytes at 0x%llx) lies outside the file",
			    (unsigned long long)at, (unsigned long long)ph->p_filesz,
			    (unsigned long long)ph->p_offset);
	if (ph->p_vaddr % PAGE != 0)
		return fail(err, errlen, "offset 0x%llx: segment address 0x%llx is not page aligned",
			    (unsigned long long)at, (unsigned long long)ph->p_vaddr);
	if (ph->p_vaddr < ZVM_TEXT_BASE || ph->p_memsz > SFI_IMAGE_LIMIT ||
	    ph->p_vaddr > SFI_IMAGE_LIMIT - ph->p_memsz)
		return fail(err, errlen, "offset 0x%llx: segment [0x%llx, +0x%llx) is outside [0x%x, 0x%llx)",
			    (unsigned long long)at, (unsigned long long)ph->p_vaddr,
			    (unsigned long long)ph->p_memsz, ZVM_TEXT_BASE, SFI_IMAGE_LIMIT);
	if ((ph->p_flags & (PF_W | PF_X)) == (PF_W | PF_X))
		return fail(err, errlen, "offset 0x%llx: segment is both writable and executable",
			    (unsigned long long)at);
	s = &img->seg[img->nseg++];
	s->vaddr = ph->p_vaddr;
	s->memsz = ph->p_memsz;
	s->filesz = ph->p_filesz;
	s->file_offset = ph->p_offset;
	s->prot = prot_of(ph->p_flags);
	return 0;
}

/* Segments may not share a page: each page gets exactly one protection. */
static int check_overlaps(const struct sfi_image *img, char *err, size_t errlen)
{
	for (unsigned i = 0; i < img->nseg; i++) {
		uint64_t a0 = img->seg[i].vaddr, a1 = (a0 + img->seg[i].memsz + PAGE - 1) & ~(PAGE - 1);
		for (unsigned j = i + 1; j < img->nseg; j++) {
			uint64_t b0 = img->seg[j].vaddr, b1 = (b0 + img->seg[j].memsz + PAGE - 1) & ~(PAGE - 1);
			if (a0 < b1 && b0 < a1)
				return fail(err, errlen, "segments %u and %u share memory pages", i, j);
		}
	}
	return 0;
}

static int make_padded_text(struct sfi_image *img, char *err, size_t errlen)
{
	const struct sfi_segment *t = &img->seg[img->text];
	size_t padded = (t->memsz + PAGE - 1) & ~(PAGE - 1);

	if (padded == 0)
		return fail(err, errlen, "the text segment is empty");
	/* Code comes from the file: a zero-filled tail would be unvalidated
	 * bytes (and an allocation as large as the header claims). */
	if (t->memsz > ((t->filesz + PAGE - 1) & ~(PAGE - 1)))
		return fail(err, errlen, "the executable segment is larger in memory (0x%llx) than in the file (0x%llx)",
			    (unsigned long long)t->memsz, (unsigned long long)t->filesz);
	img->text_padded = malloc(padded);
	if (!img->text_padded)
		return -ENOMEM;
	/* Bytes past the file data are HLT: a jump there stops the program. */
	memset(img->text_padded, 0xf4, padded);
	memcpy(img->text_padded, img->bytes + t->file_offset, t->filesz);
	img->text_padded_size = padded;
	return 0;
}

int sfi_image_parse(const uint8_t *bytes, size_t size, struct sfi_image *img,
		    char *err, size_t errlen)
{
	const Elf64_Ehdr *eh = (const void *)bytes;
	int ntext = 0, rc;

	memset(img, 0, sizeof(*img));
	if (size > SFI_MAX_IMAGE_SIZE)
		return fail(err, errlen, "image is larger than %llu bytes", SFI_MAX_IMAGE_SIZE);
	rc = check_header(eh, size, err, errlen);
	if (rc < 0)
		return rc;
	img->bytes = malloc(size ? size : 1);
	if (!img->bytes)
		return -ENOMEM;
	memcpy(img->bytes, bytes, size);
	img->size = size;
	eh = (const void *)img->bytes;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		uint64_t at = eh->e_phoff + (uint64_t)i * sizeof(ph);

		memcpy(&ph, img->bytes + at, sizeof(ph)); /* may be unaligned */
		switch (ph.p_type) {
		case PT_LOAD:
			if (ph.p_memsz == 0)
				continue;
			rc = add_segment(img, &ph, at, size, err, errlen);
			if (rc < 0)
				goto out_free;
			if (ph.p_flags & PF_X) {
				if (ntext++ || ph.p_vaddr != ZVM_TEXT_BASE) {
					rc = fail(err, errlen, "offset 0x%llx: the one executable segment must start at 0x%x",
						  (unsigned long long)at, ZVM_TEXT_BASE);
					goto out_free;
				}
				img->text = img->nseg - 1;
			}
			break;
		case PT_INTERP:
		case PT_DYNAMIC:
			rc = fail(err, errlen, "offset 0x%llx: dynamic linking is not supported; link statically with zvm-cc",
				  (unsigned long long)at);
			goto out_free;
		default: /* PT_TLS, PT_GNU_STACK, notes: not mapped by themselves */
			break;
		}
	}
	if (ntext == 0) {
		rc = fail(err, errlen, "no executable segment at 0x%x", ZVM_TEXT_BASE);
		goto out_free;
	}
	rc = check_overlaps(img, err, errlen);
	if (rc < 0)
		goto out_free;
	{
		const struct sfi_segment *t = &img->seg[img->text];
		if (eh->e_entry < t->vaddr || eh->e_entry >= t->vaddr + t->memsz ||
		    eh->e_entry % ZVM_BUNDLE_SIZE != 0) {
			rc = fail(err, errlen, "offset 0x18: entry point 0x%llx is not a bundle start inside the text",
				  (unsigned long long)eh->e_entry);
			goto out_free;
		}
	}
	img->entry = eh->e_entry;
	for (unsigned i = 0; i < img->nseg; i++) {
		uint64_t end = (img->seg[i].vaddr + img->seg[i].memsz + PAGE - 1) & ~(PAGE - 1);
		if (end > img->image_end)
			img->image_end = end;
	}
	rc = make_padded_text(img, err, errlen);
	if (rc < 0)
		goto out_free;
	SHA256(img->bytes, img->size, img->sha256);
	return 0;

out_free:
	sfi_image_free(img);
	return rc;
}

int sfi_image_load_file(const char *path, struct sfi_image *img, char *err, size_t errlen)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd, rc;

	memset(img, 0, sizeof(*img));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(err, errlen, "%s: not a regular file", path);
		return -EINVAL;
	}
	if ((uint64_t)st.st_size > SFI_MAX_IMAGE_SIZE) {
		close(fd);
		snprintf(err, errlen, "%s: larger than %llu bytes", path, SFI_MAX_IMAGE_SIZE);
		return -EFBIG;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			snprintf(err, errlen, "%s: read failed after %zu bytes", path, got);
			free(buf);
			close(fd);
			return rc;
		}
		got += n;
	}
	close(fd);
	{
		char why[256];
		rc = sfi_image_parse(buf, got, img, why, sizeof(why));
		if (rc < 0)
			snprintf(err, errlen, "%s: %s", path, why);
	}
	free(buf);
	return rc;
}

void sfi_image_free(struct sfi_image *img)
{
	free(img->bytes);
	free(img->text_padded);
	memset(img, 0, sizeof(*img));
}

int sfi_validate_image(const struct sfi_image *img, const struct sfi_options *opt,
		       struct sfi_verdict *verdict)
{
	return sfi_validate_text(img->text_padded, img->text_padded_size,
				 img->seg[img->text].vaddr, opt, verdict);
}
