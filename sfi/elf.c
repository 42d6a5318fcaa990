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
#include <sys/sendfile.h>
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

/* How text_padded is held. */
enum { TEXT_NONE, TEXT_MALLOC, TEXT_IN_BYTES, TEXT_MAPPED };

static int make_padded_text(struct sfi_image *img, char *err, size_t errlen)
{
	const struct sfi_segment *t = &img->seg[img->text];
	size_t padded = (t->memsz + PAGE - 1) & ~(PAGE - 1), full = t->filesz & ~(PAGE - 1);
	uint8_t *buf;

	if (padded == 0)
		return fail(err, errlen, "the text segment is empty");
	/* Code comes from the file: a zero-filled tail would be unvalidated
	 * bytes (and an allocation as large as the header claims). */
	if (t->memsz > ((t->filesz + PAGE - 1) & ~(PAGE - 1)))
		return fail(err, errlen, "the executable segment is larger in memory (0x%llx) than in the file (0x%llx)",
			    (unsigned long long)t->memsz, (unsigned long long)t->filesz);
	img->text_padded_size = padded;
	if (img->fd >= 0 && t->file_offset % PAGE == 0) {
		/* Whole pages: the sealed file's own pages, no copy. */
		if (full == padded) {
			img->text_padded = img->bytes + t->file_offset;
			img->text_held = TEXT_IN_BYTES;
			return 0;
		}
		/* The whole pages mapped from the file, the last one anonymous. */
		buf = mmap(NULL, padded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED)
			return -ENOMEM;
		if (full && mmap(buf, full, PROT_READ, MAP_FIXED | MAP_PRIVATE, img->fd,
				 (off_t)t->file_offset) != buf) {
			munmap(buf, padded);
			goto copy;
		}
		/* Bytes past the file data are HLT: a jump there stops the program. */
		memset(buf + full, 0xf4, padded - full);
		memcpy(buf + full, img->bytes + t->file_offset + full, t->filesz - full);
		if (mprotect(buf + full, padded - full, PROT_READ) < 0) {
			munmap(buf, padded);
			return -errno;
		}
		img->text_padded = buf;
		img->text_held = TEXT_MAPPED;
		return 0;
	}
copy:
	buf = malloc(padded);
	if (!buf)
		return -ENOMEM;
	memset(buf, 0xf4, padded);
	memcpy(buf, img->bytes + t->file_offset, t->filesz);
	img->text_padded = buf;
	img->text_held = TEXT_MALLOC;
	return 0;
}

/* The checks, on img->bytes and img->size as set by the caller. They read
 * the ELF header, the program headers and the text's bytes, nothing else
 * (read_private leaves the rest of an image it only checks unread). */
static int parse(struct sfi_image *img, unsigned flags, char *err, size_t errlen)
{
	const Elf64_Ehdr *eh = (const void *)img->bytes;
	size_t size = img->size;
	int ntext = 0, rc;

	rc = check_header(eh, size, err, errlen);
	if (rc < 0)
		return rc;
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
				return rc;
			if (ph.p_flags & PF_X) {
				if (ntext++ || ph.p_vaddr != ZVM_TEXT_BASE)
					return fail(err, errlen, "offset 0x%llx: the one executable segment must start at 0x%x",
						    (unsigned long long)at, ZVM_TEXT_BASE);
				img->text = img->nseg - 1;
			}
			break;
		case PT_INTERP:
		case PT_DYNAMIC:
			return fail(err, errlen, "offset 0x%llx: dynamic linking is not supported; link statically with zvm-cc",
				    (unsigned long long)at);
		default: /* PT_TLS, PT_GNU_STACK, notes: not mapped by themselves */
			break;
		}
	}
	if (ntext == 0)
		return fail(err, errlen, "no executable segment at 0x%x", ZVM_TEXT_BASE);
	rc = check_overlaps(img, err, errlen);
	if (rc < 0)
		return rc;
	{
		const struct sfi_segment *t = &img->seg[img->text];
		if (eh->e_entry < t->vaddr || eh->e_entry >= t->vaddr + t->memsz ||
		    eh->e_entry % ZVM_BUNDLE_SIZE != 0)
			return fail(err, errlen, "offset 0x18: entry point 0x%llx is not a bundle start inside the text",
				    (unsigned long long)eh->e_entry);
	}
	img->entry = eh->e_entry;
	for (unsigned i = 0; i < img->nseg; i++) {
		uint64_t end = (img->seg[i].vaddr + img->seg[i].memsz + PAGE - 1) & ~(PAGE - 1);
		if (end > img->image_end)
			img->image_end = end;
	}
	rc = make_padded_text(img, err, errlen);
	if (rc < 0)
		return rc;
	if (flags & SFI_IMAGE_DIGEST) {
		SHA256(img->bytes, img->size, img->sha256);
		img->digested = true;
	}
	return 0;
}

