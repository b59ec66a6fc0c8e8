/* agent/proxy_run.c — applies the proxy's scripts with `nft -f -` as a child
 * process on the loop (a static binary cannot link Debian's libnftables), and
 * wires the proxy to the node: svcwatch events feed it, a short timer gathers
 * a burst of them into one transaction, nothing is applied before both
 * Services and EndpointSlices were listed (so a restart never drops rules it
 * has not heard about yet), and a failed transaction is retried as a full
 * rebuild of the table. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "agent/conntrack.h"
#include "agent/proxy.h"
#include "agent/svcwatch.h"
#include "common/buf.h"

#define NFT_STDERR_MAX 8192
#define WARN_EVERY 30 /* repeated failures: one warning in so many */

/* ---- nft as a child process ---- */

struct nft_job {
	uv_process_t proc;
	uv_pipe_t in, err;
	uv_write_t wr;
	char *script;
	struct buf errtext;
	proxy_nft_cb cb;
	void *ud;
	int64_t exit_status;
	int open; /* handles not closed yet */
	char chunk[1024];
};

static void job_closed(uv_handle_t *h)
{
	struct nft_job *j = h->data;
	if (--j->open)
		return;
	j->cb(j->ud, j->exit_status ? -EIO : 0, j->errtext.data ? j->errtext.data : "");
	buf_free(&j->errtext);
	free(j->script);
	free(j);
}

static void on_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	struct nft_job *j = p->data;
	j->exit_status = status ? status : sig ? 128 + sig : 0;
	uv_close((uv_handle_t *)p, job_closed);
}

static void on_written(uv_write_t *w, int status)
{
	struct nft_job *j = w->data;
	(void)status; /* a failed write shows as nft's exit status */
	uv_close((uv_handle_t *)&j->in, job_closed);
}

static void err_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct nft_job *j = h->data;
	(void)hint; /* each read is consumed before the next one */
	*b = uv_buf_init(j->chunk, sizeof j->chunk);
}

static void on_err_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct nft_job *j = s->data;
	if (n > 0 && j->errtext.len < NFT_STDERR_MAX)
		buf_append(&j->errtext, b->base, (size_t)n);
	else if (n < 0)
		uv_close((uv_handle_t *)s, job_closed);
}

int proxy_nft_run(uv_loop_t *loop, const char *const *argv, const char *script, proxy_nft_cb cb,
		  void *ud)
{
	struct nft_job *j = calloc(1, sizeof *j);
	if (!j || !(j->script = strdup(script))) {
		free(j);
		return -ENOMEM;
	}
	j->cb = cb;
	j->ud = ud;
	uv_pipe_init(loop, &j->in, 0);
	uv_pipe_init(loop, &j->err, 0);
	j->proc.data = j->in.data = j->err.data = j->wr.data = j;
	uv_stdio_container_t stdio[3] = {
	    {.flags = UV_CREATE_PIPE | UV_READABLE_PIPE, .data.stream = (uv_stream_t *)&j->in},
	    {.flags = UV_IGNORE},
	    {.flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t *)&j->err},
	};
	uv_process_options_t o = {
	    .exit_cb = on_exit_cb,
	    .file = argv[0],
	    .args = (char **)argv,
	    .stdio_count = 3,
	    .stdio = stdio,
	};
	int rc = uv_spawn(loop, &j->proc, &o);
	if (rc) {
		/* nothing started: close the handles, then report from the loop */
		j->exit_status = rc;
		j->open = 3;
		buf_printf(&j->errtext, "cannot run %s: %s", argv[0], uv_strerror(rc));
		uv_close((uv_handle_t *)&j->proc, job_closed);
		uv_close((uv_handle_t *)&j->in, job_closed);
		uv_close((uv_handle_t *)&j->err, job_closed);
		return 0;
	}
	j->open = 3;
	uv_buf_t b = uv_buf_init(j->script, (unsigned)strlen(j->script));
	uv_read_start((uv_stream_t *)&j->err, err_alloc, on_err_read);
	if (uv_write(&j->wr, (uv_stream_t *)&j->in, &b, 1, on_written))
		uv_close((uv_handle_t *)&j->in, job_closed);
	return 0;
}

/* ---- the agent's proxy ---- */

struct proxy_agent {
	struct node *n;
	struct proxy *p;
	uv_timer_t timer;
	bool synced, running, stopping;
	unsigned failures;
	json_t *stale; /* UDP flows to forget once the running script is applied */
};

/* Deletes the conntrack entries of UDP flows to endpoints that left their
 * Service (proxy_stale_udp_take), now that no rule sends there any more. */
