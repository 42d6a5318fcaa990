/*
 * run.c — one cell, start to end, from the trusted parent's side.
 *
 * The parent validates (or finds the image in the cache), opens the
 * channels, forks the worker, enforces the wall-time limit, reaps it and
 * turns what the worker left in shared memory into a report. The shared
 * memory is written by a process that ran untrusted code, so every value
 * read from it is range-checked here.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "channels/channels.h"
#include "seccomp-policy/seccomp-policy.h"
#include "sfi/sfi.h"

#define STATE_UNSET 0xffffffffu

struct shared {
	struct sfi_cell_result result;
	struct zvm_channel_stats stats[ZVM_MAX_CHANNELS];
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int validate(const struct zvm_manifest *m, const struct zvm_run_options *o,
		    const struct sfi_image *img, struct zvm_report *rep)
{
	struct sfi_options opt = { .deterministic = m->deterministic };
	double t0 = now_s();
	int rc;

	if (o->skip_validation) {
		const char *allow = getenv("ZVM_DEBUG_ALLOW_UNVALIDATED");
		if (!allow || strcmp(allow, "1") != 0) {
			snprintf(rep->message, sizeof(rep->message),
				 "--debug-skip-validation is refused unless ZVM_DEBUG_ALLOW_UNVALIDATED=1 is set");
			return -EPERM;
		}
		return 0;
	}
	if (o->use_cache && img->digested && sfi_valcache_lookup(img, &opt)) {
		rep->validation_cached = true;
		return 0;
	}
	rc = sfi_validate_image(img, &opt, &rep->verdict);
	rep->validate_s = now_s() - t0;
	if (rc < 0) {
		snprintf(rep->message, sizeof(rep->message), "validator error: %s", strerror(-rc));
		return rc;
	}
	if (rc == 1) {
		rep->state = ZVM_STATE_VALIDATION_FAILED;
		return 1;
	}
	if (o->use_cache && img->digested)
		sfi_valcache_store(img, &opt);
	return 0;
}

static char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return (char *)(s ? s + 1 : path);
}

/* Waits until the worker can be reaped or the deadline passes, without a
 * pidfd: SIGCHLD is blocked, so an exit after the first WNOHANG check stays
 * pending and ends the sigtimedwait; the timeout is the timer. Returns 1 when
 * the worker ended, 0 at the deadline. */
