/*
 * test_elf.c — the image parser on a well-formed image and on one broken
 * header field at a time; each error names the offset of the header.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sfi/sfi.h"

struct image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	uint8_t pad[4096 - sizeof(Elf64_Ehdr) - 2 * sizeof(Elf64_Phdr)];
	uint8_t text[64];
};

static void good(struct image *im)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS64;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_type = ET_EXEC;
	im->eh.e_machine = EM_X86_64;
	im->eh.e_entry = ZVM_TEXT_BASE;
	im->eh.e_phoff = sizeof(Elf64_Ehdr);
	im->eh.e_phentsize = sizeof(Elf64_Phdr);
	im->eh.e_phnum = 1;
	im->ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 4096,
				  .p_vaddr = ZVM_TEXT_BASE, .p_filesz = 64, .p_memsz = 64, .p_align = 4096 };
	memset(im->text, 0x90, sizeof(im->text));
}

/* One broken field per case: breakit(i) breaks case i of a good image. */
static const struct {
	const char *name;
	const char *error; /* a substring of the message */
} cases[] = {
	{ "bad magic", "offset 0x0: not an ELF file" },
	{ "32-bit", "not a 64-bit" },
	{ "arm", "not x86-64" },
	{ "PIE", "not a static executable" },
	{ "phdrs past the end", "lie outside the file" },
	{ "segment data past the end", "lies outside the file" },
	{ "text elsewhere", "must start at 0x11000" },
	{ "write and execute", "both writable and executable" },
	{ "unaligned segment", "not page aligned" },
	{ "zero-filled text", "larger in memory" },
	{ "segment above the image limit", "outside" },
	{ "entry not a bundle start", "not a bundle start" },
	{ "interpreter", "dynamic linking" },
	{ "overlapping pages", "share memory pages" },
};

static void breakit(size_t i, struct image *im)
{
	switch (i) {
	case 0: im->eh.e_ident[1] = 'X'; break;
	case 1: im->eh.e_ident[EI_CLASS] = ELFCLASS32; break;
	case 2: im->eh.e_machine = EM_AARCH64; break;
	case 3: im->eh.e_type = ET_DYN; break;
	case 4: im->eh.e_phnum = 60000; break;
	case 5: im->ph[0].p_filesz = im->ph[0].p_memsz = 1 << 20; break;
	case 6: im->ph[0].p_vaddr = 0x20000; break;
	case 7: im->ph[0].p_flags |= PF_W; break;
	case 8: im->ph[0].p_vaddr = 0x11010; break;
	case 9: im->ph[0].p_memsz = 0x80000000; break;
	case 10:
		im->eh.e_phnum = 2;
		im->ph[1] = im->ph[0];
		im->ph[1].p_flags = PF_R;
		im->ph[1].p_vaddr = 0xf0000000;
		break;
	case 11: im->eh.e_entry = ZVM_TEXT_BASE + 4; break;
	case 12: im->eh.e_phnum = 2; im->ph[1] = (Elf64_Phdr){ .p_type = PT_INTERP }; break;
	case 13: im->eh.e_phnum = 2; im->ph[1] = im->ph[0]; im->ph[1].p_flags = PF_R; break;
	}
}

static void test_good(void **state)
{
	struct image im;
	struct sfi_image img;
	char err[256];

	(void)state;
	good(&im);
	assert_int_equal(sfi_image_parse((const uint8_t *)&im, sizeof(im), &img, err, sizeof(err)), 0);
	assert_int_equal(img.entry, ZVM_TEXT_BASE);
	assert_int_equal(img.text_padded_size, 4096);
	assert_int_equal(img.text_padded[63], 0x90);
	assert_int_equal(img.text_padded[64], 0xf4); /* HLT padding */
	assert_int_equal(img.image_end, ZVM_TEXT_BASE + 4096);
	sfi_image_free(&img);
}

static void test_broken(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct image im;
		struct sfi_image img;
		char err[256] = "";
		int rc;

		good(&im);
		breakit(i, &im);
		rc = sfi_image_parse((const uint8_t *)&im, sizeof(im), &img, err, sizeof(err));
		if (rc != -ENOEXEC || !strstr(err, cases[i].error))
			fail_msg("%s: rc %d, message '%s', expected '%s'", cases[i].name, rc, err, cases[i].error);
	}
}

static void test_truncated(void **state)
{
	struct image im;
	struct sfi_image img;
	char err[256];

	(void)state;
	good(&im);
	for (size_t n = 0; n < sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr); n += 7)
		assert_int_equal(sfi_image_parse((const uint8_t *)&im, n, &img, err, sizeof(err)), -ENOEXEC);
}

