/* The report zvm serve reads: one JSON object (docs/compile.md). */
#include "compile/compile.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {
	[ZC_OK] = "ok", [ZC_ERROR] = "error", [ZC_TIMEOUT] = "timeout", [ZC_MEMORY] = "memory", [ZC_OUTPUT] = "output",
};

const char *zc_status_name(enum zc_status s)
{
	return (unsigned)s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s] : "error";
}

/* length of a valid UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, at most U+10FFFF), or 0 */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) || (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return len;
}

char *zc_utf8_clean(const char *s, size_t len, size_t *outlen)
{
	char *o = malloc(len * 3 + 1), *p = o;

	if (!o)
		return NULL;
	for (size_t i = 0; i < len;) {
		size_t k = utf8_seq((const unsigned char *)s + i, len - i);
		if (k) {
			memcpy(p, s + i, k);
			p += k;
			i += k;
		} else {
			memcpy(p, "\xef\xbf\xbd", 3);
			p += 3;
			i++;
		}
	}
	*p = '\0';
	*outlen = p - o;
	return o;
}

static json_t *text(const char *s, size_t len)
{
	size_t n;
	char *c = zc_utf8_clean(s ? s : "", s ? len : 0, &n);
	json_t *j = c ? json_stringn(c, n) : NULL;

	free(c);
	return j;
}

char *zc_result_json(const struct zc_result *r)
{
	static const char *const sig[] = { [9] = "SIGKILL", [24] = "SIGXCPU", [25] = "SIGXFSZ", [11] = "SIGSEGV",
					   [6] = "SIGABRT", [15] = "SIGTERM" };
	json_t *o = json_object();
	char *s, other[16];
	const char *name = NULL;

	if (!o)
		return NULL;
	if (r->signal > 0 && (size_t)r->signal < sizeof(sig) / sizeof(sig[0]) && sig[r->signal])
		name = sig[r->signal];
	else if (r->signal > 0) {
		snprintf(other, sizeof(other), "SIG%d", r->signal);
		name = other;
	}
	json_object_set_new(o, "status", json_string(zc_status_name(r->status)));
	json_object_set_new(o, "exit_code", json_integer(r->exit_code));
	json_object_set_new(o, "signal", name ? json_string(name) : json_null());
	json_object_set_new(o, "stdout", text(r->out, r->out_len));
	json_object_set_new(o, "stderr", text(r->err, r->err_len));
	json_object_set_new(o, "cpu_ms", json_integer(r->cpu_ms));
	json_object_set_new(o, "wall_ms", json_integer(r->wall_ms));
	json_object_set_new(o, "memory_bytes", json_integer(r->memory_bytes));
	json_object_set_new(o, "truncated", json_boolean(r->truncated));
	json_object_set_new(o, "cgroup", json_boolean(r->cgroup));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

void zc_result_free(struct zc_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}
