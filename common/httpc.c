/* Asynchronous HTTP/1.1 client (see httpc.h): libuv sockets and timers,
 * llhttp for responses, common/tls.h fed from the socket (as apiserver/http.c
 * does on the other side), so TLS never blocks and never owns the fd.
 *
 * A connection (struct hconn) is either pooled (ordinary requests, one at a
 * time, kept alive and reused) or dedicated to one request (a stream, or the
 * unverified handshake of httpc_fetch_peer_cert_chain). Queued requests wait
 * in the client's FIFO until a pooled connection is idle; the pool grows up to
 * max_conns while requests wait.
 *
 * Lifetimes: a connection struct lives while its libuv handles are open or a
 * name lookup is in flight; every failure path closes the handles and the
 * request it carried is settled (completed, retried or failed) in the last
 * close callback, on the loop. So user callbacks never run inside an httpc_*
 * call, and a callback may free the client: the client struct lives while
 * any connection or its own defer handle does.
 */
#define _GNU_SOURCE /* vasprintf */
#include "common/httpc.h"

#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <llhttp.h>

#include "common/pki.h"
#include "common/tls.h"

/* One TLS record at most (16 KB plus framing): a bigger chunk only makes
 * the buffer it lands in, and the engine's input it is copied into, stay
 * larger for the client's whole life. */
#define HTTPC_READ_CHUNK 16384
#define HTTPC_TLS_WRITE_MAX 65536
#define HTTPC_MAX_HEADERS 100
#define HTTPC_MAX_HEADER_BYTES (64u << 10)
#define HTTPC_MAX_PATH 8192
#define HTTPC_MAX_HOST 255
#define HTTPC_MAX_URL 2048
#define HTTPC_MAX_TOKEN 8192
#define HTTPC_MAX_PEM (1u << 20)
#define HTTPC_MAX_REQ_BODY (256u << 20)
#define HTTPC_CLOSE_LINGER_MS 5000 /* httpc_stream_close: flush, then give up */
#define HTTPC_MAX_CHAIN 16
#define HTTPC_MAX_POOL 64
#define HTTPC_LINE_DEFAULT (16u << 20)

static const struct httpc_config httpc_defaults = {
    .connect_timeout_ms = 10000,
    .request_timeout_ms = 60000,
    .idle_timeout_ms = 60000,
    .max_conns = 4,
    .max_body = 64u << 20,
    .user_agent = "minikube",
};

static void httpc_freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ __attribute__((cleanup(httpc_freep)))

/* A growable byte string, NUL-terminated once allocated. */
struct sbuf {
	char *p;
	size_t len, cap;
};

struct hdr {
	char *name, *value;
};

struct httpc_resp {
	struct hdr *h;
	int n, cap;
	size_t bytes;		  /* header bytes seen, for the limit */
	struct sbuf field, value; /* header line being parsed */
};

enum hreq_kind { HREQ_PLAIN, HREQ_STREAM, HREQ_FETCH, HREQ_UPGRADE };

struct hreq {
	struct hreq *next; /* client queue */
	enum hreq_kind kind;
	char *wire; /* the serialized request */
	size_t wire_len;
	bool head, idempotent, retried;
	bool got_bytes, headers_done, complete, keep_alive;
	int status;
	struct httpc_resp resp;
	struct sbuf body;
	/* HREQ_PLAIN */
	httpc_done_fn cb;
	/* HREQ_STREAM */
	httpc_data_fn on_data;
	httpc_end_fn on_end;
	bool cancelled, in_end;
	bool upgraded; /* HREQ_UPGRADE answered 101: the connection is raw */
	struct hconn *conn; /* dedicated: lives at least as long as the request */
	/* HREQ_FETCH */
	httpc_chain_fn on_chain;
	void *ud;
};

/* A stream handle is its request. */
struct httpc_stream {
	struct hreq r;
};

enum hconn_state { HC_RESOLVING, HC_CONNECTING, HC_HANDSHAKE, HC_IDLE, HC_BUSY };

struct hconn {
	struct httpc *c;
	struct hconn *prev, *next;
	enum hconn_state state;
	bool pooled, dead, resolving, ever_ready, no_reuse;
	int open_handles;
	int err;	 /* why it closed (0: quietly) */
	unsigned served; /* responses completed on it */
	uv_tcp_t tcp;
	uv_timer_t timer;
	uv_connect_t connect_req;
	uv_getaddrinfo_t gai;
	struct tls_conn *tls; /* NULL for http:// */
	llhttp_t parser;
	int parse_err;	      /* set by a parser callback rejecting the response */
	bool raw;	      /* upgraded: bytes go to the request's on_data */
	size_t write_pending; /* bytes handed to the socket, not yet written */
	uv_shutdown_t shutdown_req;
	struct hreq *req; /* in flight (pooled) or owned (dedicated) */
};

struct httpc {
	uv_loop_t *loop;
	struct tls_config *tls; /* NULL for http:// */
	bool fetch;		/* no verification: httpc_fetch_peer_cert_chain */
	char host[HTTPC_MAX_HOST + 1];
	char verify_name[HTTPC_MAX_HOST + 1];
	bool verify_is_ip, host_is_ip;
	int port;
	struct sockaddr_storage addr; /* when host_is_ip */
	char *head_common;	      /* Host, User-Agent, Accept, Authorization lines */
	struct httpc_config cfg;      /* timeouts and limits; strings not kept */
	struct hconn *conns;
	struct hreq *q_head, *q_tail;
	int nqueued;
	uv_timer_t defer; /* closed by httpc_free; its close callback settles the queue */
	int refs;	  /* defer handle + every connection struct */
	bool closing;
	struct httpc_stats stats;
	char err[256];
	char rbuf[HTTPC_READ_CHUNK]; /* every read is consumed before the next */
};

struct write_req {
	uv_write_t req;
	struct hconn *conn;
	size_t len;
	char data[];
};

static void conn_fail(struct hconn *k, int err);
static void httpc_dispatch(struct httpc *c);
static const llhttp_settings_t httpc_parser_settings;

/* ---- small helpers ---- */

static int sbuf_append(struct sbuf *b, const char *data, size_t len)
{
	if (len > SIZE_MAX / 2 - b->len)
		return -ENOMEM;
	size_t need = b->len + len + 1;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < need)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

static void sbuf_free(struct sbuf *b)
{
	free(b->p);
	*b = (struct sbuf){0};
}

__attribute__((format(printf, 2, 3))) static void httpc_set_error(struct httpc *c, const char *fmt,
								  ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof c->err, fmt, ap);
	va_end(ap);
}