static void stale_flush(struct proxy_agent *pa)
{
	size_t n = json_array_size(pa->stale), k = 0, i;
	json_t *v;
	struct ct_match *m = n ? calloc(n, sizeof *m) : NULL;
	char err[256];
	if (!m)
		return;
	json_array_foreach(pa->stale, i, v)
	{
		struct ct_match *c = &m[k];
		*c = (struct ct_match){0}; /* a skipped one may have left fields */
		const char *dst = json_string_value(json_object_get(v, "dst"));
		c->proto = IPPROTO_UDP;
		c->orig_dport = (uint16_t)json_integer_value(json_object_get(v, "port"));
		if (ct_addr_parse(json_string_value(json_object_get(v, "endpoint")),
				  &c->reply_src) ||
		    (dst && *dst && ct_addr_parse(dst, &c->orig_dst)))
			continue;
		k++;
	}
	int rc = ct_delete(m, k, err, sizeof err);
	if (rc < 0)
		log_warn(&pa->n->log, "proxy", "cannot flush UDP conntrack entries error=\"%s\"",
			 err);
	else if (rc > 0)
		log_v(&pa->n->log, 2, "proxy", "flushed stale UDP conntrack entries count=%d", rc);
	free(m);
	json_array_clear(pa->stale);
}

static void on_sync_timer(uv_timer_t *t);

static void schedule(struct proxy_agent *pa, uint64_t delay_ms)
{
	if (pa->stopping || !pa->synced || pa->running || !proxy_pending(pa->p) ||
	    uv_is_active((uv_handle_t *)&pa->timer))
		return;
	uv_timer_start(&pa->timer, on_sync_timer, delay_ms, 0);
}

static void on_applied(void *ud, int status, const char *errtext)
{
	struct proxy_agent *pa = ud;
	pa->running = false;
	if (pa->stopping)
		return;
	if (status) {
		if (pa->failures++ % WARN_EVERY == 0)
			log_warn(&pa->n->log, "proxy",
				 "nft failed, rebuilding the table error=\"%.*s\"",
				 (int)strcspn(errtext, "\n"), errtext);
		proxy_resync(pa->p);
		return schedule(pa, PROXY_RETRY_MS);
	}
	if (pa->failures)
		log_info(&pa->n->log, "proxy", "rules applied after %u failures", pa->failures);
	pa->failures = 0;
	stale_flush(pa);
	schedule(pa, PROXY_SYNC_DELAY_MS);
}

static void on_sync_timer(uv_timer_t *t)
{
	struct proxy_agent *pa = t->data;
	char *script = proxy_script(pa->p);
	json_t *stale = proxy_stale_udp_take(pa->p);
	if (json_array_size(pa->stale) < PROXY_STALE_MAX)
		json_array_extend(pa->stale, stale);
	json_decref(stale);
	if (!script || !*script) {
		free(script);
		return;
	}
	log_v(&pa->n->log, 2, "proxy", "applying bytes=%zu", strlen(script));
	pa->running = true;
	if (proxy_nft_run(pa->n->loop, proxy_nft_argv(pa->p), script, on_applied, pa)) {
		pa->running = false;
		proxy_resync(pa->p);
		schedule(pa, PROXY_RETRY_MS);
	}
	free(script);
}

static void on_service(void *ud, enum svcwatch_event ev, const json_t *svc)
{
	struct proxy_agent *pa = ud;
	if (ev == SVCWATCH_DELETED)
		proxy_service_delete(pa->p, svc);
	else
		proxy_service_set(pa->p, svc);
	schedule(pa, PROXY_SYNC_DELAY_MS);
}

static void on_slice(void *ud, enum svcwatch_event ev, const json_t *slice)
{
	struct proxy_agent *pa = ud;
	if (ev == SVCWATCH_DELETED)
		proxy_slice_delete(pa->p, slice);
	else
		proxy_slice_set(pa->p, slice);
	schedule(pa, PROXY_SYNC_DELAY_MS);
}

static void on_synced(void *ud)
{
	struct proxy_agent *pa = ud;
	pa->synced = true;
	schedule(pa, 0);
}

void proxy_agent_start(struct node *n)
{
	struct proxy_config cfg = {.node_name = n->cfg.node_name};
	struct proxy_agent *pa;
	if (n->proxy || !n->svcwatch || !(pa = calloc(1, sizeof *pa)))
		return;
	pa->n = n;
	if (proxy_new(&cfg, &pa->p)) {
		log_error(&n->log, "proxy", "cannot set up the service proxy");
		free(pa);
		return;
	}
	uv_timer_init(n->loop, &pa->timer);
	pa->timer.data = pa;
	pa->stale = json_array();
	n->proxy = pa;
	struct svcwatch_consumer c = {on_service, on_slice, on_synced, pa};
	svcwatch_subscribe(n->svcwatch, &c);
	log_info(&n->log, "proxy", "service proxy started table=ip %s", PROXY_TABLE);
}

void proxy_agent_stop(struct node *n)
{
	struct proxy_agent *pa = n->proxy;
	if (!pa || pa->stopping)
		return;
	pa->stopping = true; /* the table stays: connectivity while the agent restarts */
	uv_close((uv_handle_t *)&pa->timer, NULL);
}

void proxy_agent_free(struct node *n)
{
	struct proxy_agent *pa = n->proxy;
	if (!pa)
		return;
	proxy_free(pa->p);
	json_decref(pa->stale);
	free(pa);
	n->proxy = NULL;
}
