/* HTTP/1.1 server for the API: libuv for sockets and timers, llhttp for
 * parsing, common/tls.h for TLS (ciphertext read from the socket is fed into
 * the engine, ciphertext it produces is drained and written to the socket),
 * so TLS never blocks and never owns the fd.
 *
 * A connection serves its requests strictly in order: once a request is
 * complete the parser pauses, the request is handed to the handler, and the
 * bytes after it (pipelined requests) wait in the connection's input buffer
 * until the response is finished. That keeps a started response (a watch
 * stream) intact however much the client sends meanwhile.
 *
 * Lifetimes: a connection struct lives while its libuv handles are open and
 * while a request handed to the handler is unanswered (refcount), so a late
 * answer after the client went away is dropped instead of touching freed
 * memory. The server struct lives while its listener or any connection does.
 * Nothing is ever freed synchronously inside a libuv callback of the same
 * handle; user callbacks (handler, stream on_close) are only called from the
 * loop, never from inside an http_* call made by the user.
 */
#include "apiserver/http.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <llhttp.h>

#include "common/pki.h"
#include "common/tls.h"

#define HTTP_READ_CHUNK 65536	  /* one socket read */
#define HTTP_IN_HIGH_WATER 65536  /* unparsed input at which reading pauses */
#define HTTP_LINGER_MS 5000	  /* wait for the peer's FIN after ours */
#define HTTP_TLS_WRITE_MAX 65536 /* plaintext per tls_write call (stays below mmap-sized allocations) */
#define HTTP_HEADER_OVERHEAD 4	  /* ": " and CRLF per header line */

static const struct http_limits http_limits_default = {
    .max_body = 3u << 20,
    .max_header_bytes = 64u << 10,
    .max_headers = 100,
    .max_connections = 4096,
    .idle_timeout_ms = 90000,
    .request_timeout_ms = 30000,
};

/* A growable byte string, always NUL-terminated once allocated. */
struct sbuf {
	char *p;
	size_t len, cap;
};

struct req_header {
	char *name; /* lower-cased */
	char *value;
};

struct http_req {
	struct http_conn *conn;
	const char *method;
	struct sbuf url;   /* raw request target; query/fragment cut in place */
	char *path;	   /* decoded */
	const char *query; /* inside url, or "" */
	struct req_header *hdrs;
	int nhdrs, hdr_cap;
	struct sbuf field, value; /* header line being parsed */
	struct sbuf body;
	size_t header_bytes; /* request line, headers, trailers, chunk extensions */
	bool keep_alive, head, complete;
	struct local_call *local; /* in-process request (no connection) */
};

/* An in-process request: its answer goes to a callback, not a socket. */
struct local_call {
	http_local_done_fn done;
	void *ud;
	struct http_peer peer; /* no certificate */
	struct sbuf out;       /* a streamed answer, collected */
	int status;
	char content_type[128];
};

enum conn_timer {
	TIMER_OFF,
	TIMER_REQUEST, /* a request (or the TLS handshake) is arriving */
	TIMER_IDLE,    /* keep-alive, nothing in flight */
	TIMER_PROCESS, /* run conn_process on the next loop iteration */
	TIMER_LINGER,  /* graceful close waiting for the peer */
};

struct http_conn {
	struct http_server *srv;
	struct http_conn *prev, *next; /* server's list of open connections */
	uv_tcp_t tcp;
	uv_timer_t timer;
	uv_shutdown_t shutdown_req;
	enum conn_timer timer_mode;
	struct tls_conn *tls; /* NULL for plain HTTP */
	struct http_peer peer;
	llhttp_t parser;
	struct sbuf in;		    /* plaintext not yet parsed */
	struct http_req *cur;	    /* being parsed; owned by the connection */
	struct http_req *active;    /* handed to the handler; holds a ref */
	struct http_stream *stream; /* the active request's streaming response */
	struct http_raw *raw;	    /* taken over (upgrade): no more HTTP */
	int err_status;		    /* set by a parser callback rejecting the request */
	int refs;		    /* 1 while handles are open + 1 per handed-out request */
	int open_handles;
	size_t write_pending; /* bytes queued on the socket */
	bool reading, processing, handshake_done, tls_failed;
	bool peer_eof; /* the client sent FIN / close_notify */
	bool closing;  /* no more requests will be served */
	bool dead;     /* handles closing; output is dropped */
	/* Output held while the server is held (see http_server_hold). */
	struct write_req *held_head, *held_tail;
	bool shutdown_held; /* a graceful close waits for the held output */
};

struct http_stream {
	struct http_req *req;
	struct http_conn *conn;
	http_stream_close_fn on_close;
	void *ud;
	uv_timer_t notify; /* delivers on_close from the loop */
	bool notify_pending, in_notify, raw, head;
};

/* A connection after takeover: bytes in, bytes out. */
struct http_raw {
	struct http_conn *conn;
	struct http_raw_cbs cbs;
	void *ud;
	bool paused, user_closed;
};

struct http_server {
	uv_loop_t *loop;
	uv_tcp_t listener;
	struct tls_config *tls; /* a reference */
	struct http_limits lim;
	http_handler_fn handler;
	void *handler_ud;
	llhttp_settings_t settings;
	struct http_conn *conns;
	int nconns;
	int refs; /* listener + every live connection struct */
	bool stopping;
	bool held; /* output is queued, not written, until http_server_release */
	/* All reads of the loop land here and are consumed before the next one. */
	char rbuf[HTTP_READ_CHUNK];
};

struct write_req {
	uv_write_t req;
	struct http_conn *conn;
	struct write_req *next; /* held output, in order */
	size_t len;
	char data[];
};

static void conn_process(struct http_conn *c);
static void conn_kill(struct http_conn *c);
static void conn_shutdown(struct http_conn *c);
static void stream_schedule_close(struct http_stream *s);

/* ---- small helpers ---- */

