/* zvm run --fd N: the caller's descriptors 4 (read) and 5 (write) are open
 * at 4 and 5 in the cell and named /dev/fd/4 and /dev/fd/5 (gawk's
 * /dev/fd/N, a shell's 4<file); 9 was not given and is not there.
 * Opening /dev/fd/4 gives a new descriptor on the same channel, which
 * goes on where the channel is (a sequential channel has one position). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char buf[64] = { 0 };
	int fd;

	printf("read fd 4: %zd [%s]\n", read(4, buf, 5), buf);
	fd = open("/dev/fd/4", O_RDONLY);
	memset(buf, 0, sizeof(buf));
	printf("open /dev/fd/4: %s, read [%s]\n", fd >= 0 && fd != 4 ? "a new descriptor" : "WRONG",
	       read(fd, buf, 4) > 0 ? buf : "");
	printf("write fd 5: %zd\n", write(5, "to five\n", 8));
	fd = open("/dev/fd/5", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	printf("open /dev/fd/5: %zd\n", fd >= 0 && fd != 5 ? write(fd, "again\n", 6) : -1);
	errno = 0;
	printf("fd 9: %s\n", fcntl(9, F_GETFL) < 0 && errno == EBADF ? "not open" : "WRONG");
	printf("/dev/fd/9: %s\n", open("/dev/fd/9", O_RDONLY) < 0 && errno == ENOENT ? "ENOENT" : "WRONG");
	return 0;
}
