/*
 * test_maps.c — the system-map parser and expander (maps/): good maps
 * expanded as docs/system-map.md says (wildcards, count, substitution,
 * connect naming, order, replicate, swift:// under a root), and every
 * error with its JSON path, as a table.
 */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers" /* the table leaves root out */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "channels/channels.h"
#include "maps/maps.h"

static char dir[64];

static void touch(const char *name)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
}

static int setup(void **state)
{
	char p[256];

	snprintf(dir, sizeof(dir), "/tmp/test-maps-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/in", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/in/sub.txt", dir); /* a directory: never matched */
	mkdir(p, 0755);
	touch("in/log_b.txt");
	touch("in/log_a.txt");
	touch("in/log_c.txt");
	touch("in/.log_hidden.txt");
	touch("in/other.dat");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static int parse(const char *json, struct zvm_map *m, char *err, size_t len, const char *root)
{
	struct zvm_map_options o = { .dir = dir, .root = root };
	return zvm_map_parse(json, strlen(json), "job.json", &o, m, err, len);
}

static void check_path(const char *got, const char *rel)
{
	char want[256];

	snprintf(want, sizeof(want), "%s/%s", dir, rel);
	assert_string_equal(got, want);
}

static void test_wordcount_shape(void **state)
{
	static const char json[] =
		"[{\"name\":\"map\",\"exec\":{\"path\":\"mapper.nexe\",\"args\":\"-v  --top 10\"},"
		"  \"devices\":[{\"name\":\"stdin\",\"path\":\"in/log_*.txt\"},{\"name\":\"stdout\",\"path\":\"out/sorted_*.txt\"}],"
		"  \"connect\":[\"reduce\"]},"
		" {\"name\":\"reduce\",\"exec\":{\"path\":\"/abs/reducer.nexe\",\"name\":\"red\",\"env\":{\"LANG\":\"C\",\"X\":\"\"}},"
		"  \"devices\":[{\"name\":\"stdout\"}]}]";
	struct zvm_map m;
	char err[512];

	assert_int_equal(parse(json, &m, err, sizeof(err), NULL), 0);
	assert_int_equal(m.nnodes, 4);
	assert_int_equal(m.ngroups, 2);
	assert_int_equal(m.nedges, 3);
	/* sorted by path; the hidden file and the directory left out */
	assert_string_equal(m.node[0].name, "map-1");
	assert_string_equal(m.node[2].name, "map-3");
	check_path(m.node[0].dev_path[ZVM_MAP_STDIN], "in/log_a.txt");
	check_path(m.node[1].dev_path[ZVM_MAP_STDIN], "in/log_b.txt");
	check_path(m.node[2].dev_path[ZVM_MAP_STDIN], "in/log_c.txt");
	/* the matched text in the writable path */
	check_path(m.node[0].dev_path[ZVM_MAP_STDOUT], "out/sorted_a.txt");
	check_path(m.node[2].dev_path[ZVM_MAP_STDOUT], "out/sorted_c.txt");
	check_path(m.node[0].program, "mapper.nexe");
	/* args split on spaces, empty pieces dropped; argv[0] the node's name */
	assert_int_equal(m.node[0].nargs, 3);
	assert_string_equal(m.node[0].args[0], "-v");
	assert_string_equal(m.node[0].args[2], "10");
	assert_string_equal(m.node[0].argv0, "map-1");
	/* one node: the bare name; exec.name overrides argv[0]; absolute as is */
	assert_string_equal(m.node[3].name, "reduce");
	assert_string_equal(m.node[3].argv0, "red");
	assert_string_equal(m.node[3].program, "/abs/reducer.nexe");
	assert_true(m.node[3].listed[ZVM_MAP_STDOUT]);
	assert_null(m.node[3].dev_path[ZVM_MAP_STDOUT]);
	assert_int_equal(m.node[3].nenv, 2);
	assert_string_equal(m.node[3].env[0], "LANG=C");
	assert_string_equal(m.node[3].env[1], "X=");
	assert_int_equal(m.node[3].nin, 3);
	assert_int_equal(m.node[0].nout, 1);
	assert_int_equal(m.node[0].out[0], 3);
	assert_int_equal(m.order[3], 3);
	zvm_map_free(&m);
}

/* The order follows the edges, not the file: a reducer listed first runs last. */
static void test_order_and_count(void **state)
{
	static const char json[] =
		"[{\"name\":\"sink\",\"exec\":{\"path\":\"s\"}},"
		" {\"name\":\"mid\",\"exec\":{\"path\":\"m\",\"args\":[\"a b\",\"\"]},\"count\":2,\"connect\":[\"sink\"],"
		"  \"devices\":[{\"name\":\"output\",\"path\":\"out/*.res\"}]},"
		" {\"name\":\"src\",\"exec\":{\"path\":\"s\"},\"connect\":[\"mid\"],\"replicate\":3}]";
	struct zvm_map m;
	char err[512];

	assert_int_equal(parse(json, &m, err, sizeof(err), NULL), 0);
	assert_int_equal(m.nnodes, 4);
	assert_string_equal(m.node[1].name, "mid-1");
	assert_string_equal(m.node[2].name, "mid-2");
	check_path(m.node[2].dev_path[ZVM_MAP_OUTPUT], "out/mid-2.res");
	assert_int_equal(m.node[1].nargs, 2);
	assert_string_equal(m.node[1].args[0], "a b");
	assert_string_equal(m.node[1].args[1], "");
	assert_int_equal(m.node[3].replicate, 3);
	assert_int_equal(m.order[0], 3);
	assert_int_equal(m.order[1], 1);
	assert_int_equal(m.order[2], 2);
	assert_int_equal(m.order[3], 0);
	assert_int_equal(m.nedges, 4);
	zvm_map_free(&m);
}

static bool has_channel(const struct zvm_manifest *man, const char *alias, const char *uri)
{
	for (unsigned i = 0; i < man->nchannels; i++)
		if (!strcmp(man->channels[i].alias, alias) && (!uri || !strcmp(man->channels[i].uri, uri)))
			return true;
	return false;
}

/* a-i writes /dev/out/b-j (or /dev/out/b when b is one node); b-j reads /dev/in/a-i. */
static void test_connect_naming(void **state)
{
	static const char json[] =
		"[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"count\":2,\"connect\":[\"b\",\"c\"]},"
		" {\"name\":\"b\",\"exec\":{\"path\":\"p\"},\"count\":3},"
		" {\"name\":\"c\",\"exec\":{\"path\":\"p\"},"
		"  \"devices\":[{\"name\":\"stdout\"},{\"name\":\"image\",\"path\":\"in/other.dat\"}]}]";
	struct zvm_map_io io = { .spool = "/sp", .stdout_uri = "/cap/out" };
	struct zvm_manifest man;
	struct zvm_map m;
	char err[512];

	assert_int_equal(parse(json, &m, err, sizeof(err), NULL), 0);
	assert_int_equal(m.nedges, 2 * 3 + 2);
	assert_int_equal(zvm_map_manifest(&m, 1, &io, &man, err, sizeof(err)), 0);
	assert_string_equal(man.channels[0].alias, "/dev/stdin");
	assert_string_equal(man.channels[0].uri, "/dev/null");
	assert_string_equal(man.channels[1].alias, "/dev/stdout");
	assert_string_equal(man.channels[2].alias, "/dev/stderr");
	assert_true(has_channel(&man, "/dev/out/b-1", "/sp/edge-1-2"));
	assert_true(has_channel(&man, "/dev/out/b-3", "/sp/edge-1-4"));
	assert_true(has_channel(&man, "/dev/out/c", "/sp/edge-1-5"));
	assert_int_equal(man.nchannels, 3 + 4);
	zvm_manifest_free(&man);
	assert_int_equal(zvm_map_manifest(&m, 5, &io, &man, err, sizeof(err)), 0);
	assert_true(has_channel(&man, "/dev/in/a-1", "/sp/edge-0-5"));
	assert_true(has_channel(&man, "/dev/in/a-2", "/sp/edge-1-5"));
	assert_true(has_channel(&man, "/dev/stdout", "/cap/out"));
	assert_true(has_channel(&man, "/dev/image", NULL));
	assert_int_equal(man.channels[3].type, 1); /* image: random reads */
	zvm_manifest_free(&man);
	/* a replica writes into the spool, reads what the first reads */
	io.replica = 2;
	assert_int_equal(zvm_map_manifest(&m, 5, &io, &man, err, sizeof(err)), 0);
	assert_true(has_channel(&man, "/dev/stdout", "/sp/node-5-stdout.r2"));
	assert_true(has_channel(&man, "/dev/in/a-1", "/sp/edge-0-5"));
	zvm_manifest_free(&man);
	zvm_map_free(&m);
}

static void test_swift_root(void **state)
{
	static const char json[] =
		"[{\"name\":\"n\",\"exec\":{\"path\":\"swift://acct/bin/prog.nexe\"},"
		"  \"devices\":[{\"name\":\"stdin\",\"path\":\"swift://acct/in/log_*.txt\"},"
		"               {\"name\":\"output\",\"path\":\"swift://acct/out/deep/*.o\"}]}]";
	struct zvm_map m;
	char err[512];

	assert_int_equal(parse(json, &m, err, sizeof(err), dir), 0);
	assert_int_equal(m.nnodes, 3);
	check_path(m.node[0].program, "bin/prog.nexe");
	check_path(m.node[1].dev_path[ZVM_MAP_STDIN], "in/log_b.txt");
	check_path(m.node[1].dev_path[ZVM_MAP_OUTPUT], "out/deep/b.o");
	zvm_map_free(&m);
}

struct bad { const char *json, *err; const char *root; };

static const struct bad bad_maps[] = {
	{ "[", "job.json: line 1, column 1: ']' expected near end of file" },
	{ "{}", "job.json: expected a JSON array of nodes" },
	{ "[]", "job.json: no nodes" },
	{ "[1]", "job.json: [0]: expected an object (a node)" },
	{ "[{\"exec\":{\"path\":\"p\"}}]", "job.json: [0].name: missing" },
	{ "[{\"name\":\"a\"}]", "job.json: [0].exec: missing" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"conect\":[]}]",
	  "job.json: [0]: unknown key 'conect' (known: name, exec, devices, count, connect, replicate, limits, stream)" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\",\"argv\":\"x\"}}]",
	  "job.json: [0].exec: unknown key 'argv' (known: path, name, args, env)" },
	{ "[{\"name\":\"a\",\"exec\":{}}]", "job.json: [0].exec.path: missing" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":7}}]", "job.json: [0].exec.path: expected a string" },
	{ "[{\"name\":\"a b\",\"exec\":{\"path\":\"p\"}}]",
	  "job.json: [0].name: 'a b': names use letters, digits, '_', '-' and '.'" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\\n\"}}]", "job.json: [0].exec.path: control character 0x0a in string" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\",\"args\":[1]}}]", "job.json: [0].exec.args[0]: expected a string" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\",\"env\":{\"A\":1}}}]", "job.json: [0].exec.env.A: expected a string" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"devices\":[{\"name\":\"stdin\",\"path\":\"x\",\"mode\":1}]}]",
	  "job.json: [0].devices[0]: unknown key 'mode' (known: name, path)" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"devices\":[{\"name\":\"disk\",\"path\":\"x\"}]}]",
	  "job.json: [0].devices[0].name: unknown device 'disk' (known: stdin, stdout, stderr, input, output, image, script)" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"devices\":[{\"name\":\"output\"}]}]",
	  "job.json: [0].devices[0].path: missing (only stdout and stderr may go without one)" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"devices\":[{\"name\":\"stdout\"},{\"name\":\"stdout\"}]}]",
	  "job.json: [0].devices[1].name: 'stdout' is listed twice (first at [0].devices[0])" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"}},{\"name\":\"b\",\"exec\":{\"path\":\"p\"},"
	  "\"devices\":[{\"name\":\"stdin\",\"path\":\"in/*.csv\"}]}]",
	  "job.json: [1].devices[0].path: no file matches 'in/*.csv'" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"devices\":[{\"name\":\"stdin\",\"path\":\"nodir/*.txt\"}]}]",
	  "job.json: [0].devices[0].path: no file matches 'nodir/*.txt' (No such file or directory)" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"devices\":[{\"name\":\"stdin\",\"path\":\"*/log_a.txt\"}]}]",
	  "job.json: [0].devices[0].path: '*/log_a.txt': one '*', in the file name only" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"devices\":[{\"name\":\"stdin\",\"path\":\"in/*\"},"
	  "{\"name\":\"input\",\"path\":\"in/*.txt\"}]}]",
	  "job.json: [0].devices[1].path: a second wildcard (the first is in devices[0]): one per node" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"count\":2,\"devices\":[{\"name\":\"stdin\",\"path\":\"in/*.txt\"}]}]",
	  "job.json: [0].count: a node with a wildcard in [0].devices[0].path takes no count" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"*.nexe\"}}]", "job.json: [0].exec.path: a wildcard belongs in a device's path" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"count\":0}]", "job.json: [0].count: 0 is outside 1..1024" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"count\":\"2\"}]", "job.json: [0].count: expected an integer" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"replicate\":4}]", "job.json: [0].replicate: 4 is outside 1..3" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"}},{\"name\":\"a\",\"exec\":{\"path\":\"p\"}}]",
	  "job.json: [1].name: duplicate node name 'a' (also [0])" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"count\":2},{\"name\":\"a-2\",\"exec\":{\"path\":\"p\"}}]",
	  "job.json: [1].name: duplicate node name 'a-2' (made by [0] and [1])" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"connect\":[\"b\"]}]", "job.json: [0].connect[0]: no node named 'b'" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"connect\":[\"a\"]}]", "job.json: [0].connect: a cycle: a -> a" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"connect\":[\"b\"]},{\"name\":\"b\",\"exec\":{\"path\":\"p\"},\"connect\":[\"c\"]},"
	  "{\"name\":\"c\",\"exec\":{\"path\":\"p\"},\"connect\":[\"a\"]}]",
	  "job.json: [0].connect: a cycle: a -> b -> c -> a" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"connect\":[\"b\",\"b\"]},{\"name\":\"b\",\"exec\":{\"path\":\"p\"}}]",
	  "job.json: [0].connect[1]: 'b' is named twice" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"count\":2,\"devices\":[{\"name\":\"output\",\"path\":\"same\"}]}]",
	  "job.json: [0].devices[0].path: nodes a-1 and a-2 both write '" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"swift://acct/c/p\"}}]",
	  "job.json: [0].exec.path: 'swift://acct/c/p' needs --root (swift://account/container/object -> ROOT/container/object)" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"swift://acct/c/../../etc\"}}]",
	  "job.json: [0].exec.path: 'swift://acct/c/../../etc': empty, '.' or '..' component", "/r" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"swift://acct/c\"}}]",
	  "job.json: [0].exec.path: 'swift://acct/c' is not swift://account/container/object", "/r" },
	{ "[{\"name\":\"a\",\"name\":\"b\",\"exec\":{\"path\":\"p\"}}]",
	  "job.json: line 1, column 19: duplicate object key near '\"name\"'" },
	/* found by fuzz_map: a control byte in a key made a message two lines */
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"co\\nnect\":[]}]",
	  "job.json: [0]: unknown key 'co?nect' (known: name, exec, devices, count, connect, replicate, limits, stream)" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\",\"env\":{\"A\\u0001=\":\"v\"}}}]",
	  "job.json: [0].exec.env.A?=: a variable's name is 1 to 255 bytes without '='" },
	/* limits */
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"count\":1000},{\"name\":\"b\",\"exec\":{\"path\":\"p\"},\"count\":25}]",
	  "job.json: [1]: more than 1024 nodes in the map once expanded" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"count\":200,\"connect\":[\"b\"]},{\"name\":\"b\",\"exec\":{\"path\":\"p\"},\"count\":100}]",
	  "job.json: [0].connect: more than 16384 edges in the map" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"count\":62,\"connect\":[\"b\"]},{\"name\":\"b\",\"exec\":{\"path\":\"p\"}}]",
	  "job.json: [1]: node b would have 65 channels (at most 64: stdin, stdout, stderr, its devices and one per edge)" },
	{ "[{\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"exec\":{\"path\":\"p\"}}]",
	  "job.json: [0].name: a name is 1 to 48 bytes" },
	/* per-node limits: the manifest's keys, values and ranges */
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"limits\":[]}]", "job.json: [0].limits: expected an object" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"limits\":{\"memory\":\"64M\"}}]",
	  "job.json: [0].limits: unknown key 'memory' (known: Memory, Timeout, CpuTime)" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"limits\":{\"Memory\":\"64MB\"}}]",
	  "job.json: [0].limits.Memory: expected bytes (like 64M, \"1 GiB\" or 1048576) from 1M to 3G" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"limits\":{\"Memory\":\"4G\"}}]",
	  "job.json: [0].limits.Memory: expected bytes" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"limits\":{\"Memory\":1000}}]",
	  "job.json: [0].limits.Memory: expected bytes" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"limits\":{\"Memory\":-1048576}}]",
	  "job.json: [0].limits.Memory: expected bytes" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"limits\":{\"Memory\":1048576.0}}]",
	  "job.json: [0].limits.Memory: expected bytes" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"limits\":{\"Timeout\":\"2 days\"}}]",
	  "job.json: [0].limits.Timeout: expected seconds (like 2, 0.5 or \"500ms\") from 0.001 to 31536000" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"limits\":{\"Timeout\":0}}]",
	  "job.json: [0].limits.Timeout: expected seconds" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"limits\":{\"Timeout\":1e-5}}]",
	  "job.json: [0].limits.Timeout: expected seconds" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"limits\":{\"Timeout\":true}}]",
	  "job.json: [0].limits.Timeout: expected seconds" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"limits\":{\"CpuTime\":\"-1\"}}]",
	  "job.json: [0].limits.CpuTime: expected seconds" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"limits\":{\"Timeout\":1,\"CpuTime\":2}}]",
	  "job.json: [0].limits.CpuTime: 2 exceeds Timeout 1" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"limits\":{\"CpuTime\":\"11s\"}}]",
	  "job.json: [0].limits.CpuTime: 11 exceeds the default Timeout 10" },
	/* streamed edges: only where they cannot deadlock */
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"stream\":1}]", "job.json: [0].stream: expected true or false" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"stream\":true,\"connect\":[\"c\"]},"
	  "{\"name\":\"b\",\"exec\":{\"path\":\"p\"},\"connect\":[\"c\"]},{\"name\":\"c\",\"exec\":{\"path\":\"p\"}}]",
	  "job.json: [0].stream: c reads 2 edges, one of them streamed from a; a streamed edge must be its "
	  "destination's only input (cells cannot poll)" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"count\":2,\"stream\":true,\"connect\":[\"c\"]},"
	  "{\"name\":\"c\",\"exec\":{\"path\":\"p\"}}]",
	  "job.json: [0].stream: c reads 2 edges, one of them streamed from a-1;" },
	{ "[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"stream\":true,\"connect\":[\"c\"]},"
	  "{\"name\":\"c\",\"exec\":{\"path\":\"p\"},\"replicate\":2}]",
	  "job.json: [0].stream: a -> c: a streamed edge joins nodes of replicate 1 (a pipe is read once)" },
};