static int sbuf_reserve(struct sbuf *b, size_t extra)
{
	if (extra > SIZE_MAX / 2 - b->len)
		return -ENOMEM;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

static int sbuf_append(struct sbuf *b, const char *data, size_t len)
{
	if (sbuf_reserve(b, len) < 0)
		return -ENOMEM;
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

static int sbuf_puts(struct sbuf *b, const char *s)
{
	return sbuf_append(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static int sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n < sizeof small)
		return sbuf_append(b, small, (size_t)n);
	if (sbuf_reserve(b, (size_t)n) < 0)
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

static void sbuf_free(struct sbuf *b)
{
	free(b->p);
	*b = (struct sbuf){0};
}

/* Drops the first n bytes; an emptied buffer is given back (thousands of
 * idle keep-alive connections should cost no buffers). */
static void sbuf_consume(struct sbuf *b, size_t n)
{
	assert(n <= b->len);
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
	if (b->p)
		b->p[b->len] = '\0';
	if (b->len == 0)
		sbuf_free(b);
}

static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Percent-decodes src[0..len) into a new string; plus_space decodes '+' too
 * (query strings). NULL on a bad escape or an encoded NUL. Caller frees. */
static char *pct_decode(const char *src, size_t len, bool plus_space)
{
	char *out = malloc(len + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (src[i] == '+' && plus_space) {
			*o++ = ' ';
		} else if (src[i] != '%') {
			*o++ = src[i];
		} else {
			int hi = i + 2 < len ? hex_value(src[i + 1]) : -1;
			int lo = hi >= 0 ? hex_value(src[i + 2]) : -1;
			if (lo < 0 || (hi | lo) == 0) {
				free(out);
				return NULL;
			}
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		}
	}
	*o = '\0';
	return out;
}

static const char *http_reason_phrase(int status)
{
	switch (status) {
	case 100:
		return "Continue";
	case 101:
		return "Switching Protocols";
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 206:
		return "Partial Content";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 304:
		return "Not Modified";
	case 307:
		return "Temporary Redirect";
	case 308:
		return "Permanent Redirect";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 406:
		return "Not Acceptable";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 410:
		return "Gone";
	case 411:
		return "Length Required";
	case 412:
		return "Precondition Failed";
	case 413:
		return "Request Entity Too Large";
	case 414:
		return "Request URI Too Long";
	case 415:
		return "Unsupported Media Type";
	case 417:
		return "Expectation Failed";
	case 422:
		return "Unprocessable Entity";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return "Unknown";
	}
}

/* A header line we are about to emit must not smuggle a CR or LF. */
static bool header_is_safe(const struct http_header *h)
{
	return h->name && h->value && h->name[0] && !strpbrk(h->name, "\r\n: ") &&
	       !strpbrk(h->value, "\r\n");
}

/* Framing headers are ours to write. */
static bool header_is_framing(const char *name)
{
	return !strcasecmp(name, "content-length") || !strcasecmp(name, "transfer-encoding") ||
	       !strcasecmp(name, "connection");
}

/* ---- requests ---- */

static struct http_req *req_new(struct http_conn *c)
{
	struct http_req *r = calloc(1, sizeof *r);
	if (r)
		r->conn = c;
	return r;
}

static void req_free(struct http_req *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nhdrs; i++) {
		free(r->hdrs[i].name);
		free(r->hdrs[i].value);
	}
	free(r->hdrs);
	free(r->path);
	sbuf_free(&r->url);
	sbuf_free(&r->field);
	sbuf_free(&r->value);
	sbuf_free(&r->body);
	if (r->local) {
		sbuf_free(&r->local->out);
		free(r->local);
	}
	free(r);
}

static int req_header_push(struct http_req *r)
{
	if (r->nhdrs == r->hdr_cap) {
		int cap = r->hdr_cap ? r->hdr_cap * 2 : 16;
		struct req_header *h = realloc(r->hdrs, (size_t)cap * sizeof *h);
		if (!h)
			return -ENOMEM;
		r->hdrs = h;
		r->hdr_cap = cap;
	}
	char *name = strdup(r->field.p ? r->field.p : "");
	char *value = strdup(r->value.p ? r->value.p : "");
	if (!name || !value) {
		free(name);
		free(value);
		return -ENOMEM;
	}
	for (char *p = name; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	r->hdrs[r->nhdrs++] = (struct req_header){name, value};
	r->field.len = r->value.len = 0;
	return 0;
}

/* Splits the request target into a decoded path and a raw query. Accepts
 * origin form ("/a?b"), absolute form ("http://h/a?b") and "*". */
static int req_parse_target(struct http_req *r)
{
	char *u = r->url.p;
	if (!u || !*u)
		return -EINVAL;
	char *hash = strchr(u, '#');
	if (hash)
		*hash = '\0';
	char *q = strchr(u, '?');
	r->query = "";
	if (q) {
		*q = '\0';
		r->query = q + 1;
	}
	if (strcmp(u, "*") == 0) {
		r->path = strdup("*");
		return r->path ? 0 : -ENOMEM;
	}
	if (u[0] != '/') {
		char *scheme_end = strstr(u, "://");
		if (!scheme_end || (strncasecmp(u, "http", 4) != 0))
			return -EINVAL;
		u = strchr(scheme_end + 3, '/');
		if (!u)
			u = "/";
	}
	r->path = pct_decode(u, strlen(u), false);
	return r->path ? 0 : -EINVAL;
}

/* ---- server references ---- */

static void server_unref(struct http_server *s)
{
	assert(s->refs > 0);
	if (--s->refs == 0) {
		tls_config_unref(s->tls);
		free(s);
	}
}

static void on_listener_closed(uv_handle_t *h)
{
	server_unref(h->data);
}

/* ---- connection lifetime ---- */

static void conn_free(struct http_conn *c)
{
	assert(!c->active && !c->stream);
	struct http_server *srv = c->srv;
	req_free(c->cur);
	free(c->raw);
	sbuf_free(&c->in);
	tls_conn_free(c->tls);
	free(c);
	server_unref(srv);
}

static void conn_unref(struct http_conn *c)
{
	assert(c->refs > 0);
	if (--c->refs == 0)
		conn_free(c);
}

static void on_conn_handle_closed(uv_handle_t *h)
{
	struct http_conn *c = h->data;
	if (--c->open_handles > 0)
		return;
	struct http_raw *w = c->raw;
	if (w && !w->user_closed && w->cbs.on_close) {
		w->user_closed = true; /* nothing reaches the user after this */
		w->cbs.on_close(w->ud);
	}
	conn_unref(c);
}

static void conn_unlink(struct http_conn *c)
{
	struct http_server *s = c->srv;
	if (c->prev)
		c->prev->next = c->next;
	else if (s->conns == c)
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	s->nconns--;
}

/* Hard close: drops pending output, closes the handles; a streaming response
 * learns about it through its on_close (from the loop). */
static void conn_kill(struct http_conn *c)
{
	if (c->dead)
		return;
	c->dead = c->closing = true;
	conn_unlink(c);
	for (struct write_req *wr = c->held_head, *next; wr; wr = next) {
		next = wr->next;
		c->write_pending -= wr->len;
		free(wr);
	}
	c->held_head = c->held_tail = NULL;
	uv_close((uv_handle_t *)&c->tcp, on_conn_handle_closed);
	uv_close((uv_handle_t *)&c->timer, on_conn_handle_closed);
	/* c->cur and c->in may be in use by the parser right now; conn_free
	 * releases them. */
	if (c->stream)
		stream_schedule_close(c->stream);
}

static void on_conn_timer(uv_timer_t *t)
{
	struct http_conn *c = t->data;
	enum conn_timer mode = c->timer_mode;
	c->timer_mode = TIMER_OFF;
	if (mode == TIMER_PROCESS)
		conn_process(c);
	else
		conn_kill(c); /* request, idle or linger timeout */
}

static void conn_timer_set(struct http_conn *c, enum conn_timer mode, uint64_t ms)
{
	if (c->dead)
		return;
	c->timer_mode = mode;
	uv_timer_start(&c->timer, on_conn_timer, ms, 0);
}

static void conn_timer_off(struct http_conn *c)
{
	if (c->dead)
		return;
	c->timer_mode = TIMER_OFF;
	uv_timer_stop(&c->timer);
}

/* ---- output ---- */

static void on_write_done(uv_write_t *w, int status)
{
	struct write_req *wr = w->data;
	struct http_conn *c = wr->conn;
	c->write_pending -= wr->len;
	free(wr);
	if (status < 0) {
		conn_kill(c);
		return;
	}
	struct http_raw *raw = c->raw;
	if (raw && c->write_pending == 0 && !c->dead && !raw->user_closed && raw->cbs.on_drain)
		raw->cbs.on_drain(raw->ud);
}

/* Hands a write to the socket, or keeps it while the server is held. */
static int conn_submit(struct http_conn *c, struct write_req *wr)
{
	c->write_pending += wr->len;
	if (c->srv->held) {
		wr->next = NULL;
		if (c->held_tail)
			c->held_tail->next = wr;
		else
			c->held_head = wr;
		c->held_tail = wr;
		return 0;
	}
	uv_buf_t buf = uv_buf_init(wr->data, (unsigned)wr->len);
	if (uv_write(&wr->req, (uv_stream_t *)&c->tcp, &buf, 1, on_write_done) < 0) {
		c->write_pending -= wr->len;
		free(wr);
		conn_kill(c);
		return -EPIPE;
	}
	return 0;
}

static int conn_write_raw(struct http_conn *c, const char *data, size_t len)
{
	if (c->dead)
		return -EPIPE;
	if (len == 0)
		return 0;
	struct write_req *wr = malloc(sizeof *wr + len);
	if (!wr) {
		conn_kill(c);
		return -ENOMEM;
	}
	memcpy(wr->data, data, len);
	wr->conn = c;
	wr->len = len;
	wr->req.data = wr;
	return conn_submit(c, wr);
}

/* Moves the ciphertext TLS produced onto the socket. */
static int conn_tls_flush(struct http_conn *c)
{
	const void *data;
	size_t pending;
	while ((pending = tls_output(c->tls, &data)) > 0) {
		if (c->dead) {
			tls_output_done(c->tls, pending);
			return -EPIPE;
		}
		if (pending > HTTP_TLS_WRITE_MAX)
			pending = HTTP_TLS_WRITE_MAX;
		struct write_req *wr = malloc(sizeof *wr + pending);
		if (!wr) {
			conn_kill(c);
			return -ENOMEM;
		}
		memcpy(wr->data, data, pending);
		tls_output_done(c->tls, pending);
		wr->conn = c;
		wr->len = pending;
		wr->req.data = wr;
		if (conn_submit(c, wr) < 0)
			return -EPIPE;
	}
	return 0;
}

/* Sends plaintext to the peer (encrypting when TLS); -EPIPE once dead. */
static int conn_send(struct http_conn *c, const char *data, size_t len)
{
	if (c->dead)
		return -EPIPE;
	if (!c->tls)
		return conn_write_raw(c, data, len);
	while (len > 0) {
		size_t n = len > HTTP_TLS_WRITE_MAX ? HTTP_TLS_WRITE_MAX : len;
		if (tls_write(c->tls, data, n) < 0) {
			c->tls_failed = true;
			conn_kill(c);
			return -EPIPE;
		}
		data += n;
		len -= n;
		/* Drain per slice so the engine never holds a whole body. */
		int rc = conn_tls_flush(c);
		if (rc)
			return rc;
	}
	return 0;
}

static void on_conn_shutdown(uv_shutdown_t *req, int status)
{
	struct http_conn *c = req->data;
	/* After our FIN, wait for the peer's (read side) unless it already came. */
	if (status < 0 || c->peer_eof)
		conn_kill(c);
}

static void on_conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void on_conn_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf);

static void conn_read_start(struct http_conn *c)
{
	if (!c->reading && !c->dead && !c->peer_eof &&
	    uv_read_start((uv_stream_t *)&c->tcp, on_conn_alloc, on_conn_read) == 0)
		c->reading = true;
}

static void conn_read_stop(struct http_conn *c)
{
	if (c->reading && !c->dead)
		uv_read_stop((uv_stream_t *)&c->tcp);
	c->reading = false;
}

/* Graceful close: flush what is queued, send FIN, keep reading (and
 * discarding) until the peer closes so our last response is not destroyed by
 * a reset, bounded by a linger timer. */
static void conn_close_graceful(struct http_conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	if (c->tls && c->handshake_done && !c->tls_failed) {
		tls_close(c->tls);
		conn_tls_flush(c);
	}
	if (c->dead)
		return;
	if (c->srv->held) { /* the FIN must follow the held output */
		c->shutdown_held = true;
		return;
	}
	conn_shutdown(c);
}

static void conn_shutdown(struct http_conn *c)
{
	c->shutdown_req.data = c;
	if (uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp, on_conn_shutdown) < 0) {
		conn_kill(c);
		return;
	}
	conn_read_start(c);
	conn_timer_set(c, TIMER_LINGER, HTTP_LINGER_MS);
}

/* ---- response building ---- */

static int resp_head_build(struct sbuf *b, int status, const char *content_type,
			   const struct http_header *headers, size_t nheaders, const char *framing,
			   bool close, bool keep_alive_10)
{
	int rc = sbuf_printf(b, "HTTP/1.1 %d %s\r\n", status, http_reason_phrase(status));
	if (content_type && !strpbrk(content_type, "\r\n"))
		rc |= sbuf_printf(b, "Content-Type: %s\r\n", content_type);
	for (size_t i = 0; headers && i < nheaders; i++) {
		if (!header_is_safe(&headers[i]) || header_is_framing(headers[i].name))
			continue;
		rc |= sbuf_printf(b, "%s: %s\r\n", headers[i].name, headers[i].value);
	}
	if (framing)
		rc |= sbuf_puts(b, framing);
	if (close)
		rc |= sbuf_puts(b, "Connection: close\r\n");
	else if (keep_alive_10)
		rc |= sbuf_puts(b, "Connection: keep-alive\r\n");
	rc |= sbuf_puts(b, "\r\n");
	return rc ? -ENOMEM : 0;
}

/* Whether this response is the connection's last one. */
static bool req_closes_conn(const struct http_req *r)
{
	const struct http_conn *c = r->conn;
	return !r->keep_alive || c->peer_eof || c->srv->stopping;
}

static bool req_is_http10(const struct http_req *r)
{
	return r->conn->parser.http_major == 1 && r->conn->parser.http_minor == 0;
}

/* The request's response is complete: release it and go on with the
 * connection (next pipelined request, idle wait, or close). */
static void req_finish(struct http_req *r)
{
	struct http_conn *c = r->conn;
	assert(c->active == r);
	bool keep = !req_closes_conn(r);
	c->active = NULL;
	req_free(r);
	if (!c->dead) {
		if (!keep)
			conn_close_graceful(c);
		else if (!c->processing)
			conn_timer_set(c, TIMER_PROCESS, 0); /* never re-enter the caller */
	}
	conn_unref(c);
}

/* A Kubernetes Status body. The message is ours (fixed text or an llhttp
 * reason); quotes, backslashes and control bytes are replaced, not escaped. */
static void status_json(struct sbuf *b, int code, const char *reason, const char *message)
{
	char msg[256];
	size_t n = 0;
	for (const char *p = message; *p && n < sizeof msg - 1; p++)
		msg[n++] = (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) ? (char)'\'' : *p;
	msg[n] = '\0';
	sbuf_printf(
	    b,
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
	    "\"message\":\"%s\",",
	    msg);
	if (reason && *reason)
		sbuf_printf(b, "\"reason\":\"%s\",", reason);
	sbuf_printf(b, "\"code\":%d}", code);
}

/* Answers a request the parser rejected, then closes. */
static void conn_reject(struct http_conn *c, int status, const char *reason, const char *message)
{
	struct sbuf body = {0}, out = {0};
	status_json(&body, status, reason, message);
	char framing[64];
	snprintf(framing, sizeof framing, "Content-Length: %zu\r\n", body.len);
	if (resp_head_build(&out, status, "application/json", NULL, 0, framing, true, false) == 0 &&
	    sbuf_append(&out, body.p, body.len) == 0)
		conn_send(c, out.p, out.len);
	sbuf_free(&body);
	sbuf_free(&out);
	conn_close_graceful(c);
}

/* ---- parser callbacks ---- */

static int parse_fail(llhttp_t *p, int status)
{
	struct http_conn *c = p->data;
	if (!c->err_status)
		c->err_status = status;
	return -1;
}

/* Counts request-line/header/trailer bytes against max_header_bytes. */
static int parse_count_header_bytes(llhttp_t *p, size_t len)
{
	struct http_conn *c = p->data;
	struct http_req *r = c->cur;
	r->header_bytes += len;
	if (r->header_bytes > c->srv->lim.max_header_bytes)
		return parse_fail(p, 431);
	return 0;
}

static int on_message_begin(llhttp_t *p)
{
	struct http_conn *c = p->data;
	assert(!c->cur);
	c->cur = req_new(c);
	if (!c->cur)
		return parse_fail(p, 503);
	conn_timer_set(c, TIMER_REQUEST, c->srv->lim.request_timeout_ms);
	return 0;
}

static int on_url(llhttp_t *p, const char *at, size_t len)
{
	struct http_conn *c = p->data;
	if (parse_count_header_bytes(p, len) < 0)
		return -1;
	return sbuf_append(&c->cur->url, at, len) < 0 ? parse_fail(p, 503) : 0;
}

static int on_header_field(llhttp_t *p, const char *at, size_t len)
{
	struct http_conn *c = p->data;
	if (parse_count_header_bytes(p, len) < 0)
		return -1;
	return sbuf_append(&c->cur->field, at, len) < 0 ? parse_fail(p, 503) : 0;
}

static int on_header_value(llhttp_t *p, const char *at, size_t len)
{
	struct http_conn *c = p->data;
	if (parse_count_header_bytes(p, len) < 0)
		return -1;
	return sbuf_append(&c->cur->value, at, len) < 0 ? parse_fail(p, 503) : 0;
}

static int on_header_value_complete(llhttp_t *p)
{
	struct http_conn *c = p->data;
	if (c->cur->nhdrs >= c->srv->lim.max_headers)
		return parse_fail(p, 431);
	if (parse_count_header_bytes(p, HTTP_HEADER_OVERHEAD) < 0)
		return -1;
	return req_header_push(c->cur) < 0 ? parse_fail(p, 503) : 0;
}

static int on_chunk_extension(llhttp_t *p, const char *at, size_t len)
{
	return parse_count_header_bytes(p, len);
}

static bool req_expects_continue(const struct http_req *r)
{
	const char *e = http_req_header(r, "expect");
	return e && strcasecmp(e, "100-continue") == 0;
}

static int on_headers_complete(llhttp_t *p)
{
	struct http_conn *c = p->data;
	struct http_req *r = c->cur;
	r->method = llhttp_method_name((llhttp_method_t)p->method);
	r->head = strcmp(r->method, "HEAD") == 0;
	if (req_parse_target(r) < 0)
		return parse_fail(p, 400);
	bool has_len = p->flags & F_CONTENT_LENGTH;
	if (has_len && p->content_length > c->srv->lim.max_body)
		return parse_fail(p, 413);
	/* Reserve for the announced body, but not more than a read's worth on a
	 * claim alone. */
	size_t want =
	    has_len && p->content_length < HTTP_READ_CHUNK ? p->content_length : HTTP_READ_CHUNK;
	if (has_len && p->content_length > 0 && sbuf_reserve(&r->body, want) < 0)
		return parse_fail(p, 503);
	bool has_body = (p->flags & F_CHUNKED) || (has_len && p->content_length > 0);
	if (has_body && req_expects_continue(r)) {
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		conn_send(c, cont, sizeof cont - 1);
	}
	return 0;
}

static int on_body(llhttp_t *p, const char *at, size_t len)
{
	struct http_conn *c = p->data;
	struct http_req *r = c->cur;
	if (len > c->srv->lim.max_body - r->body.len)
		return parse_fail(p, 413);
	return sbuf_append(&r->body, at, len) < 0 ? parse_fail(p, 503) : 0;
}

static int on_message_complete(llhttp_t *p)
{
	struct http_conn *c = p->data;
	struct http_req *r = c->cur;
	/* An upgrade is either taken over (http_req_take_conn) or answered
	 * and closed. */
	r->keep_alive = llhttp_should_keep_alive(p) && !p->upgrade;
	r->complete = true;
	conn_timer_off(c);
	return HPE_PAUSED; /* one request at a time */
}

static void http_settings_init(llhttp_settings_t *s)
{
	llhttp_settings_init(s);
	s->on_message_begin = on_message_begin;
	s->on_url = on_url;
	s->on_header_field = on_header_field;
	s->on_header_value = on_header_value;
	s->on_header_value_complete = on_header_value_complete;
	s->on_chunk_extension_name = on_chunk_extension;
	s->on_chunk_extension_value = on_chunk_extension;
	s->on_headers_complete = on_headers_complete;
	s->on_body = on_body;
	s->on_message_complete = on_message_complete;
}

/* ---- client certificate identity ---- */

/* Fills peer from a client certificate that verified; empty otherwise. A CN
 * that does not fit leaves it empty (never truncate an identity); O entries
 * that do not fit, and those beyond 8, are dropped (less privilege). */
static void peer_from_tls(struct http_peer *peer, const struct tls_conn *tls)
{
	memset(peer, 0, sizeof *peer);
	char *user = NULL, **groups = NULL;
	if (pki_peer_identity(tls, &user, &groups) < 0)
		return;
	size_t len = user ? strlen(user) : 0;
	if (len > 0 && len < sizeof peer->user) {
		memcpy(peer->user, user, len + 1);
		int n = 0;
		for (char **g = groups; g && *g && n < 8; g++)
			if (strlen(*g) < sizeof peer->groups[n])
				strcpy(peer->groups[n++], *g);
		peer->ngroups = n;
		peer->has_cert = true;
	}
	free(user);
	pki_strv_free(groups);
}

/* ---- input processing ---- */

static void conn_parse_error(struct http_conn *c, llhttp_errno_t err)
{
	int status = c->err_status ? c->err_status : 400;
	char msg[160];
	switch (status) {
	case 413:
		conn_reject(c, 413, "RequestEntityTooLarge", "the request body is too large");
		return;
	case 431:
		conn_reject(c, 431, "", "the request headers are too large or too many");
		return;
	case 503:
		conn_reject(c, 503, "ServiceUnavailable", "out of memory reading the request");
		return;
	default:
		snprintf(msg, sizeof msg, "malformed HTTP request: %s",
			 llhttp_get_error_reason(&c->parser) ? llhttp_get_error_reason(&c->parser)
							     : llhttp_errno_name(err));
		conn_reject(c, 400, "BadRequest", msg);
	}
}

static void conn_dispatch(struct http_conn *c, struct http_req *r)
{
	c->active = r;
	c->refs++; /* released by req_finish */
	c->srv->handler(c->srv->handler_ud, r);
}

/* Feeds buffered input to the parser until a request completes (then hands
 * it to the handler) or the input runs out. -1 when parsing must stop. */
static int conn_parse(struct http_conn *c)
{
	llhttp_errno_t err = llhttp_execute(&c->parser, c->in.p, c->in.len);
	size_t used = c->in.len;
	if (err == HPE_PAUSED || err == HPE_PAUSED_UPGRADE) {
		used = (size_t)(llhttp_get_error_pos(&c->parser) - c->in.p);
		if (err == HPE_PAUSED)
			llhttp_resume(&c->parser);
	} else if (err != HPE_OK) {
		conn_parse_error(c, err);
		return -1;
	}
	sbuf_consume(&c->in, used);
	if (c->closing)
		return -1; /* e.g. the 100 Continue could not be written */
	if (c->cur && c->cur->complete) {
		struct http_req *r = c->cur;
		c->cur = NULL;
		conn_dispatch(c, r);
	}
	return 0;
}

/* Decrypts what the socket delivered into c->in, up to the high-water mark.
 * Returns 0, 1 on close_notify, -1 on a TLS failure. */
static int conn_tls_pump(struct http_conn *c)
{
	int ret = 0;
	char plain[16384]; /* one TLS record */
	while (c->in.len < HTTP_IN_HIGH_WATER) {
		ssize_t n = tls_read(c->tls, plain, sizeof plain);
		if (n > 0) {
			if (sbuf_append(&c->in, plain, (size_t)n) < 0)
				return -1;
			continue;
		}
		if (n == TLS_EOF)
			ret = 1;
		else if (n < 0)
			ret = -1;
		break;
	}
	if (!c->handshake_done && tls_handshake_done(c->tls)) {
		c->handshake_done = true;
		peer_from_tls(&c->peer, c->tls);
	}
	if (ret < 0)
		c->tls_failed = true;
	conn_tls_flush(c); /* handshake messages, alerts */
	if (tls_input_pending(c->tls) == 0)
		tls_idle(c->tls); /* an idle connection keeps no engine buffer */
	return ret;
}

static void conn_update_reading(struct http_conn *c)
{
	size_t buffered = c->in.len + (c->tls ? tls_input_pending(c->tls) : 0);
	if (c->closing || buffered < HTTP_IN_HIGH_WATER)
		conn_read_start(c);
	else
		conn_read_stop(c);
}

/* Serves whatever complete requests the input holds, one at a time. Safe to
 * call from anywhere on the loop; a nested call (a handler answering
 * synchronously) returns at once and the outer loop goes on. */
static void raw_process(struct http_conn *c);

static void conn_process(struct http_conn *c)
{
	if (c->raw) {
		raw_process(c);
		return;
	}
	if (c->processing || c->dead)
		return;
	c->processing = true;
	for (;;) {
		if (c->tls && !c->closing) {
			int t = conn_tls_pump(c);
			if (t < 0) {
				if (c->active)
					conn_kill(c);
				else
					conn_close_graceful(c); /* let the alert go out */
				break;
			}
			if (t > 0)
				c->peer_eof = true;
		}
		if (c->dead || c->closing || c->active || c->raw || c->in.len == 0)
			break;
		if (conn_parse(c) < 0)
			break;
	}
	c->processing = false;
	/* Taken over by a handler: no HTTP timers from here on (the owner's
	 * protocol keeps it alive); the rest of the input goes to the owner
	 * from the TIMER_PROCESS http_req_take_conn set. */
	if (c->dead || c->closing || c->raw)
		return;
	if (c->peer_eof && (c->stream || !c->active)) {
		/* A streaming client that hangs up is gone; a half-closed one
		 * gets its queued responses before our FIN. */
		if (c->stream)
			conn_kill(c);
		else
			conn_close_graceful(c);
		return;
	}
	/* Until the TLS handshake is done the accept-time request timer runs. */
	bool handshaking = c->tls && !c->handshake_done;
	if (!c->active && !c->cur && !handshaking)
		conn_timer_set(c, TIMER_IDLE, c->srv->lim.idle_timeout_ms);
	conn_update_reading(c);
}

static void on_conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct http_conn *c = h->data;
	*buf = uv_buf_init(c->srv->rbuf, sizeof c->srv->rbuf);
}