static char *str_dup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *str_dup_printf(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

static int fail_msg(char **err, int rc, const char *msg)
{
	if (err)
		*err = strdup(msg);
	return rc;
}

/* Header text we send must be bounded and must not smuggle CR/LF. */
static bool text_is_safe(const char *s, size_t max)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (n >= max || (unsigned char)s[n] < 0x20 || s[n] == 0x7f)
			return false;
	return true;
}

static bool method_is_valid(const char *m)
{
	size_t n = 0;
	for (; m[n]; n++)
		if (n >= 20 || !isupper((unsigned char)m[n]))
			return false;
	return n > 0;
}

static bool path_is_valid(const char *p)
{
	if (p[0] != '/')
		return false;
	size_t n = 0;
	for (; p[n]; n++)
		if (n >= HTTPC_MAX_PATH || (unsigned char)p[n] <= 0x20 || p[n] == 0x7f)
			return false;
	return true;
}

static bool method_is_idempotent(const char *m)
{
	static const char *const idem[] = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"};
	for (size_t i = 0; i < sizeof idem / sizeof idem[0]; i++)
		if (strcmp(m, idem[i]) == 0)
			return true;
	return false;
}

static bool str_is_ip(const char *s)
{
	unsigned char tmp[16];
	return inet_pton(AF_INET, s, tmp) == 1 || inet_pton(AF_INET6, s, tmp) == 1;
}

/* ---- URL ---- */

static int url_port(const char *s, int *port)
{
	if (!*s)
		return 0; /* default kept */
	char *end;
	long v = strtol(s, &end, 10);
	if (!isdigit((unsigned char)*s) || v < 1 || v > 65535 || (*end && strcmp(end, "/") != 0))
		return -EINVAL;
	*port = (int)v;
	return 0;
}

static bool host_is_valid(const char *h)
{
	if (!*h)
		return false;
	for (; *h; h++)
		if (!isalnum((unsigned char)*h) && !strchr(".-_:", *h))
			return false;
	return true;
}

/* "scheme://host[:port][/]" into tls, host (HTTPC_MAX_HOST+1 bytes), port. */
static int url_parse(const char *url, bool *tls, char *host, int *port)
{
	if (!url || strlen(url) > HTTPC_MAX_URL)
		return -EINVAL;
	if (strncasecmp(url, "https://", 8) == 0) {
		*tls = true;
		*port = 443;
		url += 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		*tls = false;
		*port = 80;
		url += 7;
	} else {
		return -EINVAL;
	}
	const char *hs = url, *he;
	if (*url == '[') {
		hs = url + 1;
		he = strchr(hs, ']');
		if (!he)
			return -EINVAL;
		url = he + 1;
	} else {
		he = hs + strcspn(hs, ":/");
		url = he;
	}
	if (he - hs > HTTPC_MAX_HOST)
		return -EINVAL;
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	if (!host_is_valid(host))
		return -EINVAL;
	if (*url == ':')
		return url_port(url + 1, port);
	return (*url == '\0' || strcmp(url, "/") == 0) ? 0 : -EINVAL;
}

/* ---- TLS configuration ---- */

static bool pem_is_bounded(const char *pem)
{
	return !pem || strnlen(pem, HTTPC_MAX_PEM + 1) <= HTTPC_MAX_PEM;
}

static int tls_build(const struct httpc_config *cfg, bool verify, struct tls_config **out,
		     char **err)
{
	static const char *const alpn[] = {"http/1.1", NULL};
	struct tls_client_opts o = {.insecure = !verify, .alpn = alpn};
	if (verify) {
		if (!cfg->cert_pem != !cfg->key_pem)
			return fail_msg(err, -EINVAL, "httpc: a client certificate needs its key");
		o.ca_pem = cfg->ca_pem;
		o.cert_pem = cfg->cert_pem;
		o.key_pem = cfg->key_pem;
	}
	char *why = NULL;
	*out = tls_client_config(&o, &why);
	if (!*out) {
		if (err)
			*err = str_dup_printf("httpc: %s", why ? why : "configuring TLS failed");
		free(why);
		return -EINVAL;
	}
	return 0;
}

/* ---- client ---- */

static int httpc_config_check(const struct httpc_config *cfg, char **err)
{
	if (!pem_is_bounded(cfg->ca_pem) || !pem_is_bounded(cfg->cert_pem) ||
	    !pem_is_bounded(cfg->key_pem))
		return fail_msg(err, -EINVAL, "httpc: a PEM is over 1 MiB");
	if (cfg->bearer_token && !text_is_safe(cfg->bearer_token, HTTPC_MAX_TOKEN))
		return fail_msg(err, -EINVAL,
				"httpc: the bearer token is too long or has control bytes");
	if (cfg->user_agent && !text_is_safe(cfg->user_agent, 256))
		return fail_msg(err, -EINVAL,
				"httpc: the user agent is too long or has control bytes");
	if (cfg->server_name &&
	    (strlen(cfg->server_name) > HTTPC_MAX_HOST || !host_is_valid(cfg->server_name)))
		return fail_msg(err, -EINVAL, "httpc: invalid server name");
	if (cfg->max_conns < 0 || cfg->max_conns > HTTPC_MAX_POOL)
		return fail_msg(err, -EINVAL, "httpc: max_conns must be 0..64");
	return 0;
}

static void httpc_apply_defaults(struct httpc *c, const struct httpc_config *cfg)
{
	const struct httpc_config *d = &httpc_defaults;
	c->cfg = (struct httpc_config){
	    .connect_timeout_ms =
		cfg->connect_timeout_ms ? cfg->connect_timeout_ms : d->connect_timeout_ms,
	    .request_timeout_ms =
		cfg->request_timeout_ms ? cfg->request_timeout_ms : d->request_timeout_ms,
	    .idle_timeout_ms = cfg->idle_timeout_ms ? cfg->idle_timeout_ms : d->idle_timeout_ms,
	    .max_conns = cfg->max_conns ? cfg->max_conns : d->max_conns,
	    .max_body = cfg->max_body ? cfg->max_body : d->max_body,
	};
}

/* Host, User-Agent, Accept and Authorization: the same on every request. */
static int httpc_head_common(struct httpc *c, const struct httpc_config *cfg)
{
	bool v6 = strchr(c->host, ':') != NULL;
	_cleanup_free_ char *auth =
	    cfg->bearer_token ? str_dup_printf("Authorization: Bearer %s\r\n", cfg->bearer_token)
			      : strdup("");
	if (!auth)
		return -ENOMEM;
	c->head_common =
	    str_dup_printf("Host: %s%s%s:%d\r\nUser-Agent: %s\r\n"
			   "Accept: application/json, */*\r\n%s",
			   v6 ? "[" : "", c->host, v6 ? "]" : "", c->port,
			   cfg->user_agent ? cfg->user_agent : httpc_defaults.user_agent, auth);
	return c->head_common ? 0 : -ENOMEM;
}

