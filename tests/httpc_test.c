/* Tests for common/httpc.c: the client against the real apiserver/http.c
 * server (plain and TLS with a pki CA in a temp dir) and against a raw TCP
 * server that misbehaves on purpose, all on one libuv loop in one thread.
 * Each case runs the loop until its callbacks have fired (bounded by a guard
 * timer); at the end every handle is closed and uv_run must return. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apiserver/http.h"
#include "common/httpc.h"
#include "common/pki.h"
#include "common/tls.h"
#include "tests/test.h"

/* ---- the environment: servers on one loop ---- */

struct env {
	uv_loop_t loop;
	struct pki pki, other; /* other: a second CA nobody trusts */
	char *dir, *other_dir;
	struct tls_config *tls;
	struct http_server *plain, *secure, *single, *short_idle;
	int plain_port, secure_port, single_port, short_idle_port;
	uv_tcp_t raw;
	struct raw_conn *raw_conns;
	int raw_port;
	/* server-side observations */
	int inflight, max_inflight, handled;
	int stream_closes;
	struct http_req *held[8];
	int nheld;
	char *node_cert, *node_key;
};

struct slow {
	uv_timer_t t;
	struct env *env;
	struct http_req *req;
	struct http_stream *stream;
	int writes, limit; /* limit 0: forever */
};

static void slow_free(uv_handle_t *h)
{
	free(h->data);
}

static void on_slow_answer(uv_timer_t *t)
{
	struct slow *s = t->data;
	s->env->inflight--;
	http_respond(s->req, 200, NULL, 0, "text/plain", "slow", 4);
	uv_close((uv_handle_t *)&s->t, slow_free);
}

static void on_stream_gone(void *ud)
{
	struct slow *s = ud;
	s->env->stream_closes++;
	uv_close((uv_handle_t *)&s->t, slow_free);
}

static void on_stream_tick(uv_timer_t *t)
{
	struct slow *s = t->data;
	char chunk[32];
	snprintf(chunk, sizeof chunk, "chunk-%d\n", ++s->writes);
	int rc = http_stream_write(s->stream, chunk, strlen(chunk));
	if (rc == 0 && (s->limit == 0 || s->writes < s->limit))
		return;
	if (rc == 0)
		http_stream_end(s->stream);
	uv_close((uv_handle_t *)&s->t, slow_free);
}

static struct slow *slow_new(struct env *e, struct http_req *r)
{
	struct slow *s = calloc(1, sizeof *s);
	s->env = e;
	s->req = r;
	uv_timer_init(&e->loop, &s->t);
	s->t.data = s;
	return s;
}

static void serve_stream(struct env *e, struct http_req *r, int limit)
{
	struct slow *s = slow_new(e, r);
	s->limit = limit;
	s->stream = http_stream_begin(r, 200, "application/json", NULL, 0, on_stream_gone, s);
	uv_timer_start(&s->t, on_stream_tick, 20, 20);
}

static void serve_echo(struct http_req *r)
{
	size_t blen;
	const char *body = http_req_body(r, &blen);
	const char *ct = http_req_header(r, "content-type");
	const char *auth = http_req_header(r, "authorization");
	char out[512];
	snprintf(out, sizeof out, "%s %s q=%s len=%zu b=%.*s ct=%s auth=%s", http_req_method(r),
		 http_req_path(r), http_req_query(r), blen, blen > 32 ? 32 : (int)blen, body,
		 ct ? ct : "-", auth ? auth : "-");
	struct http_header h = {"X-Echo", "yes"};
	http_respond(r, 200, &h, 1, "text/plain", out, strlen(out));
}

static void serve_whoami(struct http_req *r)
{
	const struct http_peer *p = http_req_peer(r);
	char out[512];
	snprintf(out, sizeof out, "cert=%d user=%s group=%s", p->has_cert, p->user,
		 p->ngroups ? p->groups[0] : "-");
	http_respond(r, 200, NULL, 0, "text/plain", out, strlen(out));
}

static void serve_big(struct http_req *r, size_t n)
{
	char *b = malloc(n);
	for (size_t i = 0; i < n; i++)
		b[i] = (char)('a' + i % 26);
	http_respond(r, 200, NULL, 0, "application/octet-stream", b, n);
	free(b);
}

static void handler(void *ud, struct http_req *r)
{
	struct env *e = ud;
	const char *path = http_req_path(r);
	e->handled++;
	if (!strcmp(path, "/echo")) {
		serve_echo(r);
	} else if (!strcmp(path, "/whoami")) {
		serve_whoami(r);
	} else if (!strcmp(path, "/big")) {
		serve_big(r, 300000);
	} else if (!strcmp(path, "/slow")) {
		struct slow *s = slow_new(e, r);
		if (++e->inflight > e->max_inflight)
			e->max_inflight = e->inflight;
		uv_timer_start(&s->t, on_slow_answer, 30, 0);
	} else if (!strcmp(path, "/never") && e->nheld < 8) {
		e->held[e->nheld++] = r; /* answered at teardown */
	} else if (!strcmp(path, "/stream3")) {
		serve_stream(e, r, 3);
	} else if (!strcmp(path, "/forever")) {
		serve_stream(e, r, 0);
	} else {
		http_respond(r, 404, NULL, 0, "text/plain", "nope", 4);
	}
}