static void on_conn_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	struct http_conn *c = st->data;
	if (c->dead || nread == 0)
		return;
	if (nread < 0) {
		c->reading = false;
		if (nread != UV_EOF || c->closing) {
			conn_kill(c);
			return;
		}
		c->peer_eof = true;
		uv_read_stop(st);
		conn_process(c);
		return;
	}
	if (c->closing)
		return; /* lingering: discard */
	if (c->tls) {
		if (tls_feed(c->tls, buf->base, (size_t)nread) < 0) {
			conn_kill(c);
			return;
		}
	} else if (sbuf_append(&c->in, buf->base, (size_t)nread) < 0) {
		conn_kill(c);
		return;
	}
	conn_process(c);
}

/* ---- taken-over connections ---- */

/* Delivers decrypted input to the raw owner until it pauses or input runs
 * out; the peer's close ends the connection (the owner learns it from
 * on_close once the handles are closed). */
static void raw_process(struct http_conn *c)
{
	struct http_raw *w = c->raw;
	if (c->processing || c->dead)
		return;
	c->processing = true;
	while (!c->dead && !c->closing && !w->paused) {
		if (c->tls) {
			int t = conn_tls_pump(c);
			if (t < 0) {
				conn_kill(c);
				break;
			}
			if (t > 0)
				c->peer_eof = true;
		}
		if (c->in.len == 0)
			break;
		size_t n = c->in.len;
		w->cbs.on_data(w->ud, c->in.p, n);
		sbuf_consume(&c->in, n);
	}
	c->processing = false;
	if (c->dead || c->closing)
		return;
	if (c->peer_eof && c->in.len == 0) {
		conn_kill(c);
		return;
	}
	if (w->paused)
		conn_read_stop(c);
	else
		conn_update_reading(c);
}

