/*
 * test_tenant.c — tenants of zvm serve (serve/tenant.c, serve/static.c):
 * the tokens file and its errors, bearer tokens, the token bucket over a
 * clock given by the test, the cells and CPU minutes of one tenant, the
 * images each tenant owns; and the playground's files (no way out of its
 * directory).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "serve/serve.h"

static const struct serve_quota q = { .concurrent = 2, .cpu_per_min = 1.0, .max_memory = 1 << 20,
				      .max_output = 1024, .rate = 2, .burst = 3, .max_timeout_ms = 1000 };

static char *write_tmp(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/test-tenant-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_tokens_file(void **state)
{
	struct serve_tenants ts;
	char err[256], *p;

	p = write_tmp("# comment\n\n0123456789abcdef alice\n0123456789ABCDEF alice # again\nfedcba9876543210 bob\n");
	assert_int_equal(serve_tenants_load(&ts, p, &q, err, sizeof(err)), 0);
	unlink(p);
	assert_int_equal(ts.n, 2);
	assert_int_equal(ts.ntokens, 3);
	assert_string_equal(serve_tenant_auth(&ts, "Bearer 0123456789ABCDEF")->name, "alice");
	assert_string_equal(serve_tenant_auth(&ts, "bearer fedcba9876543210")->name, "bob");
	assert_null(serve_tenant_auth(&ts, "Bearer 0123456789abcde"));   /* a prefix */
	assert_null(serve_tenant_auth(&ts, "Bearer 0123456789abcdef0")); /* longer */
	assert_null(serve_tenant_auth(&ts, "Basic 0123456789abcdef"));
	assert_null(serve_tenant_auth(&ts, NULL));
	serve_tenants_free(&ts);

	static const struct { const char *text, *error; } bad[] = {
		{ "0123456789abcdef\n", ":1: expected 'TOKEN TENANT'" },
		{ "0123456789abcdef a b\n", ":1: expected 'TOKEN TENANT'" },
		{ "# ok\nshort alice\n", ":2: a token of 5 characters is too short" },
		{ "0123456789abcdef ../x\n", ":1: tenant '../x'" },
		{ "0123456789abcdef a\n0123456789abcdef b\n", ":2: this token is given twice" },
		{ "# nothing\n", "no tokens" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = write_tmp(bad[i].text);
		err[0] = '\0';
		int rc = serve_tenants_load(&ts, p, &q, err, sizeof(err));
		unlink(p);
		if (rc != -1 || !strstr(err, bad[i].error))
			fail_msg("'%s': rc %d, '%s', wanted '%s'", bad[i].text, rc, err, bad[i].error);
	}
	assert_int_equal(serve_tenants_load(&ts, "/nonexistent/tokens", &q, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
}

static void test_bucket(void **state)
{
	struct serve_tenants ts;
	struct serve_tenant *t;
	double retry, rem, reset, now;

	assert_int_equal(serve_tenants_open(&ts, &q), 0);
	t = &ts.t[0];
	assert_ptr_equal(serve_tenant_auth(&ts, NULL), t);   /* no tokens: everyone is "local" */
	now = t->last_refill;
	for (int i = 0; i < 3; i++)
		assert_true(serve_tenant_take(t, now, &retry, &rem, &reset));
	assert_true(rem == 0);
	assert_false(serve_tenant_take(t, now, &retry, &rem, &reset));
	assert_true(retry > 0.49 && retry <= 0.5);          /* one token at 2 per second */
	assert_false(serve_tenant_take(t, now + 0.25, &retry, &rem, &reset));
	assert_true(serve_tenant_take(t, now + 0.5, &retry, &rem, &reset));
	/* a long pause fills the bucket to its burst, not beyond */
	for (int i = 0; i < 3; i++)
		assert_true(serve_tenant_take(t, now + 100, &retry, &rem, &reset));
	assert_false(serve_tenant_take(t, now + 100, &retry, &rem, &reset));
	assert_int_equal(t->refused, 3);
	serve_tenants_free(&ts);
}

static void test_cells_and_cpu(void **state)
{
	struct serve_tenants ts;
	struct serve_tenant *t;
	double retry, now;
	char why[256];

	assert_int_equal(serve_tenants_open(&ts, &q), 0);
	t = &ts.t[0];
	now = t->window_start;
	assert_int_equal(serve_tenant_begin(t, now, &retry, why, sizeof(why)), 0);
	assert_int_equal(serve_tenant_begin(t, now, &retry, why, sizeof(why)), 0);
	assert_int_equal(serve_tenant_begin(t, now, &retry, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "concurrent = 2"));
	serve_tenant_done(t, now + 1, 0.6);
	serve_tenant_done(t, now + 1, 0.6);
	/* 1.2 CPU seconds used of 1 per minute: refused until the minute ends */
	assert_int_equal(serve_tenant_begin(t, now + 2, &retry, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "cpu_per_minute = 1"));
	/* ceil(60 - ((now + 2) - now)): 58, or 59 when now + 2 crosses a
	 * power of two and rounds (run-all failed on it at 32768 s of uptime) */
	assert_true(retry >= 57 && retry <= 59);
	assert_int_equal(serve_tenant_begin(t, now + 60.5, &retry, why, sizeof(why)), 0);
	serve_tenants_free(&ts);
}

/* a map's cells: all of them at once or none (concurrent = 2) */
static void test_map_cells(void **state)
{
	struct serve_tenants ts;
	struct serve_tenant *t;
	double retry, now;
	char why[256];

	assert_int_equal(serve_tenants_open(&ts, &q), 0);
	t = &ts.t[0];
	now = t->window_start;
	assert_int_equal(serve_tenant_begin(t, now, &retry, why, sizeof(why)), 0);
	assert_int_equal(serve_tenant_begin_cells(t, now, 2, &retry, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "has 1 cells running and this needs 2 (concurrent = 2)"));
	assert_int_equal(t->active, 1); /* none taken */
	serve_tenant_done(t, now, 0);
	assert_int_equal(serve_tenant_begin_cells(t, now, 2, &retry, why, sizeof(why)), 0);
	assert_int_equal(t->active, 2);
	assert_int_equal(serve_tenant_begin(t, now, &retry, why, sizeof(why)), -1);
	serve_tenant_done_cells(t, now, 2, 0.25);
	assert_int_equal(t->active, 0);
	assert_true(t->cpu_used > 0.24 && t->cpu_used < 0.26);
	serve_tenants_free(&ts);
}

static void test_images(void **state)
{
	struct serve_tenants ts;
	char err[256], *p = write_tmp("aaaaaaaaaaaaaaaa alice\nbbbbbbbbbbbbbbbb bob\n");
	uint8_t d[32] = { 1, 2, 3 }, e[32] = { 9 };

	assert_int_equal(serve_tenants_load(&ts, p, &q, err, sizeof(err)), 0);
	unlink(p);
	struct serve_tenant *a = serve_tenant_named(&ts, "alice"), *b = serve_tenant_named(&ts, "bob");
	for (int i = 0; i < 40; i++) { /* grows past its first allocation */
		e[1] = (uint8_t)i;
		assert_int_equal(serve_tenant_add_image(a, e), 0);
	}
	assert_int_equal(serve_tenant_add_image(a, d), 0);
	assert_int_equal(serve_tenant_add_image(a, d), 0);
	assert_int_equal(a->nimages, 41);
	assert_true(serve_tenant_has_image(a, d));
	assert_false(serve_tenant_has_image(b, d));
	serve_tenants_free(&ts);
}

static void test_static(void **state)
{
	char dir[64] = "/tmp/test-static-XXXXXX", p[128];
	const char *ctype;
	uint64_t size;
	int dfd, fd;

	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/index.html", dir);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	snprintf(p, sizeof(p), "%s/sub", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/sub/app.js", dir);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	snprintf(p, sizeof(p), "%s/link.html", dir);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	snprintf(p, sizeof(p), "%s/.hidden", dir);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);

	fd = serve_static_open(dfd, "/", &ctype, &size);
	assert_true(fd >= 0);
	assert_string_equal(ctype, "text/html; charset=utf-8");
	close(fd);
	fd = serve_static_open(dfd, "/sub/app.js", &ctype, &size);
	assert_true(fd >= 0);
	assert_string_equal(ctype, "text/javascript; charset=utf-8");
	close(fd);
	static const char *const no[] = {
		"/../etc/passwd", "/sub/../../etc/passwd", "/sub/..", "/link.html", "/sub", "/sub/", "/.hidden",
		"/sub//app.js", "/./index.html", "/missing", "relative", "/dev/null", "//etc/passwd",
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		fd = serve_static_open(dfd, no[i], &ctype, &size);
		if (fd >= 0)
			fail_msg("%s was opened", no[i]);
	}
	close(dfd);
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	assert_int_equal(system(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens_file),
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_cells_and_cpu),
		cmocka_unit_test(test_map_cells),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_static),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