/* ---- a raw TCP server that misbehaves on purpose ---- */

struct raw_conn {
	struct raw_conn **head, *next, *prev; /* env's list of open raw conns */
	uv_tcp_t tcp;
	uv_write_t w;
	char in[8192];
	size_t len;
	char *out;
	bool close_after;
	int served; /* keep-alive answers given on this connection */
};

static void raw_closed(uv_handle_t *h)
{
	struct raw_conn *rc = h->data;
	if (rc->prev)
		rc->prev->next = rc->next;
	else
		*rc->head = rc->next;
	if (rc->next)
		rc->next->prev = rc->prev;
	free(rc->out);
	free(rc);
}

static void raw_written(uv_write_t *w, int status)
{
	struct raw_conn *rc = w->data;
	if (rc->close_after && !uv_is_closing((uv_handle_t *)&rc->tcp))
		uv_close((uv_handle_t *)&rc->tcp, raw_closed);
	if (!rc->close_after) {
		free(rc->out);
		rc->out = NULL;
	}
}

static char *raw_big_header(void)
{
	size_t n = 70000;
	char *s = malloc(n + 128);
	int off = sprintf(s, "HTTP/1.1 200 OK\r\nX-Big: ");
	memset(s + off, 'x', n);
	strcpy(s + off + n, "\r\nContent-Length: 0\r\n\r\n");
	return s;
}

/* Canned answers by path; anything else (a TLS ClientHello) is never
 * answered. */
static char *raw_answer(const char *req)
{
	if (!strncmp(req, "GET /partial ", 13))
		return strdup("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-part");
	if (!strncmp(req, "GET /garbage ", 13))
		return strdup("SPDY/9 what is this\r\n\r\n");
	if (!strncmp(req, "GET /eof-body ", 14))
		return strdup("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil-close");
	if (!strncmp(req, "GET /bigheader ", 15))
		return raw_big_header();
	if (!strncmp(req, "GET /badchunk ", 14))
		return strdup("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab");
	return NULL;
}

static void raw_alloc(uv_handle_t *h, size_t sz, uv_buf_t *buf)
{
	struct raw_conn *rc = h->data;
	*buf = uv_buf_init(rc->in + rc->len, (unsigned)(sizeof rc->in - 1 - rc->len));
}

static void raw_send(struct raw_conn *rc, char *out, bool close_after)
{
	rc->out = out;
	rc->close_after = close_after;
	rc->w.data = rc;
	uv_buf_t b = uv_buf_init(rc->out, (unsigned)strlen(rc->out));
	uv_write(&rc->w, (uv_stream_t *)&rc->tcp, &b, 1, raw_written);
}

/* "/ka": the first request on a connection is answered and kept alive; the
 * next one gets the connection closed without an answer, as a server
 * closing an idle connection just as the client reuses it. */