struct http_raw *http_req_take_conn(struct http_req *r, const struct http_raw_cbs *cbs, void *ud)
{
	struct http_conn *c = r->conn;
	if (r->local || !c || c->dead || c->closing || c->stream || c->raw || !cbs || !cbs->on_data)
		return NULL;
	struct http_raw *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->conn = c;
	w->cbs = *cbs;
	w->ud = ud;
	assert(c->active == r);
	c->raw = w;
	c->active = NULL;
	req_free(r);
	conn_unref(c); /* the request's reference; the handles keep c */
	conn_timer_off(c);
	conn_timer_set(c, TIMER_PROCESS, 0); /* input that came after the request */
	return w;
}

int http_raw_write(struct http_raw *w, const char *data, size_t len)
{
	if (w->user_closed || w->conn->closing)
		return -EPIPE;
	return conn_send(w->conn, data, len) < 0 ? -EPIPE : 0;
}

size_t http_raw_pending(const struct http_raw *w)
{
	return w->conn->write_pending;
}

void http_raw_pause(struct http_raw *w, bool paused)
{
	struct http_conn *c = w->conn;
	w->paused = paused;
	if (paused)
		conn_read_stop(c);
	else if (!c->dead && !c->closing)
		conn_timer_set(c, TIMER_PROCESS, 0);
}