static int wait_exit_timed(pid_t pid, double deadline)
{
	sigset_t chld, old;
	siginfo_t si;
	int rc = 0;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	for (;;) {
		double left = deadline - now_s();
		struct timespec ts;

		memset(&si, 0, sizeof(si));
		/* WNOWAIT: leave the zombie for wait4, which collects the rusage. */
		if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 ? si.si_pid == pid
										: errno == ECHILD) {
			rc = 1; /* ended (or already reaped, if SIGCHLD is ignored) */
			break;
		}
		if (left <= 0)
			break;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		sigtimedwait(&chld, NULL, &ts); /* SIGCHLD, EAGAIN or EINTR: check again */
	}
	/* Take our SIGCHLD away before unblocking; leave others' alone. */
	if (!sigismember(&old, SIGCHLD)) {
		struct timespec zero = { 0, 0 };
		while (sigtimedwait(&chld, NULL, &zero) == SIGCHLD)
			;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* pidfd_open, unless the test hook ZVM_TEST_NO_PIDFD=1 pretends the kernel
 * lacks it (ENOSYS on kernels before 5.3 and in some containers). */
static int open_pidfd(pid_t pid)
{
	const char *no = getenv("ZVM_TEST_NO_PIDFD");

	if (no && strcmp(no, "1") == 0) {
		errno = ENOSYS;
		return -1;
	}
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Waits for the worker, killing it at the wall-time limit. */
static int reap(pid_t pid, double timeout, int *status, struct rusage *ru, bool *timed_out)
{
	int pfd = open_pidfd(pid);
	double deadline = now_s() + timeout;

	*timed_out = false;
	if (pfd >= 0) {
		for (;;) {
			struct pollfd p = { .fd = pfd, .events = POLLIN };
			double left = deadline - now_s();
			int n = left <= 0 ? 0 : poll(&p, 1, (int)ceil(left * 1000));
			if (n < 0 && errno == EINTR)
				continue;
			if (n == 0 && now_s() < deadline)
				continue;
			if (n == 0) {
				*timed_out = true;
				kill(pid, SIGKILL);
			}
			break;
		}
		close(pfd);
	} else if (!wait_exit_timed(pid, deadline)) {
		/* No pidfd: the deadline is kept by a timed wait for SIGCHLD. */
		*timed_out = true;
		kill(pid, SIGKILL);
	}
	while (wait4(pid, status, 0, ru) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

/* A byte of shared memory read as a bool: the worker may have stored any
 * value there, and loading a _Bool that is neither 0 nor 1 is undefined. */
static bool shared_bool(const void *p)
{
	uint8_t b;

	memcpy(&b, p, 1);
	return b != 0;
}

static void fill_state(struct zvm_report *rep, const struct sfi_cell_result *r, int status,
		       bool timed_out, double cpu_limit)
{
	uint32_t st = r->state;

	rep->heap_refused = r->heap_refused;
	rep->heap_peak = r->heap_peak;
	if (timed_out) {
		rep->state = ZVM_STATE_TIMEOUT;
		return;
	}
	if (st <= ZVM_STATE_INTERNAL_ERROR && st != ZVM_STATE_VALIDATION_FAILED) {
		rep->state = st;
		rep->exit_code = r->exit_code & 0xff;
		rep->signal = r->signal > 0 && r->signal <= 64 ? r->signal : 0;
		rep->fault_addr = r->fault_addr;
		rep->fault_pc = r->fault_pc;
		rep->fault_in_sandbox = r->fault_in_sandbox != 0;
		rep->syscall_nr = r->syscall_nr;
		if (st == ZVM_STATE_SECCOMP &&
		    (r->syscall_nr < 0 ||
		     !zvm_seccomp_syscall_name(r->syscall_nr, r->syscall_arch, rep->syscall_name,
					       sizeof(rep->syscall_name))))
			snprintf(rep->syscall_name, sizeof(rep->syscall_name), "syscall %d", r->syscall_nr);
		/* A program that gives up after its heap request was refused ran
		 * out of memory, whatever it chose to do about it. */
		if (st == ZVM_STATE_OK && rep->exit_code != 0 && r->heap_refused)
			rep->state = ZVM_STATE_MEMORY_LIMIT;
		if (st == ZVM_STATE_LOAD_ERROR)
			snprintf(rep->message, sizeof(rep->message), "%.*s", (int)sizeof(r->message), r->message);
		return;
	}
	/* The worker left no word: the kernel ended it. */
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		rep->signal = sig;
		if (sig == SIGXCPU || (sig == SIGKILL && cpu_limit > 0 && rep->cpu_user_s + rep->cpu_sys_s >= cpu_limit))
			rep->state = ZVM_STATE_CPU_LIMIT;
		else if (sig == SIGSYS)
			rep->state = ZVM_STATE_SECCOMP;
		else
			rep->state = ZVM_STATE_SIGNAL;
		return;
	}
	rep->state = ZVM_STATE_INTERNAL_ERROR;
	snprintf(rep->message, sizeof(rep->message), "the worker exited (status %d) without a report",
		 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void fill_channels(struct zvm_report *rep, const struct zvm_manifest *m,
			  const struct zvm_channel_stats *stats)
{
	rep->nchannels = m->nchannels < ZVM_MAX_CHANNELS ? m->nchannels : ZVM_MAX_CHANNELS;
	for (unsigned i = 0; i < rep->nchannels; i++) {
		const struct zvm_channel_stats *s = &stats[i];
		struct zvm_channel_report *c = &rep->ch[i];
		snprintf(c->alias, sizeof(c->alias), "%s", m->channels[i].alias);
		c->reads = s->reads;
		c->read_bytes = s->read_bytes;
		c->writes = s->writes;
		c->write_bytes = s->write_bytes;
		c->limit_hit = shared_bool(&s->limit_hit);
		zvm_channel_digest(s, c->sha256);
	}
}

void zvm_report_fill(struct zvm_report *rep, const struct sfi_cell_result *r,
		     const struct zvm_channel_stats *stats, const struct zvm_manifest *m,
		     int status, const struct rusage *ru, bool timed_out, double cpu_limit)
{
	/* One copy of what the worker left, read once: under zvmd another
	 * process may still have the window mapped, and a value checked must
	 * be the value used. The stats are small enough to copy too. */
	struct zvm_channel_stats snap_stats[ZVM_MAX_CHANNELS];
	struct sfi_cell_result snap;

	memcpy(&snap, r, sizeof(snap));
	memcpy(snap_stats, stats, sizeof(snap_stats[0]) *
	       (m->nchannels < ZVM_MAX_CHANNELS ? m->nchannels : ZVM_MAX_CHANNELS));
	rep->cpu_user_s = ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6;
	rep->cpu_sys_s = ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6;
	rep->peak_rss_kib = (uint64_t)ru->ru_maxrss;
	fill_state(rep, &snap, status, timed_out, cpu_limit);
	fill_channels(rep, m, snap_stats);
}

double zvm_cell_cpu_limit(const struct zvm_manifest *m)
{
	return m->cpu_time > 0 && m->cpu_time < m->timeout ? m->cpu_time : m->timeout + 1.0;
}

uint64_t zvm_cell_stack_size(uint64_t memory)
{
	uint64_t stack = memory / 4;

	stack = stack < (64u << 10) ? (64u << 10) : stack > (8u << 20) ? (8u << 20) : stack;
	return stack & ~4095ull;
}

void zvm_cell_config(struct sfi_cell_config *cfg, const struct zvm_manifest *m, const struct sfi_image *img,
		     struct zvm_channel *ch, char **argv, const char **aliases, uint64_t stack_size)
{
	unsigned nargs = m->nargs < ZVM_MAX_ARGS ? m->nargs : ZVM_MAX_ARGS;
	unsigned nch = m->nchannels < ZVM_MAX_CHANNELS ? m->nchannels : ZVM_MAX_CHANNELS;

	argv[0] = base_name(m->program ? m->program : "program");
	for (unsigned i = 0; i < nargs; i++)
		argv[i + 1] = m->args[i];
	argv[nargs + 1] = NULL;
	for (unsigned i = 0; i < nch; i++)
		aliases[i] = m->channels[i].alias;
	*cfg = (struct sfi_cell_config){
		.img = img, .memory = m->memory,
		.stack_size = stack_size ? stack_size & ~4095ull : zvm_cell_stack_size(m->memory),
		.cpu_time = zvm_cell_cpu_limit(m), .argc = nargs + 1, .argv = argv,
		.envc = m->nenv < ZVM_MAX_ENV ? m->nenv : ZVM_MAX_ENV, .envp = m->env,
		.nchannels = nch, .channels = ch, .aliases = aliases,
		.seed = m->seed, .epoch_ns = m->epoch_ns, .deterministic = m->deterministic,
		.seccomp = true, .keep_fd = -1, .resume_fd = -1 };
}

int zvm_run(const struct zvm_manifest *m, const struct zvm_run_options *o, struct zvm_report *rep)
{
	struct zvm_channel ch[ZVM_MAX_CHANNELS];
	char *argv[ZVM_MAX_ARGS + 2];
	const char *aliases[ZVM_MAX_CHANNELS];
	struct sfi_image img;
	struct shared *sh;
	struct rusage ru;
	double t0 = now_s(), cpu;
	bool timed_out;
	int rc, status = 0;
	pid_t pid;

	memset(rep, 0, sizeof(*rep));
	/* Copied once into a sealed memfd and mapped from it; the digest only
	 * when the validation cache is asked (it reads every page). */
	rc = sfi_image_open(m->program, o->use_cache && !o->skip_validation ? SFI_IMAGE_DIGEST : 0,
			    &img, rep->message, sizeof(rep->message));
	if (rc < 0) {
		rep->state = ZVM_STATE_LOAD_ERROR;
		return 0;
	}
	rc = validate(m, o, &img, rep);
	if (rc != 0) {
		sfi_image_free(&img);
		if (rc < 0)
			rep->state = ZVM_STATE_LOAD_ERROR;
		return 0;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		rc = -errno;
		sfi_image_free(&img);
		return rc;
	}
	sh->result.state = STATE_UNSET;
	rc = zvm_channels_open(m, ch, sh->stats, rep->message, sizeof(rep->message));
	if (rc < 0) {
		/* a report was produced: the job could not be set up */
		rep->state = ZVM_STATE_LOAD_ERROR;
		rc = 0;
		goto out_unmap;
	}
	cpu = zvm_cell_cpu_limit(m);
	{
		struct sfi_cell_config cfg;

		zvm_cell_config(&cfg, m, &img, ch, argv, aliases, o->stack_size);
		if (o->argv0) /* a system map's exec.name or node name */
			argv[0] = (char *)o->argv0;
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			rc = -errno;
			snprintf(rep->message, sizeof(rep->message), "fork: %s", strerror(errno));
			zvm_channels_close(ch, m->nchannels);
			goto out_unmap;
		}
		if (pid == 0)
			sfi_cell_enter(&cfg, &sh->result);
	}
	/* The worker holds the channels now; the parent's copies would keep
	 * pipes open past the worker's end. */
	zvm_channels_close(ch, m->nchannels);
	rc = reap(pid, m->timeout, &status, &ru, &timed_out);
	rep->wall_s = now_s() - t0;
	zvm_report_fill(rep, &sh->result, sh->stats, m, status, &ru, timed_out, cpu);
	rc = 0;
out_unmap:
	munmap(sh, sizeof(*sh));
	sfi_image_free(&img);
	return rc;
}