static void httpc_addr_init(struct httpc *c)
{
	c->host_is_ip = uv_ip4_addr(c->host, c->port, (struct sockaddr_in *)&c->addr) == 0 ||
			uv_ip6_addr(c->host, c->port, (struct sockaddr_in6 *)&c->addr) == 0;
	c->host_is_ip = c->host_is_ip && str_is_ip(c->host);
}

static void httpc_destroy(struct httpc *c)
{
	tls_config_unref(c->tls);
	free(c->head_common);
	free(c);
}

static void httpc_unref(struct httpc *c)
{
	assert(c->refs > 0);
	if (--c->refs == 0)
		httpc_destroy(c);
}

static int httpc_setup(struct httpc *c, const struct httpc_config *cfg, bool verify, char **err)
{
	bool tls;
	int rc = httpc_config_check(cfg, err);
	if (rc < 0)
		return rc;
	if (url_parse(cfg->url, &tls, c->host, &c->port) < 0)
		return fail_msg(err, -EINVAL, "httpc: the URL must be http(s)://host[:port]");
	snprintf(c->verify_name, sizeof c->verify_name, "%s",
		 cfg->server_name ? cfg->server_name : c->host);
	c->verify_is_ip = str_is_ip(c->verify_name);
	httpc_addr_init(c);
	httpc_apply_defaults(c, cfg);
	if (tls && (rc = tls_build(cfg, verify, &c->tls, err)) < 0)
		return rc;
	if (httpc_head_common(c, cfg) < 0)
		return fail_msg(err, -ENOMEM, "httpc: out of memory");
	return 0;
}

static int httpc_new_internal(uv_loop_t *loop, const struct httpc_config *cfg, bool verify,
			      struct httpc **out, char **err)
{
	if (err)
		*err = NULL;
	if (!loop || !cfg || !out)
		return fail_msg(err, -EINVAL, "httpc: missing argument");
	*out = NULL;
	struct httpc *c = calloc(1, sizeof *c);
	if (!c)
		return fail_msg(err, -ENOMEM, "httpc: out of memory");
	c->loop = loop;
	c->fetch = !verify;
	int rc = httpc_setup(c, cfg, verify, err);
	if (rc < 0) {
		httpc_destroy(c);
		return rc;
	}
	uv_timer_init(loop, &c->defer);
	c->defer.data = c;
	c->refs = 1;
	*out = c;
	return 0;
}

int httpc_new(uv_loop_t *loop, const struct httpc_config *cfg, struct httpc **out, char **err)
{
	return httpc_new_internal(loop, cfg, true, out, err);
}

const char *httpc_last_error(const struct httpc *c)
{
	return c ? c->err : "";
}

void httpc_get_stats(const struct httpc *c, struct httpc_stats *out)
{
	if (!c) {
		*out = (struct httpc_stats){0};
		return;
	}
	*out = c->stats;
	out->open_conns = 0;
	for (const struct hconn *k = c->conns; k; k = k->next)
		out->open_conns++;
}

/* ---- requests ---- */

static void resp_clear(struct httpc_resp *r)
{
	for (int i = 0; i < r->n; i++) {
		free(r->h[i].name);
		free(r->h[i].value);
	}
	free(r->h);
	sbuf_free(&r->field);
	sbuf_free(&r->value);
	*r = (struct httpc_resp){0};
}

static void req_reset_response(struct hreq *r)
{
	resp_clear(&r->resp);
	sbuf_free(&r->body);
	r->status = 0;
	r->got_bytes = r->headers_done = r->complete = r->keep_alive = false;
}

static void req_free(struct hreq *r)
{
	req_reset_response(r);
	free(r->wire);
	free(r);
}

const char *httpc_resp_header(const struct httpc_resp *resp, const char *name)
{
	if (!resp || !name)
		return NULL;
	for (int i = 0; i < resp->n; i++)
		if (strcasecmp(resp->h[i].name, name) == 0)
			return resp->h[i].value;
	return NULL;
}

static bool method_has_body(const char *m)
{
	return !strcmp(m, "POST") || !strcmp(m, "PUT") || !strcmp(m, "PATCH");
}

static int req_build(struct httpc *c, struct hreq *r, const char *method, const char *path,
		     const char *ctype, const char *body, size_t len)
{
	if (!method_is_valid(method) || !path_is_valid(path) ||
	    (ctype && !text_is_safe(ctype, 256)) || (len && !body))
		return -EINVAL;
	if (len > HTTPC_MAX_REQ_BODY)
		return -EMSGSIZE;
	char clen[48] = "";
	if (len || method_has_body(method))
		snprintf(clen, sizeof clen, "Content-Length: %zu\r\n", len);
	_cleanup_free_ char *head = str_dup_printf("%s %s HTTP/1.1\r\n%s%s%s%s%s\r\n", method, path,
						   c->head_common, ctype ? "Content-Type: " : "",
						   ctype ? ctype : "", ctype ? "\r\n" : "", clen);
	if (!head)
		return -ENOMEM;
	size_t hlen = strlen(head);
	r->wire = malloc(hlen + len + 1);
	if (!r->wire)
		return -ENOMEM;
	memcpy(r->wire, head, hlen);
	if (len)
		memcpy(r->wire + hlen, body, len);
	r->wire_len = hlen + len;
	r->head = strcmp(method, "HEAD") == 0;
	r->idempotent = method_is_idempotent(method);
	return 0;
}

static void queue_push(struct httpc *c, struct hreq *r, bool front)
{
	r->next = NULL;
	if (front) {
		r->next = c->q_head;
		c->q_head = r;
		if (!c->q_tail)
			c->q_tail = r;
	} else {
		if (c->q_tail)
			c->q_tail->next = r;
		else
			c->q_head = r;
		c->q_tail = r;
	}
	c->nqueued++;
}

static struct hreq *queue_pop(struct httpc *c)
{
	struct hreq *r = c->q_head;
	if (!r)
		return NULL;
	c->q_head = r->next;
	if (!c->q_head)
		c->q_tail = NULL;
	r->next = NULL;
	c->nqueued--;
	return r;
}

/* Settles a request with its outcome and frees it. Loop context only. */
static void req_deliver(struct httpc *c, struct hreq *r, int status)
{
	switch (r->kind) {
	case HREQ_PLAIN:
		if (status > 0)
			c->stats.requests++;
		r->cb(r->ud, status, status > 0 ? &r->resp : NULL,
		      status > 0 && r->body.p ? r->body.p : "", status > 0 ? r->body.len : 0);
		break;
	case HREQ_STREAM:
	case HREQ_UPGRADE:
		if (status > 0)
			c->stats.requests++;
		if (!r->cancelled && r->on_end) {
			r->in_end = true;
			r->on_end(r->ud, status);
		}
		break;
	case HREQ_FETCH:
		r->on_chain(r->ud, status, NULL);
		httpc_free(c);
		break;
	}
	req_free(r);
}