static int memfd_of(const void *bytes, size_t n, unsigned seals)
{
	int fd = memfd_create("test-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, n), (ssize_t)n);
	if (seals)
		assert_int_equal(fcntl(fd, F_ADD_SEALS, seals), 0);
	return fd;
}

struct unmapper {
	void *map;
	size_t size;
};

static void *unmap_later(void *arg)
{
	struct unmapper *u = arg;

	usleep(150000);
	munmap(u->map, u->size);
	return NULL;
}

/* sfi_seal waits out an EBUSY that ends (here: a writable shared mapping
 * another thread drops after 150 ms), and gives up on one that does not. */
static void test_seal_waits(void **state)
{
	int fd = memfd_of("0123456789", 10, 0);
	struct unmapper u = { mmap(NULL, 10, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), 10 };
	pthread_t t;

	(void)state;
	assert_true(u.map != MAP_FAILED);
	assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), -1);
	assert_int_equal(errno, EBUSY);
	assert_int_equal(pthread_create(&t, NULL, unmap_later, &u), 0);
	assert_int_equal(sfi_seal(fd, F_SEAL_WRITE | F_SEAL_SEAL), 0);
	pthread_join(t, NULL);
	assert_int_equal(fcntl(fd, F_GET_SEALS), F_SEAL_WRITE | F_SEAL_SEAL);
	close(fd);

	fd = memfd_of("0123456789", 10, 0);
	void *keep = mmap(NULL, 10, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(keep != MAP_FAILED);
	assert_int_equal(sfi_seal(fd, F_SEAL_WRITE), -EBUSY);
	munmap(keep, 10);
	close(fd);
}

/* A sealed memfd is mapped, not copied, and gives what the copy gives. */
static void test_map_fd(void **state)
{
	struct image im;
	struct sfi_image a, b;
	char err[256];
	int fd;

	(void)state;
	good(&im);
	fd = memfd_of(&im, sizeof(im), F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW);
	assert_int_equal(sfi_image_parse((const uint8_t *)&im, sizeof(im), &a, err, sizeof(err)), 0);
	assert_int_equal(sfi_image_map_fd(fd, SFI_IMAGE_DIGEST, &b, err, sizeof(err)), 0);
	close(fd); /* the image keeps its own descriptor */
	assert_true(b.fd >= 0);
	assert_true(b.digested);
	assert_memory_equal(a.sha256, b.sha256, 32);
	assert_int_equal(a.text_padded_size, b.text_padded_size);
	assert_memory_equal(a.text_padded, b.text_padded, a.text_padded_size);
	assert_int_equal(a.image_end, b.image_end);
	assert_int_equal(a.entry, b.entry);
	assert_int_equal(fcntl(b.fd, F_GET_SEALS) & F_SEAL_WRITE, F_SEAL_WRITE);
	sfi_image_free(&a);
	sfi_image_free(&b);
	assert_int_equal(b.fd, -1);
}

/* An fd that could still change under the loader is refused. */
static void test_map_fd_unsealed(void **state)
{
	static const unsigned partial[] = { 0, F_SEAL_WRITE, F_SEAL_WRITE | F_SEAL_SHRINK,
					    F_SEAL_SHRINK | F_SEAL_GROW };
	struct image im;
	struct sfi_image img;
	char err[256];

	(void)state;
	good(&im);
	for (size_t i = 0; i < sizeof(partial) / sizeof(partial[0]); i++) {
		int fd = memfd_of(&im, sizeof(im), partial[i]);
		assert_int_equal(sfi_image_map_fd(fd, 0, &img, err, sizeof(err)), -EPERM);
		assert_non_null(strstr(err, "not a sealed memfd"));
		close(fd);
	}
}

/* Broken headers through the mapped path fail as through the copy. */
static void test_map_fd_broken(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct image im;
		struct sfi_image img;
		char err[256] = "";
		int fd, rc;

		good(&im);
		breakit(i, &im);
		fd = memfd_of(&im, sizeof(im), F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW);
		rc = sfi_image_map_fd(fd, 0, &img, err, sizeof(err));
		close(fd);
		if (rc != -ENOEXEC || !strstr(err, cases[i].error))
			fail_msg("%s: rc %d, message '%s', expected '%s'", cases[i].name, rc, err, cases[i].error);
	}
}

static ino_t inode_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

/* sfi_image_open from a file: through a sealed memfd copy by default,
 * into private memory with SFI_IMAGE_PRIVATE; the same text, the same
 * digest (hashed while read), and no digest unless asked. */
