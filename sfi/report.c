/*
 * report.c — the end-of-run report, as text for people and JSON for tools
 * (format in docs/report.md), and the exit status `zvm run` derives from it.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sfi/sfi.h"

static const char *const state_names[] = {
	[ZVM_STATE_OK] = "ok",
	[ZVM_STATE_TIMEOUT] = "timeout",
	[ZVM_STATE_CPU_LIMIT] = "cpu limit",
	[ZVM_STATE_MEMORY_LIMIT] = "memory limit",
	[ZVM_STATE_SIGNAL] = "killed by signal",
	[ZVM_STATE_VALIDATION_FAILED] = "validation failed",
	[ZVM_STATE_SECCOMP] = "seccomp violation",
	[ZVM_STATE_LOAD_ERROR] = "load error",
	[ZVM_STATE_INTERNAL_ERROR] = "internal error",
};

const char *zvm_state_name(enum zvm_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "unknown";
}

/* Exit statuses of `zvm run` (docs/report.md). Fixed numbers outside what
 * most programs use; the report tells them apart from a program's own. */
int zvm_state_exit_status(enum zvm_state s, int exit_code, int signal)
{
	switch (s) {
	case ZVM_STATE_OK:                return exit_code & 0xff;
	case ZVM_STATE_MEMORY_LIMIT:      return 122;
	case ZVM_STATE_CPU_LIMIT:         return 123;
	case ZVM_STATE_TIMEOUT:           return 124;
	case ZVM_STATE_LOAD_ERROR:        return 125;
	case ZVM_STATE_VALIDATION_FAILED: return 126;
	case ZVM_STATE_INTERNAL_ERROR:    return 127;
	case ZVM_STATE_SECCOMP:           return 128 + SIGSYS;
	case ZVM_STATE_SIGNAL:            return 128 + (signal > 0 && signal < 64 ? signal : 0);
	}
	return 127;
}

static void hex(char out[65], const uint8_t d[32])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void describe_state(char *buf, size_t len, const struct zvm_report *r)
{
	switch (r->state) {
	case ZVM_STATE_OK:
		snprintf(buf, len, "ok, exit code %d", r->exit_code);
		break;
	case ZVM_STATE_SIGNAL:
		snprintf(buf, len, "killed by signal %d (%s) at address 0x%llx, pc 0x%llx%s", r->signal,
			 strsignal(r->signal), (unsigned long long)r->fault_addr,
			 (unsigned long long)r->fault_pc, r->fault_in_sandbox ? "" : " (in trusted code)");
		break;
	case ZVM_STATE_VALIDATION_FAILED:
		snprintf(buf, len, "validation failed: rule %s at offset 0x%llx: %s", r->verdict.rule,
			 (unsigned long long)r->verdict.offset, r->verdict.disasm);
		break;
	case ZVM_STATE_SECCOMP:
		snprintf(buf, len, "seccomp violation: syscall %s (%d) at pc 0x%llx", r->syscall_name,
			 r->syscall_nr, (unsigned long long)r->fault_pc);
		break;
	case ZVM_STATE_MEMORY_LIMIT:
		snprintf(buf, len, "memory limit (%u heap requests refused)", r->heap_refused);
		break;
	case ZVM_STATE_LOAD_ERROR:
	case ZVM_STATE_INTERNAL_ERROR:
		snprintf(buf, len, "%s: %s", zvm_state_name(r->state), r->message);
		break;
	default:
		snprintf(buf, len, "%s", zvm_state_name(r->state));
	}
}

