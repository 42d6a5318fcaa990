/*
 * test_config.c — zvmd's configuration file (supervisor/config.c): every
 * key takes a valid value and refuses a bad one naming file and line; the
 * file's syntax (comments, blank lines, '=', long lines); the cross-checks;
 * loading from a file; and the defaults documented in docs/zvmd.md.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <fcntl.h>
#include <unistd.h>

#include "supervisor/config.h"

static char long_str[300];

/* One row per key: a line that parses, what it sets in the expected
 * config, and a value the key refuses. */
#define SET(name, stmt) static void set_##name(struct zvmd_config *x) { stmt; }
SET(pool_size, x->pool_size = 16)
SET(queue_max, x->queue_max = 0)
SET(socket, strcpy(x->socket_path, "/tmp/z=1.sock"))
SET(socket_mode, x->socket_mode = 0600)
SET(socket_group, strcpy(x->socket_group, "zvm"))
SET(allowed_group, strcpy(x->allowed_group, "users"))
SET(uid_base, x->uid_base = 3000000)
SET(gid_base, x->gid_base = 3000001)
SET(cgroup_parent, strcpy(x->cgroup_parent, "a/b"))
SET(deny_sockets_bpf, x->deny_sockets_bpf = false)
SET(image_cache, x->image_cache = 1)
SET(image_cache_bytes, x->image_cache_bytes = 3ull << 30)
SET(max_connections, x->max_connections = 10)
SET(uid_connections, x->uid_connections = 2)
SET(uid_queued, x->uid_queued = 3)
SET(uid_cache_bytes, x->uid_cache_bytes = 4096)
SET(request_timeout, x->request_timeout = 0.25)
SET(validate_timeout, x->validate_timeout = 120)
SET(validators, x->validators = 64)
SET(validator_uid, x->validator_uid = 1234)
SET(validator_path, strcpy(x->validator_path, "/usr/libexec/zvm-validator"))
SET(worker_path, strcpy(x->worker_path, "/usr/libexec/zvm-worker"))
SET(default_memory, x->limits.default_memory = 1ull << 30)
SET(max_memory, x->limits.max_memory = 8ull << 30)
SET(default_timeout, x->limits.default_timeout = 1.5)
SET(max_timeout, x->limits.max_timeout = 7200)
SET(default_cpu_time, x->limits.default_cpu_time = 0.5)
SET(max_cpu_time, x->limits.max_cpu_time = 60)
SET(map_nodes, x->map_nodes = 100)
SET(uid_map_nodes, x->uid_map_nodes = 200)
SET(uid_map_fds, x->uid_map_fds = 300)
SET(map_timeout, x->map_timeout = 90)
SET(templates_max, x->templates_max = 16)
SET(uid_templates, x->uid_templates = 2)

static const struct row {
	const char *key, *good;
	void (*set)(struct zvmd_config *);
	const char *bad; /* NULL: long_str, a string too long for any field */
} rows[] = {
	{ "pool_size", "16", set_pool_size, "-1" },
	{ "queue_max", "0", set_queue_max, "4294967296" },
	{ "socket", "/tmp/z=1.sock", set_socket, NULL },
	{ "socket_mode", "0600", set_socket_mode, "0989" },
	{ "socket_group", "zvm", set_socket_group, NULL },
	{ "allowed_group", "users", set_allowed_group, NULL },
	{ "uid_base", "3000000", set_uid_base, "3e6" },
	{ "gid_base", "3000001", set_gid_base, "" },
	{ "cgroup_parent", "a/b", set_cgroup_parent, NULL },
	{ "deny_sockets_bpf", "no", set_deny_sockets_bpf, "maybe" },
	{ "image_cache", "1", set_image_cache, "1k" },
	{ "image_cache_bytes", "3G", set_image_cache_bytes, "3GB" },
	{ "max_connections", "10", set_max_connections, "ten" },
	{ "uid_connections", "2", set_uid_connections, "2.0" },
	{ "uid_queued", "3", set_uid_queued, "0x3" },
	{ "uid_cache_bytes", "4 KiB", set_uid_cache_bytes, "-4K" },
	{ "request_timeout", "250ms", set_request_timeout, "0" },
	{ "validate_timeout", "2 min", set_validate_timeout, "2m" },
	{ "validators", "64", set_validators, "+-1" },
	{ "validator_uid", "1234", set_validator_uid, "-5" },
	{ "validator_path", "/usr/libexec/zvm-validator", set_validator_path, NULL },
	{ "worker_path", "/usr/libexec/zvm-worker", set_worker_path, NULL },
	{ "default_memory", "1G", set_default_memory, "1.5G" },
	{ "max_memory", "8 GiB", set_max_memory, "lots" },
	{ "default_timeout", "1.5", set_default_timeout, "1e0" },
	{ "max_timeout", "2h", set_max_timeout, "inf" },
	{ "default_cpu_time", "500ms", set_default_cpu_time, "nan" },
	{ "max_cpu_time", "60s", set_max_cpu_time, "60 sec" },
	{ "map_nodes", "100", set_map_nodes, "1e2" },
	{ "uid_map_nodes", "200", set_uid_map_nodes, "-200" },
	{ "uid_map_fds", "300", set_uid_map_fds, "3OO" },
	{ "map_timeout", "1.5 min", set_map_timeout, "90 s." },
	{ "templates_max", "16", set_templates_max, "16 templates" },
	{ "uid_templates", "2", set_uid_templates, "two" },
};

