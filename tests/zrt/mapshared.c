/* MAP_SHARED of a file in a cell (docs/runtime.md): the mapping and the
 * file agree whichever side writes, two mappings are the same pages,
 * munmap keeps what was stored, a channel is refused with ENODEV; the
 * file db.bin, written only through a mapping and never unmapped, must
 * reach /dev/image-out with those bytes. Prints one line per check. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PG 4096

static void say(const char *what, int ok)
{
	printf("%s: %s\n", what, ok ? "ok" : "WRONG");
}

int main(void)
{
	char buf[64] = { 0 };
	struct stat st;
	int fd = open("/tmp/f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char *a, *b;

	if (fd < 0 || write(fd, "hello, file", 11) != 11)
		return 1;
	a = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	say("mmap MAP_SHARED of a file", a != MAP_FAILED);
	if (a == MAP_FAILED)
		return 1;
	pwrite(fd, "HELLO", 5, 0);
	say("pwrite seen in the mapping", !memcmp(a, "HELLO, file", 11));
	memcpy(a + 7, "map!", 4);
	pread(fd, buf, sizeof(buf) - 1, 0);
	say("a store in the mapping seen by pread", !strcmp(buf, "HELLO, map!"));
	fstat(fd, &st);
	say("the size unchanged by the store", st.st_size == 11);
	ftruncate(fd, 2 * PG);
	a[5000] = 'x';
	memset(buf, 0, sizeof(buf));
	pread(fd, buf, 1, 5000);
	say("ftruncate growth: the new bytes are the mapping's", buf[0] == 'x');
	b = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, PG);
	say("a second mapping sees the first one's stores", b != MAP_FAILED && b[5000 - PG] == 'x');
	a[5001] = 'y';
	say("at once", b != MAP_FAILED && b[5001 - PG] == 'y');
	msync(a, 2 * PG, MS_SYNC);
	munmap(a, 2 * PG);
	memset(buf, 0, sizeof(buf));
	pread(fd, buf, 11, 0);
	say("after munmap the file keeps the stores", !strcmp(buf, "HELLO, map!"));
	say("and the other mapping still maps it", b[5001 - PG] == 'y');
	munmap(b, PG);
	close(fd);

	errno = 0;
	say("a channel refused with ENODEV",
	    mmap(NULL, PG, PROT_READ, MAP_SHARED, 1, 0) == MAP_FAILED && errno == ENODEV);

	/* written through a mapping only, left mapped at exit */
	fd = open("db.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ftruncate(fd, PG);
	a = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (a == MAP_FAILED)
		return 1;
	close(fd);
	memcpy(a, "stored through the mapping\n", 27);
	return 0;
}
