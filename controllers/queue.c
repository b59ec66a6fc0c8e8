/* Work queues: deduplicated keys processed on the loop in bounded batches
 * (so API requests are served between them), delayed re-checks on one timer,
 * and per-key exponential back-off after errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controllers/ctl.h"

#define BATCH_PER_TURN 256
#define BACKOFF_BASE_MS 5
#define BACKOFF_MAX_MS 60000

struct delayed {
	uint64_t due;
	char *key;
	struct delayed *next;
};

struct ctl_queue {
	struct ctl_env *env;
	char name[32];
	ctl_sync_fn sync;
	void *ud;
	char **fifo; /* ring of keys waiting */
	size_t head, count, cap;
	json_t *waiting;  /* key -> true while in fifo */
	json_t *failures; /* key -> consecutive failures */
	struct delayed *delayed; /* sorted by due */
	uv_idle_t idle;
	uv_timer_t timer;
	int open_handles;
};

static void key_of(char *out, size_t len, const char *ns, const char *name)
{
	if (ns && *ns)
		snprintf(out, len, "%s/%s", ns, name);
	else
		snprintf(out, len, "%s", name);
}

static void on_idle(uv_idle_t *h);

static int fifo_push(struct ctl_queue *q, const char *key)
{
	if (json_object_get(q->waiting, key))
		return 0;
	if (q->count == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		char **f = malloc(cap * sizeof *f);
		if (!f)
			return -ENOMEM;
		for (size_t i = 0; i < q->count; i++)
			f[i] = q->fifo[(q->head + i) % q->cap];
		free(q->fifo);
		q->fifo = f;
		q->cap = cap;
		q->head = 0;
	}
	char *k = strdup(key);
	if (!k)
		return -ENOMEM;
	q->fifo[(q->head + q->count++) % q->cap] = k;
	json_object_set_new(q->waiting, key, json_true());
	if (!q->env->stopping)
		uv_idle_start(&q->idle, on_idle);
	return 0;
}

void ctl_queue_add(struct ctl_queue *q, const char *ns, const char *name)
{
	char key[600];
	key_of(key, sizeof key, ns, name);
	fifo_push(q, key);
}

void ctl_queue_add_obj(struct ctl_queue *q, const json_t *obj)
{
	ctl_queue_add(q, ctl_ns(obj), ctl_name(obj));
}

static void on_timer(uv_timer_t *t);

static void arm_timer(struct ctl_queue *q)
{
	if (!q->delayed || q->env->stopping)
		return;
	uint64_t now = uv_now(q->env->loop);
	uint64_t due = q->delayed->due;
	uv_timer_start(&q->timer, on_timer, due > now ? due - now : 0, 0);
}

static void delay_key(struct ctl_queue *q, const char *key, uint64_t ms)
{
	struct delayed *d = malloc(sizeof *d);
	if (!d || !(d->key = strdup(key))) {
		free(d);
		return;
	}
	d->due = uv_now(q->env->loop) + ms;
	struct delayed **p = &q->delayed;
	while (*p && (*p)->due <= d->due)
		p = &(*p)->next;
	d->next = *p;
	*p = d;
	arm_timer(q);
}

void ctl_queue_add_after(struct ctl_queue *q, const char *ns, const char *name, uint64_t ms)
{
	char key[600];
	key_of(key, sizeof key, ns, name);
	delay_key(q, key, ms);
}

static void on_timer(uv_timer_t *t)
{
	struct ctl_queue *q = t->data;
	uint64_t now = uv_now(q->env->loop);
	while (q->delayed && q->delayed->due <= now) {
		struct delayed *d = q->delayed;
		q->delayed = d->next;
		fifo_push(q, d->key);
		free(d->key);
		free(d);
	}
	arm_timer(q);
}

static void after_sync(struct ctl_queue *q, const char *key, int rc)
{
	if (rc >= 0) {
		json_object_del(q->failures, key);
		if (rc > 0)
			delay_key(q, key, (uint64_t)rc);
		return;
	}
	json_int_t n = json_integer_value(json_object_get(q->failures, key));
	json_object_set_new(q->failures, key, json_integer(n + 1));
	uint64_t ms = BACKOFF_BASE_MS;
	for (json_int_t i = 0; i < n && ms < BACKOFF_MAX_MS; i++)
		ms *= 2;
	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	log_v(&q->env->log, 3, q->name, "sync failed, retrying key=%s error=%d in_ms=%llu", key, rc,
	      (unsigned long long)ms);
	delay_key(q, key, ms);
}

static void on_idle(uv_idle_t *h)
{
	struct ctl_queue *q = h->data;
	for (int done = 0; done < BATCH_PER_TURN && q->count && !q->env->stopping; done++) {
		char *key = q->fifo[q->head];
		q->head = (q->head + 1) % q->cap;
		q->count--;
		json_object_del(q->waiting, key);
		char ns[300] = "", *name = key, *slash = strchr(key, '/');
		if (slash) {
			snprintf(ns, sizeof ns, "%.*s", (int)(slash - key), key);
			name = slash + 1;
		}
		int rc = q->sync(q->ud, ns, name);
		after_sync(q, key, rc);
		free(key);
	}
	if (!q->count || q->env->stopping)
		uv_idle_stop(&q->idle);
}

struct ctl_queue *ctl_queue_new(struct ctl_env *e, const char *name, ctl_sync_fn sync, void *ud)
{
	if (e->nqueues == CTL_MAX_QUEUES)
		return NULL;
	struct ctl_queue *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	*q = (struct ctl_queue){.env = e, .sync = sync, .ud = ud, .waiting = json_object(), .failures = json_object()};
	snprintf(q->name, sizeof q->name, "%s", name);
	uv_idle_init(e->loop, &q->idle);
	uv_timer_init(e->loop, &q->timer);
	q->idle.data = q->timer.data = q;
	q->open_handles = 2;
	e->queues[e->nqueues++] = q;
	return q;
}

static void on_closed(uv_handle_t *h)
{
	struct ctl_queue *q = h->data;
	if (--q->open_handles)
		return;
	while (q->count) {
		free(q->fifo[q->head]);
		q->head = (q->head + 1) % q->cap;
		q->count--;
	}
	free(q->fifo);
	while (q->delayed) {
		struct delayed *d = q->delayed;
		q->delayed = d->next;
		free(d->key);
		free(d);
	}
	json_decref(q->waiting);
	json_decref(q->failures);
	free(q);
}

/* Called by the environment when stopping. */
void ctl_queue_close(struct ctl_queue *q)
{
	uv_close((uv_handle_t *)&q->idle, on_closed);
	uv_close((uv_handle_t *)&q->timer, on_closed);
}
