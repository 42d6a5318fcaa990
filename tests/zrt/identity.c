/* identity.c — what a program may expect of its start (docs/runtime.md):
 * argv and environ strings it can write into (C11 5.1.2.2.1; gawk writes
 * into its environment), and a user: getpwuid(getuid()), getgrgid(getgid()),
 * HOME naming a directory that exists, a PATH; "localhost" resolves (and
 * connecting then fails at socket(), as with no network). */
#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	struct passwd *pw;
	struct group *gr;
	struct stat st;
	const char *home = getenv("HOME");

	for (int i = 1; i < argc; i++) {
		argv[i][0] = 'X';
		argv[i][strlen(argv[i]) - 1] = '!';
		printf("argv[%d] %s\n", i, argv[i]);
	}
	for (char **e = environ; *e; e++) {
		if (!strncmp(*e, "WRITE_ME=", 9)) {
			(*e)[9] = 'Y';
			printf("env %s getenv %s\n", *e, getenv("WRITE_ME"));
		}
	}
	pw = getpwuid(getuid());
	printf("getpwuid(%u): %s", (unsigned)getuid(), pw ? "" : "NULL\n");
	if (pw)
		printf("%s uid %u gid %u dir %s shell %s\n", pw->pw_name, (unsigned)pw->pw_uid, (unsigned)pw->pw_gid,
		       pw->pw_dir, pw->pw_shell);
	gr = getgrgid(getgid());
	printf("getgrgid(%u): %s\n", (unsigned)getgid(), gr ? gr->gr_name : "NULL");
	printf("HOME %s, a directory: %d\n", home ? home : "(unset)",
	       home && stat(home, &st) == 0 && S_ISDIR(st.st_mode));
	printf("PATH %s\n", getenv("PATH") ? getenv("PATH") : "(unset)");
	{
		struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *ai = NULL;
		char ip[INET_ADDRSTRLEN] = "";
		int rc = getaddrinfo("localhost", "80", &hints, &ai);
		if (rc == 0)
			inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, ip, sizeof(ip));
		printf("getaddrinfo(localhost): %s\n", rc == 0 ? ip : gai_strerror(rc));
		printf("socket: %s\n", socket(AF_INET, SOCK_STREAM, 0) < 0 ? strerror(errno) : "a socket");
	}
	return 0;
}