void zvm_report_print_text(FILE *f, const struct zvm_report *r)
{
	char what[768], digest[65];

	describe_state(what, sizeof(what), r);
	fprintf(f, "zvm: %s\n", what);
	fprintf(f, "zvm: wall %.6f s, cpu %.6f s user + %.6f s system, peak rss %llu KiB, heap %llu bytes%s\n",
		r->wall_s, r->cpu_user_s, r->cpu_sys_s, (unsigned long long)r->peak_rss_kib,
		(unsigned long long)r->heap_peak, r->validation_cached ? ", validation cached" : "");
	if (r->from_daemon)
		fprintf(f, "zvm: queued %.6f s, hand-out %.6f s, cgroup peak %llu bytes%s\n", r->queue_s,
			r->handout_s, (unsigned long long)r->cgroup_peak, r->oom ? ", OOM kill" : "");
	for (unsigned i = 0; i < r->nchannels; i++) {
		const struct zvm_channel_report *c = &r->ch[i];
		hex(digest, c->sha256);
		fprintf(f, "zvm: channel %u %s: %llu reads %llu bytes, %llu writes %llu bytes%s, sha256 %s\n", i,
			c->alias, (unsigned long long)c->reads, (unsigned long long)c->read_bytes,
			(unsigned long long)c->writes, (unsigned long long)c->write_bytes,
			c->limit_hit ? " (limit reached)" : "", digest);
	}
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void zvm_report_print_json(FILE *f, const struct zvm_report *r)
{
	char digest[65];

	fprintf(f, "{\"state\":");
	json_string(f, zvm_state_name(r->state));
	fprintf(f, ",\"exit_status\":%d", zvm_state_exit_status(r->state, r->exit_code, r->signal));
	if (r->state == ZVM_STATE_OK || r->state == ZVM_STATE_MEMORY_LIMIT)
		fprintf(f, ",\"exit_code\":%d", r->exit_code);
	if (r->state == ZVM_STATE_SIGNAL || r->state == ZVM_STATE_MEMORY_LIMIT)
		fprintf(f, ",\"signal\":%d,\"fault_address\":%llu,\"fault_pc\":%llu,\"fault_in_sandbox\":%s",
			r->signal, (unsigned long long)r->fault_addr, (unsigned long long)r->fault_pc,
			r->fault_in_sandbox ? "true" : "false");
	if (r->state == ZVM_STATE_SECCOMP) {
		fprintf(f, ",\"syscall\":");
		json_string(f, r->syscall_name);
		fprintf(f, ",\"syscall_nr\":%d", r->syscall_nr);
	}
	if (r->state == ZVM_STATE_VALIDATION_FAILED) {
		fprintf(f, ",\"validation\":{\"rule\":");
		json_string(f, r->verdict.rule ? r->verdict.rule : "");
		fprintf(f, ",\"offset\":%llu,\"address\":%llu,\"instruction\":",
			(unsigned long long)r->verdict.offset, (unsigned long long)r->verdict.address);
		json_string(f, r->verdict.disasm);
		fprintf(f, "}");
	}
	if (r->message[0]) {
		fprintf(f, ",\"message\":");
		json_string(f, r->message);
	}
	fprintf(f, ",\"wall_seconds\":%.6f,\"cpu_user_seconds\":%.6f,\"cpu_system_seconds\":%.6f",
		r->wall_s, r->cpu_user_s, r->cpu_sys_s);
	fprintf(f, ",\"validation_seconds\":%.6f,\"validation_cached\":%s", r->validate_s,
		r->validation_cached ? "true" : "false");
	fprintf(f, ",\"peak_rss_kib\":%llu,\"heap_peak_bytes\":%llu,\"heap_refused\":%u",
		(unsigned long long)r->peak_rss_kib, (unsigned long long)r->heap_peak, r->heap_refused);
	if (r->from_daemon)
		fprintf(f, ",\"queue_seconds\":%.6f,\"handout_seconds\":%.6f,\"cgroup_peak_bytes\":%llu,\"oom\":%s",
			r->queue_s, r->handout_s, (unsigned long long)r->cgroup_peak, r->oom ? "true" : "false");
	fprintf(f, ",\"channels\":[");
	for (unsigned i = 0; i < r->nchannels; i++) {
		const struct zvm_channel_report *c = &r->ch[i];
		hex(digest, c->sha256);
		fprintf(f, "%s{\"alias\":", i ? "," : "");
		json_string(f, c->alias);
		fprintf(f, ",\"reads\":%llu,\"read_bytes\":%llu,\"writes\":%llu,\"write_bytes\":%llu,"
			   "\"limit_reached\":%s,\"sha256\":\"%s\"}",
			(unsigned long long)c->reads, (unsigned long long)c->read_bytes,
			(unsigned long long)c->writes, (unsigned long long)c->write_bytes,
			c->limit_hit ? "true" : "false", digest);
	}
	fprintf(f, "]}\n");
}
