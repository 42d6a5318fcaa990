/*
 * job.c — one program through zvmd (serve.h): the job built as SUBMIT's
 * manifest, every channel a memfd (stdin filled and sealed, outputs
 * capped at the output limit by the channel's own byte limit, so a cut is
 * the report's `limit_reached`, never a silent one), the report and the
 * outputs turned into Piston's "run" object.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile/compile.h"
#include "client/zvm-client.h"
#include "serve/serve.h"

int serve_memfd(const char *name, const void *data, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	size_t off = 0;

	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t n = write(fd, (const char *)data + off, len - off);
		if (n < 0) {
			int e = errno;
			if (e == EINTR)
				continue;
			close(fd);
			return -e;
		}
		off += (size_t)n;
	}
	lseek(fd, 0, SEEK_SET);
	/* hygiene only: zvmd copies what it must trust, and nothing else holds
	 * this fd, so a seal refused (EBUSY on a loaded machine) changes nothing */
	fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
	return fd;
}

/* A ustar header's octal field. */
static void octal(char *f, size_t w, uint64_t v)
{
	snprintf(f, w, "%0*llo", (int)w - 1, (unsigned long long)v);
}

int serve_tar(const struct serve_file *files, unsigned n)
{
	size_t cap = 1024, len = 0;
	char *buf = NULL;
	int fd;

	for (unsigned i = 0; i < n; i++)
		cap += 512 + (files[i].content.len + 511) / 512 * 512;
	buf = calloc(1, cap);
	if (!buf)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		char *h = buf + len;
		unsigned sum = 0;

		/* names are checked (serve_name_ok): at most 64 bytes, fit in 100 */
		memcpy(h, files[i].name, strlen(files[i].name));
		octal(h + 100, 8, 0644);
		octal(h + 108, 8, 0);
		octal(h + 116, 8, 0);
		octal(h + 124, 12, files[i].content.len);
		octal(h + 136, 12, 0);
		h[156] = '0';
		memcpy(h + 257, "ustar", 6);
		memcpy(h + 263, "00", 2);
		memset(h + 148, ' ', 8);
		for (int k = 0; k < 512; k++)
			sum += (unsigned char)h[k];
		snprintf(h + 148, 8, "%06o", sum);
		len += 512;
		memcpy(buf + len, files[i].content.data, files[i].content.len);
		len += (files[i].content.len + 511) / 512 * 512;
	}
	len += 1024; /* two zero blocks end the archive */
	fd = serve_memfd("zvm-serve-src.tar", buf, len);
	free(buf);
	return fd;
}

static void decl(struct zvm_channel_decl *d, const char *alias, unsigned type, bool in, uint64_t out_limit)
{
	*d = (struct zvm_channel_decl){
		.type = type,
		.max_reads = in ? ZVM_NO_LIMIT : 0, .max_read_bytes = in ? ZVM_NO_LIMIT : 0,
		.max_writes = in ? 0 : ZVM_NO_LIMIT, .max_write_bytes = in ? 0 : out_limit,
		.alias = (char *)alias };
}

/* An output channel's bytes, at most limit of them. */
static int read_back(int fd, uint64_t limit, bool hit, struct serve_output *o)
{
	struct stat st;
	size_t n;

	if (fstat(fd, &st) < 0)
		return -errno;
	n = (size_t)st.st_size < limit ? (size_t)st.st_size : (size_t)limit;
	o->data = malloc(n + 1);
	if (!o->data)
		return -ENOMEM;
	if (n && pread(fd, o->data, n, 0) != (ssize_t)n) {
		free(o->data);
		o->data = NULL;
		return -EIO;
	}
	o->data[n] = '\0';
	o->len = n;
	o->truncated = hit || (uint64_t)st.st_size > limit;
	return 0;
}

