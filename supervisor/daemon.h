/*
 * daemon.h — zvmd: the privileged supervisor. Owns the pool, the image
 * cache, the queue and the client connections; everything runs in one
 * thread on the event loop (supervisor/loop.h).
 */
#ifndef ZVM_DAEMON_H
#define ZVM_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "channels/channels.h"
#include "sfi/sfi.h"
#include "supervisor/config.h"
#include "supervisor/images.h"
#include "supervisor/loop.h"
#include "supervisor/pool.h"

/* All requests still arriving hold at most this many payload bytes (64
 * whole maximum-size messages); beyond it a new one is refused. */
#define ZVMD_MAX_BUFFERED (64u * ZVM_PROTO_MAX)

struct zvmd_job;
struct zvmd_tenant;
struct zvmd_map;

/* A queue of jobs, first in first out (linked through the jobs). */
struct zvmd_fifo {
	struct zvmd_job *head, *tail;
};
struct zvm_vhelper;

struct zvmd_stats {
	unsigned long jobs, ok, failed, busy_rejected; /* what STATUS reports */
	double started;
};

struct zvmd {
	struct zvmd_config cfg;
	const char *config_path;
	char flags[256];               /* the command line's settings, as config lines */
	struct zvm_loop *loop;
	struct zvm_pool pool;
	struct zvm_images images;
	int listen_fd, signal_fd;
	struct zvmd_fifo run_queue;    /* jobs with their image, waiting for a worker */
	unsigned queued;
	unsigned connections;
	struct zvmd_job *all;          /* every connection's job record */
	struct zvmd_tenant *tenants;   /* uids with anything open or waiting */
	struct zvm_vhelper *vh;        /* cfg.validators helper slots */
	struct zvmd_fifo vwait;        /* jobs waiting for a validator helper */
	unsigned validating;           /* jobs waiting for or at a helper */
	char validator_path[4096];     /* /proc/self/fd/N of validator_fd */
	int validator_fd;              /* zvm-validator, opened at start */
	size_t buffered;               /* payload bytes of requests still arriving */
	int reserve_fd;                /* closed to accept (and refuse) when out of fds */
	int sweep_fd;                  /* the deadline sweep's timer, -1 when off */
	double sweep_at;               /* when it fires */
	struct zvmd_map *maps;         /* system maps alive (daemon-map.c) */
	struct zvmd_template *templates; /* kept cells (daemon-template.c) */
	unsigned ntemplates;
	unsigned map_fds, map_fds_max; /* channel fds all maps hold; at most half of RLIMIT_NOFILE */
	bool draining;
	gid_t allowed_gid;
	bool restrict_group;
	struct zvmd_stats stats;
};

int zvmd_start(struct zvmd *d, char *err, size_t errlen);
int zvmd_run(struct zvmd *d);
void zvmd_stop(struct zvmd *d);

#endif