int httpc_request(struct httpc *c, const char *method, const char *path_and_query,
		  const char *content_type, const char *body, size_t len, httpc_done_fn cb,
		  void *ud)
{
	if (!c || !method || !path_and_query || !cb)
		return -EINVAL;
	if (c->closing || c->fetch)
		return -ESHUTDOWN;
	struct hreq *r = calloc(1, sizeof *r);
	if (!r)
		return -ENOMEM;
	int rc = req_build(c, r, method, path_and_query, content_type, body, len);
	if (rc < 0) {
		req_free(r);
		return rc;
	}
	r->kind = HREQ_PLAIN;
	r->cb = cb;
	r->ud = ud;
	queue_push(c, r, false);
	httpc_dispatch(c);
	return 0;
}

/* ---- connection output ---- */

static void on_write_done(uv_write_t *w, int status)
{
	struct write_req *wr = w->data;
	struct hconn *k = wr->conn;
	k->write_pending -= wr->len;
	free(wr);
	if (status < 0 && !k->dead) {
		httpc_set_error(k->c, "write to %s:%d: %s", k->c->host, k->c->port,
				uv_strerror(status));
		conn_fail(k, status == UV_EPIPE ? -ECONNRESET : status);
	}
}

static int conn_write_raw(struct hconn *k, const char *data, size_t len)
{
	if (k->dead)
		return -EPIPE;
	struct write_req *wr = malloc(sizeof *wr + len);
	if (!wr) {
		conn_fail(k, -ENOMEM);
		return -ENOMEM;
	}
	memcpy(wr->data, data, len);
	wr->conn = k;
	wr->len = len;
	wr->req.data = wr;
	uv_buf_t buf = uv_buf_init(wr->data, (unsigned)len);
	int rc = uv_write(&wr->req, (uv_stream_t *)&k->tcp, &buf, 1, on_write_done);
	if (rc < 0) {
		free(wr);
		conn_fail(k, rc);
		return rc;
	}
	k->write_pending += len;
	return 0;
}

/* Moves the ciphertext TLS produced onto the socket. */
static int conn_tls_flush(struct hconn *k)
{
	const void *data;
	size_t n;
	while (!k->dead && (n = tls_output(k->tls, &data)) > 0) {
		int rc = conn_write_raw(k, data, n);
		tls_output_done(k->tls, n);
		if (rc < 0)
			return rc;
	}
	return k->dead ? -EPIPE : 0;
}

static int conn_send(struct hconn *k, const char *data, size_t len)
{
	if (!k->tls)
		return conn_write_raw(k, data, len);
	while (len > 0 && !k->dead) {
		size_t n = len > HTTPC_TLS_WRITE_MAX ? HTTPC_TLS_WRITE_MAX : len;
		if (tls_write(k->tls, data, n) < 0) {
			httpc_set_error(k->c, "tls: write failed: %s", tls_error(k->tls));
			conn_fail(k, -EPROTO);
			return -EPROTO;
		}
		data += n;
		len -= n;
		int rc = conn_tls_flush(k);
		if (rc < 0)
			return rc;
	}
	return k->dead ? -EPIPE : 0;
}

/* ---- connection lifetime ---- */

static void conn_unlink(struct hconn *k)
{
	struct httpc *c = k->c;
	if (k->prev)
		k->prev->next = k->next;
	else
		c->conns = k->next;
	if (k->next)
		k->next->prev = k->prev;
	k->prev = k->next = NULL;
}

static bool err_is_stale_close(int err)
{
	return err == -ECONNRESET || err == UV_ECONNRESET || err == UV_EPIPE || err == UV_EOF;
}

/* Whether an idempotent request that died with its reused connection (the
 * server closed it while idle, racing our send) may go out once more. */
static bool req_may_retry(const struct httpc *c, const struct hconn *k, const struct hreq *r)
{
	return r->kind == HREQ_PLAIN && !c->closing && k->served > 0 && !r->got_bytes &&
	       r->idempotent && !r->retried && err_is_stale_close(k->err);
}

static bool pool_has_ready(const struct httpc *c)
{
	for (const struct hconn *k = c->conns; k; k = k->next)
		if (!k->dead && k->pooled && k->ever_ready)
			return true;
	return false;
}

static void queue_fail_all(struct httpc *c, int err)
{
	struct hreq *r;
	while ((r = queue_pop(c)))
		req_deliver(c, r, err);
}

/* The connection's handles are closed: settle what it carried. */
static void conn_finalize(struct hconn *k)
{
	struct httpc *c = k->c;
	struct hreq *r = k->req;
	int err = k->err ? k->err : -ECONNRESET;
	if (r && r->upgraded && !k->err)
		err = 0; /* an upgraded connection closed by the server */
	bool connect_failed = k->pooled && !k->ever_ready && k->err;
	conn_unlink(k);
	if (r && req_may_retry(c, k, r)) {
		c->stats.retries++;
		r->retried = true;
		req_reset_response(r);
		queue_push(c, r, true);
	} else if (r) {
		req_deliver(c, r, err);
	}
	tls_conn_free(k->tls);
	free(k);
	/* Nobody can reach the server: fail the waiting requests rather than
	 * spin; the next request tries again (reconnect). */
	if (connect_failed && !pool_has_ready(c))
		queue_fail_all(c, err);
	httpc_dispatch(c);
	httpc_unref(c);
}

static void conn_maybe_finalize(struct hconn *k)
{
	if (k->open_handles == 0 && !k->resolving)
		conn_finalize(k);
}

static void on_conn_handle_closed(uv_handle_t *h)
{
	struct hconn *k = h->data;
	k->open_handles--;
	conn_maybe_finalize(k);
}

/* Closes the connection; err (0 = quiet) settles its request later, from the
 * close callbacks. */
static void conn_fail(struct hconn *k, int err)
{
	if (k->dead)
		return;
	k->dead = true;
	k->err = err;
	if (k->resolving)
		uv_cancel((uv_req_t *)&k->gai);
	uv_close((uv_handle_t *)&k->tcp, on_conn_handle_closed);
	uv_close((uv_handle_t *)&k->timer, on_conn_handle_closed);
}

static void on_conn_timer(uv_timer_t *t)
{
	struct hconn *k = t->data;
	struct httpc *c = k->c;
	if (k->state == HC_IDLE) {
		conn_fail(k, 0);
		return;
	}
	if (k->state == HC_BUSY)
		httpc_set_error(c, "request to %s:%d timed out after %u ms", c->host, c->port,
				c->cfg.request_timeout_ms);
	else
		httpc_set_error(c, "connect to %s:%d timed out after %u ms", c->host, c->port,
				c->cfg.connect_timeout_ms);
	conn_fail(k, -ETIMEDOUT);
}