int serve_run(const struct serve_run *r, struct serve_run_result *res)
{
	struct zvm_submit *s = calloc(1, sizeof(*s));
	int fds[ZVM_PROTO_MAX_FDS], nfds = 0, outidx[SERVE_MAX_CHANNELS];
	unsigned nout = 0;
	int rc = -ENOMEM;

	memset(res, 0, sizeof(*res));
	res->rep = calloc(1, sizeof(*res->rep));
	if (!s || !res->rep)
		goto out;
	for (int i = 0; i < ZVM_PROTO_MAX_FDS; i++)
		fds[i] = -1;
	zvm_submit_init(s);
	s->m.program = (char *)r->argv0;
	s->m.nargs = r->nargs;
	for (unsigned i = 0; i < r->nargs; i++)
		s->m.args[i] = r->args[i];
	s->m.nenv = r->nenv;
	for (unsigned i = 0; i < r->nenv; i++)
		s->m.env[i] = r->env[i];
	if (r->lim.timeout_s > 0) {
		s->m.timeout = r->lim.timeout_s;
		s->m.given |= ZVM_GIVEN_TIMEOUT;
	}
	if (r->lim.cpu_s > 0) {
		s->m.cpu_time = r->lim.cpu_s;
		s->m.given |= ZVM_GIVEN_CPU_TIME;
	}
	if (r->lim.memory) {
		s->m.memory = r->lim.memory;
		s->m.given |= ZVM_GIVEN_MEMORY;
	}
	s->by_digest = r->image_fd < 0;
	if (s->by_digest)
		memcpy(s->digest, r->digest, 32);
	fds[nfds++] = s->by_digest ? open("/dev/null", O_RDONLY | O_CLOEXEC) : r->image_fd;
	s->image_fd = s->by_digest ? -1 : 0;
	if (fds[0] < 0)
		goto out;
	/* stdio */
	fds[nfds++] = serve_memfd("stdin", r->stdin_ ? r->stdin_->data : "", r->stdin_ ? r->stdin_->len : 0);
	fds[nfds++] = r->piped ? dup(r->out_fds[0]) : memfd_create("stdout", MFD_CLOEXEC);
	fds[nfds++] = r->piped ? dup(r->out_fds[1]) : memfd_create("stderr", MFD_CLOEXEC);
	decl(&s->m.channels[0], "/dev/stdin", ZVM_CHANNEL_SEQ_READ_SEQ_WRITE, true, 0);
	decl(&s->m.channels[1], "/dev/stdout", ZVM_CHANNEL_SEQ_READ_SEQ_WRITE, false, r->lim.output);
	decl(&s->m.channels[2], "/dev/stderr", ZVM_CHANNEL_SEQ_READ_SEQ_WRITE, false, r->lim.output);
	s->m.nchannels = 3;
	if (r->tar_fd >= 0) {
		fds[nfds++] = dup(r->tar_fd);
		decl(&s->m.channels[s->m.nchannels++], "/dev/image", ZVM_CHANNEL_RND_READ_SEQ_WRITE, true, 0);
	}
	for (unsigned i = 0; i < r->nchannels && s->m.nchannels < ZVM_MAX_CHANNELS; i++) {
		const struct serve_channel_in *c = &r->channels[i];

		if (c->output) {
			outidx[nout++] = nfds;
			fds[nfds++] = memfd_create("output", MFD_CLOEXEC);
			decl(&s->m.channels[s->m.nchannels++], c->alias, ZVM_CHANNEL_SEQ_READ_SEQ_WRITE, false,
			     r->lim.output);
		} else {
			fds[nfds++] = serve_memfd("input", c->content.data ? c->content.data : "", c->content.len);
			decl(&s->m.channels[s->m.nchannels++], c->alias, ZVM_CHANNEL_RND_READ_SEQ_WRITE, true, 0);
		}
	}
	for (int i = 1; i < nfds; i++) {
		if (fds[i] < 0) {
			rc = -EMFILE;
			goto out;
		}
		s->channel_fds[i - 1] = i;
	}
	res->rc = zvm_client_submit(r->sock, NULL, s, fds, (unsigned)nfds, res->rep);
	if (res->rc == 0) {
		if (r->piped) {
			/* the stream's reader has the bytes; the report has the counts */
			res->out.truncated = res->rep->ch[1].limit_hit;
			res->err.truncated = res->rep->ch[2].limit_hit;
		} else if ((rc = read_back(fds[2], r->lim.output, res->rep->ch[1].limit_hit, &res->out)) < 0 ||
			   (rc = read_back(fds[3], r->lim.output, res->rep->ch[2].limit_hit, &res->err)) < 0) {
			goto out;
		}
		for (unsigned i = 0; i < nout; i++) {
			unsigned ch = (unsigned)outidx[i] - 1;
			bool hit = ch < res->rep->nchannels && res->rep->ch[ch].limit_hit;
			if ((rc = read_back(fds[outidx[i]], r->lim.output, hit, &res->extra[i])) < 0)
				goto out;
			res->nextra = i + 1;
		}
	}
	rc = 0;
out:
	for (int i = s && s->by_digest ? 0 : 1; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (s) {
		/* the strings are the caller's: nothing of s is freed but s */
		s->m.nargs = s->m.nenv = s->m.nchannels = 0;
		free(s);
	}
	if (rc < 0 && res->rep) {
		res->rc = 125;
		snprintf(res->rep->message, sizeof(res->rep->message), "setting the job up: %s", strerror(-rc));
	}
	return rc;
}

void serve_run_result_free(struct serve_run_result *res)
{
	free(res->rep);
	free(res->out.data);
	free(res->err.data);
	for (unsigned i = 0; i < res->nextra; i++)
		free(res->extra[i].data);
	memset(res, 0, sizeof(*res));
}

const char *serve_status_code(const struct serve_run_result *res)
{
	const struct zvm_report *r = res->rep;

	if (res->rc != 0 || !r)
		return "XX";
	switch (r->state) {
	case ZVM_STATE_OK:
		if (res->out.truncated)
			return "OL";
		if (res->err.truncated)
			return "EL";
		return r->exit_code ? "RE" : NULL;
	case ZVM_STATE_TIMEOUT:
	case ZVM_STATE_CPU_LIMIT:
		return "TO";
	case ZVM_STATE_SIGNAL:
		return "SG";
	case ZVM_STATE_MEMORY_LIMIT:
		return "ML";
	case ZVM_STATE_VALIDATION_FAILED:
		return "VF";
	case ZVM_STATE_SECCOMP:
		return "SV";
	default:
		return "XX";
	}
}

json_t *serve_output_json(const struct serve_output *o)
{
	/* output is bytes; JSON wants UTF-8: a program's invalid bytes become
	 * U+FFFD one by one, as zvm-compile's diagnostics do */
	json_t *s = json_stringn(o->data ? o->data : "", o->len);
	size_t n;
	char *fixed;

	if (s)
		return s;
	fixed = zc_utf8_clean(o->data, o->len, &n);
	if (!fixed)
		return json_string("");
	s = json_stringn(fixed, n);
	free(fixed);
	return s ? s : json_string("");
}

static const char *message_of(const struct serve_run_result *res, char *buf, size_t len)
{
	const struct zvm_report *r = res->rep;

	if (res->rc)
		return r && r->message[0] ? r->message : "zvmd could not run the job";
	switch (r->state) {
	case ZVM_STATE_OK:
		if (res->out.truncated || res->err.truncated)
			snprintf(buf, len, "%s length exceeded: cut at %zu bytes", res->out.truncated ? "stdout" : "stderr",
				 res->out.truncated ? res->out.len : res->err.len);
		else
			return NULL;
		return buf;
	case ZVM_STATE_TIMEOUT:
		snprintf(buf, len, "wall-time limit exceeded after %.3f s", r->wall_s);
		return buf;
	case ZVM_STATE_CPU_LIMIT:
		snprintf(buf, len, "CPU-time limit exceeded after %.3f s of CPU", r->cpu_user_s + r->cpu_sys_s);
		return buf;
	case ZVM_STATE_SIGNAL:
		snprintf(buf, len, "killed by signal %d (%s)", r->signal, strsignal(r->signal));
		return buf;
	case ZVM_STATE_MEMORY_LIMIT:
		snprintf(buf, len, "memory limit reached (%u heap requests refused)", r->heap_refused);
		return buf;
	case ZVM_STATE_VALIDATION_FAILED:
		snprintf(buf, len, "validation failed: %s at offset 0x%llx", r->verdict.rule,
			 (unsigned long long)r->verdict.offset);
		return buf;
	case ZVM_STATE_SECCOMP:
		snprintf(buf, len, "seccomp violation: %s (%d)", r->syscall_name, r->syscall_nr);
		return buf;
	default:
		return r->message[0] ? r->message : zvm_state_name(r->state);
	}
}

static json_t *report_json(const struct zvm_report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	json_t *j = NULL;

	if (!f)
		return json_null();
	zvm_report_print_json(f, r);
	fclose(f);
	if (text)
		j = json_loadb(text, len, 0, NULL);
	free(text);
	return j ? j : json_null();
}

json_t *serve_result_json(const struct serve_run_result *res, uint64_t output_limit)
{
	const struct zvm_report *r = res->rep;
	const char *status = serve_status_code(res), *msg;
	char buf[256], sig[32] = "";
	json_t *o = json_object(), *out;
	bool ran = res->rc == 0 && r;

	msg = message_of(res, buf, sizeof(buf));
	if (ran && r->state == ZVM_STATE_SIGNAL && r->signal > 0 && r->signal < 65)
		snprintf(sig, sizeof(sig), "SIG%s", sigabbrev_np(r->signal) ? sigabbrev_np(r->signal) : "UNKNOWN");
	else if (ran && (r->state == ZVM_STATE_TIMEOUT || r->state == ZVM_STATE_CPU_LIMIT))
		strcpy(sig, "SIGKILL"); /* as Piston says for a time limit */
	json_object_set_new(o, "stdout", serve_output_json(&res->out));
	json_object_set_new(o, "stderr", serve_output_json(&res->err));
	/* Piston's output interleaves the streams; the cell's are two
	 * channels, so output is stdout then stderr (docs/http.md) */
	{
		struct serve_output both = { .len = res->out.len + res->err.len };
		both.data = malloc(both.len + 1);
		if (both.data) {
			if (res->out.len)
				memcpy(both.data, res->out.data, res->out.len);
			if (res->err.len)
				memcpy(both.data + res->out.len, res->err.data, res->err.len);
		} else {
			both.len = 0;
		}
		json_object_set_new(o, "output", serve_output_json(&both));
		free(both.data);
	}
	json_object_set_new(o, "code", ran && (r->state == ZVM_STATE_OK || r->state == ZVM_STATE_MEMORY_LIMIT)
					       ? json_integer(r->exit_code) : json_null());
	json_object_set_new(o, "signal", sig[0] ? json_string(sig) : json_null());
	json_object_set_new(o, "message", msg ? json_string(msg) : json_null());
	json_object_set_new(o, "status", status ? json_string(status) : json_null());
	json_object_set_new(o, "cpu_time", ran ? json_integer((json_int_t)((r->cpu_user_s + r->cpu_sys_s) * 1000 + 0.5))
					     : json_null());
	json_object_set_new(o, "wall_time", ran ? json_integer((json_int_t)(r->wall_s * 1000 + 0.5)) : json_null());
	json_object_set_new(o, "memory", ran ? json_integer((json_int_t)(r->cgroup_peak ? r->cgroup_peak
									  : r->peak_rss_kib * 1024))
					   : json_null());
	out = json_object();
	json_object_set_new(out, "stdout", json_boolean(res->out.truncated));
	json_object_set_new(out, "stderr", json_boolean(res->err.truncated));
	json_object_set_new(out, "limit", json_integer((json_int_t)output_limit));
	json_object_set_new(o, "truncated", out);
	json_object_set_new(o, "report", ran ? report_json(r) : json_null());
	return o;
}
