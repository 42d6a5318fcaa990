/*
 * test_loop.c — zvmd's event loop (supervisor/loop.c): handlers for
 * readable fds, hangups with events 0, removal inside another handler's
 * callback (also when the fd number is reused at once), timers in order
 * and cancelled, and the idle function.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/loop.h"

/* What the handlers saw, in order. */
static char seen[64];
static unsigned nseen;
static unsigned last_events;

static void note(char c)
{
	assert_true(nseen + 1 < sizeof(seen));
	seen[nseen++] = c;
	seen[nseen] = '\0';
}

static void reset(void)
{
	nseen = 0;
	seen[0] = '\0';
	last_events = 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Stops the loop when nothing else is pending. */
static bool stop_when_idle(struct zvm_loop *l, void *data)
{
	zvm_loop_stop(l);
	return false;
}

/* A guard so a broken loop fails the test instead of hanging it. */
static void on_guard(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	zvm_loop_timer_cancel(l, fd);
	note('G');
	zvm_loop_stop(l);
}

static void on_read(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	char b[16];
	ssize_t n = read(fd, b, sizeof(b));

	last_events = ev;
	note(n > 0 ? b[0] : n == 0 ? '0' : '!');
}

static void test_readable_handlers(void **state)
{
	struct zvm_loop *l = zvm_loop_new();
	int a[2], b[2];

	(void)state;
	reset();
	assert_non_null(l);
	assert_int_equal(pipe2(a, O_CLOEXEC | O_NONBLOCK), 0);
	assert_int_equal(pipe2(b, O_CLOEXEC | O_NONBLOCK), 0);
	assert_int_equal(zvm_loop_add(l, a[0], on_read, NULL), 0);
	assert_int_equal(zvm_loop_add(l, b[0], on_read, NULL), 0);
	assert_int_equal(zvm_loop_add(l, a[0], on_read, NULL), -17); /* EEXIST */
	assert_int_equal(zvm_loop_add(l, -1, on_read, NULL), -9);    /* EBADF */
	assert_int_equal(write(b[1], "b", 1), 1);
	zvm_loop_set_idle(l, stop_when_idle, NULL);
	assert_int_equal(zvm_loop_run(l), 0);
	assert_string_equal(seen, "b"); /* only the readable one */
	assert_true(last_events & EPOLLIN);
	/* a handler removed is not called any more */
	assert_int_equal(zvm_loop_del(l, b[0]), 0);
	assert_int_equal(zvm_loop_del(l, b[0]), -2); /* ENOENT */
	assert_int_equal(write(b[1], "c", 1), 1);
	assert_int_equal(write(a[1], "a", 1), 1);
	zvm_loop_wake_idle(l);
	assert_int_equal(zvm_loop_run(l), 0);
	assert_string_equal(seen, "ba");
	/* a high fd number grows the table */
	assert_int_equal(dup2(a[0], 900), 900);
	assert_int_equal(zvm_loop_add(l, 900, on_read, NULL), 0);
	assert_int_equal(write(a[1], "h", 1), 1);
	zvm_loop_wake_idle(l);
	assert_int_equal(zvm_loop_run(l), 0);
	/* both fds share the pipe: one of them reads the byte, the other EAGAIN */
	assert_int_equal(nseen, 4);
	assert_true(strchr(seen + 2, 'h') != NULL);
	close(900);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	zvm_loop_free(l);
}

static void on_hup(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	last_events = ev;
	note('H');
	zvm_loop_del(l, fd);
	zvm_loop_stop(l);
}

static void test_hangup_with_events_0(void **state)
{
	struct zvm_loop *l = zvm_loop_new();
	int sv[2];

	(void)state;
	reset();
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv), 0);
	assert_int_equal(zvm_loop_watch(l, sv[0], 0, on_hup, NULL), 0);
	/* input is not reported with events 0 ... */
	assert_int_equal(write(sv[1], "x", 1), 1);
	zvm_loop_set_idle(l, stop_when_idle, NULL);
	assert_int_equal(zvm_loop_run(l), 0);
	assert_string_equal(seen, "");
	/* no idle function: the loop sleeps (and wake_idle is a no-op) */
	zvm_loop_set_idle(l, NULL, NULL);
	zvm_loop_timer(l, 0.02, on_guard, NULL);
	assert_int_equal(zvm_loop_run(l), 0);
	assert_string_equal(seen, "G");
	zvm_loop_wake_idle(l);
	zvm_loop_timer(l, 0.02, on_guard, NULL);
	assert_int_equal(zvm_loop_run(l), 0);
	assert_string_equal(seen, "GG");
	/* ... a hangup is reported */
	reset();
	close(sv[1]);
	zvm_loop_timer(l, 2, on_guard, NULL);
	assert_int_equal(zvm_loop_run(l), 0);
	assert_string_equal(seen, "H");
	assert_true(last_events & EPOLLHUP);
	assert_false(last_events & EPOLLIN);
	close(sv[0]);
	zvm_loop_free(l);
}

