/*
 * daemon-template.c — templates: cells kept at their keep request, and
 * jobs started as copies of them (docs/zvmd.md, "Templates").
 *
 * Who: any client makes templates of its own uid; only root makes global
 * ones, which every uid may use and only root may replace. A name is
 * looked up among the uid's own templates first, then the global ones; a
 * uid never sees, uses, replaces or evicts another uid's. Limits:
 * `uid_templates` per uid (making one more evicts that uid's least
 * recently used) and `templates_max` in all (then making one is refused).
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "supervisor/daemon-internal.h"

static void template_free(struct zvmd_template *t)
{
	close(t->image_fd);
	close(t->mem_fd);
	free(t);
}

/* The uid's own template of that name, else a global one. */
static struct zvmd_template *find(struct zvmd *d, uid_t uid, const char *name, bool global_only)
{
	struct zvmd_template *g = NULL;

	for (struct zvmd_template *t = d->templates; t; t = t->next) {
		if (strcmp(t->name, name))
			continue;
		if (t->global)
			g = t;
		else if (!global_only && t->owner == uid)
			return t;
	}
	return g;
}

static void unlink_template(struct zvmd *d, struct zvmd_template *victim)
{
	for (struct zvmd_template **p = &d->templates; *p; p = &(*p)->next)
		if (*p == victim) {
			*p = victim->next;
			d->ntemplates--;
			template_free(victim);
			return;
		}
}

/* The uid's own (not global) templates: how many, and the least recently used. */
static struct zvmd_template *own_lru(struct zvmd *d, uid_t uid, unsigned *count)
{
	struct zvmd_template *lru = NULL;

	*count = 0;
	for (struct zvmd_template *x = d->templates; x; x = x->next)
		if (!x->global && x->owner == uid) {
			++*count;
			if (!lru || x->last_used < lru->last_used)
				lru = x;
		}
	return lru;
}