void http_raw_close(struct http_raw *w)
{
	w->user_closed = true;
	if (!w->conn->dead)
		conn_close_graceful(w->conn);
}

/* ---- accepting ---- */

static void on_dropped_closed(uv_handle_t *h)
{
	free(h);
}

/* Over max_connections (or out of memory): accept and close at once, so the
 * client sees a closed connection rather than a hang in the backlog. */
static void server_accept_drop(struct http_server *s)
{
	uv_tcp_t *t = malloc(sizeof *t);
	if (!t)
		return;
	uv_tcp_init(s->loop, t);
	(void)uv_accept((uv_stream_t *)&s->listener, (uv_stream_t *)t);
	uv_close((uv_handle_t *)t, on_dropped_closed);
}

static int conn_tls_init(struct http_conn *c)
{
	c->tls = tls_conn_new(c->srv->tls, NULL);
	return c->tls ? 0 : -ENOMEM;
}

static struct http_conn *conn_new(struct http_server *s)
{
	struct http_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->srv = s;
	c->refs = 1;
	c->open_handles = 2;
	s->refs++;
	uv_tcp_init(s->loop, &c->tcp);
	uv_timer_init(s->loop, &c->timer);
	c->tcp.data = c->timer.data = c;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	llhttp_init(&c->parser, HTTP_REQUEST, &s->settings);
	c->parser.data = c;
	return c;
}