static void parse_ok(struct zvmd_config *c, const char *text)
{
	char err[512] = "";

	zvmd_config_defaults(c);
	if (zvmd_config_parse(c, text, "z.conf", err, sizeof(err)) != 0)
		fail_msg("'%s' refused: %s", text, err);
}

/* text is refused with a message that starts with "z.conf:LINE: " (or
 * "z.conf: " for line 0, a cross-check) and contains why. */
static void parse_bad(const char *text, unsigned line, const char *why)
{
	struct zvmd_config c;
	char err[512] = "", want[32];

	zvmd_config_defaults(&c);
	if (zvmd_config_parse(&c, text, "z.conf", err, sizeof(err)) != -22)
		fail_msg("'%s' accepted", text);
	if (line)
		snprintf(want, sizeof(want), "z.conf:%u: ", line);
	else
		snprintf(want, sizeof(want), "z.conf: ");
	if (strncmp(err, want, strlen(want)) || !strstr(err, why))
		fail_msg("'%s': message '%s', want '%s...%s'", text, err, want, why);
}

static void test_every_key(void **state)
{
	(void)state;
	memset(long_str, 'x', sizeof(long_str) - 1);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct zvmd_config got, want;
		char text[512], why[512];

		/* good: that field and no other changes */
		snprintf(text, sizeof(text), "# row %zu\n\n  %s   =  %s  \n", i, r->key, r->good);
		parse_ok(&got, text);
		zvmd_config_defaults(&want);
		r->set(&want);
		if (memcmp(&got, &want, sizeof(got)))
			fail_msg("'%s = %s' set something else", r->key, r->good);
		/* bad: refused, naming file, line, value and key */
		snprintf(text, sizeof(text), "# row %zu\n\n%s = %s\n", i, r->key, r->bad ? r->bad : long_str);
		snprintf(why, sizeof(why), "bad value '%s' for %s (", r->bad ? r->bad : long_str, r->key);
		parse_bad(text, 3, why);
	}
}

