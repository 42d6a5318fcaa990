/*
 * tenant.c — who a request is (serve.h): the tokens file, bearer tokens,
 * the token bucket, the cells and CPU minutes of each tenant, and the
 * images each uploaded. One lock per tenant: tenants never wait on each
 * other.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "serve/serve.h"

double serve_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct serve_tenant *add_tenant(struct serve_tenants *ts, const char *name, const struct serve_quota *q)
{
	struct serve_tenant *t, *nt = realloc(ts->t, (ts->n + 1) * sizeof(*ts->t));

	if (!nt)
		return NULL;
	ts->t = nt;
	t = &ts->t[ts->n];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->q = *q;
	t->tokens = q->burst;
	t->last_refill = t->window_start = serve_now();
	ts->n++;
	return t;
}

struct serve_tenant *serve_tenant_named(struct serve_tenants *ts, const char *name)
{
	for (unsigned i = 0; i < ts->n; i++)
		if (!strcmp(ts->t[i].name, name))
			return &ts->t[i];
	return NULL;
}

int serve_tenants_open(struct serve_tenants *ts, const struct serve_quota *q)
{
	memset(ts, 0, sizeof(*ts));
	ts->open = true;
	if (!add_tenant(ts, "local", q))
		return -1;
	pthread_mutex_init(&ts->t[0].lock, NULL);
	ts->locked = true;
	return 0;
}

int serve_tenants_load(struct serve_tenants *ts, const char *path, const struct serve_quota *q, char *err,
		       size_t errlen)
{
	FILE *f = fopen(path, "re");
	char line[1024];
	unsigned lineno = 0;

	memset(ts, 0, sizeof(*ts));
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char tok[512], name[256], extra[8];
		struct serve_tenant *t;
		int n;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line longer than %zu bytes", path, lineno, sizeof(line) - 2);
			goto fail;
		}
		if (strchr(line, '#'))
			*strchr(line, '#') = '\0';
		n = sscanf(line, "%511s %255s %7s", tok, name, extra);
		if (n <= 0)
			continue;
		if (n != 2) {
			snprintf(err, errlen, "%s:%u: expected 'TOKEN TENANT'", path, lineno);
			goto fail;
		}
		if (strlen(tok) < 16) {
			snprintf(err, errlen, "%s:%u: a token of %zu characters is too short (at least 16)", path,
				 lineno, strlen(tok));
			goto fail;
		}
		if (!serve_name_ok(name)) {
			snprintf(err, errlen, "%s:%u: tenant '%s': 1 to %d of A-Z a-z 0-9 . _ -", path, lineno, name,
				 SERVE_NAME_MAX);
			goto fail;
		}
		for (unsigned i = 0; i < ts->ntokens; i++)
			if (!strcmp(ts->tokens[i].token, tok)) {
				snprintf(err, errlen, "%s:%u: this token is given twice", path, lineno);
				goto fail;
			}
		t = serve_tenant_named(ts, name);
		if (!t && !(t = add_tenant(ts, name, q)))
			goto nomem;
		void *nt = realloc(ts->tokens, (ts->ntokens + 1) * sizeof(*ts->tokens));
		if (!nt)
			goto nomem;
		ts->tokens = nt;
		ts->tokens[ts->ntokens].token = strdup(tok);
		ts->tokens[ts->ntokens].tenant = (unsigned)(t - ts->t);
		if (!ts->tokens[ts->ntokens].token)
			goto nomem;
		ts->ntokens++;
	}
	fclose(f);
	/* the array no longer moves: the locks can live in it now */
	for (unsigned i = 0; i < ts->n; i++)
		pthread_mutex_init(&ts->t[i].lock, NULL);
	ts->locked = true;
	if (!ts->ntokens) {
		snprintf(err, errlen, "%s: no tokens (a server with --tokens must have at least one)", path);
		serve_tenants_free(ts);
		return -1;
	}
	return 0;
nomem:
	snprintf(err, errlen, "%s: out of memory", path);
fail:
	fclose(f);
	serve_tenants_free(ts);
	return -1;
}

struct serve_tenant *serve_tenant_auth(struct serve_tenants *ts, const char *auth)
{
	struct serve_tenant *found = NULL;
	size_t n;

	if (ts->open)
		return &ts->t[0];
	if (!auth || strncasecmp(auth, "Bearer ", 7))
		return NULL;
	auth += 7;
	n = strlen(auth);
	/* every token compared, in constant time: no timing tells a prefix */
	for (unsigned i = 0; i < ts->ntokens; i++) {
		const char *t = ts->tokens[i].token;
		if (strlen(t) == n && !CRYPTO_memcmp(t, auth, n))
			found = &ts->t[ts->tokens[i].tenant];
	}
	return found;
}