static void conn_timer_set(struct hconn *k, unsigned ms)
{
	if (!k->dead)
		uv_timer_start(&k->timer, on_conn_timer, ms, 0);
}

/* ---- response parsing ---- */

static struct hconn *parser_conn(llhttp_t *p)
{
	return p->data;
}

static int parse_fail(llhttp_t *p, int err)
{
	struct hconn *k = parser_conn(p);
	if (!k->parse_err)
		k->parse_err = err;
	return -1;
}

static int resp_count(llhttp_t *p, size_t len)
{
	struct hreq *r = parser_conn(p)->req;
	r->resp.bytes += len;
	return r->resp.bytes > HTTPC_MAX_HEADER_BYTES ? parse_fail(p, -EMSGSIZE) : 0;
}

static int on_header_field(llhttp_t *p, const char *at, size_t len)
{
	struct hreq *r = parser_conn(p)->req;
	if (resp_count(p, len) < 0)
		return -1;
	return sbuf_append(&r->resp.field, at, len) < 0 ? parse_fail(p, -ENOMEM) : 0;
}

static int on_header_value(llhttp_t *p, const char *at, size_t len)
{
	struct hreq *r = parser_conn(p)->req;
	if (resp_count(p, len) < 0)
		return -1;
	return sbuf_append(&r->resp.value, at, len) < 0 ? parse_fail(p, -ENOMEM) : 0;
}

static int resp_header_push(struct httpc_resp *h)
{
	if (h->n == h->cap) {
		int cap = h->cap ? h->cap * 2 : 16;
		struct hdr *nh = realloc(h->h, (size_t)cap * sizeof *nh);
		if (!nh)
			return -ENOMEM;
		h->h = nh;
		h->cap = cap;
	}
	char *name = strdup(h->field.p ? h->field.p : "");
	char *value = strdup(h->value.p ? h->value.p : "");
	if (!name || !value) {
		free(name);
		free(value);
		return -ENOMEM;
	}
	h->h[h->n].name = name;
	h->h[h->n].value = value;
	h->n++;
	h->field.len = h->value.len = 0;
	if (h->field.p)
		h->field.p[0] = '\0';
	if (h->value.p)
		h->value.p[0] = '\0';
	return 0;
}

static int on_header_value_complete(llhttp_t *p)
{
	struct hreq *r = parser_conn(p)->req;
	if (r->resp.n >= HTTPC_MAX_HEADERS)
		return parse_fail(p, -EMSGSIZE);
	return resp_header_push(&r->resp) < 0 ? parse_fail(p, -ENOMEM) : 0;
}

static bool status_is_interim(int status)
{
	return status >= 100 && status < 200;
}

static int on_headers_complete(llhttp_t *p)
{
	struct hconn *k = parser_conn(p);
	struct hreq *r = k->req;
	int status = p->status_code;
	if (status == 101 && r->kind == HREQ_UPGRADE) {
		r->status = status;
		r->headers_done = r->upgraded = true;
		uv_timer_stop(&k->timer);
		return 0;
	}
	if (status == 101 || status < 100 || status > 999)
		return parse_fail(p, -EPROTO); /* an upgrade we did not ask for */
	if (status_is_interim(status)) {
		resp_clear(&r->resp); /* 100 Continue and friends: not the answer */
		return 0;
	}
	r->status = status;
	r->headers_done = true;
	if (r->kind == HREQ_PLAIN && (p->flags & F_CONTENT_LENGTH) &&
	    p->content_length > k->c->cfg.max_body)
		return parse_fail(p, -EMSGSIZE);
	if (r->kind == HREQ_STREAM || r->kind == HREQ_UPGRADE)
		uv_timer_stop(&k->timer); /* a watch may stay quiet for long */
	return r->head ? 1 : 0;
}

static int on_body(llhttp_t *p, const char *at, size_t len)
{
	struct hconn *k = parser_conn(p);
	struct hreq *r = k->req;
	if (r->kind == HREQ_STREAM || r->kind == HREQ_UPGRADE) {
		if (!r->cancelled && r->on_data)
			r->on_data(r->ud, at, len);
		return k->dead ? -1 : 0; /* cancelled or freed from on_data */
	}
	if (len > k->c->cfg.max_body - r->body.len)
		return parse_fail(p, -EMSGSIZE);
	return sbuf_append(&r->body, at, len) < 0 ? parse_fail(p, -ENOMEM) : 0;
}

static int on_message_complete(llhttp_t *p)
{
	struct hreq *r = parser_conn(p)->req;
	if (!r->headers_done)
		return 0; /* an interim response ended; the real one follows */
	r->keep_alive = llhttp_should_keep_alive(p);
	r->complete = true;
	return HPE_PAUSED;
}

