/* Asynchronous HTTP/1.1 client over TLS on a libuv loop: how the node agent
 * (and the server's own loopback agent) talks to the API server. One
 * struct httpc per server endpoint holds the TLS context (the cluster CA as
 * trust anchor, the node's client certificate or a bearer token) and a small
 * pool of keep-alive connections. Ordinary requests are queued and spread over
 * the pool, one at a time per connection; long-lived requests (watches, log
 * follow) get a dedicated connection each and deliver the decoded body as it
 * arrives. Join uses httpc_fetch_peer_cert_chain to learn the server's CA
 * before trusting it (the token pins its sha256).
 *
 * Everything runs on the loop thread. User callbacks are only called from the
 * loop, never from inside an httpc_* call; a callback may call any httpc_*
 * function, httpc_free included.
 */
#ifndef COMMON_HTTPC_H
#define COMMON_HTTPC_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* Transport errors reported as a negative status:
 *   -ECONNREFUSED, -EHOSTUNREACH, ... from the socket (libuv codes),
 *   -ETIMEDOUT     connect (incl. TLS handshake) or request timeout,
 *   HTTPC_E_VERIFY the server certificate did not verify (CA, name or IP),
 *   -EPROTO        another TLS failure or a malformed response,
 *   -EMSGSIZE      a response over the limits (headers, body),
 *   -ECONNRESET    the connection closed before the response was complete,
 *   -ECANCELED     httpc_free (or httpc_stream_cancel: no callback then).
 * httpc_last_error gives the message a person can act on. */
#define HTTPC_E_VERIFY (-EKEYREJECTED)

struct httpc;
struct httpc_resp;
struct httpc_stream;

struct httpc_config {
	/* "https://host[:port]" or "http://host[:port]" (tests); host may be a
	 * name, an IPv4 address or a bracketed IPv6 address. A path other
	 * than "/" is rejected. */
	const char *url;
	/* PEM of the CA(s) to trust (the cluster CA). NULL for https means the
	 * system's default trust store. */
	const char *ca_pem;
	/* Client identity (both or neither), PEM. */
	const char *cert_pem, *key_pem;
	/* Sent as "Authorization: Bearer <token>" when set. */
	const char *bearer_token;
	/* Name or IP the certificate must match; default the URL's host. */
	const char *server_name;
	unsigned connect_timeout_ms; /* resolve + TCP + TLS; default 10 s */
	unsigned request_timeout_ms; /* send to complete response; default 60 s */
	unsigned idle_timeout_ms;    /* keep-alive idle close; default 60 s */
	int max_conns;		     /* pooled connections; default 4, at most 64 */
	size_t max_body;	     /* whole-response body limit; default 64 MiB */
	const char *user_agent;	     /* default "minikube" */
};

/* Counters for tests and metrics. */
struct httpc_stats {
	uint64_t connects; /* connections that reached ready (TLS done) */
	uint64_t requests; /* requests completed with an HTTP status */
	uint64_t reused;   /* requests sent on an already used connection */
	uint64_t retries;  /* idempotent requests resent after a stale close */
	int open_conns;	   /* pool + streams, any state */
};

/* 0, or a negative errno with *out = NULL and a malloc'd message in *err
 * (caller frees; err may be NULL). */
int httpc_new(uv_loop_t *loop, const struct httpc_config *cfg, struct httpc **out, char **err);
/* Closes every connection. Pending requests get cb(-ECANCELED) and open
 * streams on_end(-ECANCELED), from the loop; the struct is freed once all
 * handles are closed (uv_run then returns). NULL is a no-op. */
void httpc_free(struct httpc *c);
/* The last transport failure, "" if none. Borrowed, valid until the next
 * call into c or callback from it. */
const char *httpc_last_error(const struct httpc *c);
void httpc_get_stats(const struct httpc *c, struct httpc_stats *out);

/* Response headers (names case-insensitive). NULL when absent or resp NULL. */
const char *httpc_resp_header(const struct httpc_resp *resp, const char *name);

/* status: the HTTP status, or a negative errno (see above) with resp NULL and
 * no body. body is NUL-terminated (len excludes it) and borrowed for the
 * call. */
typedef void (*httpc_done_fn)(void *ud, int status, const struct httpc_resp *resp, const char *body,
			      size_t len);

/* Queues a request; cb is called exactly once from the loop. path_and_query
 * starts with '/'. content_type may be NULL; body (copied) may be NULL when
 * len is 0. Returns 0, or -EINVAL (bad method/path/header text), -EMSGSIZE
 * (body over 256 MiB), -ENOMEM, -ESHUTDOWN (after httpc_free, from a
 * callback): then cb is never called. A GET/HEAD/PUT/DELETE/OPTIONS whose
 * reused connection closes before any response byte is resent once. */