static void test_open_private(void **state)
{
	char path[] = "/tmp/zvm-test-elf-XXXXXX", err[256];
	struct sfi_image a, b, c;
	struct image im;
	int fd;

	(void)state;
	good(&im);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, &im, sizeof(im)), (ssize_t)sizeof(im));
	close(fd);
	assert_int_equal(sfi_image_open(path, SFI_IMAGE_DIGEST, &a, err, sizeof(err)), 0);
	assert_int_equal(sfi_image_open(path, SFI_IMAGE_DIGEST | SFI_IMAGE_PRIVATE, &b, err, sizeof(err)), 0);
	assert_int_equal(sfi_image_open(path, SFI_IMAGE_PRIVATE, &c, err, sizeof(err)), 0);
	assert_true(a.fd >= 0);
	assert_int_equal(b.fd, -1);
	assert_true(a.digested && b.digested && !c.digested);
	assert_memory_equal(a.sha256, b.sha256, 32);
	assert_int_equal(a.text_padded_size, b.text_padded_size);
	assert_memory_equal(a.text_padded, b.text_padded, a.text_padded_size);
	assert_memory_equal(a.text_padded, c.text_padded, a.text_padded_size);
	assert_int_equal(a.entry, c.entry);
	sfi_image_free(&a);
	sfi_image_free(&b);
	sfi_image_free(&c);
	/* Every broken image is refused the same way read in part (only
	 * the headers and the text, without the digest) and read whole, the
	 * path in the error; and a good one whose data segment, which the
	 * part read skips, is not the zeros it leaves. */
	for (size_t i = 0; i <= sizeof(cases) / sizeof(cases[0]); i++) {
		char err2[256];
		int ra, rb;
		good(&im);
		if (i < sizeof(cases) / sizeof(cases[0])) {
			breakit(i, &im);
		} else {
			im.eh.e_phnum = 2;
			im.ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 0,
						 .p_vaddr = ZVM_TEXT_BASE + 0x10000, .p_filesz = 4096, .p_memsz = 4096,
						 .p_align = 4096 };
			memset(im.pad, 0xab, sizeof(im.pad));
		}
		fd = open(path, O_WRONLY | O_TRUNC);
		assert_int_equal(write(fd, &im, sizeof(im)), (ssize_t)sizeof(im));
		close(fd);
		ra = sfi_image_open(path, SFI_IMAGE_PRIVATE, &a, err, sizeof(err));
		rb = sfi_image_open(path, SFI_IMAGE_PRIVATE | SFI_IMAGE_DIGEST, &b, err2, sizeof(err2));
		if (ra != rb || (ra < 0 && strcmp(err, err2)) || (ra < 0 && !strstr(err, path)))
			fail_msg("case %zu: in part %d '%s', whole %d '%s'", i, ra, ra < 0 ? err : "",
				 rb, rb < 0 ? err2 : "");
		if (i == sizeof(cases) / sizeof(cases[0]))
			assert_int_equal(ra, 0); /* the good one with data */
		if (ra == 0) {
			assert_int_equal(a.text_padded_size, b.text_padded_size);
			assert_memory_equal(a.text_padded, b.text_padded, a.text_padded_size);
			assert_int_equal(a.nseg, b.nseg);
			sfi_image_free(&a);
			sfi_image_free(&b);
		}
	}
	unlink(path);
}

/* A path naming a sealed memfd is mapped as it is, not copied into a
 * memfd of its own (the image's fd is the same file); an unsealed one is
 * copied. */
static void test_open_sealed_memfd(void **state)
{
	char path[64], err[256];
	struct sfi_image a;
	struct image im;
	int fd;

	(void)state;
	good(&im);
	fd = memfd_of(&im, sizeof(im), F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	assert_int_equal(sfi_image_open(path, SFI_IMAGE_DIGEST, &a, err, sizeof(err)), 0);
	assert_true(a.fd >= 0 && a.digested);
	assert_int_equal(inode_of(a.fd), inode_of(fd));
	sfi_image_free(&a);
	close(fd);
	fd = memfd_of(&im, sizeof(im), 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	assert_int_equal(sfi_image_open(path, 0, &a, err, sizeof(err)), 0);
	assert_true(a.fd >= 0);
	assert_true(inode_of(a.fd) != inode_of(fd));
	assert_int_equal(fcntl(a.fd, F_GET_SEALS) & F_SEAL_WRITE, F_SEAL_WRITE);
	sfi_image_free(&a);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_seal_waits),
		cmocka_unit_test(test_map_fd),
		cmocka_unit_test(test_map_fd_unsealed),
		cmocka_unit_test(test_map_fd_broken),
		cmocka_unit_test(test_open_private),
		cmocka_unit_test(test_open_sealed_memfd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
