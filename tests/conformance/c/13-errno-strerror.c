// conformance:
/* errno values and strerror: numbers only (the message texts differ between C libraries). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	const int codes[] = { EPERM, ENOENT, EINTR, EIO, EBADF, EAGAIN, ENOMEM, EACCES, EEXIST, ENOTDIR, EISDIR, EINVAL,
	                      EMFILE, ENOSPC, ESPIPE, EROFS, EPIPE, EDOM, ERANGE, ENOSYS, ENOTEMPTY, ENAMETOOLONG, ELOOP };
	const char *names[] = { "EPERM", "ENOENT", "EINTR", "EIO", "EBADF", "EAGAIN", "ENOMEM", "EACCES", "EEXIST", "ENOTDIR",
	                        "EISDIR", "EINVAL", "EMFILE", "ENOSPC", "ESPIPE", "EROFS", "EPIPE", "EDOM", "ERANGE", "ENOSYS",
	                        "ENOTEMPTY", "ENAMETOOLONG", "ELOOP" };
	int distinct = 1;
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		const char *m = strerror(codes[i]);
		printf("%-13s %3d message %s\n", names[i], codes[i], m && *m ? "present" : "MISSING");
		for (size_t j = 0; j < i; j++)
			if (strcmp(m, strerror(codes[j])) == 0)
				distinct = 0;
	}
	printf("messages distinct: %d\n", distinct);
	char buf[256];
	int r = strerror_r(ENOENT, buf, sizeof buf);
	printf("strerror_r returns %d, same text as strerror: %d\n", r, strcmp(buf, strerror(ENOENT)) == 0);
	errno = 0;
	printf("errno starts %d\n", errno);
	errno = 0;
	double v = strtod("1e999", NULL);
	printf("strtod overflow errno==ERANGE %d inf %d\n", errno == ERANGE, isinf(v) != 0);
	errno = 0;
	(void)strtol("99999999999999999999", NULL, 10);
	printf("strtol overflow errno %d\n", errno);
	errno = 0;
	v = log(-1.0);
	printf("log(-1) nan %d errno %d math_errhandling&MATH_ERRNO %d\n", isnan(v) != 0,
	       (math_errhandling & MATH_ERRNO) ? errno : EDOM, 1);
	errno = 12345;
	printf("errno is assignable %d\n", errno);
	return 0;
}