static void test_syntax(void **state)
{
	struct zvmd_config c;
	char text[2100];

	(void)state;
	/* comments, blank and white lines, CRLF, no spaces, no final newline */
	parse_ok(&c, "# zvmd\n\n   \n\t# indented comment\r\npool_size=3\r\nqueue_max = 9");
	assert_int_equal(c.pool_size, 3);
	assert_int_equal(c.queue_max, 9);
	parse_ok(&c, "");
	assert_int_equal(c.pool_size, 8);
	/* the last of a repeated key wins */
	parse_ok(&c, "pool_size = 3\npool_size = 4\n");
	assert_int_equal(c.pool_size, 4);
	/* a value may contain '=' and spaces; only leading/trailing white goes */
	parse_ok(&c, "allowed_group =  a b=c \n");
	assert_string_equal(c.allowed_group, "a b=c");
	parse_bad("pool_size = 3\nsizeofpool = 3\n", 2, "unknown key 'sizeofpool'");
	parse_bad("Pool_Size = 3\n", 1, "unknown key 'Pool_Size'"); /* case matters */
	parse_bad("= 3\n", 1, "unknown key ''");
	parse_bad("\n\npool_size 3\n", 3, "expected 'key = value'");
	parse_bad("[zvmd]\n", 1, "expected 'key = value'");
	/* a comment ends at the line's end, not at '#' within a value */
	parse_bad("pool_size = 3 # three\n", 1, "bad value '3 # three'");
	/* 1023 bytes is a line; 1024 is too long (even a comment) */
	memset(text, 0, sizeof(text));
	text[0] = '#';
	memset(text + 1, 'c', 1022);
	strcat(text, "\npool_size = 2\n");
	parse_ok(&c, text);
	assert_int_equal(c.pool_size, 2);
	memset(text, 0, sizeof(text));
	strcpy(text, "pool_size = 2\n#");
	memset(text + strlen(text), 'c', 1023);
	parse_bad(text, 2, "line longer than 1023 bytes");
	/* a string exactly as long as its field allows, and one more */
	memset(text, 0, sizeof(text));
	strcpy(text, "socket = ");
	memset(text + strlen(text), 's', 107);
	parse_ok(&c, text);
	assert_int_equal(strlen(c.socket_path), 107);
	strcat(text, "s");
	parse_bad(text, 1, "bad value");
}

static void test_cross_checks(void **state)
{
	struct zvmd_config c;

	(void)state;
	parse_bad("pool_size = 0\n", 0, "pool_size must be 1..4096");
	parse_bad("pool_size = 4097\n", 0, "pool_size must be 1..4096");
	parse_ok(&c, "pool_size = 4096\n");
	parse_ok(&c, "pool_size = 1\n");
	parse_bad("validators = 0\n", 0, "validators (1..64)");
	parse_bad("validators = 65\n", 0, "validators (1..64)");
	parse_ok(&c, "validators = 1\n");
	parse_bad("image_cache = 0\n", 0, "image_cache");
	parse_bad("max_connections = 0\n", 0, "max_connections");
	parse_bad("uid_connections = 0\n", 0, "uid_connections");
	parse_bad("uid_queued = 0\n", 0, "uid_queued");
	parse_bad("map_nodes = 0\n", 0, "map_nodes");
	parse_bad("uid_map_nodes = 0\n", 0, "uid_map_nodes");
	parse_bad("uid_map_fds = 0\n", 0, "uid_map_fds");
	parse_bad("templates_max = 0\n", 0, "templates_max and uid_templates");
	parse_bad("uid_templates = 0\n", 0, "templates_max and uid_templates");
	parse_bad("default_memory = 3G\n", 0, "default_memory exceeds max_memory");
	parse_bad("max_memory = 128M\n", 0, "default_memory exceeds max_memory");
	parse_ok(&c, "max_memory = 256M\n"); /* equal is fine */
	parse_bad("default_timeout = 601\n", 0, "default_timeout (601) exceeds max_timeout (600)");
	parse_bad("max_timeout = 5\n", 0, "default_timeout (10) exceeds max_timeout (5)");
	parse_ok(&c, "max_timeout = 10\n");
	parse_bad("default_cpu_time = 11 min\n", 0, "default_cpu_time (660) exceeds max_cpu_time (600)");
	parse_bad("max_cpu_time = 1\n", 0, "default_cpu_time (10) exceeds max_cpu_time (1)");
	/* both raised together, in either order */
	parse_ok(&c, "default_timeout = 20 min\nmax_timeout = 1h\n");
	assert_true(c.limits.default_timeout == 1200);
}

/* The identities zvmd runs others as: slot i is uid_base + i and
 * gid_base + i, the validator helpers validator_uid (uid_base - 1 by
 * default). None may be root, (uid_t)-1 ("unchanged" to setresuid) or
 * wrap around, and a helper must not share a worker's uid. */
