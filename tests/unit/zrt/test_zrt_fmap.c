/*
 * test_zrt_fmap.c — shared file mappings (runtime/zrt/fmap.c) natively, on
 * the fake heap trap: a MAP_SHARED mapping of a ZRT file and the file
 * agree whichever side writes (the descriptor, the mapping, ftruncate),
 * two mappings of one file are the same pages, munmap gives the bytes
 * back to the file, and what cannot be one page is refused with ENODEV.
 * The last test runs a random sequence against the host kernel on a file
 * in /dev/shm and compares every byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "zvm.h"
#include "zrt.h"
#include "zrt-support.h"

#define PG 4096
#define U8(a) ((unsigned char *)(uintptr_t)(a))

static int setup(void **state)
{
	static struct zvm_info info;
	static struct zvm_channel_info ci[1];
	static const char *const aliases[] = { "/dev/stdin" };
	static const unsigned types[] = { 0 };

	(void)state;
	fake_cell(&info, ci, 1, aliases, types, NULL, NULL);
	assert_int_equal(zrt_fs_init(&info), 0);
	return 0;
}

static long file_with(const char *path, const char *text)
{
	long fd = zrt_sys_openat(AT_FDCWD, path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(zrt_sys_write((int)fd, text, strlen(text)), (long)strlen(text));
	return fd;
}

static long size_of(long fd)
{
	struct stat st;

	assert_int_equal(zrt_sys_fstat((int)fd, &st), 0);
	return (long)st.st_size;
}

static void test_fd_and_map_agree(void **state)
{
	char buf[32] = { 0 };
	long fd, a;

	(void)state;
	fd = file_with("/f", "hello, file");
	a = zrt_sys_mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0);
	assert_true(a > 0);
	assert_memory_equal(U8(a), "hello, file\0", 12);
	/* through the descriptor, seen in the mapping */
	assert_int_equal(zrt_sys_pwrite((int)fd, "HELLO", 5, 0), 5);
	assert_memory_equal(U8(a), "HELLO, file", 11);
	/* through the mapping, seen by pread and read */
	memcpy(U8(a) + 7, "map!", 4);
	assert_int_equal(zrt_sys_pread((int)fd, buf, sizeof(buf), 0), 11);
	assert_string_equal(buf, "HELLO, map!");
	memset(buf, 0, sizeof(buf));
	assert_int_equal(zrt_sys_lseek((int)fd, 7, SEEK_SET), 7);
	assert_int_equal(zrt_sys_read((int)fd, buf, 4), 4);
	assert_string_equal(buf, "map!");
	/* a store past the end does not grow the file */
	U8(a)[100] = 'x';
	assert_int_equal(size_of(fd), 11);
	/* a private mapping of it now is a copy of what the file holds */
	long p = zrt_sys_mmap(0, PG, PROT_READ, MAP_PRIVATE, (int)fd, 0);
	assert_true(p > 0 && p != a);
	assert_memory_equal(U8(p), "HELLO, map!\0", 12);
	/* read-only shared: coherent too (it was a stale copy before) */
	long r = zrt_sys_mmap(0, PG, PROT_READ, MAP_SHARED, (int)fd, 0);
	assert_int_equal(r, a);
	assert_int_equal(zrt_sys_pwrite((int)fd, "h", 1, 0), 1);
	assert_int_equal(U8(r)[0], 'h');
	assert_int_equal(zrt_sys_msync((uint64_t)a, PG, MS_SYNC), 0);
	assert_int_equal(zrt_sys_munmap((uint64_t)r, PG), 0);
	assert_int_equal(zrt_sys_munmap((uint64_t)a, PG), 0);
}

static void test_ftruncate_growth(void **state)
{
	char buf[8];
	long fd, a;

	(void)state;
	fd = file_with("/g", "0123456789");
	a = zrt_sys_mmap(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0);
	assert_true(a > 0);
	U8(a)[5000] = 'x'; /* past the end: not the file's */
	assert_int_equal(zrt_sys_ftruncate((int)fd, 2 * PG), 0);
	assert_int_equal(U8(a)[5000], 0); /* the file grew by zeros */
	assert_int_equal(U8(a)[9], '9');
	U8(a)[5000] = 'y'; /* inside now */
	assert_int_equal(zrt_sys_pread((int)fd, buf, 1, 5000), 1);
	assert_int_equal(buf[0], 'y');
	/* pwrite past the end: the hole reads zeros in the mapping too */
	U8(a)[9000] = 'z';
	assert_int_equal(zrt_sys_pwrite((int)fd, "w", 1, 10000), 1);
	assert_int_equal(U8(a)[9000], 0);
	assert_int_equal(U8(a)[10000], 'w');
	assert_int_equal(size_of(fd), 10001);
	/* shrinking: the mapping past the new end is zero */
	assert_int_equal(zrt_sys_ftruncate((int)fd, 4), 0);
	assert_int_equal(U8(a)[5], 0);
	assert_int_equal(U8(a)[5000], 0);
	assert_int_equal(U8(a)[3], '3');
	assert_int_equal(zrt_sys_pread((int)fd, buf, 8, 0), 4);
	/* truncate by name too */
	assert_int_equal(zrt_sys_truncate("/g", 6), 0);
	assert_int_equal(U8(a)[4], 0);
	assert_int_equal(zrt_sys_munmap((uint64_t)a, 3 * PG), 0);
}

