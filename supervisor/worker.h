/*
 * worker.h — what a pool slot shares with its worker, and the worker's life.
 *
 * The supervisor maps one shared region per slot before it spawns the
 * worker. It writes the job there (the worker trusts the supervisor); the
 * worker writes its result and channel statistics there (the supervisor
 * does NOT trust the worker: zvm_report_fill range-checks all of it).
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

/* The worker's whole life; never returns. ctl is its end of the socketpair. */
__attribute__((noreturn))
void zvm_worker_main(int ctl, struct zvm_slot_shared *sh, const struct zvm_jail *jail);

/* Fills job from a manifest (argv[0] = program name). -E2BIG if the
 * strings do not fit. Runs in the supervisor. */
int zvm_worker_job_from_manifest(struct zvm_worker_job *job, const struct zvm_manifest *m,
				 const char *program_name, uint64_t stack_size);

#endif