static void raw_keep_alive_once(struct raw_conn *rc)
{
	rc->len = 0;
	if (rc->served++ == 0)
		raw_send(rc, strdup("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), false);
	else
		uv_close((uv_handle_t *)&rc->tcp, raw_closed);
}

static void raw_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
	struct raw_conn *rc = st->data;
	if (n < 0) {
		if (!uv_is_closing((uv_handle_t *)st))
			uv_close((uv_handle_t *)st, raw_closed);
		return;
	}
	rc->len += (size_t)n;
	rc->in[rc->len] = '\0';
	if (rc->out || !strstr(rc->in, "\r\n\r\n"))
		return;
	if (strstr(rc->in, " /ka ")) {
		raw_keep_alive_once(rc);
		return;
	}
	char *out = raw_answer(rc->in);
	if (out)
		raw_send(rc, out, true);
}

static void raw_on_conn(uv_stream_t *l, int status)
{
	struct raw_conn *rc = calloc(1, sizeof *rc);
	rc->head = l->data;
	rc->next = *rc->head;
	if (rc->next)
		rc->next->prev = rc;
	*rc->head = rc;
	uv_tcp_init(l->loop, &rc->tcp);
	rc->tcp.data = rc;
	uv_accept(l, (uv_stream_t *)&rc->tcp);
	uv_read_start((uv_stream_t *)&rc->tcp, raw_alloc, raw_read);
}

/* ---- environment setup ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static char *tmpdir_new(void)
{
	char tmpl[] = "/tmp/httpc_test.XXXXXX";
	return strdup(mkdtemp(tmpl));
}

static int port_of_start(struct env *e, struct tls_config *tls, struct http_limits lim,
			 struct http_server **out)
{
	struct http_server_config cfg = {.bind_address = "127.0.0.1",
					 .tls = tls,
					 .limits = lim,
					 .handler = handler,
					 .handler_ud = e};
	if (http_server_start(&e->loop, &cfg, out) != 0)
		return -1;
	return http_server_port(*out);
}

static void raw_start(struct env *e)
{
	struct sockaddr_in a;
	struct sockaddr_storage ss;
	int len = sizeof ss;
	uv_tcp_init(&e->loop, &e->raw);
	e->raw.data = &e->raw_conns;
	uv_ip4_addr("127.0.0.1", 0, &a);
	uv_tcp_bind(&e->raw, (struct sockaddr *)&a, 0);
	uv_listen((uv_stream_t *)&e->raw, 16, raw_on_conn);
	uv_tcp_getsockname(&e->raw, (struct sockaddr *)&ss, &len);
	e->raw_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static void env_start(struct env *e)
{
	char *err = NULL;
	static const char *const groups[] = {"system:nodes", NULL};
	uv_loop_init(&e->loop);
	e->dir = tmpdir_new();
	e->other_dir = tmpdir_new();
	CHECK_INT(pki_load_or_create(&e->pki, e->dir, "10.43.0.1", NULL, &err), 0);
	CHECK_INT(pki_load_or_create(&e->other, e->other_dir, "10.43.0.1", NULL, &err), 0);
	CHECK_INT(
	    pki_issue_client(&e->pki, "system:node:n1", groups, &e->node_cert, &e->node_key, &err),
	    0);
	e->tls = pki_server_config(&e->pki, &err);
	free(err);
	e->plain_port = port_of_start(e, NULL, (struct http_limits){0}, &e->plain);
	e->secure_port = port_of_start(e, e->tls, (struct http_limits){0}, &e->secure);
	e->single_port =
	    port_of_start(e, NULL, (struct http_limits){.max_connections = 1}, &e->single);
	e->short_idle_port =
	    port_of_start(e, NULL, (struct http_limits){.idle_timeout_ms = 100}, &e->short_idle);
	raw_start(e);
}

static void env_stop(struct env *e)
{
	for (int i = 0; i < e->nheld; i++)
		http_respond(e->held[i], 200, NULL, 0, NULL, "late", 4);
	http_server_stop(e->plain);
	http_server_stop(e->secure);
	http_server_stop(e->single);
	http_server_stop(e->short_idle);
	for (struct raw_conn *rc = e->raw_conns; rc; rc = rc->next)
		if (!uv_is_closing((uv_handle_t *)&rc->tcp))
			uv_close((uv_handle_t *)&rc->tcp, raw_closed);
	uv_close((uv_handle_t *)&e->raw, NULL);
	CHECK_INT(uv_run(&e->loop, UV_RUN_DEFAULT), 0); /* everything closed */
	CHECK_INT(uv_loop_close(&e->loop), 0);
	tls_config_unref(e->tls);
	pki_free(&e->pki);
	pki_free(&e->other);
	nftw(e->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	nftw(e->other_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(e->dir);
	free(e->other_dir);
	free(e->node_cert);
	free(e->node_key);
}

/* ---- running the loop ---- */

static void on_guard(uv_timer_t *t)
{
	*(bool *)t->data = true;
}

/* Runs the loop until *done (or n completions) or ms passed; false on timeout. */
static bool run_until(struct env *e, const int *count, int want, unsigned ms)
{
	bool expired = false;
	uv_timer_t guard;
	uv_timer_init(&e->loop, &guard);
	guard.data = &expired;
	uv_timer_start(&guard, on_guard, ms, 0);
	while (*count < want && !expired)
		uv_run(&e->loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&guard, NULL);
	uv_run(&e->loop, UV_RUN_NOWAIT);
	return *count >= want;
}

/* Lets the loop run for ms (e.g. to see that nothing else happens). */
static void run_for(struct env *e, unsigned ms)
{
	int never = 0;
	run_until(e, &never, 1, ms);
}

/* ---- client helpers ---- */

struct result {
	int done;
	int status;
	char body[512];
	size_t len;
	char echo_hdr[16];
};

static void on_done(void *ud, int status, const struct httpc_resp *resp, const char *body,
		    size_t len)
{
	struct result *r = ud;
	r->done++;
	r->status = status;
	r->len = len;
	CHECK(status > 0 || resp == NULL);
	CHECK(body != NULL && body[len] == '\0');
	snprintf(r->body, sizeof r->body, "%.*s", (int)(len < 511 ? len : 511), body);
	const char *h = httpc_resp_header(resp, "x-echo");
	snprintf(r->echo_hdr, sizeof r->echo_hdr, "%s", h ? h : "");
}

static struct httpc *client_new(struct env *e, const char *scheme, int port,
				struct httpc_config cfg)
{
	char url[128];
	char *err = NULL;
	struct httpc *c = NULL;
	snprintf(url, sizeof url, "%s://127.0.0.1:%d", scheme, port);
	if (!cfg.url)
		cfg.url = url;
	int rc = httpc_new(&e->loop, &cfg, &c, &err);
	if (rc != 0)
		fprintf(stderr, "httpc_new: %s\n", err ? err : "?");
	CHECK_INT(rc, 0);
	free(err);
	return c;
}

/* One request, run to completion. */
static struct result call(struct env *e, struct httpc *c, const char *method, const char *path,
			  const char *body)
{
	struct result r = {0};
	CHECK_INT(httpc_request(c, method, path, body ? "application/json" : NULL, body,
				body ? strlen(body) : 0, on_done, &r),
		  0);
	CHECK(run_until(e, &r.done, 1, 5000));
	return r;
}

static void client_free(struct env *e, struct httpc *c)
{
	httpc_free(c);
	run_for(e, 10);
}

/* ---- cases ---- */

static struct env E;

static void test_plain_round_trips(void)
{
	struct httpc *c = client_new(&E, "http", E.plain_port, (struct httpc_config){0});
	struct result r = call(&E, c, "GET", "/echo?a=1&b=x%20y", NULL);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body, "GET /echo q=a=1&b=x%20y len=0 b= ct=- auth=-");
	CHECK_STR(r.echo_hdr, "yes");
	r = call(&E, c, "POST", "/echo", "{\"kind\":\"Pod\"}");
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body, "POST /echo q= len=14 b={\"kind\":\"Pod\"} ct=application/json auth=-");
	r = call(&E, c, "GET", "/missing", NULL);
	CHECK_INT(r.status, 404);
	CHECK_STR(r.body, "nope");
	r = call(&E, c, "HEAD", "/echo", NULL);
	CHECK_INT(r.status, 200);
	CHECK_INT(r.len, 0);
	r = call(&E, c, "GET", "/big", NULL);
	CHECK_INT(r.status, 200);
	CHECK_INT(r.len, 300000);
	/* Bad arguments are refused at once, without a callback. */
	struct result bad = {0};
	CHECK_INT(httpc_request(c, "GET", "no-slash", NULL, NULL, 0, on_done, &bad), -EINVAL);
	CHECK_INT(httpc_request(c, "GET", "/a b", NULL, NULL, 0, on_done, &bad), -EINVAL);
	CHECK_INT(httpc_request(c, "get", "/", NULL, NULL, 0, on_done, &bad), -EINVAL);
	CHECK_INT(httpc_request(c, "POST", "/", "a\r\nX: y", "x", 1, on_done, &bad), -EINVAL);
	run_for(&E, 10);
	CHECK_INT(bad.done, 0);
	struct httpc_stats st;
	httpc_get_stats(c, &st);
	CHECK_INT(st.connects, 1); /* everything went over one kept-alive connection */
	CHECK_INT(st.reused, 4);
	client_free(&E, c);
}

