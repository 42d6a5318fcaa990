/*
 * daemon-internal.h — what zvmd's files share: a job's record from the
 * first byte of its connection to its report, and the per-uid accounts.
 *
 * A job's phases: READING (bytes arrive, non-blocking, against the request
 * deadline) -> VALIDATING (a validator helper reads and checks the image)
 * or straight on (by digest) -> QUEUED (it owns its image: a memfd dup) ->
 * RUNNING (a worker has it, the wall deadline armed) -> DONE -> reported, freed.
 */
#ifndef ZVM_DAEMON_INTERNAL_H
#define ZVM_DAEMON_INTERNAL_H

#include "supervisor/daemon-proto.h"
#include "supervisor/daemon.h"
#include "protocol/protocol.h"
#include "supervisor/validator.h"

/* J_DONE: between phases or finished: in no queue, at no helper, on no
 * worker, under no deadline (what is left is a reply and the free). */
enum zvmd_phase { J_READING, J_WAIT_VALIDATOR, J_VALIDATING, J_QUEUED, J_RUNNING, J_DONE,
	/* a map's node: waiting for the nodes it reads from, or for its map's
	 * turn in the run queue (daemon-map.c) */
	J_WAITING };

struct zvmd_tenant {
	uid_t uid;
	unsigned connections;      /* open, in any phase */
	unsigned pending;          /* jobs waiting for a validator, validating or queued */
	unsigned map_nodes;        /* nodes of its maps alive (uid_map_nodes) */
	unsigned map_fds;          /* channel fds its maps' nodes hold (uid_map_fds) */
	struct zvmd_tenant *next;
};

struct zvmd_job {
	struct zvmd *d;
	struct zvmd_job *prev_all, *next_all; /* every connection, for the sweep */
	struct zvmd_job *next;     /* the run queue or the validator queue */
	enum zvmd_phase phase;
	bool pending;              /* counted in tenant->pending */
	int conn;
	uid_t uid;
	struct zvmd_tenant *tenant;
	double received, deadline; /* deadline: of the request, then of validation */
	/* reading */
	uint8_t hdr[ZVM_PROTO_HEADER];
	size_t hgot, plen, pgot;
	uint8_t *payload;
	uint16_t type;
	int fds[ZVM_PROTO_MAX_FDS];
	unsigned nfds;
	/* the request and what it runs */
	int kind;
	struct zvm_submit req;     /* the job: its manifest and descriptors (daemon-proto.h) */
	int image_fd;              /* the job's own sealed memfd, once it has one */
	uint64_t image_size;
	uint8_t sha256[32];
	struct zvm_vhelper *vh;
	/* running */
	struct zvm_slot *slot;
	int timer_fd;
	bool timed_out;
	double handed_out, handout_s;
	struct zvm_report rep;
	/* a system map: the connection's record points at its map; so does
	 * each of the map's nodes, a record of its own with no connection */
	struct zvmd_map *map;
	unsigned map_index;        /* a node's place in the map's run order */
	unsigned unmet;            /* a node's inputs whose nodes have not ended */
	/* nodes reading this one's edges: theirs `channel`, ours `from` */
	struct zvmd_dep { unsigned node, channel, from; } *deps;
	unsigned ndeps;
	unsigned held_fds;         /* a node's channel fds, counted in map_fds */
	/* templates: the memfd a making job's keep request fills, or a copy's
	 * own dup of its template's sealed memory, and the kept registers */
	int tpl_fd;
	int tpl_image_fd;          /* a making job's image, for the template */
	struct sfi_template tpl_state;
};

/* A kept cell (daemon-template.c): owned by a uid, or global (made by
 * root for every uid); its image and memory are sealed memfds of zvmd's
 * own; jobs take dups of them, so a template replaced or evicted while
 * its jobs wait changes nothing for them. */
struct zvmd_template {
	struct zvmd_template *next;
	char name[64];
	uid_t owner;
	bool global;
	bool deterministic;        /* the rules its image was validated under */
	int image_fd, mem_fd;
	uint64_t bytes;
	struct sfi_template state;
	double last_used;
	uint64_t uses;
};

#define LOG(...) (fprintf(stderr, "zvmd: " __VA_ARGS__), fputc('\n', stderr))

double zvmd_now(void);
/* daemon-conn.c: connections, requests, tenants, validator helpers */
void zvmd_on_accept(struct zvm_loop *l, int fd, unsigned ev, void *data);
void zvmd_sweep(struct zvmd *d);
bool zvmd_validators_refill(struct zvmd *d);
void zvmd_job_free(struct zvmd_job *j);
void zvmd_tenant_put(struct zvmd *d, struct zvmd_tenant *t);
void zvmd_arm_sweep(struct zvmd *d, double deadline);
void zvmd_on_hangup(struct zvm_loop *l, int fd, unsigned ev, void *data);
/* The cheap refusals every request meets first (draining, uid_queued,
 * queue_max when it queues); false when j was refused and freed. */
bool zvmd_admit(struct zvmd_job *j, bool queues);
/* Refuses the request on j's connection with an ERROR, and frees j. */
void zvmd_reply_error(struct zvmd_job *j, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* daemon-map.c: system maps (MAP, then its NODEs) */
/* A MAP or NODE message has arrived whole on j's connection (j->payload,
 * j->fds): it is taken, and the connection reads on or is answered. */
void zvmd_map_message(struct zvmd_job *j);
/* Its connection is going: the map stops (running nodes are killed and
 * their ends dropped); the map is freed once no node runs. */
void zvmd_map_drop(struct zvmd_map *mp);
void zvmd_map_node_started(struct zvmd_job *j);
void zvmd_map_node_ended(struct zvmd_job *j, const struct zvmd_reply_extra *x);
/* At zvmd's stop: every map and node freed, whatever they were doing. */
void zvmd_maps_free(struct zvmd *d);
/* Counts the job in (or out of) its uid's waiting jobs (uid_queued). */
void zvmd_set_pending(struct zvmd_job *j, bool on);
/* daemon-template.c */
/* A SUBMIT with a template: for USE, the template found (own, then global)
 * gives the job its image and memory (true: the job has its image now);
 * for MAKE, a memfd for the keep request (true: go on as any job). On a
 * refusal j is answered and freed, and false returned. */
bool zvmd_template_request(struct zvmd_job *j);
/* A making job's worker has ended (report filled): keep the template, or
 * say in the report why not. */
void zvmd_template_made(struct zvmd_job *j, const struct sfi_template *answer);
void zvmd_templates_free(struct zvmd *d);
/* daemon.c: the run queue and the workers */
void zvmd_fifo_push(struct zvmd_fifo *q, struct zvmd_job *j);
bool zvmd_fifo_remove(struct zvmd_fifo *q, struct zvmd_job *j);
void zvmd_enqueue(struct zvmd *d, struct zvmd_job *j);
void zvmd_dequeue(struct zvmd *d, struct zvmd_job *j);
void zvmd_reply_failed(struct zvmd_job *j);
void zvmd_apply_limits(const struct zvmd *d, struct zvm_manifest *m);
void zvmd_dispatch(struct zvmd *d);
/* zvmd may stop: draining, and nothing left running, queued, validating or mapped. */
bool zvmd_drained(const struct zvmd *d);

#endif