static void on_connection(uv_stream_t *listener, int status)
{
	struct http_server *s = listener->data;
	if (status < 0 || s->stopping)
		return;
	if (s->nconns >= s->lim.max_connections) {
		server_accept_drop(s);
		return;
	}
	struct http_conn *c = conn_new(s);
	if (!c) {
		server_accept_drop(s);
		return;
	}
	if (uv_accept(listener, (uv_stream_t *)&c->tcp) < 0 || (s->tls && conn_tls_init(c) < 0)) {
		conn_kill(c);
		return;
	}
	uv_tcp_nodelay(&c->tcp, 1);
	uv_tcp_keepalive(&c->tcp, 1, 60);
	/* The first request (and the TLS handshake) must arrive promptly. */
	conn_timer_set(c, TIMER_REQUEST, s->lim.request_timeout_ms);
	conn_read_start(c);
	if (!c->reading)
		conn_kill(c);
}

/* ---- server ---- */

static void limits_apply_defaults(struct http_limits *l)
{
	const struct http_limits *d = &http_limits_default;
	if (!l->max_body)
		l->max_body = d->max_body;
	if (!l->max_header_bytes)
		l->max_header_bytes = d->max_header_bytes;
	if (l->max_headers <= 0)
		l->max_headers = d->max_headers;
	if (l->max_connections <= 0)
		l->max_connections = d->max_connections;
	if (!l->idle_timeout_ms)
		l->idle_timeout_ms = d->idle_timeout_ms;
	if (!l->request_timeout_ms)
		l->request_timeout_ms = d->request_timeout_ms;
}

