/*
 * worker.h — what a pool slot shares with its worker, and the worker's life.
 *
 * Each slot has one window, a memfd the supervisor creates and maps once
 * (zvm_pool_init). A worker is the program zvm-worker (worker-main.c),
 * exec'd by the supervisor with that slot's window and nothing else of
 * the supervisor's memory; it maps the window itself. The supervisor
 * writes the job there as a SUBMIT message (struct zvm_window_job; the
 * worker decodes it with every check anyway); the worker writes its result
 * and channel statistics there (the supervisor does NOT trust the worker:
 * zvm_report_fill range-checks all of it).
 */
#ifndef ZVM_WORKER_H
#define ZVM_WORKER_H

#include "channels/channels.h"
#include "protocol/protocol.h"
#include "sfi/sfi.h"
#include "supervisor/jail.h"

/* The job in the window: a whole SUBMIT message (protocol/protocol.h),
 * the encoding of the job's manifest as zvmd capped it, with the image as
 * fd 0 and channel i as fd i + 1 of those the ZVM_CTL_JOB message carries.
 * The same encoder and decoder as on the socket: one description of a job
 * from the client to the cell. */
struct zvm_window_job {
	uint32_t len;              /* bytes used, header included */
	uint8_t bytes[ZVM_PROTO_HEADER + ZVM_PROTO_MAX];
};

struct zvm_slot_shared {
	struct sfi_cell_result result;
	struct zvm_channel_stats stats[ZVM_MAX_CHANNELS];
	struct zvm_window_job job;
	/* Templates (docs/zvmd.md): ZVM_TPL_NONE; ZVM_TPL_MAKE, the job's
	 * message carries a memfd after the channels that the keep request
	 * writes the memory into, and tpl is the worker's answer; ZVM_TPL_USE,
	 * the job is a copy of tpl, whose sealed memory comes after the channels. */
	uint32_t tpl_mode;
	struct sfi_template tpl;
};

/* Control messages, one byte each, on the slot's socketpair. The job's
 * message carries the image memfd and then the channel fds (SCM_RIGHTS). */
#define ZVM_CTL_READY 'R'  /* worker -> supervisor: jailed, reserved, filtered, waiting */
#define ZVM_CTL_FORKED 'P' /* zygote -> supervisor, first on a forked worker's socket:
			    * struct zvm_zygote_forked, the pidfd attached */
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

/* The zygote (docs/zvmd.md, "the zygote"): zvmd execs `zvm-worker zygote`
 * once, with descriptor 3 its end of a SOCK_SEQPACKET socketpair and
 * nothing else, in zvmd's own pid namespace. It compiles both seccomp
 * stages and then forks one worker per request, so a refill costs a fork
 * of a small process instead of an exec with dynamic loading and the C
 * library's start. It never sees a job: zvmd sends it only what a worker
 * is exec'd with. A request is struct zvm_zygote_req with the worker's
 * descriptors 3.. in order (ctl, window, the ns[] marked '1', then ncg
 * cgroup.procs); the child is forked with CLONE_PARENT (zvmd's child, so
 * zvmd reaps it and reads its rusage) into a new pid namespace, puts them
 * at 3..12 as zvm_jail_spawn would, closes everything else (the zygote's
 * socket first of all) and goes on as an exec'd worker. zvmd never waits
 * for the zygote: the answer, struct zvm_zygote_forked with the child's
 * pidfd attached (or an errno), comes on the worker's own control socket,
 * and the child reads a byte from a pipe (descriptor 13, closed after)
 * that the zygote writes only once it has sent it, so READY never comes
 * before zvmd knows the worker's pid. */
struct zvm_zygote_req {
	uint32_t slot, uid, gid, ncg;
	char ns[4];                /* '1' or '0' per descriptor 5..8 */
};
struct zvm_zygote_forked {
	uint8_t tag;               /* ZVM_CTL_FORKED */
	uint8_t pad[3];
	int32_t err;               /* 0 or an errno (nothing forked) */
	int32_t pid;
};
#define ZVM_WORKER_FD_READY_AFTER 13
#define ZVM_ZYGOTE_MAX_FDS (2 + 4 + 4)
/* `zvm-worker zygote`: serves requests on sock until zvmd closes it.
 * title is its argv[1] ("zygote"), which each child overwrites with
 * "s=SLOT" so that ps tells the workers apart. */
__attribute__((noreturn))
void zvm_zygote_main(int sock, char *title);
/* After the exec or the fork: checks descriptors 3.., maps the window and
 * runs zvm_worker_main. ns: the "NNNN" of the arguments. Returns only on a
 * bad start (2: a person ran it by hand, the message is on stderr). */
int zvm_worker_start(unsigned long uid, unsigned long gid, const char *ns, unsigned long ncg, int ready_after);

/* The worker's whole life, after the exec; never returns. ctl is its end
 * of the socketpair, sh its mapping of the slot's window. */
__attribute__((noreturn))
void zvm_worker_main(int ctl, struct zvm_slot_shared *sh, const struct zvm_jail *jail);

/* Writes the job into the window: m (its limits decided, m->program the
 * name the cell sees as argv[0]) encoded as SUBMIT. -EMSGSIZE if it does
 * not fit, -ENAMETOOLONG for an alias over 63 bytes. Runs in zvmd. */
int zvm_window_put_job(struct zvm_window_job *w, const struct zvm_manifest *m);
/* Reads the job back, in the worker: the length and bytes are copied out
 * of the window once, then checked and decoded with the protocol's full
 * checks (nfds: the fds the job's message carried), as if from a client.
 * 0 with s filled (its fds are indexes: image 0, channel i i + 1), or
 * -EBADMSG / -EMSGSIZE / -EPROTONOSUPPORT with err set. */
int zvm_window_get_job(const struct zvm_window_job *w, unsigned nfds, struct zvm_submit *s, char *err,
		       size_t errlen);

#endif
