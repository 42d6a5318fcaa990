/*
 * brief.c — the one line a job that did not end ok prints (docs/report.md),
 * for `zvm run`, `zvm submit` and each node of a map, whichever runner:
 * the limit that applied, as far as this side knows it.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "client/zvm-client.h"

static void bytes_text(char *buf, size_t len, uint64_t b)
{
	if (b && !(b & ((1ull << 30) - 1)))
		snprintf(buf, len, "%llu GiB", (unsigned long long)(b >> 30));
	else if (b && !(b & ((1ull << 20) - 1)))
		snprintf(buf, len, "%llu MiB", (unsigned long long)(b >> 20));
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)b);
}

/* The limit that applied, as far as this side knows it: zvm run's own
 * values are exact; zvmd applies its defaults and caps to a submitted job. */
static void limit_text(char *buf, size_t len, const struct zvm_manifest *m, bool exact, unsigned given,
		       double seconds, const char *what)
{
	if (exact)
		snprintf(buf, len, "%s limit %g s", what, seconds);
	else if (m->given & given)
		snprintf(buf, len, "%s limit asked %g s, zvmd caps it", what, seconds);
	else
		snprintf(buf, len, "zvmd's default %s limit", what);
}

void zvm_client_report_brief(char *buf, size_t len, const struct zvm_manifest *m, bool exact,
			     const struct zvm_report *r)
{
	char lim[96];

	switch (r->state) {
	case ZVM_STATE_OK:
		snprintf(buf, len, "ok, exit code %d", r->exit_code);
		break;
	case ZVM_STATE_TIMEOUT:
		limit_text(lim, sizeof(lim), m, exact, ZVM_GIVEN_TIMEOUT, m->timeout, "wall");
		snprintf(buf, len, "timeout after %.2f s (%s)", r->wall_s, lim);
		break;
	case ZVM_STATE_CPU_LIMIT: {
		/* zvm run without a CPU limit of its own backs the wall limit
		 * up with one a second above it (sfi/run.c) */
		double cpu = m->cpu_time > 0 && m->cpu_time < m->timeout ? m->cpu_time : m->timeout + 1;
		limit_text(lim, sizeof(lim), m, exact, ZVM_GIVEN_CPU_TIME, exact ? cpu : m->cpu_time, "cpu");
		snprintf(buf, len, "cpu limit after %.2f s of CPU (%s)", r->cpu_user_s + r->cpu_sys_s, lim);
		break;
	}
	case ZVM_STATE_MEMORY_LIMIT: {
		char what[128] = "zvmd's default";

		bytes_text(lim, sizeof(lim), m->memory);
		if (!exact && (m->given & ZVM_GIVEN_MEMORY))
			snprintf(what, sizeof(what), "asked %s, zvmd caps it", lim);
		if (exact)
			snprintf(buf, len, "memory limit %s reached (%u heap request%s refused%s)", lim,
				 r->heap_refused, r->heap_refused == 1 ? "" : "s", r->oom ? ", cgroup OOM kill" : "");
		else
			snprintf(buf, len, "memory limit reached (%s; %u heap request%s refused%s)", what,
				 r->heap_refused, r->heap_refused == 1 ? "" : "s", r->oom ? ", cgroup OOM kill" : "");
		break;
	}
	case ZVM_STATE_SIGNAL:
		snprintf(buf, len, "killed by signal %d (%s) at 0x%llx (pc 0x%llx%s)%s", r->signal,
			 r->signal > 0 && r->signal < 65 ? strsignal(r->signal) : "unknown",
			 (unsigned long long)r->fault_addr, (unsigned long long)r->fault_pc,
			 r->fault_in_sandbox ? "" : ", in trusted code", r->oom ? ", cgroup OOM kill" : "");
		break;
	case ZVM_STATE_VALIDATION_FAILED:
		snprintf(buf, len, "validation failed: %s at offset 0x%llx: %s",
			 r->verdict.rule ? r->verdict.rule : "?", (unsigned long long)r->verdict.offset,
			 r->verdict.disasm);
		break;
	case ZVM_STATE_SECCOMP:
		snprintf(buf, len, "seccomp violation: %s (%d) at pc 0x%llx", r->syscall_name[0] ? r->syscall_name : "?",
			 r->syscall_nr, (unsigned long long)r->fault_pc);
		break;
	case ZVM_STATE_LOAD_ERROR:
	case ZVM_STATE_INTERNAL_ERROR:
		snprintf(buf, len, "%s: %s", zvm_state_name(r->state), r->message[0] ? r->message : "(no message)");
		break;
	default:
		snprintf(buf, len, "%s", zvm_state_name(r->state));
	}
	/* One line, whatever a message or an instruction holds. */
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}
