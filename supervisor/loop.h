/*
 * loop.h — a small event loop of our own size: epoll, one callback per fd,
 * and one-shot timers on timerfds. Single-threaded; runs in zvmd.
 */
#ifndef ZVM_LOOP_H
#define ZVM_LOOP_H

#include <stdbool.h>

struct zvm_loop;
typedef void (*zvm_loop_fn)(struct zvm_loop *l, int fd, unsigned events, void *data);

struct zvm_loop *zvm_loop_new(void);
void zvm_loop_free(struct zvm_loop *l);
/* Watches fd for EPOLLIN (and EPOLLHUP/ERR, always). */
int zvm_loop_add(struct zvm_loop *l, int fd, zvm_loop_fn fn, void *data);
/* Watches fd for the given epoll events only; events 0 still reports
 * EPOLLHUP/EPOLLERR (a client that went away while its job runs). */
int zvm_loop_watch(struct zvm_loop *l, int fd, unsigned events, zvm_loop_fn fn, void *data);
/* Removes fd's handler. Safe inside any callback: an event already fetched
 * for it is dropped, even if the fd number is registered again meanwhile. */
int zvm_loop_del(struct zvm_loop *l, int fd);
/* A one-shot timer after `seconds`: returns its timerfd (remove it with
 * zvm_loop_timer_cancel), or -errno. */
int zvm_loop_timer(struct zvm_loop *l, double seconds, zvm_loop_fn fn, void *data);
void zvm_loop_timer_cancel(struct zvm_loop *l, int tfd);
/* Work to do when no event is pending: fn is called with nothing ready and
 * returns true while it has more to do (it is then called again, after any
 * event that arrived meanwhile). Keeps slow chores off the request path. */
typedef bool (*zvm_loop_idle_fn)(struct zvm_loop *l, void *data);
void zvm_loop_set_idle(struct zvm_loop *l, zvm_loop_idle_fn fn, void *data); /* fn NULL: none */
/* Tells the loop there is idle work again. */
void zvm_loop_wake_idle(struct zvm_loop *l);

/* Runs until zvm_loop_stop; returns 0, or -errno on an epoll failure. */
int zvm_loop_run(struct zvm_loop *l);
void zvm_loop_stop(struct zvm_loop *l);

#endif