static void test_identities(void **state)
{
	struct zvmd_config c;

	(void)state;
	parse_bad("uid_base = 0\n", 0, "uid_base");
	parse_bad("gid_base = 0\n", 0, "gid_base");
	parse_bad("uid_base = 1\n", 0, "validator"); /* the helper would be uid 0 */
	parse_ok(&c, "uid_base = 1\nvalidator_uid = 5000\n");
	parse_bad("uid_base = 4294967288\n", 0, "uid_base"); /* slot 7 is (uid_t)-1 */
	parse_ok(&c, "uid_base = 4294967287\n");             /* slot 7 is 4294967294 */
	parse_bad("gid_base = 4294967295\n", 0, "gid_base");
	parse_bad("pool_size = 4096\nuid_base = 4294963200\n", 0, "uid_base");
	parse_bad("validator_uid = 4294967295\n", 0, "validator_uid");
	parse_bad("validator_uid = 2100000000\n", 0, "validator_uid"); /* slot 0's */
	parse_bad("validator_uid = 2100000007\n", 0, "validator_uid"); /* slot 7's */
	parse_ok(&c, "validator_uid = 2100000008\n");
	parse_bad("socket_mode = 01777\n", 1, "bad value '01777' for socket_mode");
	parse_ok(&c, "socket_mode = 0777\n");
}

static void test_load(void **state)
{
	struct zvmd_config c;
	char path[] = "/tmp/zvm-config-XXXXXX", err[512] = "";
	int fd = mkstemp(path);
	char *big;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "pool_size = 5\nbogus = 1\n", 24), 24);
	zvmd_config_defaults(&c);
	assert_int_equal(zvmd_config_load(&c, path, err, sizeof(err)), -22);
	assert_true(!strncmp(err, path, strlen(path)) && strstr(err, ":2: unknown key 'bogus'"));
	/* a NUL byte is not silently the end of the file */
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, "pool_size = 5\n\0bogus = 1\n", 25, 0), 25);
	assert_int_equal(zvmd_config_load(&c, path, err, sizeof(err)), -22);
	assert_non_null(strstr(err, "NUL"));
	/* too large */
	big = malloc(70000);
	assert_non_null(big);
	memset(big, '\n', 70000);
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, big, 70000, 0), 70000);
	assert_int_equal(zvmd_config_load(&c, path, err, sizeof(err)), -27 /* EFBIG */);
	assert_non_null(strstr(err, "larger than"));
	free(big);
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, "queue_max = 7\n", 14, 0), 14);
	zvmd_config_defaults(&c);
	err[0] = '\0';
	if (zvmd_config_load(&c, path, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.queue_max, 7);
	close(fd);
	unlink(path);
	assert_int_equal(zvmd_config_load(&c, path, err, sizeof(err)), -2 /* ENOENT */);
	assert_true(!strncmp(err, path, strlen(path)));
}

/* docs/zvmd.md, "Configuration": the table's defaults. */
static void test_documented_defaults(void **state)
{
	struct zvmd_config c;

	(void)state;
	zvmd_config_defaults(&c);
	assert_int_equal(c.pool_size, 8);
	assert_int_equal(c.queue_max, 256);
	assert_string_equal(c.socket_path, "/run/zvm.sock");
	assert_int_equal(c.socket_mode, 0660);
	assert_string_equal(c.socket_group, "");  /* root's */
	assert_string_equal(c.allowed_group, ""); /* anyone who can connect */
	assert_int_equal(c.uid_base, 2100000000u);
	assert_int_equal(c.gid_base, 2100000000u);
	assert_string_equal(c.cgroup_parent, "zvm");
	assert_true(c.deny_sockets_bpf);
	assert_int_equal(c.image_cache, 256);
	assert_int_equal(c.image_cache_bytes, 1ull << 30);
	assert_int_equal(c.uid_cache_bytes, 256ull << 20);
	assert_int_equal(c.max_connections, 4096);
	assert_int_equal(c.uid_connections, 64);
	assert_int_equal(c.uid_queued, 64);
	assert_true(c.request_timeout == 5);
	assert_true(c.validate_timeout == 30);
	assert_int_equal(c.validators, 2);
	assert_int_equal(c.validator_uid, 0); /* uid_base - 1 */
	assert_string_equal(c.validator_path, ""); /* beside zvmd */
	assert_string_equal(c.worker_path, "");
	assert_int_equal(c.limits.default_memory, 256ull << 20);
	assert_int_equal(c.limits.max_memory, 2ull << 30);
	assert_true(c.limits.default_timeout == 10 && c.limits.max_timeout == 600);
	assert_true(c.limits.default_cpu_time == 10 && c.limits.max_cpu_time == 600);
	/* and they pass their own cross-checks */
	parse_ok(&c, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_cross_checks),
		cmocka_unit_test(test_identities),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_documented_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