static void test_errors(void **state)
{
	unsigned bad = 0;

	for (size_t i = 0; i < sizeof(bad_maps) / sizeof(bad_maps[0]); i++) {
		struct zvm_map m;
		char err[512];
		int rc = parse(bad_maps[i].json, &m, err, sizeof(err), bad_maps[i].root);

		if (rc != -EINVAL || strncmp(err, bad_maps[i].err, strlen(bad_maps[i].err))) {
			print_error("map %zu: rc %d\n  got:  %s\n  want: %s\n", i, rc, err, bad_maps[i].err);
			bad++;
		}
		if (rc == 0)
			zvm_map_free(&m);
		assert_int_equal(m.nnodes, 0); /* nothing half-built left */
	}
	assert_int_equal(bad, 0);
}

static void test_arg_limit(void **state)
{
	char *json = malloc(4096), *p = json;
	struct zvm_map m;
	char err[512];

	p += sprintf(p, "[{\"name\":\"a\",\"exec\":{\"path\":\"p\",\"args\":\"");
	for (int i = 0; i < 257; i++)
		p += sprintf(p, "x ");
	sprintf(p, "\"}}]");
	assert_int_equal(parse(json, &m, err, sizeof(err), NULL), -EINVAL);
	assert_string_equal(err, "job.json: [0].exec.args: more than 256 arguments");
	/* 256 is fine */
	p = json + strlen("[{\"name\":\"a\",\"exec\":{\"path\":\"p\",\"args\":\"");
	for (int i = 0; i < 256; i++)
		p += sprintf(p, "x ");
	sprintf(p, "\"}}]");
	assert_int_equal(parse(json, &m, err, sizeof(err), NULL), 0);
	assert_int_equal(m.node[0].nargs, 256);
	zvm_map_free(&m);
	free(json);
}