static void test_two_mappings(void **state)
{
	char big[3 * PG], buf[4];
	long fd, a, b, c;

	(void)state;
	memset(big, 'a', sizeof(big));
	fd = zrt_sys_openat(AT_FDCWD, "/h", O_RDWR | O_CREAT, 0644);
	assert_int_equal(zrt_sys_write((int)fd, big, sizeof(big)), (long)sizeof(big));
	a = zrt_sys_mmap(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0);
	b = zrt_sys_mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, PG);
	assert_true(a > 0);
	assert_int_equal(b, a + PG); /* the same pages */
	U8(b)[1] = 'B';
	assert_int_equal(U8(a)[PG + 1], 'B');
	/* a mapping over part of a window only cannot alias it */
	assert_int_equal(zrt_sys_mmap(0, 2 * PG, PROT_READ, MAP_SHARED, (int)fd, 2 * PG), -ENODEV);
	/* the first unmapped: the second still maps the file */
	assert_int_equal(zrt_sys_munmap((uint64_t)a, 3 * PG), 0);
	U8(b)[2] = 'C';
	assert_int_equal(zrt_sys_pread((int)fd, buf, 3, PG), 3);
	assert_memory_equal(buf, "aBC", 3);
	assert_int_equal(zrt_sys_munmap((uint64_t)b, PG), 0);
	assert_int_equal(zrt_sys_pread((int)fd, buf, 3, PG), 3);
	assert_memory_equal(buf, "aBC", 3);
	/* a window split in three by an munmap in its middle */
	a = zrt_sys_mmap(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0);
	assert_true(a > 0);
	assert_int_equal(zrt_sys_munmap((uint64_t)a + PG, PG), 0);
	U8(a)[0] = 'L';
	U8(a)[2 * PG] = 'R';
	assert_int_equal(zrt_sys_pread((int)fd, buf, 1, 0), 1);
	assert_int_equal(buf[0], 'L');
	assert_int_equal(zrt_sys_pread((int)fd, buf, 1, 2 * PG), 1);
	assert_int_equal(buf[0], 'R');
	assert_int_equal(zrt_sys_pwrite((int)fd, "M", 1, PG), 1); /* nothing maps page 1 */
	assert_int_equal(zrt_sys_pwrite((int)fd, "N", 1, 2 * PG + 1), 1);
	assert_int_equal(U8(a)[2 * PG + 1], 'N');
	/* mapped again where it was, larger (MAP_FIXED): the old window's
	 * bytes first go back to the file */
	assert_int_equal(zrt_sys_mmap((uint64_t)a, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, (int)fd, 0), a);
	assert_int_equal(U8(a)[0], 'L');
	assert_int_equal(U8(a)[PG], 'M');
	assert_int_equal(U8(a)[2 * PG + 1], 'N');
	/* MAP_FIXED elsewhere of bytes a window holds: refused */
	c = zrt_sys_mmap(0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_int_equal(zrt_sys_mmap((uint64_t)c, PG, PROT_READ, MAP_SHARED | MAP_FIXED, (int)fd, 0), -ENODEV);
	assert_int_equal(U8(a)[0], 'L'); /* the window kept */
	/* a window does not move or grow */
	assert_int_equal(zrt_sys_mremap((uint64_t)a, 3 * PG, 4 * PG, MREMAP_MAYMOVE, 0), -EINVAL);
	assert_int_equal(zrt_sys_munmap((uint64_t)a, 3 * PG), 0);
}