static void test_tls_round_trips(void)
{
	struct httpc_config cfg = {.ca_pem = E.pki.ca_pem};
	struct httpc *c = client_new(&E, "https", E.secure_port, cfg);
	struct result r = call(&E, c, "PUT", "/echo", "{}");
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body, "PUT /echo q= len=2 b={} ct=application/json auth=-");
	r = call(&E, c, "GET", "/big", NULL);
	CHECK_INT(r.status, 200);
	CHECK_INT(r.len, 300000);
	/* A large request body crosses many TLS records. */
	size_t n = 1u << 20;
	char *big = malloc(n + 1);
	memset(big, 'z', n);
	big[n] = '\0';
	r = call(&E, c, "POST", "/echo", big);
	free(big);
	CHECK_INT(r.status, 200);
	CHECK(strstr(r.body, "len=1048576 ") != NULL);
	r = call(&E, c, "GET", "/whoami", NULL);
	CHECK_STR(r.body, "cert=0 user= group=-");
	client_free(&E, c);
}

static void test_client_cert_identity(void)
{
	struct httpc_config cfg = {
	    .ca_pem = E.pki.ca_pem, .cert_pem = E.node_cert, .key_pem = E.node_key};
	struct httpc *c = client_new(&E, "https", E.secure_port, cfg);
	struct result r = call(&E, c, "GET", "/whoami", NULL);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body, "cert=1 user=system:node:n1 group=system:nodes");
	client_free(&E, c);

	cfg = (struct httpc_config){.ca_pem = E.pki.ca_pem, .bearer_token = "s3cret"};
	c = client_new(&E, "https", E.secure_port, cfg);
	r = call(&E, c, "GET", "/echo", NULL);
	CHECK_STR(r.body, "GET /echo q= len=0 b= ct=- auth=Bearer s3cret");
	client_free(&E, c);
}