static const llhttp_settings_t httpc_parser_settings = {
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_header_value_complete = on_header_value_complete,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

/* ---- request/response cycle ---- */

static void conn_send_request(struct hconn *k, struct hreq *r)
{
	struct httpc *c = k->c;
	k->req = r;
	k->state = HC_BUSY;
	k->parse_err = 0;
	if (k->served > 0)
		c->stats.reused++;
	llhttp_init(&k->parser, HTTP_RESPONSE, &httpc_parser_settings);
	k->parser.data = k;
	conn_timer_set(k, c->cfg.request_timeout_ms);
	conn_send(k, r->wire, r->wire_len);
}

/* The in-flight response is complete: hand it over, then reuse or close. */
static void conn_response_done(struct hconn *k)
{
	struct httpc *c = k->c;
	struct hreq *r = k->req;
	k->req = NULL;
	k->served++;
	bool keep = k->pooled && r->keep_alive && !k->no_reuse && !c->closing;
	if (keep) {
		k->state = HC_IDLE;
		conn_timer_set(k, c->cfg.idle_timeout_ms);
	} else {
		conn_fail(k, 0);
	}
	req_deliver(c, r, r->status);
	httpc_dispatch(c);
}

/* Feeds response bytes to the parser. -1 when the connection stops. */
static int conn_feed(struct hconn *k, const char *data, size_t len)
{
	struct hreq *r = k->req;
	if (!r || k->state != HC_BUSY) {
		conn_fail(k, 0); /* bytes nobody asked for: do not trust the stream */
		return -1;
	}
	r->got_bytes = true;
	if (k->raw) {
		if (!r->cancelled && r->on_data)
			r->on_data(r->ud, data, len);
		return k->dead ? -1 : 0;
	}
	llhttp_errno_t e = llhttp_execute(&k->parser, data, len);
	if (k->dead)
		return -1;
	if (r->upgraded) {
		/* The bytes after the 101 head belong to the new protocol. */
		const char *pos = e == HPE_OK ? data + len : llhttp_get_error_pos(&k->parser);
		k->raw = true;
		if (pos && pos < data + len && !r->cancelled && r->on_data)
			r->on_data(r->ud, pos, (size_t)(data + len - pos));
		return k->dead ? -1 : 0;
	}
	if (e == HPE_PAUSED && r->complete) {
		const char *pos = llhttp_get_error_pos(&k->parser);
		if (pos && pos < data + len)
			k->no_reuse = true; /* extra bytes after the response */
		conn_response_done(k);
		return -1;
	}
	if (e != HPE_OK) {
		int err = k->parse_err ? k->parse_err : -EPROTO;
		httpc_set_error(k->c, "bad response from %s:%d: %s", k->c->host, k->c->port,
				err == -EMSGSIZE ? "over the size limits" : llhttp_errno_name(e));
		conn_fail(k, err);
		return -1;
	}
	return 0;
}

/* The server closed its side. */
static void conn_on_eof(struct hconn *k)
{
	struct hreq *r = k->req;
	if (k->raw) {
		conn_fail(k, 0);
		return;
	}
	if (k->state == HC_BUSY && r && r->headers_done && llhttp_message_needs_eof(&k->parser)) {
		(void)llhttp_finish(&k->parser); /* a body delimited by the close */
		if (r->complete) {
			k->no_reuse = true;
			conn_response_done(k);
			return;
		}
	}
	if (k->state == HC_IDLE) {
		conn_fail(k, 0);
		return;
	}
	httpc_set_error(k->c, "%s:%d closed the connection before the response was complete",
			k->c->host, k->c->port);
	conn_fail(k, -ECONNRESET);
}

/* ---- TLS ---- */

static void tls_fail(struct hconn *k)
{
	struct httpc *c = k->c;
	if (tls_verify_failed(k->tls)) {
		httpc_set_error(c, "tls: %s:%d: %s (expected %s)", c->host, c->port,
				tls_error(k->tls), c->verify_name);
		conn_fail(k, HTTPC_E_VERIFY);
		return;
	}
	httpc_set_error(c, "tls: %s:%d: %s", c->host, c->port, tls_error(k->tls));
	conn_fail(k, -EPROTO);
}

static int conn_tls_init(struct hconn *k)
{
	/* the name is checked (DNS or IP SAN) and, when not an IP, sent as SNI */
	k->tls = tls_conn_new(k->c->tls, k->c->verify_name);
	return k->tls ? 0 : -ENOMEM;
}

static void conn_ready(struct hconn *k);

static void conn_tls_handshake(struct hconn *k)
{
	int rc = tls_handshake(k->tls);
	if (conn_tls_flush(k) < 0)
		return;
	if (rc == 1)
		conn_ready(k);
	else if (rc < 0)
		tls_fail(k);
}

/* Decrypts what arrived and feeds it on, until the parser stops. */
static void conn_tls_read(struct hconn *k)
{
	char plain[16384];
	while (!k->dead) {
		ssize_t n = tls_read(k->tls, plain, sizeof plain);
		if (n > 0) {
			if (conn_feed(k, plain, (size_t)n) < 0)
				return;
			continue;
		}
		conn_tls_flush(k); /* alerts */
		/* Waiting for more bytes: give back the engine's buffers (an
		 * idle watch connection holds no ciphertext). */
		if (n == 0 && !k->dead)
			tls_idle(k->tls);
		if (n == TLS_EOF) {
			conn_on_eof(k);
		} else if (n < 0 && !k->dead) {
			httpc_set_error(k->c, "tls: %s:%d: read failed: %s", k->c->host, k->c->port,
					tls_error(k->tls));
			conn_fail(k, -EPROTO);
		}
		return;
	}
}

/* ---- connecting ---- */

static void fetch_deliver_chain(struct hconn *k);

static void conn_ready(struct hconn *k)
{
	struct httpc *c = k->c;
	k->ever_ready = true;
	c->stats.connects++;
	uv_timer_stop(&k->timer);
	if (c->fetch) {
		fetch_deliver_chain(k);
		return;
	}
	if (k->pooled) {
		k->state = HC_IDLE;
		conn_timer_set(k, c->cfg.idle_timeout_ms);
		httpc_dispatch(c);
	} else {
		conn_send_request(k, k->req);
	}
}

static void on_conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct hconn *k = h->data;
	*buf = uv_buf_init(k->c->rbuf, sizeof k->c->rbuf);
}

static void on_conn_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	struct hconn *k = st->data;
	if (k->dead || nread == 0)
		return;
	if (nread == UV_EOF) {
		conn_on_eof(k);
		return;
	}
	if (nread < 0) {
		httpc_set_error(k->c, "read from %s:%d: %s", k->c->host, k->c->port,
				uv_strerror((int)nread));
		conn_fail(k, nread == UV_ECONNRESET ? -ECONNRESET : (int)nread);
		return;
	}
	if (!k->tls) {
		conn_feed(k, buf->base, (size_t)nread);
		return;
	}
	if (tls_feed(k->tls, buf->base, (size_t)nread) < 0) {
		conn_fail(k, -ENOMEM);
		return;
	}
	if (k->state == HC_HANDSHAKE)
		conn_tls_handshake(k);
	if (!k->dead && k->state != HC_HANDSHAKE)
		conn_tls_read(k);
}

static void on_connected(uv_connect_t *req, int status)
{
	struct hconn *k = req->data;
	struct httpc *c = k->c;
	if (k->dead)
		return;
	if (status < 0) {
		httpc_set_error(c, "connect to %s:%d: %s", c->host, c->port, uv_strerror(status));
		conn_fail(k, status);
		return;
	}
	uv_tcp_nodelay(&k->tcp, 1);
	uv_tcp_keepalive(&k->tcp, 1, 60);
	int rc = uv_read_start((uv_stream_t *)&k->tcp, on_conn_alloc, on_conn_read);
	if (rc < 0) {
		conn_fail(k, rc);
		return;
	}
	if (!k->tls) {
		conn_ready(k);
		return;
	}
	k->state = HC_HANDSHAKE;
	conn_tls_handshake(k);
}

static void conn_connect(struct hconn *k, const struct sockaddr *addr)
{
	k->state = HC_CONNECTING;
	k->connect_req.data = k;
	int rc = uv_tcp_connect(&k->connect_req, &k->tcp, addr, on_connected);
	if (rc < 0) {
		httpc_set_error(k->c, "connect to %s:%d: %s", k->c->host, k->c->port,
				uv_strerror(rc));
		conn_fail(k, rc);
	}
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct hconn *k = req->data;
	struct httpc *c = k->c;
	k->resolving = false;
	if (k->dead) {
		uv_freeaddrinfo(res);
		conn_maybe_finalize(k);
		return;
	}
	if (status < 0 || !res) {
		httpc_set_error(c, "resolve %s: %s", c->host, uv_strerror(status));
		conn_fail(k, status < 0 ? status : -EHOSTUNREACH);
	} else {
		conn_connect(k, res->ai_addr);
	}
	uv_freeaddrinfo(res);
}