int sfi_image_parse(const uint8_t *bytes, size_t size, struct sfi_image *img,
		    char *err, size_t errlen)
{
	uint8_t *copy;
	int rc;

	memset(img, 0, sizeof(*img));
	img->fd = -1;
	if (size > SFI_MAX_IMAGE_SIZE)
		return fail(err, errlen, "image is larger than %llu bytes", SFI_MAX_IMAGE_SIZE);
	rc = check_header((const void *)bytes, size, err, errlen);
	if (rc < 0)
		return rc;
	copy = malloc(size ? size : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, bytes, size);
	img->bytes = copy;
	img->size = size;
	rc = parse(img, SFI_IMAGE_DIGEST, err, errlen);
	if (rc < 0)
		sfi_image_free(img);
	return rc;
}

#define SFI_SEALS (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW)

int sfi_image_map_fd(int fd, unsigned flags, struct sfi_image *img, char *err, size_t errlen)
{
	struct stat st;
	void *map;
	int seals, rc;

	memset(img, 0, sizeof(*img));
	img->fd = -1;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		fail(err, errlen, "image fd: %s", strerror(-rc));
		return rc;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0)
		return fail(err, errlen, "image fd: not a non-empty regular file");
	if ((uint64_t)st.st_size > SFI_MAX_IMAGE_SIZE)
		return fail(err, errlen, "image is larger than %llu bytes", SFI_MAX_IMAGE_SIZE);
	/* Sealed against writes and size changes: the bytes checked here are
	 * the bytes every later mapping of this fd sees (docs/sfi.md §2). */
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || (seals & SFI_SEALS) != SFI_SEALS) {
		fail(err, errlen, "image fd is not a sealed memfd (seals 0x%x)", seals < 0 ? 0 : seals);
		return -EPERM;
	}
	img->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (img->fd < 0) {
		rc = -errno;
		fail(err, errlen, "image fd: %s", strerror(-rc));
		return rc;
	}
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		rc = -errno;
		fail(err, errlen, "mapping the image: %s", strerror(-rc));
		sfi_image_free(img);
		return rc;
	}
	img->bytes = map;
	img->size = st.st_size;
	rc = parse(img, flags, err, errlen);
	if (rc < 0)
		sfi_image_free(img);
	return rc;
}

/* Copies size bytes of in into out: sendfile (in the kernel), else read and write. */
static int copy_fd(int in, int out, size_t size)
{
	static uint8_t buf[1 << 16];
	size_t done = 0;

	while (done < size) {
		ssize_t n = sendfile(out, in, NULL, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EINVAL || errno == ENOSYS) && done == 0)
			break;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += n;
	}
	while (done < size) {
		ssize_t n = read(in, buf, size - done < sizeof(buf) ? size - done : sizeof(buf)), w = 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		while (w < n) {
			ssize_t k = write(out, buf + w, n - w);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				return k < 0 ? -errno : -EIO;
			w += k;
		}
		done += n;
	}
	return 0;
}

int sfi_seal(int fd, int seals)
{
	for (unsigned tries = 0;; tries++) {
		if (fcntl(fd, F_ADD_SEALS, seals) == 0)
			return 0;
		if (errno != EBUSY || tries == 12)
			return -errno;
		usleep(20000 * (tries + 1) / 4); /* 5, 10, .. 65 ms: 0.5 s asleep, the kernel's waits beside */
	}
}

/* pread of [off, off + len) into buf + off, all of it (a file that
 * shrank under the reader is an error). */