static void test_verification_failures(void)
{
	/* A CA that did not sign the server's certificate. */
	struct httpc *c =
	    client_new(&E, "https", E.secure_port, (struct httpc_config){.ca_pem = E.other.ca_pem});
	struct result r = call(&E, c, "GET", "/echo", NULL);
	CHECK_INT(r.status, HTTPC_E_VERIFY);
	CHECK(strstr(httpc_last_error(c), "verify failed") != NULL);
	client_free(&E, c);

	/* The right CA, but a name or an IP the certificate does not carry. */
	static const char *const wrong[] = {"wrong.example", "10.9.9.9", "127.0.0.2"};
	for (size_t i = 0; i < 3; i++) {
		struct httpc_config cfg = {.ca_pem = E.pki.ca_pem, .server_name = wrong[i]};
		c = client_new(&E, "https", E.secure_port, cfg);
		r = call(&E, c, "GET", "/echo", NULL);
		CHECK_INT(r.status, HTTPC_E_VERIFY);
		client_free(&E, c);
	}
	/* Names the certificate does carry. */
	static const char *const right[] = {"localhost", "kubernetes.default.svc", "10.43.0.1"};
	for (size_t i = 0; i < 3; i++) {
		struct httpc_config cfg = {.ca_pem = E.pki.ca_pem, .server_name = right[i]};
		c = client_new(&E, "https", E.secure_port, cfg);
		r = call(&E, c, "GET", "/echo", NULL);
		CHECK_INT(r.status, 200);
		client_free(&E, c);
	}
	/* A host name in the URL: resolved, and verified as a DNS name. */
	char url[64];
	snprintf(url, sizeof url, "https://localhost:%d/", E.secure_port);
	c = client_new(&E, "https", 0, (struct httpc_config){.url = url, .ca_pem = E.pki.ca_pem});
	r = call(&E, c, "GET", "/echo", NULL);
	CHECK_INT(r.status, 200);
	client_free(&E, c);
}

static void test_bad_config(void)
{
	struct httpc *c = NULL;
	char *err = NULL;
	static const char *const urls[] = {"ftp://x",	      "https://",	"https://h:0",
					   "https://h:99999", "https://h/path", "https://[::1",
					   "http://a b:1"};
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		CHECK_INT(httpc_new(&E.loop, &(struct httpc_config){.url = urls[i]}, &c, &err),
			  -EINVAL);
		CHECK(c == NULL && err != NULL);
		free(err);
	}
	struct httpc_config cfg = {.url = "https://127.0.0.1:1", .ca_pem = "not a pem"};
	CHECK_INT(httpc_new(&E.loop, &cfg, &c, &err), -EINVAL);
	free(err);
	cfg = (struct httpc_config){
	    .url = "https://127.0.0.1:1", .ca_pem = E.pki.ca_pem, .cert_pem = E.node_cert};
	CHECK_INT(httpc_new(&E.loop, &cfg, &c, &err), -EINVAL); /* no key */
	free(err);
	cfg = (struct httpc_config){
	    .url = "https://127.0.0.1:1", .ca_pem = E.pki.ca_pem, .bearer_token = "a\r\nX-Evil: 1"};
	CHECK_INT(httpc_new(&E.loop, &cfg, &c, &err), -EINVAL);
	free(err);
}

static void test_pool_concurrency(void)
{
	struct httpc *c =
	    client_new(&E, "https", E.secure_port, (struct httpc_config){.ca_pem = E.pki.ca_pem});
	struct result r[20] = {0};
	int done = 0;
	E.max_inflight = 0;
	for (int i = 0; i < 20; i++)
		CHECK_INT(httpc_request(c, "GET", "/slow", NULL, NULL, 0, on_done, &r[i]), 0);
	for (int guard = 0; guard < 500 && done < 20; guard++) {
		run_for(&E, 10);
		done = 0;
		for (int i = 0; i < 20; i++)
			done += r[i].done;
	}
	CHECK_INT(done, 20);
	for (int i = 0; i < 20; i++) {
		CHECK_INT(r[i].status, 200);
		CHECK_STR(r[i].body, "slow");
	}
	struct httpc_stats st;
	httpc_get_stats(c, &st);
	CHECK_INT(st.connects, 4);    /* the pool grew to its limit, no further */
	CHECK_INT(E.max_inflight, 4); /* the server saw 4 in parallel */
	CHECK_INT(st.reused, 16);
	CHECK_INT(st.requests, 20);
	client_free(&E, c);
}

/* Sequential requests on a server that admits one connection at a time: a
 * second connection would be dropped, so success proves reuse. */
struct chain_ctx {
	struct httpc *c;
	int left, done, fails;
};

static void on_chain_step(void *ud, int status, const struct httpc_resp *resp, const char *body,
			  size_t len)
{
	struct chain_ctx *k = ud;
	if (status != 200)
		k->fails++;
	if (--k->left > 0)
		CHECK_INT(httpc_request(k->c, "GET", "/echo", NULL, NULL, 0, on_chain_step, k), 0);
	else
		k->done = 1;
}

static void test_keep_alive_reuse(void)
{
	struct chain_ctx k = {.left = 6};
	k.c = client_new(&E, "http", E.single_port, (struct httpc_config){0});
	int handled = E.handled;
	CHECK_INT(httpc_request(k.c, "GET", "/echo", NULL, NULL, 0, on_chain_step, &k), 0);
	CHECK(run_until(&E, &k.done, 1, 5000));
	CHECK_INT(k.fails, 0);
	CHECK_INT(E.handled - handled, 6);
	struct httpc_stats st;
	httpc_get_stats(k.c, &st);
	CHECK_INT(st.connects, 1);
	CHECK_INT(st.reused, 5);
	client_free(&E, k.c);

	/* The server closes idle connections after 100 ms: the client notices
	 * and reconnects for the next request. */
	struct httpc *c = client_new(&E, "http", E.short_idle_port, (struct httpc_config){0});
	CHECK_INT(call(&E, c, "GET", "/echo", NULL).status, 200);
	run_for(&E, 300);
	httpc_get_stats(c, &st);
	CHECK_INT(st.open_conns, 0);
	CHECK_INT(call(&E, c, "GET", "/echo", NULL).status, 200);
	httpc_get_stats(c, &st);
	CHECK_INT(st.connects, 2);
	client_free(&E, c);
}

