/*
 * test_report_brief.c — the one line `zvm run` and `zvm submit` print when
 * a run does not end ok (client/brief.c, through tools/zvm/job-report.c's
 * zvm_report_brief): per state, the detail
 * that explains it, and always exactly one line, whatever a message holds.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tools/zvm/job.h"

/* The printer is the zvm tool's and libzvm-client's, not libzvm's: compile
 * them in. */
#include "client/brief.c"
#include "tools/zvm/job-report.c"

static struct zvm_job run_job(void)
{
	struct zvm_job j = { .cmd = "zvm run", .limits_exact = true };

	j.m.memory = 64ull << 20;
	j.m.timeout = 2;
	j.m.cpu_time = 1;
	return j;
}

static void expect(const struct zvm_job *j, const struct zvm_report *r, const char *want)
{
	char line[1024];

	zvm_report_brief(line, sizeof(line), j, r);
	if (strcmp(line, want))
		fail_msg("got  '%s'\nwant '%s'", line, want);
}

static void test_states(void **state)
{
	struct zvm_job j = run_job();
	struct zvm_report r;

	(void)state;
	r = (struct zvm_report){ .state = ZVM_STATE_TIMEOUT, .wall_s = 2.004 };
	expect(&j, &r, "timeout after 2.00 s (wall limit 2 s)");
	r = (struct zvm_report){ .state = ZVM_STATE_CPU_LIMIT, .cpu_user_s = 0.75, .cpu_sys_s = 0.25 };
	expect(&j, &r, "cpu limit after 1.00 s of CPU (cpu limit 1 s)");
	r = (struct zvm_report){ .state = ZVM_STATE_MEMORY_LIMIT, .heap_refused = 3 };
	expect(&j, &r, "memory limit 64 MiB reached (3 heap requests refused)");
	r = (struct zvm_report){ .state = ZVM_STATE_SIGNAL, .signal = SIGSEGV, .fault_addr = 0xdeadbeef,
				 .fault_pc = 0x11005, .fault_in_sandbox = true };
	expect(&j, &r, "killed by signal 11 (Segmentation fault) at 0xdeadbeef (pc 0x11005)");
	r.fault_in_sandbox = false;
	expect(&j, &r, "killed by signal 11 (Segmentation fault) at 0xdeadbeef (pc 0x11005, in trusted code)");
	r = (struct zvm_report){ .state = ZVM_STATE_VALIDATION_FAILED,
				 .verdict = { .rule = "forbidden-instruction", .offset = 0x1f, .disasm = "syscall" } };
	expect(&j, &r, "validation failed: forbidden-instruction at offset 0x1f: syscall");
	r = (struct zvm_report){ .state = ZVM_STATE_SECCOMP, .syscall_nr = 39, .syscall_name = "getpid",
				 .fault_pc = 0x11007 };
	expect(&j, &r, "seccomp violation: getpid (39) at pc 0x11007");
	r = (struct zvm_report){ .state = ZVM_STATE_LOAD_ERROR, .message = "p.nexe: not a regular file" };
	expect(&j, &r, "load error: p.nexe: not a regular file");
	r = (struct zvm_report){ .state = ZVM_STATE_INTERNAL_ERROR };
	expect(&j, &r, "internal error: (no message)");
}

/* zvmd applies its own defaults and caps: the line says what is known. */
static void test_submitted(void **state)
{
	struct zvm_job j = run_job();
	struct zvm_report r;

	(void)state;
	j.limits_exact = false;
	r = (struct zvm_report){ .state = ZVM_STATE_TIMEOUT, .wall_s = 0.5 };
	expect(&j, &r, "timeout after 0.50 s (zvmd's default wall limit)");
	j.m.given = ZVM_GIVEN_TIMEOUT | ZVM_GIVEN_MEMORY;
	expect(&j, &r, "timeout after 0.50 s (wall limit asked 2 s, zvmd caps it)");
	r = (struct zvm_report){ .state = ZVM_STATE_MEMORY_LIMIT, .heap_refused = 1, .oom = true };
	expect(&j, &r, "memory limit reached (asked 64 MiB, zvmd caps it; 1 heap request refused, cgroup OOM kill)");
	j.m.given = 0;
	expect(&j, &r, "memory limit reached (zvmd's default; 1 heap request refused, cgroup OOM kill)");
}

/* A message from zvmd or an instruction text cannot add lines. */
static void test_one_line(void **state)
{
	struct zvm_job j = run_job();
	struct zvm_report r = { .state = ZVM_STATE_LOAD_ERROR, .message = "a\nzvm: ok\r\x1b[2J" };
	char line[1024];

	(void)state;
	expect(&j, &r, "load error: a?zvm: ok??[2J");
	r = (struct zvm_report){ .state = ZVM_STATE_VALIDATION_FAILED, .verdict = { .rule = NULL, .disasm = "x\ny" } };
	expect(&j, &r, "validation failed: ? at offset 0x0: x?y");
	memset(r.message, 'A', sizeof(r.message) - 1);
	r.message[sizeof(r.message) - 1] = '\0';
	r.state = ZVM_STATE_INTERNAL_ERROR;
	zvm_report_brief(line, 64, &j, &r); /* cut, never overrun */
	assert_int_equal(strlen(line), 63);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_submitted),
		cmocka_unit_test(test_one_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
