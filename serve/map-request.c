/*
 * map-request.c — POST /v1/maps's body into a system map (serve.h): a
 * map in docs/system-map.md's format whose images are this tenant's
 * digests and whose devices are given inline, never by host path. The
 * body is rewritten into an ordinary map whose every path is one of ours
 * ("/zvm-serve/image/G", "/zvm-serve/in/N", "/zvm-serve/out/DEV/NODE")
 * and handed to maps/'s parser, so a map means over HTTP what it means to
 * `zvm map`: the same names, counts, edges, cycles refused, limits. No
 * path of the tenant's reaches the parser, so it reads no directory and
 * names no host file. Pure but for memory: fuzzed by
 * tests/fuzz/fuzz_serve_map.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps/maps.h"
#include "serve/serve.h"

#define IN_PREFIX  "/zvm-serve/in/"
#define OUT_PREFIX "/zvm-serve/out/"


static const char *const readable[] = { "stdin", "input", "image", "script", NULL };
static const char *const writable[] = { "stdout", "stderr", "output", NULL };

static bool among(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

/* One device of map[g].devices[k]: an inline input becomes the next
 * input, a written one a path of ours; anything else goes to the map
 * parser as it is, to be refused with its words. */
static int device(struct serve_map_req *mr, json_t *dev, unsigned g, size_t k, char *err, size_t errlen)
{
	json_t *name = json_object_get(dev, "name"), *content = json_object_get(dev, "content");
	json_t *enc = json_object_get(dev, "encoding");
	const char *key, *n;
	char path[96], jp[96];
	json_t *v;

	snprintf(jp, sizeof(jp), "map[%u].devices[%zu]", g, k);
	if (!json_is_object(dev))
		return serve_fail(err, errlen, "%s: must be an object {name, content, encoding}", jp);
	json_object_foreach(dev, key, v) {
		if (!strcmp(key, "path"))
			return serve_fail(err, errlen, "%s.path: a host path is not taken over HTTP: give an input as "
				    "content (and encoding), an output by its name alone", jp);
		if (strcmp(key, "name") && strcmp(key, "content") && strcmp(key, "encoding"))
			return serve_fail(err, errlen, "%s: unknown key '%.64s' (known: name, content, encoding)", jp, key);
	}
	if (!json_is_string(name))
		return 0; /* the parser says what a device's name must be */
	n = json_string_value(name);
	if (enc && (!json_is_string(enc) || !content))
		return serve_fail(err, errlen, "%s.encoding: a string (utf8, base64 or hex), with content", jp);
	if (among(n, writable)) {
		if (content)
			return serve_fail(err, errlen, "%s.content: %s is written by the node and returned in the answer: "
				    "it takes no content", jp, n);
		/* '*' is the node's name once expanded: one path per node */
		snprintf(path, sizeof(path), OUT_PREFIX "%s/*", n);
	} else if (among(n, readable)) {
		struct serve_bytes *b;
		if (!json_is_string(content))
			return serve_fail(err, errlen, "%s.content: %s needs its bytes inline (a string)", jp, n);
		if (mr->ninputs == SERVE_MAP_MAX_INPUTS)
			return serve_fail(err, errlen, "%s: more than %u inline inputs in one map", jp, SERVE_MAP_MAX_INPUTS);
		b = &mr->input[mr->ninputs];
		snprintf(path, sizeof(path), "%s.content", jp);
		if (serve_decode(path, json_string_value(content), json_string_length(content),
				 enc ? json_string_value(enc) : NULL, b, err, errlen) < 0)
			return -1;
		snprintf(path, sizeof(path), IN_PREFIX "%u", mr->ninputs++);
	} else {
		return serve_fail(err, errlen, "%s.name: unknown device '%.32s' (known: stdin, stdout, stderr, input, output, "
			    "image, script)", jp, n);
	}
	json_object_del(dev, "content");
	json_object_del(dev, "encoding");
	return json_object_set_new(dev, "path", json_string(path)) ? serve_fail(err, errlen, "out of memory") : 0;
}

/* map[g]: its exec's digest taken out, its devices rewritten. */
static int node(struct serve_map_req *mr, json_t *nd, unsigned g, char *err, size_t errlen)
{
	json_t *exec = json_object_get(nd, "exec"), *digest, *devs = json_object_get(nd, "devices"), *dev;
	char path[64];
	size_t k;

	if (!json_is_object(nd))
		return serve_fail(err, errlen, "map[%u]: must be an object (a node)", g);
	if (!json_is_object(exec))
		return serve_fail(err, errlen, "map[%u].exec: must be an object with the image's digest", g);
	if (json_object_get(exec, "path"))
		return serve_fail(err, errlen, "map[%u].exec.path: a host path is not taken over HTTP: give the "
			    "digest of an image you uploaded (POST /v1/images)", g);
	digest = json_object_get(exec, "digest");
	if (!json_is_string(digest) || serve_parse_digest(json_string_value(digest), mr->digest[g]) < 0)
		return serve_fail(err, errlen, "map[%u].exec.digest: must be 64 hex digits (POST /v1/images's)", g);
	json_object_del(exec, "digest");
	snprintf(path, sizeof(path), "/zvm-serve/image/%u", g);
	if (json_object_set_new(exec, "path", json_string(path)))
		return serve_fail(err, errlen, "out of memory");
	if (devs && !json_is_array(devs))
		return 0; /* the parser's words */
	json_array_foreach(devs, k, dev)
		if (device(mr, dev, g, k, err, errlen) < 0)
			return -1;
	return 0;
}