/* Two ready fds; whichever handler runs first removes the other. */
static int pair_fd[2];
static bool reuse_number;
static int fresh_writer = -1;

static void on_fresh(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	note('F'); /* the new fd at a removed one's number: never readable here */
}

static void on_remover(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	int other = fd == pair_fd[0] ? pair_fd[1] : pair_fd[0];
	int p[2];

	note('R');
	assert_int_equal(zvm_loop_del(l, other), 0);
	close(other);
	if (reuse_number) {
		/* the number is taken again at once, as accept() or
		 * timerfd_create() would, by an fd that is not readable */
		assert_int_equal(pipe2(p, O_CLOEXEC), 0);
		if (p[0] != other) { /* it usually is: the lowest free number */
			assert_int_equal(dup2(p[0], other), other);
			close(p[0]);
		}
		assert_int_equal(zvm_loop_add(l, other, on_fresh, NULL), 0);
		fresh_writer = p[1]; /* kept open: no hangup, nothing to read */
	}
	/* drain ourselves */
	zvm_loop_del(l, fd);
}

static void run_removal(bool reuse)
{
	struct zvm_loop *l = zvm_loop_new();
	int a[2], b[2];

	reset();
	reuse_number = reuse;
	assert_int_equal(pipe2(a, O_CLOEXEC), 0);
	assert_int_equal(pipe2(b, O_CLOEXEC), 0);
	pair_fd[0] = a[0];
	pair_fd[1] = b[0];
	assert_int_equal(write(a[1], "a", 1), 1);
	assert_int_equal(write(b[1], "b", 1), 1);
	assert_int_equal(zvm_loop_add(l, a[0], on_remover, NULL), 0);
	assert_int_equal(zvm_loop_add(l, b[0], on_remover, NULL), 0);
	zvm_loop_set_idle(l, stop_when_idle, NULL);
	assert_int_equal(zvm_loop_run(l), 0);
	/* one remover ran; the other's pending event was dropped, and never
	 * delivered to what now has its number */
	assert_string_equal(seen, "R");
	close(a[0]);
	close(b[0]);
	close(a[1]);
	close(b[1]);
	if (fresh_writer >= 0)
		close(fresh_writer);
	fresh_writer = -1;
	zvm_loop_free(l);
}

static void test_removal_drops_pending_event(void **state)
{
	(void)state;
	run_removal(false);
}

static void test_reused_number_gets_no_stale_event(void **state)
{
	(void)state;
	run_removal(true);
}

/* A timer whose handler does not cancel it would fire again: each of ours
 * cancels, as zvmd's do. */
static void on_timer(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	zvm_loop_timer_cancel(l, fd);
	note(*(const char *)data);
	if (*(const char *)data == 'z')
		zvm_loop_stop(l);
}

