/*
 * worker.h — what a pool slot shares with its worker, and the worker's life.
 *
 * Each slot has one window, a memfd the supervisor creates and maps once
 * (zvm_pool_init). A worker is the program zvm-worker (worker-main.c),
 * exec'd by the supervisor with that slot's window and nothing else of
 * the supervisor's memory; it maps the window itself. The supervisor
 * writes the job there (the worker trusts the supervisor); the worker
 * writes its result and channel statistics there (the supervisor does NOT
 * trust the worker: zvm_report_fill range-checks all of it).
 */
#ifndef ZVM_WORKER_H
#define ZVM_WORKER_H

#include "channels/channels.h"
#include "sfi/sfi.h"
#include "supervisor/jail.h"

#define ZVM_JOB_STRINGS (128 * 1024)

struct zvm_worker_channel {
	uint32_t type;
	uint32_t alias;          /* offset in strings */
	uint64_t max_reads, max_read_bytes, max_writes, max_write_bytes;
	uint64_t size;
};

struct zvm_worker_job {
	uint64_t memory, stack_size, seed, epoch_ns;
	double cpu_time;
	uint32_t deterministic;
	uint32_t argc, envc, nchannels;
	uint32_t argv[ZVM_MAX_ARGS + 1]; /* offsets in strings; argv[0] is the program name */
	uint32_t envp[ZVM_MAX_ENV];
	struct zvm_worker_channel ch[ZVM_MAX_CHANNELS];
	uint32_t strings_used;
	char strings[ZVM_JOB_STRINGS];
};

struct zvm_slot_shared {
	struct sfi_cell_result result;
	struct zvm_channel_stats stats[ZVM_MAX_CHANNELS];
	struct zvm_worker_job job;
};

/* Control messages, one byte each, on the slot's socketpair. The job's
 * message carries the image memfd and then the channel fds (SCM_RIGHTS). */
#define ZVM_CTL_READY 'R'  /* worker -> supervisor: jailed, reserved, filtered, waiting */
#define ZVM_CTL_JOB   'J'  /* supervisor -> worker: the job is in shared memory, fds attached */

/* zvm-worker is started with exactly these descriptors (zvm_jail_spawn
 * closes every other one) and an empty environment:
 *   3      its end of the slot's control socketpair
 *   4      the slot's window, a sealed memfd of sizeof(struct zvm_slot_shared)
 *   5..8   the shared net, ipc, uts and mount namespaces (zvm_jail_shared_ns)
 *   9..12  cgroup.procs of the slot's cgroup (one on v2, one per hierarchy on v1)
 * and the arguments
 *   zvm-worker slot=I uid=U gid=G ns=NNNN cgroups=K
 * where ns holds one '1' or '0' per namespace descriptor 5..8 (present or
 * not) and K is how many of 9..12 are present. Any other use is refused. */
#define ZVM_WORKER_FD_CTL    3
#define ZVM_WORKER_FD_WINDOW 4
#define ZVM_WORKER_FD_NS     5
#define ZVM_WORKER_FD_CGROUP 9
#define ZVM_WORKER_NFDS      10 /* descriptors 3..12 */

/* The worker's whole life, after the exec; never returns. ctl is its end
 * of the socketpair, sh its mapping of the slot's window. */
__attribute__((noreturn))
void zvm_worker_main(int ctl, struct zvm_slot_shared *sh, const struct zvm_jail *jail);

/* Fills job from a manifest (argv[0] = program name). -E2BIG if the
 * strings do not fit. Runs in the supervisor. */
int zvm_worker_job_from_manifest(struct zvm_worker_job *job, const struct zvm_manifest *m,
				 const char *program_name, uint64_t stack_size);

#endif