static void test_munmap_then_read(void **state)
{
	char buf[16] = { 0 };
	long fd, a;

	(void)state;
	fd = file_with("/k", "kept bytes");
	a = zrt_sys_mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0);
	assert_true(a > 0);
	assert_int_equal(zrt_sys_close((int)fd), 0); /* the mapping outlives the descriptor */
	memcpy(U8(a), "KEPT", 4);
	assert_int_equal(zrt_sys_munmap((uint64_t)a, PG), 0);
	fd = zrt_sys_openat(AT_FDCWD, "/k", O_RDONLY, 0);
	assert_int_equal(zrt_sys_read((int)fd, buf, sizeof(buf)), 10);
	assert_string_equal(buf, "KEPT bytes");
	/* unlinked while mapped: the mapping keeps the file until munmap */
	a = zrt_sys_mmap(0, PG, PROT_READ, MAP_SHARED, (int)fd, 0);
	assert_true(a > 0);
	assert_int_equal(zrt_sys_close((int)fd), 0);
	assert_int_equal(zrt_sys_unlinkat(AT_FDCWD, "/k", 0), 0);
	assert_memory_equal(U8(a), "KEPT", 4);
	assert_int_equal(zrt_sys_munmap((uint64_t)a, PG), 0);
}

static void test_refused(void **state)
{
	long fd, ro, wo;

	(void)state;
	/* a channel's bytes are not in the cell: one documented error */
	fd = zrt_sys_openat(AT_FDCWD, "/dev/stdin", O_RDONLY, 0);
	assert_true(fd >= 0);
	assert_int_equal(zrt_sys_mmap(0, PG, PROT_READ, MAP_SHARED, (int)fd, 0), -ENODEV);
	assert_int_equal(zrt_sys_mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0), -ENODEV);
	zrt_sys_mkdirat(AT_FDCWD, "/d", 0755);
	fd = zrt_sys_openat(AT_FDCWD, "/d", O_RDONLY | O_DIRECTORY, 0);
	assert_int_equal(zrt_sys_mmap(0, PG, PROT_READ, MAP_SHARED, (int)fd, 0), -ENODEV);
	/* Linux's access checks */
	file_with("/r", "x");
	ro = zrt_sys_openat(AT_FDCWD, "/r", O_RDONLY, 0);
	wo = zrt_sys_openat(AT_FDCWD, "/r", O_WRONLY, 0);
	assert_int_equal(zrt_sys_mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, (int)ro, 0), -EACCES);
	assert_int_equal(zrt_sys_mmap(0, PG, PROT_READ, MAP_SHARED, (int)wo, 0), -EACCES);
	assert_int_equal(zrt_sys_mmap(0, PG, PROT_READ, MAP_SHARED, 77, 0), -EBADF);
	assert_int_equal(zrt_sys_mmap(0, PG, PROT_READ, MAP_SHARED, (int)ro, 100), -EINVAL);
	assert_int_equal(zrt_sys_msync(1, PG, MS_SYNC), -EINVAL);
	assert_int_equal(zrt_sys_msync(0, PG, MS_SYNC | MS_ASYNC), -EINVAL);
}

/* ---- against the host kernel ---------------------------------------------------- */

static uint64_t rng_state;
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#define NPAGES 6
#define MAXMAPS 6

/* Mappings of the file's pages [pg, pg+np) on both sides. Only the
 * patterns ZRT promises are made: a new mapping is either inside a
 * window of ZRT's (then the same pages) or apart from all of them. */
struct pair {
	unsigned char *host, *zrt;
	unsigned pg, np;
};

static int compatible(const struct pair *m, int n, unsigned pg, unsigned np)
{
	for (int i = 0; i < n; i++) {
		const struct pair *o = &m[i];
		if (pg + np <= o->pg || o->pg + o->np <= pg)
			continue;
		/* overlap: allowed only if contained in one live mapping (the
		 * window may be larger but is at least this) */
		if (pg < o->pg || pg + np > o->pg + o->np)
			return 0;
	}
	return 1;
}