static int read_at(int fd, uint8_t *buf, uint64_t off, uint64_t len)
{
	while (len) {
		ssize_t n = pread(fd, buf + off, len < (1u << 20) ? len : (1u << 20), (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

/* The bytes parse reads, into buf (size bytes, zero elsewhere): the first
 * page (the ELF header, usually the program headers), the rest of the
 * program headers, each executable segment's file bytes. Each range as
 * the headers in buf give it, clipped to the file; parse then checks the
 * headers as it always does, so odd values only make it refuse. */
static int read_checked_parts(int fd, uint8_t *buf, size_t size)
{
	uint64_t head = size < PAGE ? size : PAGE, phoff, phend;
	const Elf64_Ehdr *eh = (const void *)buf;
	int rc = read_at(fd, buf, 0, head);

	if (rc < 0 || size < sizeof(*eh))
		return rc;
	phoff = eh->e_phoff;
	phend = phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	if (phoff >= size || phend > size || phend < phoff)
		return 0;  /* parse says why */
	if (phend > head && (rc = read_at(fd, buf, phoff > head ? phoff : head, phend - (phoff > head ? phoff : head))) < 0)
		return rc;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		uint64_t from, to;
		memcpy(&ph, buf + phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X) || ph.p_offset >= size)
			continue;
		from = ph.p_offset > head ? ph.p_offset : head;
		to = ph.p_filesz > size - ph.p_offset ? size : ph.p_offset + ph.p_filesz;
		if (to > from && (rc = read_at(fd, buf, from, to - from)) < 0)
			return rc;
	}
	return 0;
}

/* Reads fd into private memory and parses it there: one copy. With the
 * digest, all of it, hashed chunk by chunk as it comes (while in the
 * cache); without, only the parts parse reads (the rest stays zero pages
 * never touched): a large image's data is not read at all. */
static int read_private(int fd, size_t size, unsigned flags, struct sfi_image *img, char *err, size_t errlen)
{
	enum { CHUNK = 1 << 20 };
	uint8_t *buf = calloc(1, size);
	SHA256_CTX sha;
	size_t done = 0;
	int rc = 0;

	if (!buf) {
		fail(err, errlen, "reading: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (!(flags & SFI_IMAGE_DIGEST)) {
		rc = read_checked_parts(fd, buf, size);
		done = size;
	} else {
		SHA256_Init(&sha);
	}
	while (done < size) {
		ssize_t n = read(fd, buf + done, size - done < CHUNK ? size - done : CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		SHA256_Update(&sha, buf + done, (size_t)n);
		done += (size_t)n;
	}
	if (rc < 0) {
		free(buf);
		fail(err, errlen, "reading: %s", rc == -EIO ? "the file shrank while read" : strerror(-rc));
		return rc;
	}
	img->bytes = buf;
	img->size = size;
	rc = parse(img, flags & ~SFI_IMAGE_DIGEST, err, errlen);
	if (rc < 0) {
		sfi_image_free(img);
		return rc;
	}
	if (flags & SFI_IMAGE_DIGEST) {
		SHA256_Final(img->sha256, &sha);
		img->digested = true;
	}
	return 0;
}

int sfi_image_open(const char *path, unsigned flags, struct sfi_image *img, char *err, size_t errlen)
{
	struct stat st;
	char why[256];
	int fd, memfd, rc;

	memset(img, 0, sizeof(*img));
	img->fd = -1;
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
	if (st.st_size == 0) {
		close(fd);
		snprintf(err, errlen, "%s: offset 0x0: not an ELF file", path);
		return -ENOEXEC;
	}
	/* Already a sealed memfd (a /proc/self/fd or /dev/fd path): its bytes
	 * cannot change, map it as it is. */
	rc = fcntl(fd, F_GET_SEALS);
	if (rc >= 0 && (rc & SFI_SEALS) == SFI_SEALS) {
		rc = sfi_image_map_fd(fd, flags, img, why, sizeof(why));
		close(fd);
		if (rc < 0)
			snprintf(err, errlen, "%s: %s", path, why);
		return rc;
	}
	/* Only to be checked: one private copy, no memfd to fill, seal and
	 * tear down. */
	if (flags & SFI_IMAGE_PRIVATE) {
		rc = read_private(fd, st.st_size, flags, img, why, sizeof(why));
		close(fd);
		if (rc < 0)
			snprintf(err, errlen, "%s: %s", path, why);
		return rc;
	}
	/* One copy, sealed: the file may change on disk, the memfd cannot. */
	memfd = memfd_create("zvm-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0) {
		rc = -errno;
		close(fd);
		snprintf(err, errlen, "%s: memfd: %s", path, strerror(-rc));
		return rc;
	}
	rc = copy_fd(fd, memfd, st.st_size);
	close(fd);
	if (rc < 0) {
		snprintf(err, errlen, "%s: reading: %s", path, strerror(-rc));
		goto out;
	}
	if ((rc = sfi_seal(memfd, SFI_SEALS | F_SEAL_SEAL)) < 0) {
		snprintf(err, errlen, "%s: sealing the copy: %s", path, strerror(-rc));
		goto out;
	}
	rc = sfi_image_map_fd(memfd, flags, img, why, sizeof(why));
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", path, why);
out:
	close(memfd);
	return rc;
}

int sfi_image_load_file(const char *path, struct sfi_image *img, char *err, size_t errlen)
{
	return sfi_image_open(path, SFI_IMAGE_DIGEST, img, err, errlen);
}

void sfi_image_free(struct sfi_image *img)
{
	switch (img->text_held) {
	case TEXT_MALLOC:
		free((void *)img->text_padded);
		break;
	case TEXT_MAPPED:
		munmap((void *)img->text_padded, img->text_padded_size);
		break;
	}
	if (img->fd >= 0) {
		if (img->bytes)
			munmap((void *)img->bytes, img->size);
		close(img->fd);
	} else {
		free((void *)img->bytes);
	}
	memset(img, 0, sizeof(*img));
	img->fd = -1;
}

int sfi_validate_image(const struct sfi_image *img, const struct sfi_options *opt,
		       struct sfi_verdict *verdict)
{
	return sfi_validate_text(img->text_padded, img->text_padded_size,
				 img->seg[img->text].vaddr, opt, verdict);
}
