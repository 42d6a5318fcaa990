/*
 * test_report.c — zvm-compile's pure parts (compile/): the UTF-8 cleaner
 * as a table, the JSON report's fields, DT_NEEDED of a real binary, and
 * reading a source directory (nesting, a symlink, the size limit), the
 * compiler's seccomp filter.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "compile/compile.h"

static const struct {
	const char *in;
	size_t len;
	const char *out;
} utf8_rows[] = {
	{ "plain", 5, "plain" },
	{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },                       /* two bytes */
	{ "\xe2\x82\xac", 3, "\xe2\x82\xac" },                     /* three: the euro sign */
	{ "\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80" },             /* four */
	{ "a\xff" "b", 3, "a\xef\xbf\xbd" "b" },                   /* never valid */
	{ "\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd" },             /* an overlong '/' */
	{ "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* a surrogate */
	{ "\xf4\x90\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* past U+10FFFF */
	{ "cut \xe2\x82", 6, "cut \xef\xbf\xbd\xef\xbf\xbd" },     /* a sequence cut at the end */
	{ "nul\0in", 6, "nul\0in" },                               /* NUL kept: json_stringn takes it */
};

static void utf8_table(void **state)
{
	for (size_t i = 0; i < sizeof(utf8_rows) / sizeof(utf8_rows[0]); i++) {
		size_t n;
		char *o = zc_utf8_clean(utf8_rows[i].in, utf8_rows[i].len, &n);
		assert_non_null(o);
		assert_int_equal(n, strlen(utf8_rows[i].out) + (i == 9 ? 3 : 0));
		assert_memory_equal(o, utf8_rows[i].out, n);
		free(o);
	}
}

static void report_fields(void **state)
{
	char err[] = "main.c:1: error \xff";
	struct zc_result r = { .status = ZC_TIMEOUT, .exit_code = -1, .signal = 9, .err = err, .err_len = strlen(err),
			       .cpu_ms = 12, .wall_ms = 34, .memory_bytes = 56, .truncated = true };
	char *s = zc_result_json(&r);
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);

	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "timeout");
	assert_string_equal(json_string_value(json_object_get(j, "signal")), "SIGKILL");
	assert_int_equal(json_integer_value(json_object_get(j, "exit_code")), -1);
	assert_string_equal(json_string_value(json_object_get(j, "stdout")), "");
	assert_string_equal(json_string_value(json_object_get(j, "stderr")), "main.c:1: error \xef\xbf\xbd");
	assert_int_equal(json_integer_value(json_object_get(j, "cpu_ms")), 12);
	assert_int_equal(json_integer_value(json_object_get(j, "wall_ms")), 34);
	assert_int_equal(json_integer_value(json_object_get(j, "memory_bytes")), 56);
	assert_true(json_is_true(json_object_get(j, "truncated")));
	assert_null(strchr(s, '\n'));
	json_decref(j);
	free(s);
	r.signal = 0;
	r.status = ZC_OK;
	s = zc_result_json(&r);
	assert_non_null(strstr(s, "\"signal\":null"));
	assert_non_null(strstr(s, "\"status\":\"ok\""));
	free(s);
	assert_string_equal(zc_status_name(ZC_MEMORY), "memory");
	assert_string_equal(zc_status_name(ZC_OUTPUT), "output");
}

struct seen {
	bool libc, interp;
};

static int on_needed(const char *name, bool interp, void *data)
{
	struct seen *s = data;

	if (interp)
		s->interp = !strcmp(name, "/lib64/ld-linux-x86-64.so.2");
	else if (!strcmp(name, "libc.so.6"))
		s->libc = true;
	return 0;
}

static void elf_needed(void **state)
{
	struct seen s = { 0 };

	assert_int_equal(zc_elf_needed("/bin/sh", on_needed, &s), 0);
	assert_true(s.libc);
	assert_true(s.interp);
	assert_int_equal(zc_elf_needed("/etc/hostname", on_needed, &s), -ENOEXEC);
	assert_int_equal(zc_elf_needed("/nonexistent", on_needed, &s), -ENOENT);
}

static void put(const char *dir, const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void sources(void **state)
{
	char dir[] = "/tmp/test_report.XXXXXX", p[512], msg[512];
	struct zc_sources s;
	int c = 0;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(zc_sources_read(&s, dir, 1 << 20, msg, sizeof(msg)), -ENOENT);
	assert_non_null(strstr(msg, "no .c file"));
	put(dir, "main.c", "int main(void) { return 0; }\n");
	snprintf(p, sizeof(p), "%s/lib", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	put(dir, "lib/util.h", "int f(void);\n");
	assert_int_equal(zc_sources_read(&s, dir, 1 << 20, msg, sizeof(msg)), 0);
	assert_int_equal(s.n, 2);
	for (int i = 0; i < s.n; i++)
		c += !strcmp(s.f[i].name, "main.c") || !strcmp(s.f[i].name, "lib/util.h");
	assert_int_equal(c, 2);
	assert_int_equal(s.total, 29 + 13);
	zc_sources_free(&s);
	assert_int_equal(zc_sources_read(&s, dir, 30, msg, sizeof(msg)), -EFBIG);
	snprintf(p, sizeof(p), "%s/lib/passwd.h", dir);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_equal(zc_sources_read(&s, dir, 1 << 20, msg, sizeof(msg)), -ELOOP);
	assert_non_null(strstr(msg, "lib/passwd.h"));
	unlink(p);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
}

/* The compiler's filter, applied in a child: what it refuses is refused
 * with its errno, and what a compiler does still works. */
static void filter(void **state)
{
	pid_t p = fork();
	int ws;

	assert_true(p >= 0);
	if (p == 0) {
		char buf[4];
		int fds[2];
		pid_t q;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || zc_seccomp_apply() < 0)
			_exit(10);
		if (socket(AF_INET, SOCK_STREAM, 0) != -1 || errno != EPERM)
			_exit(11);
		if (socket(AF_UNIX, SOCK_STREAM, 0) != -1 || errno != EPERM)
			_exit(12);
		if (unshare(CLONE_NEWUSER) != -1 || errno != EPERM)
			_exit(13);
		if (syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL) != -1 || errno != EPERM)
			_exit(14);
		if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
			_exit(15);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != -1 || errno != EPERM)
			_exit(16);
		if (syscall(SYS_bpf, 0, NULL, 0) != -1 || errno != EPERM)
			_exit(17);
		if (mount("none", "/tmp", "tmpfs", 0, NULL) != -1 || errno != EPERM)
			_exit(18);
		/* what gcc does: pipes, fork, files, exec */
		if (pipe(fds) < 0 || write(fds[1], "ok", 2) != 2 || read(fds[0], buf, 2) != 2)
			_exit(20);
		if ((q = fork()) < 0)
			_exit(21);
		if (q == 0)
			_exit(0);
		if (waitpid(q, &ws, 0) != q || !WIFEXITED(ws))
			_exit(22);
		if (system("exit 3") == -1)
			_exit(23); /* popen/system: posix_spawn falls back from clone3 */
		_exit(0);
	}
	assert_int_equal(waitpid(p, &ws, 0), p);
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf8_table),
		cmocka_unit_test(report_fields),
		cmocka_unit_test(elf_needed),
		cmocka_unit_test(sources),
		cmocka_unit_test(filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