static void test_misbehaving_server(void)
{
	struct httpc *c = client_new(&E, "http", E.raw_port, (struct httpc_config){0});
	struct result r = call(&E, c, "GET", "/partial", NULL);
	CHECK_INT(r.status, -ECONNRESET);
	CHECK(strstr(httpc_last_error(c), "closed the connection") != NULL);
	CHECK_INT(call(&E, c, "GET", "/garbage", NULL).status, -EPROTO);
	CHECK_INT(call(&E, c, "GET", "/bigheader", NULL).status, -EMSGSIZE);
	CHECK_INT(call(&E, c, "GET", "/badchunk", NULL).status, -ECONNRESET);
	r = call(&E, c, "GET", "/eof-body", NULL);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body, "until-close");
	client_free(&E, c);

	/* Over the client's body limit. */
	c = client_new(&E, "http", E.plain_port, (struct httpc_config){.max_body = 1000});
	CHECK_INT(call(&E, c, "GET", "/big", NULL).status, -EMSGSIZE);
	CHECK_INT(call(&E, c, "GET", "/echo", NULL).status, 200); /* recovers */
	client_free(&E, c);

	/* Nobody listening: every queued request fails; the next one retries. */
	c = client_new(&E, "http", 1, (struct httpc_config){0});
	struct result q[3] = {0};
	for (int i = 0; i < 3; i++)
		CHECK_INT(httpc_request(c, "GET", "/", NULL, NULL, 0, on_done, &q[i]), 0);
	CHECK(run_until(&E, &q[2].done, 1, 5000));
	for (int i = 0; i < 3; i++)
		CHECK_INT(q[i].status, -ECONNREFUSED);
	CHECK_INT(call(&E, c, "GET", "/", NULL).status, -ECONNREFUSED);
	client_free(&E, c);
}

/* A reused connection that the server closed just as the request went out:
 * an idempotent request is sent once more on a new connection, a POST is
 * not (it may have been applied). */
static void test_stale_connection_retry(void)
{
	struct httpc *c = client_new(&E, "http", E.raw_port, (struct httpc_config){0});
	CHECK_INT(call(&E, c, "GET", "/ka", NULL).status, 200);
	struct result r = call(&E, c, "GET", "/ka", NULL);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body, "ok");
	struct httpc_stats st;
	httpc_get_stats(c, &st);
	CHECK_INT(st.retries, 1);
	CHECK_INT(st.connects, 2);
	CHECK_INT(call(&E, c, "POST", "/ka", "{}").status, -ECONNRESET);
	httpc_get_stats(c, &st);
	CHECK_INT(st.retries, 1);
	client_free(&E, c);
}

static void test_timeouts(void)
{
	struct httpc *c =
	    client_new(&E, "http", E.plain_port, (struct httpc_config){.request_timeout_ms = 150});
	uint64_t t0 = uv_now(&E.loop);
	struct result r = call(&E, c, "GET", "/never", NULL);
	CHECK_INT(r.status, -ETIMEDOUT);
	CHECK(uv_now(&E.loop) - t0 >= 140);
	CHECK(strstr(httpc_last_error(c), "timed out") != NULL);
	/* The client goes on with a fresh connection. */
	CHECK_INT(call(&E, c, "GET", "/echo", NULL).status, 200);
	client_free(&E, c);

	/* A TLS handshake that never completes hits the connect timeout. */
	c = client_new(&E, "https", E.raw_port,
		       (struct httpc_config){.ca_pem = E.pki.ca_pem, .connect_timeout_ms = 150});
	CHECK_INT(call(&E, c, "GET", "/echo", NULL).status, -ETIMEDOUT);
	client_free(&E, c);
}

/* ---- streams ---- */

struct sctx {
	struct httpc_stream *s;
	char data[256];
	size_t len;
	int chunks, ends, end_status, lines, cancel_after;
	struct httpc_lines splitter;
};

static int count_line(void *ud, const char *line, size_t len)
{
	struct sctx *x = ud;
	x->lines++;
	CHECK(len == 7 && !strncmp(line, "chunk-", 6) && line[len] == '\0');
	return 0;
}

static void on_sdata(void *ud, const char *chunk, size_t len)
{
	struct sctx *x = ud;
	x->chunks++;
	if (x->len + len < sizeof x->data) {
		memcpy(x->data + x->len, chunk, len);
		x->len += len;
	}
	CHECK_INT(httpc_lines_feed(&x->splitter, chunk, len, count_line, x), 0);
	if (x->cancel_after && x->chunks >= x->cancel_after)
		httpc_stream_cancel(x->s);
}