static int server_bind(struct http_server *s, const char *addr, int port)
{
	struct sockaddr_storage ss;
	if (port < 0 || port > 65535)
		return -EINVAL;
	if (!addr || !*addr)
		addr = "0.0.0.0";
	if (uv_ip4_addr(addr, port, (struct sockaddr_in *)&ss) != 0 &&
	    uv_ip6_addr(addr, port, (struct sockaddr_in6 *)&ss) != 0)
		return -EINVAL;
	int rc = uv_tcp_bind(&s->listener, (const struct sockaddr *)&ss, 0);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&s->listener, 511, on_connection);
	return rc;
}

int http_server_start(uv_loop_t *loop, const struct http_server_config *cfg,
		      struct http_server **out)
{
	if (!loop || !cfg || !cfg->handler || !out)
		return -EINVAL;
	*out = NULL;
	struct http_server *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->loop = loop;
	s->tls = tls_config_ref(cfg->tls);
	s->lim = cfg->limits;
	limits_apply_defaults(&s->lim);
	s->handler = cfg->handler;
	s->handler_ud = cfg->handler_ud;
	http_settings_init(&s->settings);
	s->refs = 1;
	uv_tcp_init(loop, &s->listener);
	s->listener.data = s;
	int rc = server_bind(s, cfg->bind_address, cfg->port);
	if (rc < 0) {
		s->stopping = true;
		uv_close((uv_handle_t *)&s->listener, on_listener_closed);
		return rc;
	}
	*out = s;
	return 0;
}

