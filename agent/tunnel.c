/* agent/tunnel.c — the agent's end of the reverse tunnel (see
 * apiserver/tunnel.c): one control connection to the server, kept open and
 * re-opened with back-off, and one new connection per "DIAL <id>" that
 * carries a forwarded streaming request to a kubelet session
 * (kubelet_server.c). Nodes need no inbound port. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "agent/kubelet.h"
#include "agent/podsync.h"

#define TUNNEL_PATH "/minikube/v1/tunnel"
#define TUNNEL_PROTO "minikube-tunnel"
#define TUNNEL_PING_MS 20000
#define TUNNEL_DEAD_MS 60000
#define TUNNEL_BACKOFF_MIN_MS 500
#define TUNNEL_BACKOFF_MAX_MS 30000
#define TUNNEL_MAX_LINE 256

struct dial;

struct agent_tunnel {
	struct node *n;
	struct httpc_stream *ctl;
	bool ctl_up; /* the server answered 101 */
	struct buf line;
	uv_timer_t timer; /* reconnect, then ping and liveness */
	uint64_t last_seen, backoff_ms;
	struct dial *dials;
	bool stopping;
};

/* One dialled connection and the session serving it. */
struct dial {
	struct agent_tunnel *t;
	struct dial *prev, *next;
	struct httpc_stream *s;
	struct kl_session *ks;
	uint64_t id;
};

static void ctl_connect(struct agent_tunnel *t);

/* ---- dials ---- */

static void dial_unlink(struct dial *d)
{
	if (d->prev)
		d->prev->next = d->next;
	else if (d->t->dials == d)
		d->t->dials = d->next;
	if (d->next)
		d->next->prev = d->prev;
	d->prev = d->next = NULL;
}

static int io_write(void *ud, const char *data, size_t len)
{
	struct dial *d = ud;
	return httpc_stream_write(d->s, data, len);
}

static size_t io_pending(void *ud)
{
	struct dial *d = ud;
	return httpc_stream_pending(d->s);
}

static void io_pause(void *ud, bool paused)
{
	struct dial *d = ud;
	httpc_stream_pause(d->s, paused);
}

/* The session is done: flush and close; nothing calls back into d. */
static void io_close(void *ud)
{
	struct dial *d = ud;
	dial_unlink(d);
	httpc_stream_close(d->s);
	free(d);
}

static void dial_on_data(void *ud, const char *data, size_t len)
{
	struct dial *d = ud;
	if (httpc_stream_status(d->s) != 101)
		return; /* the server refused the dial (its Status body) */
	kl_session_input(d->ks, data, len);
}

static void dial_on_end(void *ud, int status)
{
	struct dial *d = ud;
	if (status != 0 && status != 101)
		log_v(&d->t->n->log, 2, "tunnel", "dial ended id=%" PRIu64 " status=%d", d->id,
		      status);
	dial_unlink(d);
	kl_session_abort(d->ks);
	free(d);
}

static void dial_start(struct agent_tunnel *t, uint64_t id)
{
	struct node *n = t->n;
	struct dial *d = calloc(1, sizeof *d);
	if (!d)
		return;
	d->t = t;
	d->id = id;
	struct kl_io io = {io_write, io_pending, io_pause, io_close, d};
	d->ks = kl_session_new(n->loop, n->podsync ? podsync_rt(n->podsync) : NULL, &io, &n->log);
	char path[64];
	snprintf(path, sizeof path, TUNNEL_PATH "/%" PRIu64, id);
	if (!d->ks || httpc_upgrade(n->api, path, TUNNEL_PROTO, NULL, dial_on_data, dial_on_end, d,
				    &d->s) < 0) {
		if (d->ks)
			kl_session_abort(d->ks);
		free(d);
		return;
	}
	d->next = t->dials;
	if (t->dials)
		t->dials->prev = d;
	t->dials = d;
}

/* ---- control connection ---- */

static void ctl_send(struct agent_tunnel *t, const char *line)
{
	if (t->ctl && t->ctl_up)
		httpc_stream_write(t->ctl, line, strlen(line));
}