static void on_send(void *ud, int status)
{
	struct sctx *x = ud;
	x->ends++;
	x->end_status = status;
	httpc_stream_cancel(x->s); /* a no-op inside on_end */
}

static void test_stream_chunks(void)
{
	struct httpc *c =
	    client_new(&E, "https", E.secure_port, (struct httpc_config){.ca_pem = E.pki.ca_pem});
	struct sctx x = {0};
	httpc_lines_init(&x.splitter, 0);
	CHECK_INT(httpc_stream(c, "GET", "/stream3?watch=1", on_sdata, on_send, &x, &x.s), 0);
	CHECK_INT(httpc_stream_status(x.s), 0);
	CHECK(run_until(&E, &x.ends, 1, 5000));
	CHECK_INT(x.end_status, 200);
	CHECK_INT(x.len, 24);
	CHECK(x.len == 24 && !memcmp(x.data, "chunk-1\nchunk-2\nchunk-3\n", 24));
	CHECK(x.chunks >= 1);
	CHECK_INT(x.lines, 3);
	CHECK_INT(httpc_lines_flush(&x.splitter, count_line, &x), 0);
	/* Ordinary requests go on beside a stream. */
	CHECK_INT(call(&E, c, "GET", "/echo", NULL).status, 200);
	client_free(&E, c);
}

static void test_stream_cancel(void)
{
	struct httpc *c = client_new(&E, "http", E.plain_port, (struct httpc_config){0});
	struct sctx x = {.cancel_after = 2};
	httpc_lines_init(&x.splitter, 0);
	int closes = E.stream_closes;
	CHECK_INT(httpc_stream(c, "GET", "/forever", on_sdata, on_send, &x, &x.s), 0);
	CHECK(run_until(&E, &x.chunks, 2, 5000));
	/* The server sees the client go away; the client hears nothing more. */
	CHECK(run_until(&E, &E.stream_closes, closes + 1, 5000));
	run_for(&E, 60);
	CHECK_INT(x.chunks, 2);
	CHECK_INT(x.ends, 0);
	httpc_lines_free(&x.splitter);

	/* Cancelled before it even connected. */
	struct sctx y = {0};
	CHECK_INT(httpc_stream(c, "GET", "/forever", on_sdata, on_send, &y, &y.s), 0);
	httpc_stream_cancel(y.s);
	run_for(&E, 60);
	CHECK_INT(y.chunks + y.ends, 0);

	/* httpc_free ends what is open: on_end(-ECANCELED), cb(-ECANCELED). */
	struct sctx z = {0};
	struct result r = {0};
	httpc_lines_init(&z.splitter, 0);
	CHECK_INT(httpc_stream(c, "GET", "/forever", on_sdata, on_send, &z, &z.s), 0);
	CHECK_INT(httpc_request(c, "GET", "/never", NULL, NULL, 0, on_done, &r), 0);
	CHECK(run_until(&E, &z.chunks, 1, 5000));
	httpc_free(c);
	CHECK(run_until(&E, &z.ends, 1, 5000));
	CHECK(run_until(&E, &r.done, 1, 5000));
	CHECK_INT(z.end_status, -ECANCELED);
	CHECK_INT(r.status, -ECANCELED);
	httpc_lines_free(&z.splitter);
}

/* A callback may free the client it came from. */
struct free_ctx {
	struct httpc *c;
	int done, second;
};

static void on_done_free(void *ud, int status, const struct httpc_resp *resp, const char *body,
			 size_t len)
{
	struct free_ctx *f = ud;
	if (f->done++ == 0)
		httpc_free(f->c);
	else
		f->second = status;
}

static void test_free_inside_callback(void)
{
	struct free_ctx f = {0};
	f.c = client_new(&E, "http", E.plain_port, (struct httpc_config){.max_conns = 1});
	CHECK_INT(httpc_request(f.c, "GET", "/echo", NULL, NULL, 0, on_done_free, &f), 0);
	CHECK_INT(httpc_request(f.c, "GET", "/echo", NULL, NULL, 0, on_done_free, &f), 0);
	CHECK(run_until(&E, &f.done, 2, 5000));
	CHECK_INT(f.second, -ECANCELED);
}

/* ---- lines ---- */

struct lines_seen {
	char got[8][32];
	int n;
};

static int collect_line(void *ud, const char *line, size_t len)
{
	struct lines_seen *s = ud;
	if (s->n < 8)
		snprintf(s->got[s->n++], 32, "%.*s", (int)len, line);
	return 0;
}

static int stop_line(void *ud, const char *line, size_t len)
{
	return 7;
}

