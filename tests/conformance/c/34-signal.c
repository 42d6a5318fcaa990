// conformance:
/* signal() returns the previous handler; SIG_IGN/SIG_DFL; raise() to self runs a handler synchronously;
   sigaction reports what was set; the signal mask. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t hits, last;
static void handler(int sig) { hits++; last = sig; }
static void other(int sig) { (void)sig; hits += 100; }

int main(void)
{
	void (*prev)(int) = signal(SIGUSR1, handler);
	printf("first signal() returns SIG_DFL: %d\n", prev == SIG_DFL);
	prev = signal(SIGUSR1, other);
	printf("second returns handler: %d\n", prev == handler);
	prev = signal(SIGUSR1, handler);
	printf("third returns other: %d\n", prev == other);
	printf("SIG_IGN for SIGINT previous is SIG_DFL: %d\n", signal(SIGINT, SIG_IGN) == SIG_DFL);
	printf("and back: %d\n", signal(SIGINT, SIG_DFL) == SIG_IGN);
	printf("signal(SIGKILL) fails: %d\n", signal(SIGKILL, handler) == SIG_ERR);
	int r = raise(SIGUSR1);
	printf("raise(SIGUSR1): %d hits %d last %d\n", r, (int)hits, (int)last);
	signal(SIGUSR2, SIG_IGN);
	r = raise(SIGUSR2);
	printf("raise ignored SIGUSR2: %d hits %d\n", r, (int)hits);
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = other;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	printf("sigaction set: %d\n", sigaction(SIGUSR1, &sa, &old));
	printf("old handler is handler: %d\n", old.sa_handler == handler);
	sigaction(SIGUSR1, NULL, &old);
	printf("query: other %d mask has SIGTERM %d has SIGHUP %d\n", old.sa_handler == other, sigismember(&old.sa_mask, SIGTERM),
	       sigismember(&old.sa_mask, SIGHUP));
	raise(SIGUSR1);
	printf("after raise via sigaction hits %d\n", (int)hits);
	sigset_t set, cur;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGALRM);
	printf("sigprocmask block: %d\n", sigprocmask(SIG_BLOCK, &set, NULL));
	sigprocmask(SIG_SETMASK, NULL, &cur);
	printf("blocked: USR2 %d ALRM %d USR1 %d\n", sigismember(&cur, SIGUSR2), sigismember(&cur, SIGALRM), sigismember(&cur, SIGUSR1));
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	sigprocmask(SIG_SETMASK, NULL, &cur);
	printf("unblocked: USR2 %d\n", sigismember(&cur, SIGUSR2));
	printf("SIGINT %d SIGSEGV %d SIGTERM %d SIGUSR1 %d SIGABRT %d\n", SIGINT, SIGSEGV, SIGTERM, SIGUSR1, SIGABRT);
	return 0;
}
