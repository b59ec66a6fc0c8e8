/* HTTP/1.1 server over TLS (common/tls.h, fed from the socket) on a libuv loop, parsing
 * with llhttp. It knows nothing about Kubernetes: it hands complete requests
 * to a handler and offers whole responses or chunked streams (watch, logs).
 *
 * Limits (bounded input): header bytes, header count, body size (over the
 * limit: 413 and close), idle and slow-request timeouts, max connections.
 * Keep-alive and pipelined requests are served in order, one at a time: a
 * started response (a watch) is never disturbed by what the client sends
 * meanwhile. Connections upgrading (WebSocket, SPDY, the node tunnel) are
 * handed over as raw byte streams with http_req_take_conn.
 *
 * Everything runs on the loop thread. User callbacks (handler, on_close) are
 * only called from the loop, never from inside an http_* call.
 */
#ifndef APISERVER_HTTP_H
#define APISERVER_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

struct tls_config;

struct http_server;
struct http_req;
struct http_stream;

struct http_header {
	const char *name; /* lower-cased in requests; sent as given in responses */
	const char *value;
};

/* The peer's identity from a verified client certificate (all zero for plain
 * HTTP, no certificate, or a CN that does not fit). Extra O entries beyond 8
 * and O entries that do not fit are dropped. */
struct http_peer {
	bool has_cert;
	char user[256];	     /* certificate CN */
	char groups[8][128]; /* certificate O entries */
	int ngroups;
};

struct http_limits {
	size_t max_body;	     /* bytes; default 3 MiB */
	size_t max_header_bytes;     /* default 64 KiB */
	int max_headers;	     /* default 100 */
	int max_connections;	     /* default 4096 */
	unsigned idle_timeout_ms;    /* keep-alive idle; default 90 s */
	unsigned request_timeout_ms; /* from first byte to full request; default 30 s */
};

/* Called once per complete request on the loop thread. The handler must answer
 * exactly once with http_respond or http_stream_begin (now or later, e.g. after
 * async work); the req stays valid until then. */
typedef void (*http_handler_fn)(void *ud, struct http_req *req);

struct http_server_config {
	const char *bind_address; /* numeric: "0.0.0.0", "::", "127.0.0.1"... */
	int port;		  /* 0 = pick a free port (see http_server_port) */
	/* NULL = plain HTTP (tests). The server and each connection take a
	 * reference (common/tls.h). Client CAs and ALPN ("http/1.1" only) are
	 * the caller's (pki_server_config). */
	struct tls_config *tls;
	struct http_limits limits; /* zero fields take defaults */
	http_handler_fn handler;
	void *handler_ud;
};

/* 0, or a negative errno (libuv codes) with *out = NULL. */
int http_server_start(uv_loop_t *loop, const struct http_server_config *cfg,
		      struct http_server **out);
int http_server_port(const struct http_server *s);
/* Closes the listener and all connections (open streams get on_close); frees
 * the server on the loop once every handed-out request has been answered
 * (answers to closed connections are dropped). */
void http_server_stop(struct http_server *s);

/* Request accessors (all borrowed, valid until http_respond returns or the
 * stream ends: http_stream_end or on_close). */
const char *http_req_method(const struct http_req *r); /* "GET" */
const char *http_req_path(const struct http_req *r);   /* decoded path, no query */
const char *http_req_query(const struct http_req *r);  /* raw query string without '?', or "" */
const char *http_req_header(const struct http_req *r, const char *lname); /* NULL if absent */
const char *http_req_body(const struct http_req *r, size_t *len);
const struct http_peer *http_req_peer(const struct http_req *r);

/* All request headers in arrival order: i in [0, http_req_header_count). */
int http_req_header_count(const struct http_req *r);
const char *http_req_header_at(const struct http_req *r, int i, const char **value);

/* Connection takeover (upgrades): the request's connection becomes a raw,
 * bidirectional byte stream (TLS still ours); nothing has been answered, the
 * caller writes whatever comes next (a 101 head, or bytes spliced from
 * elsewhere). r is freed (read what you need from it first). Bytes the
 * client sent after the request are delivered to on_data. Callbacks come
 * from the loop only: on_data with plaintext; on_drain when every queued
 * write reached the socket (optional); on_close once when the peer closed or
 * the connection failed or the server stopped (not after http_raw_close).
 * NULL (nothing done, r still to be answered) for in-process requests or
 * out of memory. */