static void test_lines(void)
{
	struct httpc_lines l;
	struct lines_seen s = {0};
	httpc_lines_init(&l, 0);
	CHECK_INT(httpc_lines_feed(&l, "{\"a\":1}\n{\"b\"", 12, collect_line, &s), 0);
	CHECK_INT(s.n, 1);
	CHECK_INT(httpc_lines_feed(&l, ":2}\r\n\n{\"c\":", 11, collect_line, &s), 0);
	CHECK_INT(httpc_lines_feed(&l, "3}", 2, collect_line, &s), 0);
	CHECK_INT(s.n, 2);
	CHECK_INT(httpc_lines_flush(&l, collect_line, &s), 0);
	CHECK_INT(s.n, 3);
	CHECK_STR(s.got[0], "{\"a\":1}");
	CHECK_STR(s.got[1], "{\"b\":2}");
	CHECK_STR(s.got[2], "{\"c\":3}");

	/* A line over the bound is dropped up to its newline, even across feeds. */
	s.n = 0;
	httpc_lines_init(&l, 8);
	CHECK_INT(httpc_lines_feed(&l, "0123456789\nabc\n", 15, collect_line, &s), -EMSGSIZE);
	CHECK_INT(httpc_lines_feed(&l, "01234", 5, collect_line, &s), 0);
	CHECK_INT(httpc_lines_feed(&l, "5678", 4, collect_line, &s), -EMSGSIZE);
	CHECK_INT(httpc_lines_feed(&l, "9999\nxy\n12345678\n", 17, collect_line, &s), 0);
	CHECK_INT(s.n, 3);
	CHECK_STR(s.got[0], "abc");
	CHECK_STR(s.got[1], "xy");
	CHECK_STR(s.got[2], "12345678");
	/* A callback's nonzero return stops the feed. */
	CHECK_INT(httpc_lines_feed(&l, "a\nb\n", 4, stop_line, NULL), 7);
	httpc_lines_free(&l);
}

/* ---- join: learning the CA ---- */

struct chain_result {
	int done, status;
	char *pem;
};

static void on_chain(void *ud, int status, const char *pem)
{
	struct chain_result *r = ud;
	r->done++;
	r->status = status;
	r->pem = pem ? strdup(pem) : NULL;
}

static void test_fetch_peer_chain(void)
{
	char url[64];
	struct chain_result r = {0};
	/* pki_server_config's client CA issued the serving certificate, so
	 * tls_server_config completes the served chain with it: a joining node
	 * can pick the CA out of the handshake. */
	snprintf(url, sizeof url, "https://127.0.0.1:%d", E.secure_port);
	CHECK_INT(httpc_fetch_peer_cert_chain(&E.loop, url, 2000, on_chain, &r), 0);
	CHECK(run_until(&E, &r.done, 1, 5000));
	CHECK_INT(r.status, 0);
	char *ca = NULL, *none = NULL;
	CHECK_INT(httpc_chain_find_ca(r.pem ? r.pem : "", E.pki.ca_hash, &ca), 0);
	CHECK_STR(ca, E.pki.ca_pem);
	CHECK_INT(httpc_chain_find_ca(r.pem ? r.pem : "", E.other.ca_hash, &none), -ENOENT);
	CHECK(none == NULL);
	/* The CA so learned is then trusted for real requests. */
	struct httpc *c =
	    client_new(&E, "https", E.secure_port, (struct httpc_config){.ca_pem = ca});
	CHECK_INT(call(&E, c, "GET", "/echo", NULL).status, 200);
	client_free(&E, c);
	free(ca);
	free(r.pem);

	/* Failures are reported, not crashed on. */
	r = (struct chain_result){0};
	CHECK_INT(httpc_fetch_peer_cert_chain(&E.loop, "https://127.0.0.1:1", 2000, on_chain, &r),
		  0);
	CHECK(run_until(&E, &r.done, 1, 5000));
	CHECK_INT(r.status, -ECONNREFUSED);
	CHECK(r.pem == NULL);
	snprintf(url, sizeof url, "https://127.0.0.1:%d", E.plain_port);
	r = (struct chain_result){0};
	CHECK_INT(httpc_fetch_peer_cert_chain(&E.loop, url, 2000, on_chain, &r), 0);
	CHECK(run_until(&E, &r.done, 1, 5000));
	CHECK(r.status < 0 && r.pem == NULL); /* not TLS at all */
	CHECK_INT(httpc_fetch_peer_cert_chain(&E.loop, "http://127.0.0.1:1", 2000, on_chain, &r),
		  -EINVAL);
	CHECK_INT(httpc_chain_find_ca("x", "abc", &ca), -EINVAL);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* as the server and the agent do */
	env_start(&E);
	TEST_RUN(test_plain_round_trips);
	TEST_RUN(test_tls_round_trips);
	TEST_RUN(test_client_cert_identity);
	TEST_RUN(test_verification_failures);
	TEST_RUN(test_bad_config);
	TEST_RUN(test_pool_concurrency);
	TEST_RUN(test_keep_alive_reuse);
	TEST_RUN(test_misbehaving_server);
	TEST_RUN(test_stale_connection_retry);
	TEST_RUN(test_timeouts);
	TEST_RUN(test_stream_chunks);
	TEST_RUN(test_stream_cancel);
	TEST_RUN(test_free_inside_callback);
	TEST_RUN(test_lines);
	TEST_RUN(test_fetch_peer_chain);
	env_stop(&E);
	return test_summary();
}