static void test_load_relative_to_file(void **state)
{
	char path[256], err[512];
	struct zvm_map m;
	FILE *f;

	snprintf(path, sizeof(path), "%s/job.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[{\"name\":\"m\",\"exec\":{\"path\":\"prog.nexe\"},\"devices\":[{\"name\":\"stdin\",\"path\":\"in/log_*.txt\"}]}]", f);
	fclose(f);
	assert_int_equal(zvm_map_load(path, NULL, &m, err, sizeof(err)), 0);
	assert_int_equal(m.nnodes, 3);
	check_path(m.node[0].program, "prog.nexe");
	zvm_map_free(&m);
	snprintf(path, sizeof(path), "%s/missing.json", dir);
	assert_int_equal(zvm_map_load(path, NULL, &m, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "missing.json: No such file or directory"));
}

/* limits reach the node and its manifest, with the given bits */
static void test_limits(void **state)
{
	static const char json[] =
		"[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"limits\":{\"Memory\":\"64M\",\"Timeout\":2.5,\"CpuTime\":\"500ms\"}},"
		" {\"name\":\"b\",\"exec\":{\"path\":\"p\"},\"limits\":{\"Memory\":2097152,\"Timeout\":\"1 min\"}},"
		" {\"name\":\"c\",\"exec\":{\"path\":\"p\"},\"limits\":{}}]";
	struct zvm_map_io io = { .spool = "/s" };
	struct zvm_manifest man;
	struct zvm_map m;
	char err[512];

	assert_int_equal(parse(json, &m, err, sizeof(err), NULL), 0);
	assert_int_equal(zvm_map_manifest(&m, 0, &io, &man, err, sizeof(err)), 0);
	assert_int_equal(man.memory, 64ull << 20);
	assert_true(man.timeout == 2.5 && man.cpu_time == 0.5);
	assert_int_equal(man.given, ZVM_GIVEN_MEMORY | ZVM_GIVEN_TIMEOUT | ZVM_GIVEN_CPU_TIME);
	zvm_manifest_free(&man);
	assert_int_equal(zvm_map_manifest(&m, 1, &io, &man, err, sizeof(err)), 0);
	assert_int_equal(man.memory, 2ull << 20);
	assert_true(man.timeout == 60 && man.cpu_time == 0);
	assert_int_equal(man.given, ZVM_GIVEN_MEMORY | ZVM_GIVEN_TIMEOUT);
	zvm_manifest_free(&man);
	/* none given: the defaults, no given bits */
	assert_int_equal(zvm_map_manifest(&m, 2, &io, &man, err, sizeof(err)), 0);
	assert_int_equal(man.memory, ZVM_DEFAULT_MEMORY);
	assert_true(man.timeout == ZVM_DEFAULT_TIMEOUT);
	assert_int_equal(man.given, 0);
	zvm_manifest_free(&man);
	zvm_map_free(&m);
}