bool zvmd_template_request(struct zvmd_job *j)
{
	struct zvmd *d = j->d;
	struct zvm_submit *r = &j->req;
	struct zvmd_template *t;
	unsigned mine;

	if (r->tpl_op == ZVM_TPL_USE) {
		t = find(d, j->uid, r->tpl_name, false);
		if (!t) {
			zvmd_reply_error(j, ZVM_ERR_NOT_FOUND, "no template '%s' for uid %u; make it first (zvm submit --keep-as)",
					 r->tpl_name, (unsigned)j->uid);
			return false;
		}
		j->image_fd = fcntl(t->image_fd, F_DUPFD_CLOEXEC, 0);
		j->tpl_fd = fcntl(t->mem_fd, F_DUPFD_CLOEXEC, 0);
		if (j->image_fd < 0 || j->tpl_fd < 0) {
			zvmd_reply_error(j, ZVM_ERR_INTERNAL, "template '%s': %s", r->tpl_name, strerror(errno));
			return false;
		}
		j->tpl_state = t->state;
		/* a copy runs under the rules its template's image was checked with */
		j->req.m.deterministic = t->deterministic;
		j->rep.validation_cached = true;
		t->last_used = zvmd_now();
		t->uses++;
		return true;
	}
	if (r->tpl_op == ZVM_TPL_MAKE_GLOBAL && j->uid != 0) {
		zvmd_reply_error(j, ZVM_ERR_PERMISSION, "only root makes global templates (uid %u asked for '%s')",
				 (unsigned)j->uid, r->tpl_name);
		return false;
	}
	if (r->m.nchannels >= ZVM_MAX_CHANNELS) {
		zvmd_reply_error(j, ZVM_ERR_LIMIT, "a job that makes a template has at most %u channels", ZVM_MAX_CHANNELS - 1);
		return false;
	}
	/* cheap first: a template that could never be kept is refused now */
	if (d->ntemplates >= d->cfg.templates_max && !find(d, j->uid, r->tpl_name, r->tpl_op == ZVM_TPL_MAKE_GLOBAL) &&
	    !(r->tpl_op == ZVM_TPL_MAKE && own_lru(d, j->uid, &mine) && mine >= d->cfg.uid_templates)) {
		zvmd_reply_error(j, ZVM_ERR_LIMIT, "zvmd keeps %u templates (templates_max)", d->ntemplates);
		return false;
	}
	j->tpl_fd = memfd_create("zvm-template-keep", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (j->tpl_fd < 0) {
		zvmd_reply_error(j, ZVM_ERR_INTERNAL, "a memfd for the template: %s", strerror(errno));
		return false;
	}
	return true;
}

/* The worker's memfd, charged to its slot's cgroup, into one of zvmd's own
 * (so the slot's next cells keep their whole memory limit), holes kept,
 * then sealed: no process can change a template's bytes after this. */
static int copy_sealed(int from, uint64_t bytes)
{
	static char buf[1 << 16];
	int to = memfd_create("zvm-template", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	off_t data = 0, hole;

	if (to < 0)
		return -errno;
	if (ftruncate(to, (off_t)bytes) < 0)
		goto fail;
	while ((data = lseek(from, data, SEEK_DATA)) >= 0 && (uint64_t)data < bytes) {
		hole = lseek(from, data, SEEK_HOLE);
		if (hole < 0 || (uint64_t)hole > bytes)
			hole = (off_t)bytes;
		while (data < hole) {
			size_t n = (size_t)(hole - data) < sizeof(buf) ? (size_t)(hole - data) : sizeof(buf);
			ssize_t got = pread(from, buf, n, data);
			if (got <= 0 || pwrite(to, buf, (size_t)got, data) != got)
				goto fail;
			data += got;
		}
	}
	if ((errno = -sfi_seal(to, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) != 0)
		goto fail;
	return to;
fail:
	{
		int e = errno ? errno : EIO;
		close(to);
		return -e;
	}
}

static void not_kept(struct zvmd_job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void not_kept(struct zvmd_job *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(j->rep.message, sizeof(j->rep.message), fmt, ap);
	va_end(ap);
	j->rep.state = ZVM_STATE_LOAD_ERROR;
}

void zvmd_template_made(struct zvmd_job *j, const struct sfi_template *answer)
{
	struct zvmd *d = j->d;
	struct zvm_submit *r = &j->req;
	bool global = r->tpl_op == ZVM_TPL_MAKE_GLOBAL;
	struct sfi_template st;
	struct zvmd_template *t, *old, *lru = NULL;
	unsigned mine = 0;
	struct stat sb = { 0 };
	int mem;

	memcpy(&st, answer, sizeof(st)); /* read once */
	if (j->rep.state != ZVM_STATE_OK)
		return; /* a fault, a limit, or the keep request's own reason */
	if (st.magic != SFI_TEMPLATE_MAGIC) {
		not_kept(j, "the program exited (code %d) without asking to be kept (zvm_template_keep): no template '%s'",
			 j->rep.exit_code, r->tpl_name);
		return;
	}
	/* The worker's word, checked: its memory is at most the job's limit,
	 * and the memfd as long as it says (each copy's worker checks the
	 * layout again against the image). */
	if (fstat(j->tpl_fd, &sb) < 0 || (uint64_t)sb.st_size != st.bytes || st.bytes > r->m.memory) {
		not_kept(j, "the kept cell's memory (%lld bytes, said %llu) does not fit its limit: no template '%s'",
			 (long long)sb.st_size, (unsigned long long)st.bytes, r->tpl_name);
		return;
	}
	old = find(d, j->uid, r->tpl_name, global);
	if (old && old->global != global)
		old = NULL; /* a uid's own name never replaces a global one, nor the reverse */
	/* at its own limit, a uid's least recently used template makes room */
	if (!old && !global)
		lru = own_lru(d, j->uid, &mine);
	if (!old && !(lru && mine >= d->cfg.uid_templates) && d->ntemplates >= d->cfg.templates_max) {
		not_kept(j, "zvmd keeps %u templates (templates_max): no template '%s'", d->ntemplates, r->tpl_name);
		return;
	}
	mem = j->tpl_image_fd < 0 ? -EMFILE : copy_sealed(j->tpl_fd, st.bytes);
	t = calloc(1, sizeof(*t));
	if (mem < 0 || !t) {
		if (mem >= 0)
			close(mem);
		free(t);
		j->rep.state = ZVM_STATE_INTERNAL_ERROR;
		snprintf(j->rep.message, sizeof(j->rep.message), "keeping template '%s': %s", r->tpl_name,
			 strerror(mem < 0 ? -mem : ENOMEM));
		return;
	}
	snprintf(t->name, sizeof(t->name), "%s", r->tpl_name);
	t->owner = j->uid;
	t->global = global;
	t->deterministic = r->m.deterministic;
	t->image_fd = j->tpl_image_fd;
	j->tpl_image_fd = -1;
	t->mem_fd = mem;
	t->bytes = st.bytes;
	t->state = st;
	t->last_used = zvmd_now();
	if (old)
		unlink_template(d, old);
	else if (lru && mine >= d->cfg.uid_templates)
		unlink_template(d, lru);
	t->next = d->templates;
	d->templates = t;
	d->ntemplates++;
	snprintf(j->rep.message, sizeof(j->rep.message), "kept as template '%s'%s (%llu KiB of memory)", t->name,
		 global ? " for every uid" : "", (unsigned long long)(st.bytes >> 10));
}

void zvmd_templates_free(struct zvmd *d)
{
	while (d->templates) {
		struct zvmd_template *t = d->templates;
		d->templates = t->next;
		template_free(t);
	}
	d->ntemplates = 0;
}
