/* What a cell has instead of processes, threads and signals. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int got;
static void on_usr1(int sig) { got = sig; }
static void *thread_main(void *p) { return p; }

int main(void)
{
	pthread_t t;
	int rc;

	setvbuf(stdout, NULL, _IONBF, 0);
	rc = pthread_create(&t, NULL, thread_main, NULL);
	printf("pthread_create: %s\n", rc == EAGAIN ? "EAGAIN" : rc ? "other error" : "created?!");
	rc = (int)fork();
	printf("fork: %d errno %s\n", rc, errno == ENOSYS ? "ENOSYS" : strerror(errno));
	printf("system: %d\n", system("true"));
	rc = (int)waitpid(-1, NULL, 0);
	printf("waitpid: %d errno %s\n", rc, errno == ECHILD ? "ECHILD" : strerror(errno));
	void *x = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mmap PROT_EXEC: %s\n", x == MAP_FAILED ? "refused" : "granted?!");
	void *y = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mprotect to PROT_EXEC: %s\n", mprotect(y, 4096, PROT_READ | PROT_EXEC) ? "refused" : "granted?!");
	signal(SIGUSR1, on_usr1);
	raise(SIGUSR1);
	printf("raise(SIGUSR1) ran the handler: %s\n", got == SIGUSR1 ? "yes" : "no");
	signal(SIGUSR1, SIG_IGN);
	raise(SIGUSR1);
	printf("ignored SIGUSR1: still here\n");
	printf("pid %d ppid %d uid %d\n", (int)getpid(), (int)getppid(), (int)getuid());
	printf("now abort()\n");
	abort();
}