static void ctl_on_line(struct agent_tunnel *t, const char *line)
{
	uint64_t id;
	if (sscanf(line, "DIAL %" SCNu64, &id) == 1)
		dial_start(t, id);
	else if (!strcmp(line, "PING"))
		ctl_send(t, "PONG\n");
}

static void ctl_on_data(void *ud, const char *data, size_t len)
{
	struct agent_tunnel *t = ud;
	if (httpc_stream_status(t->ctl) != 101)
		return;
	if (!t->ctl_up) {
		t->ctl_up = true;
		t->backoff_ms = 0;
		log_info(&t->n->log, "tunnel", "connected to the server");
	}
	t->last_seen = uv_now(t->n->loop);
	for (size_t i = 0; i < len; i++) {
		if (data[i] != '\n') {
			if (t->line.len < TUNNEL_MAX_LINE)
				buf_append(&t->line, data + i, 1);
			continue;
		}
		ctl_on_line(t, t->line.data ? t->line.data : "");
		t->line.len = 0;
		if (t->line.data)
			t->line.data[0] = 0;
	}
}

static void on_timer(uv_timer_t *h);

static void ctl_retry_later(struct agent_tunnel *t)
{
	t->backoff_ms = t->backoff_ms ? t->backoff_ms * 2 : TUNNEL_BACKOFF_MIN_MS;
	if (t->backoff_ms > TUNNEL_BACKOFF_MAX_MS)
		t->backoff_ms = TUNNEL_BACKOFF_MAX_MS;
	uv_timer_start(&t->timer, on_timer, t->backoff_ms, 0);
}

static void ctl_on_end(void *ud, int status)
{
	struct agent_tunnel *t = ud;
	bool was_up = t->ctl_up;
	t->ctl = NULL;
	t->ctl_up = false;
	t->line.len = 0;
	if (t->stopping)
		return;
	if (was_up)
		log_info(&t->n->log, "tunnel", "connection to the server lost, reconnecting");
	else
		log_v(&t->n->log, 2, "tunnel", "tunnel refused or failed status=%d error=\"%s\"",
		      status, httpc_last_error(t->n->api));
	ctl_retry_later(t);
}

static void ctl_connect(struct agent_tunnel *t)
{
	t->last_seen = uv_now(t->n->loop);
	if (httpc_upgrade(t->n->api, TUNNEL_PATH, TUNNEL_PROTO, NULL, ctl_on_data, ctl_on_end, t,
			  &t->ctl) < 0) {
		t->ctl = NULL;
		ctl_retry_later(t);
		return;
	}
	uv_timer_start(&t->timer, on_timer, TUNNEL_PING_MS, TUNNEL_PING_MS);
}

/* Reconnects, or pings and drops a connection that went silent. */
static void on_timer(uv_timer_t *h)
{
	struct agent_tunnel *t = h->data;
	if (!t->ctl) {
		ctl_connect(t);
		return;
	}
	if (uv_now(t->n->loop) - t->last_seen > TUNNEL_DEAD_MS) {
		log_info(&t->n->log, "tunnel", "server silent, reconnecting");
		httpc_stream_cancel(t->ctl);
		t->ctl = NULL;
		t->ctl_up = false;
		ctl_retry_later(t);
		return;
	}
	ctl_send(t, "PING\n");
}

int agent_tunnel_start(struct node *n, struct agent_tunnel **out)
{
	struct agent_tunnel *t = calloc(1, sizeof *t);
	if (!t)
		return -ENOMEM;
	t->n = n;
	uv_timer_init(n->loop, &t->timer);
	t->timer.data = t;
	ctl_connect(t);
	*out = t;
	return 0;
}

static void on_timer_closed(uv_handle_t *h)
{
	struct agent_tunnel *t = h->data;
	buf_free(&t->line);
	free(t);
}

void agent_tunnel_stop(struct agent_tunnel *t)
{
	if (!t || t->stopping)
		return;
	t->stopping = true;
	if (t->ctl)
		httpc_stream_cancel(t->ctl);
	t->ctl = NULL;
	while (t->dials) {
		struct dial *d = t->dials;
		dial_unlink(d);
		httpc_stream_cancel(d->s);
		kl_session_abort(d->ks);
		free(d);
	}
	uv_close((uv_handle_t *)&t->timer, on_timer_closed);
}