static void test_timers_in_order_and_cancel(void **state)
{
	struct zvm_loop *l = zvm_loop_new();
	int t1, t2, t3, tc;
	double t0 = now();

	(void)state;
	reset();
	t3 = zvm_loop_timer(l, 0.06, on_timer, (void *)"c");
	t1 = zvm_loop_timer(l, 0.02, on_timer, (void *)"a");
	tc = zvm_loop_timer(l, 0.03, on_timer, (void *)"X");
	t2 = zvm_loop_timer(l, 0.04, on_timer, (void *)"b");
	assert_true(t1 >= 0 && t2 >= 0 && t3 >= 0 && tc >= 0);
	zvm_loop_timer_cancel(l, tc);
	zvm_loop_timer_cancel(l, -1); /* a job without a timer */
	assert_true(zvm_loop_timer(l, 0.08, on_timer, (void *)"z") >= 0);
	zvm_loop_timer(l, 5, on_guard, NULL);
	assert_int_equal(zvm_loop_run(l), 0);
	assert_string_equal(seen, "abcz");
	assert_true(now() - t0 >= 0.08);
	assert_true(now() - t0 < 2);
	/* zero and negative delays fire at once */
	reset();
	zvm_loop_timer(l, 0, on_timer, (void *)"a");
	zvm_loop_timer(l, -1, on_timer, (void *)"z");
	assert_int_equal(zvm_loop_run(l), 0);
	assert_int_equal(nseen, 2);
	zvm_loop_free(l); /* the 5 s guard is still armed: freed with the loop */
}

/* ---- idle ---------------------------------------------------------------- */

static unsigned idle_calls, idle_budget;
static int idle_pipe[2];

static bool on_idle(struct zvm_loop *l, void *data)
{
	char b;

	/* called only with nothing pending: the pipe has been drained */
	assert_int_equal(read(idle_pipe[0], &b, 1), -1);
	note('i');
	idle_calls++;
	return --idle_budget > 0;
}

static void on_idle_read(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	char b;

	assert_int_equal(read(fd, &b, 1), 1);
	note(b);
	if (b == 'w') {
		idle_budget = 1;
		zvm_loop_wake_idle(l); /* new idle work */
	}
	if (b == 's')
		zvm_loop_stop(l);
}

static void on_feed(struct zvm_loop *l, int fd, unsigned ev, void *data)
{
	zvm_loop_timer_cancel(l, fd);
	assert_int_equal(write(idle_pipe[1], data, 1), 1);
}

static void test_idle(void **state)
{
	struct zvm_loop *l = zvm_loop_new();

	(void)state;
	reset();
	idle_calls = 0;
	assert_int_equal(pipe2(idle_pipe, O_CLOEXEC | O_NONBLOCK), 0);
	assert_int_equal(zvm_loop_add(l, idle_pipe[0], on_idle_read, NULL), 0);
	/* an event ready at the start runs before any idle work */
	assert_int_equal(write(idle_pipe[1], "e", 1), 1);
	idle_budget = 3;
	zvm_loop_set_idle(l, on_idle, NULL);
	/* later: a byte that wakes idle work, one that does not, one that stops */
	zvm_loop_timer(l, 0.03, on_feed, (void *)"w");
	zvm_loop_timer(l, 0.06, on_feed, (void *)"x");
	zvm_loop_timer(l, 0.09, on_feed, (void *)"s");
	zvm_loop_timer(l, 5, on_guard, NULL);
	assert_int_equal(zvm_loop_run(l), 0);
	/* three calls until it returned false, none while off (the loop
	 * slept), one after the wake, none after "x" */
	assert_string_equal(seen, "eiiiwixs");
	assert_int_equal(idle_calls, 4);
	zvm_loop_free(l);
	close(idle_pipe[0]);
	close(idle_pipe[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readable_handlers),
		cmocka_unit_test(test_hangup_with_events_0),
		cmocka_unit_test(test_removal_drops_pending_event),
		cmocka_unit_test(test_reused_number_gets_no_stale_event),
		cmocka_unit_test(test_timers_in_order_and_cancel),
		cmocka_unit_test(test_idle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