static void conn_resolve(struct hconn *k)
{
	struct httpc *c = k->c;
	char port[8];
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	snprintf(port, sizeof port, "%d", c->port);
	k->state = HC_RESOLVING;
	k->gai.data = k;
	int rc = uv_getaddrinfo(c->loop, &k->gai, on_resolved, c->host, port, &hints);
	if (rc == 0) {
		k->resolving = true;
		return;
	}
	httpc_set_error(c, "resolve %s: %s", c->host, uv_strerror(rc));
	conn_fail(k, rc);
}

/* Opens a connection (pooled, or dedicated to r). NULL only when out of
 * memory (r stays the caller's); otherwise it may already be failing, and
 * then settles r from the loop. */
static struct hconn *conn_open(struct httpc *c, bool pooled, struct hreq *r)
{
	struct hconn *k = calloc(1, sizeof *k);
	if (!k)
		return NULL;
	k->c = c;
	k->pooled = pooled;
	k->req = r;
	if (r)
		r->conn = k;
	if (c->tls && conn_tls_init(k) < 0) {
		free(k);
		return NULL;
	}
	c->refs++;
	k->next = c->conns;
	if (c->conns)
		c->conns->prev = k;
	c->conns = k;
	uv_tcp_init(c->loop, &k->tcp);
	uv_timer_init(c->loop, &k->timer);
	k->tcp.data = k->timer.data = k;
	k->open_handles = 2;
	conn_timer_set(k, c->cfg.connect_timeout_ms);
	if (c->host_is_ip)
		conn_connect(k, (const struct sockaddr *)&c->addr);
	else
		conn_resolve(k);
	return k;
}

/* ---- the pool ---- */

static struct hconn *pool_find_idle(struct httpc *c)
{
	for (struct hconn *k = c->conns; k; k = k->next)
		if (!k->dead && k->pooled && k->state == HC_IDLE)
			return k;
	return NULL;
}

static void pool_count(const struct httpc *c, int *total, int *connecting)
{
	*total = *connecting = 0;
	for (const struct hconn *k = c->conns; k; k = k->next) {
		if (k->dead || !k->pooled)
			continue;
		(*total)++;
		if (!k->ever_ready)
			(*connecting)++;
	}
}

/* Hands queued requests to idle connections, opening more while allowed. */
static void httpc_dispatch(struct httpc *c)
{
	while (c->q_head && !c->closing) {
		struct hconn *k = pool_find_idle(c);
		if (k) {
			conn_send_request(k, queue_pop(c));
			continue;
		}
		int total, connecting;
		pool_count(c, &total, &connecting);
		if (total >= c->cfg.max_conns || connecting >= c->nqueued)
			return;
		k = conn_open(c, true, NULL);
		if (!k || k->dead)
			return; /* its failure settles the queue from the loop */
	}
}

/* ---- streams ---- */

/* The shared tail of httpc_stream and httpc_upgrade: s->r holds its request
 * line and headers; it becomes a stream of that kind on a connection of its
 * own (freed here on failure). */