int httpc_request(struct httpc *c, const char *method, const char *path_and_query,
		  const char *content_type, const char *body, size_t len, httpc_done_fn cb,
		  void *ud);

/* A long-lived request on its own connection. on_data gets the decoded body
 * as it arrives (whatever the status: a non-2xx body is usually a Status);
 * on_end is called exactly once with the HTTP status after a complete
 * response, or a negative errno, unless the stream was cancelled. The stream
 * is freed after on_end returns. */
typedef void (*httpc_data_fn)(void *ud, const char *chunk, size_t len);
typedef void (*httpc_end_fn)(void *ud, int status_or_err);
int httpc_stream(struct httpc *c, const char *method, const char *path_and_query,
		 httpc_data_fn on_data, httpc_end_fn on_end, void *ud, struct httpc_stream **out);
/* The response status once headers arrived, 0 before. */
int httpc_stream_status(const struct httpc_stream *s);
/* Closes the stream's connection; neither on_data nor on_end are called
 * afterwards (ud may be freed at once). Allowed inside on_data; a no-op
 * inside on_end. */
void httpc_stream_cancel(struct httpc_stream *s);

/* An upgrade (HTTP 101) on its own connection: "GET path" with
 * "Connection: Upgrade", "Upgrade: protocol" and extra_headers (NULL, or
 * complete "Name: value\r\n" lines). After a 101 the connection is a raw
 * byte stream: on_data gets what the server sends (bytes right after the
 * head included), httpc_stream_write sends; on_end(0) when the server
 * closes, a negative errno on failure. Any other status is answered like
 * httpc_stream: the body to on_data, then on_end(status). Check
 * httpc_stream_status(s) == 101 to know which. */
int httpc_upgrade(struct httpc *c, const char *path_and_query, const char *protocol,
		  const char *extra_headers, httpc_data_fn on_data, httpc_end_fn on_end, void *ud,
		  struct httpc_stream **out);
/* Upgraded streams only: 0, or -EPIPE (not upgraded, closed, failed). */
int httpc_stream_write(struct httpc_stream *s, const char *data, size_t len);
/* Bytes handed to the socket but not yet written (for back-pressure). */
size_t httpc_stream_pending(const struct httpc_stream *s);
/* Stops (true) or resumes reading an upgraded stream's socket. */
void httpc_stream_pause(struct httpc_stream *s, bool paused);
/* Graceful end of an upgraded stream: queued output is flushed, then the
 * connection is closed; no callbacks follow (like httpc_stream_cancel, which
 * it is for a stream that is not upgraded). */
void httpc_stream_close(struct httpc_stream *s);

/* Splits a byte stream into lines (newline-delimited JSON watch events).
 * Partial lines are kept across feeds; "\r\n" is accepted; empty lines are
 * skipped. A line over max_line is dropped (up to its newline) and reported
 * as -EMSGSIZE after the other lines of that feed. */
struct httpc_lines {
	char *buf;
	size_t len, cap, max_line;
	bool discarding; /* inside an over-long line */
};
/* line is NUL-terminated at len; a nonzero return stops the feed and is
 * returned by httpc_lines_feed. */
typedef int (*httpc_line_fn)(void *ud, const char *line, size_t len);
void httpc_lines_init(struct httpc_lines *l, size_t max_line); /* 0 = 16 MiB */
int httpc_lines_feed(struct httpc_lines *l, const char *data, size_t len, httpc_line_fn fn,
		     void *ud);
/* Delivers a final line without newline (end of stream) and empties l. */
int httpc_lines_flush(struct httpc_lines *l, httpc_line_fn fn, void *ud);
void httpc_lines_free(struct httpc_lines *l);

/* Connects to an https url WITHOUT verifying the server and reports the
 * certificate chain it presented (leaf first) as PEM (borrowed for the call),
 * or a negative errno with chain_pem NULL. For join: trust nothing from it
 * until httpc_chain_find_ca has matched the token's CA hash. */
typedef void (*httpc_chain_fn)(void *ud, int status, const char *chain_pem);
int httpc_fetch_peer_cert_chain(uv_loop_t *loop, const char *url, unsigned timeout_ms,
				httpc_chain_fn cb, void *ud);
/* Finds the certificate in a PEM chain whose DER sha256 is sha256_hex (64 hex
 * digits, either case) and returns its PEM in *ca_pem (malloc'd, caller
 * frees). -ENOENT when none matches, -EINVAL on bad arguments. */
int httpc_chain_find_ca(const char *chain_pem, const char *sha256_hex, char **ca_pem);

#endif