/* a streams to b and e, b to c; c -> d and d -> f are spooled. One set
 * headed by a (a, b, c, e), the pipe uris, and the spool's share only on
 * spooled edges. */
static void test_streams(void **state)
{
	static const char json[] =
		"[{\"name\":\"a\",\"exec\":{\"path\":\"p\"},\"stream\":true,\"connect\":[\"b\",\"e\"]},"
		" {\"name\":\"b\",\"exec\":{\"path\":\"p\"},\"stream\":true,\"connect\":[\"c\"]},"
		" {\"name\":\"c\",\"exec\":{\"path\":\"p\"},\"connect\":[\"d\"]},"
		" {\"name\":\"d\",\"exec\":{\"path\":\"p\"},\"replicate\":2,\"connect\":[\"f\"]},"
		" {\"name\":\"e\",\"exec\":{\"path\":\"p\"}},"
		" {\"name\":\"f\",\"exec\":{\"path\":\"p\"},\"stream\":false}]";
	struct zvm_map m;
	struct zvm_manifest man;
	char err[512];
	int in_fd[1] = { 7 }, out_fd[2] = { 8, 9 };

	assert_int_equal(parse(json, &m, err, sizeof(err), NULL), 0);
	assert_int_equal(m.node[0].stream_head, 0);
	assert_int_equal(m.node[0].stream_size, 4); /* a, b, c, e */
	assert_int_equal(m.node[1].stream_head, 0);
	assert_int_equal(m.node[2].stream_head, 0);
	assert_int_equal(m.node[4].stream_head, 0);
	assert_int_equal(m.node[3].stream_head, 3);
	assert_int_equal(m.node[3].stream_size, 1);
	assert_int_equal(m.node[5].stream_size, 1);
	/* spooled edge files: c->d once, d->f twice (two replicas) */
	assert_int_equal(zvm_map_spool_files(&m), 3);
	/* b: in from a by a pipe, out to c by a pipe */
	struct zvm_map_io io = { .spool = "/s", .in_fd = in_fd, .out_fd = out_fd, .edge_bytes = 100 };
	assert_int_equal(zvm_map_manifest(&m, 1, &io, &man, err, sizeof(err)), 0);
	assert_string_equal(man.channels[3].uri, "fd:7");
	assert_string_equal(man.channels[3].alias, "/dev/in/a");
	assert_string_equal(man.channels[4].uri, "fd:8");
	assert_string_equal(man.channels[4].alias, "/dev/out/c");
	assert_true(man.channels[4].max_write_bytes == ZVM_NO_LIMIT); /* a pipe takes no spool */
	zvm_manifest_free(&man);
	/* c: in by a pipe, out to d spooled with its share */
	assert_int_equal(zvm_map_manifest(&m, 2, &io, &man, err, sizeof(err)), 0);
	assert_string_equal(man.channels[3].uri, "fd:7");
	assert_string_equal(man.channels[4].uri, "/s/edge-2-3");
	assert_int_equal(man.channels[4].max_write_bytes, 100);
	zvm_manifest_free(&man);
	/* --dry-run: no fds */
	io = (struct zvm_map_io){ .spool = "$SPOOL" };
	assert_int_equal(zvm_map_manifest(&m, 0, &io, &man, err, sizeof(err)), 0);
	assert_string_equal(man.channels[3].uri, "$PIPE-0-1");
	assert_string_equal(man.channels[4].uri, "$PIPE-0-4");
	assert_true(man.channels[4].max_write_bytes == ZVM_NO_LIMIT); /* edge_bytes 0: no cap */
	zvm_manifest_free(&man);
	zvm_map_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wordcount_shape),
		cmocka_unit_test(test_order_and_count),
		cmocka_unit_test(test_connect_naming),
		cmocka_unit_test(test_swift_root),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_arg_limit),
		cmocka_unit_test(test_load_relative_to_file),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_streams),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
