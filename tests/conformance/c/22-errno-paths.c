// conformance:
/* Failing file-system calls set the right errno: printed through our own name table. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *ename(int e)
{
	switch (e) {
	case 0: return "OK";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case ENOTEMPTY: return "ENOTEMPTY";
	case EISDIR: return "EISDIR";
	case ENOTDIR: return "ENOTDIR";
	case EBADF: return "EBADF";
	case EINVAL: return "EINVAL";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ESPIPE: return "ESPIPE";
	default: return "other";
	}
}

#define TRY(what, expr)                                                                                      \
	do {                                                                                                 \
		errno = 0;                                                                                   \
		long r_ = (long)(expr);                                                                      \
		int e_ = errno;                                                                              \
		printf("%-44s -> %s%s (errno %d %s)\n", what, r_ < 0 ? "-1" : "ok", "", e_, ename(e_)); \
	} while (0)

int main(void)
{
	FILE *f = fopen("missing.txt", "r");
	printf("fopen missing: %s errno %d %s\n", f ? "opened" : "NULL", errno, ename(errno));
	TRY("open missing O_RDONLY", open("missing.txt", O_RDONLY));
	TRY("open missing/dir/file O_CREAT", open("nodir/file", O_CREAT | O_WRONLY, 0644));
	TRY("mkdir d", mkdir("d", 0755));
	TRY("mkdir d again", mkdir("d", 0755));
	int fd = open("d/file", O_CREAT | O_WRONLY, 0644);
	printf("create d/file: %s\n", fd >= 0 ? "ok" : "failed");
	TRY("write 5 bytes", write(fd, "hello", 5));
	close(fd);
	TRY("open d/file O_CREAT|O_EXCL", open("d/file", O_CREAT | O_EXCL | O_WRONLY, 0644));
	TRY("rmdir non-empty d", rmdir("d"));
	TRY("rmdir of a file", rmdir("d/file"));
	TRY("unlink of a directory (Linux: EISDIR)", unlink("d"));
	TRY("open file as directory (d/file/x)", open("d/file/x", O_RDONLY));
	TRY("opendir of a file", opendir("d/file") ? 0 : -1);
	TRY("open dir O_WRONLY", open("d", O_WRONLY));
	TRY("open file O_DIRECTORY", open("d/file", O_RDONLY | O_DIRECTORY));
	fd = open("d", O_RDONLY);
	char buf[16];
	TRY("read from a directory fd", read(fd, buf, sizeof buf));
	close(fd);
	errno = 0;
	f = fopen("d", "r");
	if (f) {
		size_t n = fread(buf, 1, sizeof buf, f);
		printf("fread on directory stream: %zu ferror %d errno %s\n", n, ferror(f) != 0, ename(errno));
		fclose(f);
	} else
		printf("fopen directory for reading failed: %s\n", ename(errno));
	errno = 0;
	f = fopen("d", "w");
	printf("fopen directory for writing: %s %s\n", f ? "opened" : "NULL", ename(errno));
	TRY("read on closed fd", read(fd, buf, 1));
	TRY("close closed fd", close(fd));
	TRY("close(-1)", close(-1));
	TRY("lseek bad whence", lseek(0 + open("d/file", O_RDONLY), 0, 12345));
	TRY("rename missing", rename("nothere", "x"));
	TRY("rename dir into its own child", rename("d", "d/sub"));
	TRY("chdir missing", chdir("nowhere"));
	TRY("chdir to a file", chdir("d/file"));
	struct stat st;
	TRY("stat missing", stat("ghost", &st));
	TRY("stat empty path", stat("", &st));
	TRY("unlink missing", unlink("ghost"));
	TRY("rmdir missing", rmdir("ghost"));
	TRY("mkdir with missing parent", mkdir("a/b/c", 0755));
	TRY("unlink d/file", unlink("d/file"));
	TRY("rmdir d now empty", rmdir("d"));
	TRY("access missing", access("d", F_OK));
	return 0;
}