static int stream_open(struct httpc *c, struct httpc_stream *s, enum hreq_kind kind, httpc_data_fn on_data,
		       httpc_end_fn on_end, void *ud, struct httpc_stream **out)
{
	struct hreq *r = &s->r;
	r->kind = kind;
	r->on_data = on_data;
	r->on_end = on_end;
	r->ud = ud;
	if (!conn_open(c, false, r)) {
		req_free(r);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

int httpc_stream(struct httpc *c, const char *method, const char *path_and_query,
		 httpc_data_fn on_data, httpc_end_fn on_end, void *ud, struct httpc_stream **out)
{
	if (!c || !method || !path_and_query || !on_end || !out)
		return -EINVAL;
	*out = NULL;
	if (c->closing || c->fetch)
		return -ESHUTDOWN;
	struct httpc_stream *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	int rc = req_build(c, &s->r, method, path_and_query, NULL, NULL, 0);
	if (rc < 0) {
		req_free(&s->r);
		return rc;
	}
	return stream_open(c, s, HREQ_STREAM, on_data, on_end, ud, out);
}

int httpc_upgrade(struct httpc *c, const char *path_and_query, const char *protocol,
		  const char *extra_headers, httpc_data_fn on_data, httpc_end_fn on_end, void *ud,
		  struct httpc_stream **out)
{
	if (!c || !path_and_query || !protocol || !on_data || !on_end || !out)
		return -EINVAL;
	*out = NULL;
	if (!path_is_valid(path_and_query) || !text_is_safe(protocol, 256) ||
	    (extra_headers && strlen(extra_headers) > HTTPC_MAX_HEADER_BYTES))
		return -EINVAL;
	if (c->closing || c->fetch)
		return -ESHUTDOWN;
	struct httpc_stream *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->r.wire = str_dup_printf("GET %s HTTP/1.1\r\n%sConnection: Upgrade\r\nUpgrade: %s\r\n%s\r\n",
				   path_and_query, c->head_common, protocol,
				   extra_headers ? extra_headers : "");
	if (!s->r.wire) {
		free(s);
		return -ENOMEM;
	}
	s->r.wire_len = strlen(s->r.wire);
	return stream_open(c, s, HREQ_UPGRADE, on_data, on_end, ud, out);
}

static struct hconn *stream_raw_conn(const struct httpc_stream *s)
{
	struct hconn *k = s ? s->r.conn : NULL;
	return k && s->r.upgraded && !s->r.cancelled && !k->dead ? k : NULL;
}

int httpc_stream_write(struct httpc_stream *s, const char *data, size_t len)
{
	struct hconn *k = stream_raw_conn(s);
	if (!k)
		return -EPIPE;
	return len ? conn_send(k, data, len) : 0;
}

size_t httpc_stream_pending(const struct httpc_stream *s)
{
	return s && s->r.conn ? s->r.conn->write_pending : 0;
}

void httpc_stream_pause(struct httpc_stream *s, bool paused)
{
	struct hconn *k = stream_raw_conn(s);
	if (!k)
		return;
	if (paused)
		uv_read_stop((uv_stream_t *)&k->tcp);
	else
		uv_read_start((uv_stream_t *)&k->tcp, on_conn_alloc, on_conn_read);
}

/* Our FIN is out: wait for the server's (reading and dropping what still
 * comes), so closing does not reset a connection whose last bytes the
 * server has not read yet. The linger timer bounds the wait. */
static void on_stream_shutdown(uv_shutdown_t *req, int status)
{
	struct hconn *k = req->data;
	if (status < 0)
		conn_fail(k, -ECANCELED);
}

void httpc_stream_close(struct httpc_stream *s)
{
	struct hconn *k = stream_raw_conn(s);
	if (!k) {
		httpc_stream_cancel(s);
		return;
	}
	s->r.cancelled = true;
	if (k->tls) {
		tls_close(k->tls);
		if (conn_tls_flush(k) < 0)
			return;
	}
	k->shutdown_req.data = k;
	uv_read_start((uv_stream_t *)&k->tcp, on_conn_alloc, on_conn_read); /* if paused */
	if (uv_shutdown(&k->shutdown_req, (uv_stream_t *)&k->tcp, on_stream_shutdown) < 0)
		conn_fail(k, -ECANCELED);
	else
		conn_timer_set(k, HTTPC_CLOSE_LINGER_MS); /* bounded wait for the flush */
}

int httpc_stream_status(const struct httpc_stream *s)
{
	return s && s->r.headers_done ? s->r.status : 0;
}

void httpc_stream_cancel(struct httpc_stream *s)
{
	if (!s || s->r.in_end || s->r.cancelled)
		return;
	s->r.cancelled = true;
	conn_fail(s->r.conn, -ECANCELED); /* settled silently from the loop */
}

/* ---- free ---- */

static void on_defer_closed(uv_handle_t *h)
{
	struct httpc *c = h->data;
	queue_fail_all(c, -ECANCELED);
	httpc_unref(c);
}

void httpc_free(struct httpc *c)
{
	if (!c || c->closing)
		return;
	c->closing = true;
	for (struct hconn *k = c->conns; k; k = k->next)
		conn_fail(k, -ECANCELED);
	uv_close((uv_handle_t *)&c->defer, on_defer_closed);
}

/* ---- fetching the peer's chain ---- */

static void fetch_deliver_chain(struct hconn *k)
{
	struct httpc *c = k->c;
	struct hreq *r = k->req;
	k->req = NULL;
	char *pem = tls_peer_chain_pem(k->tls);
	conn_fail(k, 0);
	r->on_chain(r->ud, pem ? 0 : -ENOMEM, pem);
	free(pem);
	req_free(r);
	httpc_free(c);
}

int httpc_fetch_peer_cert_chain(uv_loop_t *loop, const char *url, unsigned timeout_ms,
				httpc_chain_fn cb, void *ud)
{
	if (!loop || !url || !cb || strncasecmp(url, "https://", 8) != 0)
		return -EINVAL;
	struct httpc_config cfg = {.url = url, .connect_timeout_ms = timeout_ms};
	struct httpc *c;
	int rc = httpc_new_internal(loop, &cfg, false, &c, NULL);
	if (rc < 0)
		return rc;
	struct hreq *r = calloc(1, sizeof *r);
	if (r) {
		r->kind = HREQ_FETCH;
		r->on_chain = cb;
		r->ud = ud;
	}
	if (!r || !conn_open(c, false, r)) {
		free(r);
		httpc_free(c);
		return -ENOMEM;
	}
	return 0;
}

#define PEM_CERT_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_CERT_END "-----END CERTIFICATE-----"

int httpc_chain_find_ca(const char *chain_pem, const char *sha256, char **ca_pem)
{
	if (!chain_pem || !sha256 || !ca_pem || strlen(sha256) != 64 || !pem_is_bounded(chain_pem))
		return -EINVAL;
	*ca_pem = NULL;
	const char *p = chain_pem;
	for (int i = 0; i < HTTPC_MAX_CHAIN && (p = strstr(p, PEM_CERT_BEGIN)); i++) {
		const char *end = strstr(p, PEM_CERT_END);
		if (!end)
			break;
		end += strlen(PEM_CERT_END);
		if (*end == '\n')
			end++;
		char *one = strndup(p, (size_t)(end - p));
		if (!one)
			return -ENOMEM;
		char hex[65];
		if (pki_cert_pem_hash(one, hex) == 0 && strcasecmp(hex, sha256) == 0) {
			*ca_pem = one;
			return 0;
		}
		free(one);
		p = end;
	}
	return -ENOENT;
}

/* ---- lines ---- */

void httpc_lines_init(struct httpc_lines *l, size_t max_line)
{
	*l = (struct httpc_lines){.max_line = max_line ? max_line : HTTPC_LINE_DEFAULT};
}

void httpc_lines_free(struct httpc_lines *l)
{
	free(l->buf);
	l->buf = NULL;
	l->len = l->cap = 0;
	l->discarding = false;
}

static int lines_append(struct httpc_lines *l, const char *data, size_t n)
{
	if (l->len + n + 1 > l->cap) {
		size_t cap = l->cap ? l->cap : 256;
		while (cap < l->len + n + 1)
			cap *= 2;
		char *p = realloc(l->buf, cap);
		if (!p)
			return -ENOMEM;
		l->buf = p;
		l->cap = cap;
	}
	memcpy(l->buf + l->len, data, n);
	l->len += n;
	l->buf[l->len] = '\0';
	return 0;
}

/* Delivers the buffered line (if any) and empties the buffer. */
static int lines_emit(struct httpc_lines *l, httpc_line_fn fn, void *ud)
{
	size_t n = l->len;
	if (n && l->buf[n - 1] == '\r')
		n--;
	int rc = 0;
	if (n) {
		l->buf[n] = '\0';
		rc = fn(ud, l->buf, n);
	}
	l->len = 0;
	if (l->cap > (1u << 20)) { /* one huge event should not pin its buffer */
		httpc_lines_free(l);
	}
	return rc;
}

int httpc_lines_feed(struct httpc_lines *l, const char *data, size_t len, httpc_line_fn fn,
		     void *ud)
{
	int over = 0;
	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;
		if (!l->discarding && n > l->max_line - l->len) {
			l->discarding = true; /* drop this line up to its newline */
			l->len = 0;
			over = -EMSGSIZE;
		}
		if (!l->discarding && lines_append(l, data, n) < 0)
			return -ENOMEM;
		data += n;
		len -= n;
		if (!nl)
			break;
		data++;
		len--;
		if (l->discarding) {
			l->discarding = false;
			continue;
		}
		int rc = lines_emit(l, fn, ud);
		if (rc)
			return rc;
	}
	return over;
}

int httpc_lines_flush(struct httpc_lines *l, httpc_line_fn fn, void *ud)
{
	int rc = l->discarding ? -EMSGSIZE : lines_emit(l, fn, ud);
	httpc_lines_free(l);
	return rc;
}
