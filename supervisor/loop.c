/*
 * loop.c — epoll with callbacks. Handlers are looked up by fd in a table
 * indexed by fd number, so removing a handler inside another's callback is
 * safe: a stale event for a removed fd finds no handler and is dropped.
 * Each registration has a generation, carried in the event beside the fd,
 * so that a stale event is dropped too when the number was taken again in
 * the same batch (a job's timer cancelled as its worker exits, and the
 * next job's timerfd getting that number, must not time the next job out).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "supervisor/loop.h"

struct handler {
	zvm_loop_fn fn;
	void *data;
	bool active;
	uint32_t gen;              /* of the current registration */
};

struct zvm_loop {
	int epfd;
	bool stop;
	zvm_loop_idle_fn idle;
	void *idle_data;
	bool idle_pending;
	struct handler *h;
	int nh;
};

struct zvm_loop *zvm_loop_new(void)
{
	struct zvm_loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	return l;
}

void zvm_loop_free(struct zvm_loop *l)
{
	if (!l)
		return;
	close(l->epfd);
	free(l->h);
	free(l);
}

int zvm_loop_add(struct zvm_loop *l, int fd, zvm_loop_fn fn, void *data)
{
	return zvm_loop_watch(l, fd, EPOLLIN, fn, data);
}

int zvm_loop_watch(struct zvm_loop *l, int fd, unsigned events, zvm_loop_fn fn, void *data)
{
	struct epoll_event ev = { .events = events };
	uint32_t gen;

	if (fd < 0)
		return -EBADF;
	if (fd >= l->nh) {
		int n = fd + 64;
		struct handler *h = realloc(l->h, n * sizeof(*h));
		if (!h)
			return -ENOMEM;
		memset(h + l->nh, 0, (n - l->nh) * sizeof(*h));
		l->h = h;
		l->nh = n;
	}
	gen = l->h[fd].gen + 1;
	ev.data.u64 = (uint64_t)gen << 32 | (uint32_t)fd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	l->h[fd] = (struct handler){ fn, data, true, gen };
	return 0;
}

int zvm_loop_del(struct zvm_loop *l, int fd)
{
	if (fd < 0 || fd >= l->nh || !l->h[fd].active)
		return -ENOENT;
	l->h[fd].active = false;
	return epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL) < 0 ? -errno : 0;
}

int zvm_loop_timer(struct zvm_loop *l, double seconds, zvm_loop_fn fn, void *data)
{
	struct itimerspec its = { 0 };
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK), rc;

	if (tfd < 0)
		return -errno;
	if (seconds < 1e-6)
		seconds = 1e-6;
	its.it_value.tv_sec = (time_t)seconds;
	its.it_value.tv_nsec = (long)((seconds - floor(seconds)) * 1e9);
	rc = timerfd_settime(tfd, 0, &its, NULL) < 0 ? -errno : zvm_loop_add(l, tfd, fn, data);
	if (rc < 0) {
		close(tfd);
		return rc;
	}
	return tfd;
}

void zvm_loop_timer_cancel(struct zvm_loop *l, int tfd)
{
	if (tfd >= 0) {
		zvm_loop_del(l, tfd);
		close(tfd);
	}
}

void zvm_loop_set_idle(struct zvm_loop *l, zvm_loop_idle_fn fn, void *data)
{
	l->idle = fn;
	l->idle_data = data;
	l->idle_pending = fn != NULL;
}

void zvm_loop_wake_idle(struct zvm_loop *l)
{
	l->idle_pending = l->idle != NULL;
}

int zvm_loop_run(struct zvm_loop *l)
{
	struct epoll_event ev[64];

	l->stop = false;
	while (!l->stop) {
		int n = epoll_wait(l->epfd, ev, 64, l->idle_pending ? 0 : -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0 && l->idle_pending) {
			l->idle_pending = l->idle(l, l->idle_data);
			continue;
		}
		for (int i = 0; i < n && !l->stop; i++) {
			int fd = (int)(uint32_t)ev[i].data.u64;
			uint32_t gen = (uint32_t)(ev[i].data.u64 >> 32);
			if (fd < l->nh && l->h[fd].active && l->h[fd].gen == gen)
				l->h[fd].fn(l, fd, ev[i].events, l->h[fd].data);
		}
	}
	return 0;
}

void zvm_loop_stop(struct zvm_loop *l)
{
	l->stop = true;
}