static void test_against_host(void **state)
{
	char path[64];
	unsigned char hb[NPAGES * PG + 64], zb[NPAGES * PG + 64], data[256];
	struct pair m[MAXMAPS];
	int hfd, nm = 0;
	long zfd;

	(void)state;
	snprintf(path, sizeof(path), "/dev/shm/zrt-fmap-%d", (int)getpid());
	hfd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(hfd >= 0);
	unlink(path);
	zfd = zrt_sys_openat(AT_FDCWD, "/t", O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(zfd >= 0);
	/* the file always covers every mapped page (a store past the end is
	 * SIGBUS on Linux, not compared) */
	assert_int_equal(ftruncate(hfd, NPAGES * PG), 0);
	assert_int_equal(zrt_sys_ftruncate((int)zfd, NPAGES * PG), 0);
	rng_state = 14;
	for (int step = 0; step < 3000; step++) {
		unsigned op = (unsigned)(rnd() % 6);
		uint64_t off = rnd() % (NPAGES * PG), len = 1 + rnd() % sizeof(data);
		if (off + len > NPAGES * PG)
			len = NPAGES * PG - off;
		for (size_t i = 0; i < len; i++)
			data[i] = (unsigned char)rnd();
		if (op == 0 && nm < MAXMAPS) { /* map */
			unsigned pg = (unsigned)(rnd() % NPAGES), np = 1 + (unsigned)(rnd() % (NPAGES - pg));
			if (!compatible(m, nm, pg, np))
				continue;
			void *h = mmap(NULL, (size_t)np * PG, PROT_READ | PROT_WRITE, MAP_SHARED, hfd, (off_t)pg * PG);
			long z = zrt_sys_mmap(0, (uint64_t)np * PG, PROT_READ | PROT_WRITE, MAP_SHARED, (int)zfd, (int64_t)pg * PG);
			assert_true(h != MAP_FAILED);
			assert_true(z > 0);
			m[nm++] = (struct pair){ h, U8(z), pg, np };
		} else if (op == 1 && nm) { /* unmap one, whole or its first page */
			int i = (int)(rnd() % (unsigned)nm);
			unsigned np = rnd() % 2 ? m[i].np : 1;
			assert_int_equal(munmap(m[i].host, (size_t)np * PG), 0);
			assert_int_equal(zrt_sys_munmap((uint64_t)(uintptr_t)m[i].zrt, (uint64_t)np * PG), 0);
			if (np == m[i].np) {
				m[i] = m[--nm];
			} else {
				m[i].host += PG;
				m[i].zrt += PG;
				m[i].pg++;
				m[i].np--;
			}
		} else if (op == 2) { /* pwrite */
			assert_int_equal(pwrite(hfd, data, len, (off_t)off), (long)len);
			assert_int_equal(zrt_sys_pwrite((int)zfd, data, len, (int64_t)off), (long)len);
		} else if (op == 3 && nm) { /* a store through a mapping */
			int i = (int)(rnd() % (unsigned)nm);
			uint64_t at = rnd() % ((uint64_t)m[i].np * PG);
			if (at + len > (uint64_t)m[i].np * PG)
				len = (uint64_t)m[i].np * PG - at;
			memcpy(m[i].host + at, data, len);
			memcpy(m[i].zrt + at, data, len);
		} else if (op == 4) { /* a truncation and growth back: zeros */
			uint64_t to = rnd() % (NPAGES * PG);
			assert_int_equal(ftruncate(hfd, (off_t)to), 0);
			assert_int_equal(zrt_sys_ftruncate((int)zfd, (int64_t)to), 0);
			assert_int_equal(ftruncate(hfd, NPAGES * PG), 0);
			assert_int_equal(zrt_sys_ftruncate((int)zfd, NPAGES * PG), 0);
		}
		/* every mapping and the file, byte for byte */
		for (int i = 0; i < nm; i++)
			if (memcmp(m[i].host, m[i].zrt, (size_t)m[i].np * PG)) {
				fail_msg("step %d: mapping %d (pages %u+%u) differs", step, i, m[i].pg, m[i].np);
			}
		if (step % 7 == 0) {
			assert_int_equal(pread(hfd, hb, sizeof(hb), 0), NPAGES * PG);
			assert_int_equal(zrt_sys_pread((int)zfd, zb, sizeof(zb), 0), NPAGES * PG);
			if (memcmp(hb, zb, NPAGES * PG))
				fail_msg("step %d: the file differs", step);
		}
	}
	for (int i = 0; i < nm; i++) {
		munmap(m[i].host, (size_t)m[i].np * PG);
		assert_int_equal(zrt_sys_munmap((uint64_t)(uintptr_t)m[i].zrt, (uint64_t)m[i].np * PG), 0);
	}
	assert_int_equal(pread(hfd, hb, sizeof(hb), 0), NPAGES * PG);
	assert_int_equal(zrt_sys_pread((int)zfd, zb, sizeof(zb), 0), NPAGES * PG);
	assert_memory_equal(hb, zb, NPAGES * PG);
	close(hfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fd_and_map_agree, setup),
		cmocka_unit_test_setup(test_ftruncate_growth, setup),
		cmocka_unit_test_setup(test_two_mappings, setup),
		cmocka_unit_test_setup(test_munmap_then_read, setup),
		cmocka_unit_test_setup(test_refused, setup),
		cmocka_unit_test_setup(test_against_host, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