/* Which of our paths each node's device is: an input, an output, neither. */
static int classify(struct serve_map_req *mr, char *err, size_t errlen)
{
	const struct zvm_map *m = mr->map;

	if (!(mr->dev = malloc(sizeof(int) * ZVM_MAP_NDEV * (m->nnodes ? m->nnodes : 1))))
		return serve_fail(err, errlen, "out of memory");
	for (unsigned i = 0; i < m->nnodes; i++)
		for (unsigned d = 0; d < ZVM_MAP_NDEV; d++) {
			const char *p = m->node[i].dev_path[d];
			int *slot = &mr->dev[i * ZVM_MAP_NDEV + d];

			*slot = SERVE_MAP_NONE;
			if (!m->node[i].listed[d])
				continue;
			if (zvm_map_dev_writable(d)) {
				/* stdout and stderr may be listed without a name: ours too */
				if (mr->noutputs++ == SERVE_MAP_MAX_OUTPUTS)
					return serve_fail(err, errlen, "map: more than %u output streams once expanded (node %s)",
						    SERVE_MAP_MAX_OUTPUTS, m->node[i].name);
				*slot = SERVE_MAP_OUTPUT;
			} else if (p && !strncmp(p, IN_PREFIX, strlen(IN_PREFIX))) {
				*slot = atoi(p + strlen(IN_PREFIX));
			}
		}
	return 0;
}

int serve_parse_map(const char *body, size_t len, struct serve_map_req *mr, char *err, size_t errlen)
{
	json_t *root = serve_load_object(body, len, err, errlen), *map, *nd;
	struct zvm_map_options mo = { .dir = "/" };
	const char *key;
	char *text = NULL;
	json_t *v;
	size_t g;
	int rc = -1;

	memset(mr, 0, sizeof(*mr));
	mr->timeout_ms = mr->output_limit = -1;
	if (!root)
		return -1;
	json_object_foreach(root, key, v)
		if (strcmp(key, "map") && strcmp(key, "timeout") && strcmp(key, "output_limit")) {
			serve_fail(err, errlen, "%.64s: unknown key (known: map, timeout, output_limit)", key);
			goto out;
		}
	if (serve_get_int(root, "", "timeout", &mr->timeout_ms, 1, 86400000, false, err, errlen) < 0 ||
	    serve_get_int(root, "", "output_limit", &mr->output_limit, 0, 1ll << 40, false, err, errlen) < 0)
		goto out;
	map = json_object_get(root, "map");
	if (!json_is_array(map) || !json_array_size(map)) {
		serve_fail(err, errlen, "map: is required: a JSON array of nodes (docs/system-map.md)");
		goto out;
	}
	/* the parser's limit, before anything is allocated per entry */
	if (json_array_size(map) > ZVM_MAP_MAX_NODES) {
		serve_fail(err, errlen, "map: %zu entries; at most %u nodes", json_array_size(map), ZVM_MAP_MAX_NODES);
		goto out;
	}
	mr->ngroups = (unsigned)json_array_size(map);
	if (!(mr->digest = calloc(mr->ngroups, sizeof(*mr->digest)))) {
		serve_fail(err, errlen, "out of memory");
		goto out;
	}
	json_array_foreach(map, g, nd)
		if (node(mr, nd, (unsigned)g, err, errlen) < 0)
			goto out;
	if (!(text = json_dumps(map, JSON_COMPACT))) {
		serve_fail(err, errlen, "out of memory");
		goto out;
	}
	if (!(mr->map = calloc(1, sizeof(*mr->map)))) {
		serve_fail(err, errlen, "out of memory");
		goto out;
	}
	if (zvm_map_parse(text, strlen(text), "map", &mo, mr->map, err, errlen) < 0) {
		free(mr->map);
		mr->map = NULL;
		/* "map: [1].connect[0]: ..." -> "map[1].connect[0]: ..." */
		if (!strncmp(err, "map: [", 6))
			memmove(err + 3, err + 5, strlen(err + 5) + 1);
		goto out;
	}
	rc = classify(mr, err, errlen);
out:
	free(text);
	json_decref(root);
	if (rc < 0)
		serve_map_req_free(mr);
	return rc;
}

void serve_map_req_free(struct serve_map_req *mr)
{
	if (mr->map) {
		zvm_map_free(mr->map);
		free(mr->map);
	}
	for (unsigned i = 0; i < mr->ninputs; i++)
		free(mr->input[i].data);
	free(mr->digest);
	free(mr->dev);
	memset(mr, 0, sizeof(*mr));
}