struct http_raw;
struct http_raw_cbs {
	void (*on_data)(void *ud, const char *data, size_t len);
	void (*on_drain)(void *ud);
	void (*on_close)(void *ud);
};
struct http_raw *http_req_take_conn(struct http_req *r, const struct http_raw_cbs *cbs, void *ud);
/* 0, or -EPIPE once the connection is gone. */
int http_raw_write(struct http_raw *w, const char *data, size_t len);
/* Bytes queued but not yet on the socket (for back-pressure). */
size_t http_raw_pending(const struct http_raw *w);
/* Stops (true) or resumes delivering on_data; the socket is not read meanwhile. */
void http_raw_pause(struct http_raw *w, bool paused);
/* Flushes what is queued, then closes; no callback follows, w is invalid. */
void http_raw_close(struct http_raw *w);

/* A whole response. headers: nheaders entries (NULL when 0); a header with CR
 * or LF is skipped, and so are Content-Length, Transfer-Encoding and
 * Connection (framing is ours). Content-Length is added (not for 1xx, 204,
 * 304); HEAD gets the headers only. body is copied. r is freed on return. */
void http_respond(struct http_req *r, int status, const struct http_header *headers,
		  size_t nheaders, const char *content_type, const char *body, size_t len);

/* Chunked streaming response. on_close is called once if the client goes away
 * (or the server stops) before http_stream_end and before a write reported
 * -EPIPE. It comes from the loop (a later iteration, never inside an http_*
 * call); when it returns, the stream and its request are freed
 * (http_stream_end inside on_close is a no-op). If the client is already gone
 * a stream is still returned and on_close follows. NULL only when out of
 * memory: a 503 was sent and on_close will not be called. */
typedef void (*http_stream_close_fn)(void *ud);
struct http_stream *http_stream_begin(struct http_req *r, int status, const char *content_type,
				      const struct http_header *headers, size_t nheaders,
				      http_stream_close_fn on_close, void *ud);
/* Queues one chunk and flushes it. An empty write sends nothing. Returns 0;
 * -ENOMEM (the stream goes on); or -EPIPE when the client is gone: the stream
 * is then already freed and on_close will NOT be called (do not touch s or call
 * http_stream_end again). Inside on_close it returns -EPIPE and frees nothing. */
int http_stream_write(struct http_stream *s, const char *data, size_t len);
/* Bytes queued but not yet written to the socket (for slow-consumer limits). */
size_t http_stream_pending(const struct http_stream *s);
/* Writes the terminating chunk; the connection continues with keep-alive.
 * Frees the stream (no on_close after it). */
void http_stream_end(struct http_stream *s);

/* In-process requests: the control plane's controllers and scheduler call
 * the same handler as the network does, with no connection and no TLS. The
 * answer (whole, or a stream collected whole) goes to done, called from inside
 * http_respond / http_stream_end; then the request is freed. Returns NULL when
 * out of memory. Strings are copied. */
typedef void (*http_local_done_fn)(void *ud, int status, const char *content_type, const char *body,
				   size_t len);
struct http_req *http_req_local_new(const char *method, const char *path, const char *query,
				    const struct http_header *headers, size_t nheaders, const char *body,
				    size_t len, http_local_done_fn done, void *ud);

/* Group commit support: while held, every response and stream write is
 * queued instead of written. http_server_release(s, true) writes everything
 * in order; (s, false) drops it and closes the connections that had output
 * held, so nothing unacknowledged is ever claimed done. */
void http_server_hold(struct http_server *s);
void http_server_release(struct http_server *s, bool deliver);

/* Query-string helpers: decodes '+' as space and %XX. Returns a malloc'd value
 * (caller frees; "" for "name" or "name=") of the first pair whose decoded
 * name matches exactly, or NULL when absent. A pair with a bad escape or an
 * encoded NUL is skipped (as Go does). */
char *http_query_get(const char *query, const char *name);
/* Go's strconv.ParseBool: 1,t,T,TRUE,true,True / 0,f,F,FALSE,false,False. -1 if invalid. */
int http_parse_bool(const char *s);

#endif