static void refill(struct serve_tenant *t, double now)
{
	if (now > t->last_refill) {
		t->tokens = fmin(t->q.burst, t->tokens + (now - t->last_refill) * t->q.rate);
		t->last_refill = now;
	}
}

bool serve_tenant_take(struct serve_tenant *t, double now, double *retry_after, double *remaining, double *reset)
{
	bool ok;

	pthread_mutex_lock(&t->lock);
	refill(t, now);
	t->requests++;
	ok = t->tokens >= 1.0;
	if (ok)
		t->tokens -= 1.0;
	else
		t->refused++;
	*retry_after = ok ? 0 : (1.0 - t->tokens) / t->q.rate;
	*remaining = floor(t->tokens);
	*reset = (t->q.burst - t->tokens) / t->q.rate;
	pthread_mutex_unlock(&t->lock);
	return ok;
}

int serve_tenant_begin_cells(struct serve_tenant *t, double now, unsigned n, double *retry_after, char *why,
			     size_t whylen)
{
	int rc = -1;

	pthread_mutex_lock(&t->lock);
	if (now - t->window_start >= 60.0) {
		t->window_start = now;
		t->cpu_used = 0;
	}
	if (t->active + n > t->q.concurrent) {
		*retry_after = 1;
		if (n == 1)
			snprintf(why, whylen, "tenant %s has %u cells running (concurrent = %u)", t->name, t->active,
				 t->q.concurrent);
		else
			snprintf(why, whylen, "tenant %s has %u cells running and this needs %u (concurrent = %u)",
				 t->name, t->active, n, t->q.concurrent);
	} else if (t->cpu_used >= t->q.cpu_per_min) {
		*retry_after = ceil(60.0 - (now - t->window_start));
		snprintf(why, whylen, "tenant %s used %.2f CPU seconds this minute (cpu_per_minute = %g)", t->name,
			 t->cpu_used, t->q.cpu_per_min);
	} else {
		t->active += n;
		t->jobs++;
		rc = 0;
	}
	if (rc < 0)
		t->refused++;
	pthread_mutex_unlock(&t->lock);
	return rc;
}

int serve_tenant_begin(struct serve_tenant *t, double now, double *retry_after, char *why, size_t whylen)
{
	return serve_tenant_begin_cells(t, now, 1, retry_after, why, whylen);
}

void serve_tenant_done_cells(struct serve_tenant *t, double now, unsigned n, double cpu_s)
{
	pthread_mutex_lock(&t->lock);
	t->active = t->active > n ? t->active - n : 0;
	if (now - t->window_start >= 60.0) {
		t->window_start = now;
		t->cpu_used = 0;
	}
	t->cpu_used += cpu_s;
	pthread_mutex_unlock(&t->lock);
}

void serve_tenant_done(struct serve_tenant *t, double now, double cpu_s)
{
	serve_tenant_done_cells(t, now, 1, cpu_s);
}

int serve_tenant_add_image(struct serve_tenant *t, const uint8_t d[32])
{
	int rc = 0;

	pthread_mutex_lock(&t->lock);
	for (unsigned i = 0; i < t->nimages; i++)
		if (!memcmp(t->images[i], d, 32))
			goto out;
	if (t->nimages == t->cimages) {
		unsigned c = t->cimages ? t->cimages * 2 : 16;
		void *ni = realloc(t->images, c * sizeof(*t->images));
		if (!ni) {
			rc = -ENOMEM;
			goto out;
		}
		t->images = ni;
		t->cimages = c;
	}
	memcpy(t->images[t->nimages++], d, 32);
out:
	pthread_mutex_unlock(&t->lock);
	return rc;
}

bool serve_tenant_has_image(struct serve_tenant *t, const uint8_t d[32])
{
	bool has = false;

	pthread_mutex_lock(&t->lock);
	for (unsigned i = 0; i < t->nimages && !has; i++)
		has = !memcmp(t->images[i], d, 32);
	pthread_mutex_unlock(&t->lock);
	return has;
}

void serve_tenants_free(struct serve_tenants *ts)
{
	for (unsigned i = 0; i < ts->ntokens; i++) {
		OPENSSL_cleanse(ts->tokens[i].token, strlen(ts->tokens[i].token));
		free(ts->tokens[i].token);
	}
	for (unsigned i = 0; i < ts->n; i++) {
		free(ts->t[i].images);
		if (ts->locked)
			pthread_mutex_destroy(&ts->t[i].lock);
	}
	free(ts->tokens);
	free(ts->t);
	memset(ts, 0, sizeof(*ts));
}