int http_server_port(const struct http_server *s)
{
	struct sockaddr_storage ss;
	int len = sizeof ss;
	if (!s || uv_tcp_getsockname(&s->listener, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

void http_server_stop(struct http_server *s)
{
	if (!s || s->stopping)
		return;
	s->stopping = true;
	while (s->conns)
		conn_kill(s->conns); /* unlinks it */
	uv_close((uv_handle_t *)&s->listener, on_listener_closed);
}

/* ---- request accessors ---- */

const char *http_req_method(const struct http_req *r)
{
	return r->method;
}

const char *http_req_path(const struct http_req *r)
{
	return r->path;
}

const char *http_req_query(const struct http_req *r)
{
	return r->query ? r->query : "";
}

const char *http_req_header(const struct http_req *r, const char *lname)
{
	for (int i = 0; i < r->nhdrs; i++)
		if (strcasecmp(r->hdrs[i].name, lname) == 0)
			return r->hdrs[i].value;
	return NULL;
}

int http_req_header_count(const struct http_req *r)
{
	return r->nhdrs;
}

const char *http_req_header_at(const struct http_req *r, int i, const char **value)
{
	if (i < 0 || i >= r->nhdrs)
		return NULL;
	if (value)
		*value = r->hdrs[i].value;
	return r->hdrs[i].name;
}

const char *http_req_body(const struct http_req *r, size_t *len)
{
	if (len)
		*len = r->body.len;
	return r->body.p ? r->body.p : "";
}

const struct http_peer *http_req_peer(const struct http_req *r)
{
	return r->local ? &r->local->peer : &r->conn->peer;
}

/* ---- in-process requests ---- */

static int local_copy(struct sbuf *b, const char *s, size_t len)
{
	return sbuf_append(b, s, len) || sbuf_append(b, "", 1) ? -ENOMEM : 0;
}

struct http_req *http_req_local_new(const char *method, const char *path, const char *query,
				    const struct http_header *headers, size_t nheaders, const char *body,
				    size_t len, http_local_done_fn done, void *ud)
{
	struct http_req *r = calloc(1, sizeof *r);
	if (!r || !(r->local = calloc(1, sizeof *r->local)))
		goto fail;
	*r->local = (struct local_call){.done = done, .ud = ud};
	r->method = method;
	query = query ? query : "";
	/* url holds "query\0": the accessors hand out pointers into it. */
	if (local_copy(&r->url, query, strlen(query)) || !(r->path = strdup(path)))
		goto fail;
	r->query = r->url.p;
	if (len && local_copy(&r->body, body, len))
		goto fail;
	r->body.len = len;
	for (size_t i = 0; i < nheaders; i++) {
		sbuf_free(&r->field);
		sbuf_free(&r->value);
		if (local_copy(&r->field, headers[i].name, strlen(headers[i].name)) ||
		    local_copy(&r->value, headers[i].value, strlen(headers[i].value)) || req_header_push(r) < 0)
			goto fail;
	}
	r->keep_alive = r->complete = true;
	return r;
fail:
	req_free(r);
	return NULL;
}

static void local_finish(struct http_req *r, int status, const char *content_type, const char *body, size_t len)
{
	struct local_call *l = r->local;
	l->done(l->ud, status, content_type, body, len);
	req_free(r);
}

/* ---- whole responses ---- */

static bool status_has_body(int status)
{
	return status >= 200 && status != 204 && status != 304;
}

void http_respond(struct http_req *r, int status, const struct http_header *headers,
		  size_t nheaders, const char *content_type, const char *body, size_t len)
{
	if (r->local) {
		local_finish(r, status, content_type, body, len);
		return;
	}
	struct http_conn *c = r->conn;
	assert(c->active == r && !c->stream);
	if (status < 100 || status > 999)
		status = 500;
	if (!c->dead) {
		bool with_body = status_has_body(status);
		char framing[64] = "";
		if (with_body)
			snprintf(framing, sizeof framing, "Content-Length: %zu\r\n", len);
		struct sbuf out = {0};
		bool close = req_closes_conn(r);
		int rc = resp_head_build(&out, status, content_type, headers, nheaders, framing,
					 close, req_is_http10(r) && !close);
		if (rc == 0 && with_body && !r->head && len)
			rc = sbuf_append(&out, body, len);
		if (rc == 0)
			conn_send(c, out.p, out.len);
		else
			conn_kill(c);
		sbuf_free(&out);
	}
	req_finish(r);
}

/* ---- streaming responses ---- */

static void on_stream_notify_closed(uv_handle_t *h)
{
	free(h->data);
}

/* The response is over (ended or its client gone): release the request. */
static void stream_release(struct http_stream *s)
{
	struct http_conn *c = s->conn;
	assert(c->stream == s);
	c->stream = NULL;
	uv_close((uv_handle_t *)&s->notify, on_stream_notify_closed);
	req_finish(s->req);
}

static void on_stream_notify(uv_timer_t *t)
{
	struct http_stream *s = t->data;
	s->in_notify = true;
	if (s->on_close)
		s->on_close(s->ud);
	stream_release(s);
}

static void stream_schedule_close(struct http_stream *s)
{
	if (s->notify_pending)
		return;
	s->notify_pending = true;
	uv_timer_start(&s->notify, on_stream_notify, 0, 0);
}

struct http_stream *http_stream_begin(struct http_req *r, int status, const char *content_type,
				      const struct http_header *headers, size_t nheaders,
				      http_stream_close_fn on_close, void *ud)
{
	struct http_conn *c = r->conn;
	assert(r->local || (c->active == r && !c->stream));
	struct http_stream *s = calloc(1, sizeof *s);
	if (!s) {
		http_respond(r, 503, NULL, 0, NULL, NULL, 0);
		return NULL;
	}
	if (r->local) { /* collected, answered whole at http_stream_end */
		*s = (struct http_stream){.req = r};
		r->local->status = status;
		snprintf(r->local->content_type, sizeof r->local->content_type, "%s", content_type ? content_type : "");
		return s;
	}
	*s = (struct http_stream){.req = r, .conn = c, .on_close = on_close, .ud = ud};
	s->raw = req_is_http10(r); /* no chunked encoding: the end is our close */
	s->head = r->head;
	if (s->raw)
		r->keep_alive = false;
	uv_timer_init(c->srv->loop, &s->notify);
	s->notify.data = s;
	c->stream = s;
	if (c->dead || c->peer_eof || c->srv->stopping) {
		conn_kill(c);
		stream_schedule_close(s); /* conn_kill skips it when already dead */
		return s;
	}
	struct sbuf out = {0};
	if (resp_head_build(&out, status, content_type, headers, nheaders,
			    s->raw ? NULL : "Transfer-Encoding: chunked\r\n", s->raw, false) == 0)
		conn_send(c, out.p, out.len);
	else
		conn_kill(c);
	sbuf_free(&out);
	return s;
}

/* The client is gone and the caller hears it from a write: the stream ends
 * here, without an on_close. */
static int stream_fail(struct http_stream *s)
{
	if (s->in_notify)
		return -EPIPE; /* on_close is running; it releases the stream */
	if (s->notify_pending)
		uv_timer_stop(&s->notify);
	stream_release(s);
	return -EPIPE;
}

int http_stream_write(struct http_stream *s, const char *data, size_t len)
{
	if (s->req->local)
		return sbuf_append(&s->req->local->out, data, len) ? -ENOMEM : 0;
	struct http_conn *c = s->conn;
	if (c->dead || s->notify_pending)
		return stream_fail(s);
	if (len == 0 || s->head)
		return 0; /* an empty chunk would end the stream */
	int rc;
	if (s->raw) {
		rc = conn_send(c, data, len);
	} else {
		struct sbuf out = {0};
		rc = sbuf_printf(&out, "%zx\r\n", len);
		rc |= sbuf_append(&out, data, len);
		rc |= sbuf_puts(&out, "\r\n");
		rc = rc ? -ENOMEM : conn_send(c, out.p, out.len);
		sbuf_free(&out);
	}
	return c->dead ? stream_fail(s) : rc;
}

size_t http_stream_pending(const struct http_stream *s)
{
	if (!s->conn)
		return 0;
	return s->conn->dead ? 0 : s->conn->write_pending;
}

void http_stream_end(struct http_stream *s)
{
	if (s->in_notify)
		return; /* on_close is running; the stream goes away after it */
	if (s->req->local) {
		struct local_call *l = s->req->local;
		struct http_req *r = s->req;
		free(s);
		local_finish(r, l->status, l->content_type, l->out.p ? l->out.p : "", l->out.len);
		return;
	}
	struct http_conn *c = s->conn;
	if (s->notify_pending) {
		uv_timer_stop(&s->notify);
	} else if (!c->dead && !s->raw && !s->head) {
		static const char last[] = "0\r\n\r\n";
		conn_send(c, last, sizeof last - 1);
	}
	stream_release(s);
}

/* ---- query strings and booleans ---- */

char *http_query_get(const char *query, const char *name)
{
	if (!query || !name)
		return NULL;
	while (*query) {
		size_t plen = strcspn(query, "&");
		const char *eq = memchr(query, '=', plen);
		size_t klen = eq ? (size_t)(eq - query) : plen;
		char *key = pct_decode(query, klen, true);
		bool match = key && strcmp(key, name) == 0;
		free(key);
		if (match) {
			const char *v = eq ? eq + 1 : query + plen;
			char *val = pct_decode(v, (size_t)(query + plen - v), true);
			if (val)
				return val;
			/* Go skips a pair with a bad escape; so do we. */
		}
		query += plen;
		if (*query == '&')
			query++;
	}
	return NULL;
}

int http_parse_bool(const char *s)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
	if (!s)
		return -1;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcmp(s, yes[i]) == 0)
			return 1;
		if (strcmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* ---- holding output for group commit ---- */

void http_server_hold(struct http_server *s)
{
	s->held = true;
}

static void conn_release(struct http_conn *c, bool deliver)
{
	struct write_req *wr = c->held_head;
	c->held_head = c->held_tail = NULL;
	if (!deliver && (wr || c->shutdown_held)) {
		for (struct write_req *next; wr; wr = next) {
			next = wr->next;
			c->write_pending -= wr->len;
			free(wr);
		}
		conn_kill(c);
		return;
	}
	for (struct write_req *next; wr; wr = next) {
		next = wr->next;
		c->write_pending -= wr->len;
		if (conn_submit(c, wr) < 0) { /* killed: free the rest */
			for (wr = next; wr; wr = next) {
				next = wr->next;
				c->write_pending -= wr->len;
				free(wr);
			}
			return;
		}
	}
	if (c->shutdown_held && !c->dead) {
		c->shutdown_held = false;
		conn_shutdown(c);
	}
}

void http_server_release(struct http_server *s, bool deliver)
{
	if (!s->held)
		return;
	s->held = false;
	for (struct http_conn *c = s->conns, *next; c; c = next) {
		next = c->next;
		conn_release(c, deliver);
	}
}
