/* agent/probe.c — one probe attempt (see probe.h), on the loop and never
 * blocking it.
 *
 * httpGet and tcpSocket connect with libuv TCP from the agent's (the node's)
 * network namespace; httpGet sends one GET with the kubelet's headers
 * (User-Agent kube-probe, Accept: any type, Connection close, the probe's
 * httpHeaders), over TLS without verification for HTTPS, and only reads
 * the status line: 200-399 is a success, like
 * the kubelet. exec starts the command in the container through the
 * runtime's exec with stdout and stderr on one pipe (the first
 * PROBE_OUTPUT_MAX bytes are the message), notices the exit through a pidfd
 * (a 100 ms poll without one), and kills the command and what it forked at
 * timeoutSeconds. grpc runs grpc.health.v1.Health/Check over plaintext
 * HTTP/2 with prior knowledge: nghttp2 frames it into memory (mem_send /
 * mem_recv) and the TCP stream carries the bytes, so nothing blocks; its
 * messages are the kubelet's (pkg/probe/grpc). A connection that fails or
 * closes before the server's SETTINGS arrive is, as with grpc-go's blocking
 * dial, reported when timeoutSeconds run out. sleep (a lifecycle hook) is a
 * timer. An attempt owns its handles and frees itself once they are
 * closed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nghttp2/nghttp2.h>

#include "agent/probe.h"
#include "common/tls.h"
#include "runtime/container.h"

#define PROBE_REAP_POLL_MS 100 /* exec without pidfd_open */
#define PROBE_STATUS_LINE_MAX 1024
#define PROBE_GRPC_PATH "/grpc.health.v1.Health/Check"
#define PROBE_GRPC_BODY_MAX 4096 /* a HealthCheckResponse is 7 bytes framed */
#define PROBE_USER_AGENT "kube-probe/1.32"

struct attempt {
	probe_done_fn cb;
	void *ud;
	enum probe_handler handler;
	int handles; /* open uv handles; freed at 0 once done */
	bool done, timed_out, tcp_open, https;
	uv_timer_t timeout;
	/* httpGet / tcpSocket */
	uv_tcp_t tcp;
	uv_connect_t conn;
	uv_write_t wr;
	char *request;
	char what[1400]; /* `Get "http://ip:port/path"` or `dial tcp ip:port` */
	char buf[PROBE_STATUS_LINE_MAX];
	size_t len;
	struct tls_config *tls_cfg; /* HTTPS: no verification, like the kubelet */
	struct tls_conn *tls;
	bool tls_sent;
	char tls_in[16384]; /* TLS and HTTP/2 reads */
	/* grpc */
	nghttp2_session *h2;
	int32_t stream_id;
	bool h2_ready, h2_closed, refused;
	uint32_t h2_error; /* RST_STREAM code */
	uint8_t req[300];  /* the framed HealthCheckRequest */
	size_t req_len, req_off;
	uint8_t *resp; /* DATA of the stream, up to PROBE_GRPC_BODY_MAX */
	size_t resp_len;
	bool resp_big;
	int http_status, grpc_status; /* grpc_status -1: none received */
	char grpc_message[256];
	char timeout_text[32]; /* timeoutSeconds as Go prints a Duration */
	/* exec */
	pid_t pid;
	int out_fd, pidfd;
	uv_poll_t out_poll, exit_poll;
	uv_timer_t reap_timer;
	bool out_open, exit_open, reap_open;
	char out[PROBE_OUTPUT_MAX + 1];
	size_t out_len;
	char cmd[256];
};

static void on_closed(uv_handle_t *h)
{
	struct attempt *a = h->data;
	if (--a->handles == 0 && a->done) {
		tls_conn_free(a->tls);
		tls_config_unref(a->tls_cfg);
		if (a->h2)
			nghttp2_session_del(a->h2);
		free(a->resp);
		free(a->request);
		free(a);
	}
}

static void handle_close(struct attempt *a, uv_handle_t *h)
{
	if (!uv_is_closing(h))
		uv_close(h, on_closed);
}

/* Reports once; the handles close after (the exec's only once it is reaped). */
static void finish(struct attempt *a, bool ok, const char *msg)
{
	if (a->done)
		return;
	a->done = true;
	handle_close(a, (uv_handle_t *)&a->timeout);
	if (a->tcp_open)
		handle_close(a, (uv_handle_t *)&a->tcp);
	a->cb(a->ud, ok, msg ? msg : "");
}

/* ---- httpGet and tcpSocket ---- */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct attempt *a = h->data;
	(void)suggested;
	if (a->tls || a->h2) {
		*buf = uv_buf_init(a->tls_in, sizeof a->tls_in);
		return;
	}
	size_t room = sizeof a->buf - 1 - a->len;
	*buf = uv_buf_init(a->buf + a->len, (unsigned)room);
}

/* Looks at what arrived: the status line decides; n < 0 is the end. */
static void http_check(struct attempt *a, ssize_t n)
{
	char msg[1600];
	a->buf[a->len] = 0;
	char *eol = strstr(a->buf, "\r\n");
	int code = 0;
	if (eol || a->len >= sizeof a->buf - 1) {
		if (sscanf(a->buf, "HTTP/%*d.%*d %3d", &code) != 1 || code < 100) {
			snprintf(msg, sizeof msg, "%s: malformed HTTP response", a->what);
			return finish(a, false, msg);
		}
		if (code >= 200 && code < 400)
			return finish(a, true, NULL);
		snprintf(msg, sizeof msg, "HTTP probe failed with statuscode: %d", code);
		return finish(a, false, msg);
	}
	if (n < 0) {
		snprintf(msg, sizeof msg, "%s: %s", a->what,
			 n == UV_EOF ? "EOF before the status line" : uv_strerror((int)n));
		finish(a, false, msg);
	}
}

static void on_tls_written(uv_write_t *w, int status)
{
	(void)status;
	free(w);
}

/* Writes a copy of n bytes to the connection. */
static int stream_write_copy(struct attempt *a, const void *bytes, size_t n)
{
	uv_write_t *w = malloc(sizeof *w + n);
	if (!w)
		return UV_ENOMEM;
	char *data = (char *)(w + 1);
	memcpy(data, bytes, n);
	uv_buf_t b = uv_buf_init(data, (unsigned)n);
	int rc = uv_write(w, (uv_stream_t *)&a->tcp, &b, 1, on_tls_written);
	if (rc)
		free(w);
	return rc;
}

/* Sends what TLS has to send. */
static int tls_flush(struct attempt *a)
{
	const void *out;
	size_t n;
	while ((n = tls_output(a->tls, &out)) > 0) {
		int rc = stream_write_copy(a, out, n);
		tls_output_done(a->tls, n);
		if (rc)
			return rc;
	}
	return 0;
}

/* The handshake, then the request once, then the response's first bytes. */
static void tls_progress(struct attempt *a)
{
	char msg[1800];
	if (!a->tls_sent) {
		int rc = tls_handshake(a->tls);
		if (rc == 1 && tls_write(a->tls, a->request, strlen(a->request)) > 0) {
			a->tls_sent = true;
		} else if (rc != 0) {
			tls_flush(a); /* the alert */
			snprintf(msg, sizeof msg, "%s: tls: %s", a->what, tls_error(a->tls));
			return finish(a, false, msg);
		}
	}
	ssize_t n = 0;
	while (a->tls_sent && a->len < sizeof a->buf - 1 &&
	       (n = tls_read(a->tls, a->buf + a->len, sizeof a->buf - 1 - a->len)) > 0)
		a->len += (size_t)n;
	if (n < 0 && n != TLS_EOF) {
		tls_flush(a);
		snprintf(msg, sizeof msg, "%s: tls: %s", a->what, tls_error(a->tls));
		return finish(a, false, msg);
	}
	int rc = tls_flush(a);
	if (rc) {
		snprintf(msg, sizeof msg, "%s: %s", a->what, uv_strerror(rc));
		return finish(a, false, msg);
	}
	if (a->tls_sent)
		http_check(a, 0);
}

static void grpc_read(struct attempt *a, ssize_t n);

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct attempt *a = s->data;
	(void)buf;
	if (a->done)
		return;
	if (a->h2)
		return grpc_read(a, n);
	if (n > 0 && a->tls) {
		if (tls_feed(a->tls, a->tls_in, (size_t)n) < 0)
			return finish(a, false, "out of memory");
		return tls_progress(a);
	}
	if (n > 0)
		a->len += (size_t)n;
	http_check(a, n);
}

/* An HTTPS attempt: the TLS engine fed from the TCP stream. */
static int tls_start(struct attempt *a)
{
	a->tls_cfg = tls_client_config(&(struct tls_client_opts){.insecure = true}, NULL);
	a->tls = a->tls_cfg ? tls_conn_new(a->tls_cfg, NULL) : NULL;
	return a->tls ? 0 : UV_ENOMEM;
}

static void on_written(uv_write_t *w, int status)
{
	struct attempt *a = w->data;
	char msg[1600];
	if (a->done)
		return;
	if (status < 0) {
		snprintf(msg, sizeof msg, "%s: write: %s", a->what, uv_strerror(status));
		finish(a, false, msg);
	}
}

static void grpc_start(struct attempt *a);
static void grpc_dial_failed(struct attempt *a);

static void on_connect(uv_connect_t *c, int status)
{
	struct attempt *a = c->data;
	char msg[1600];
	if (a->done)
		return;
	if (a->handler == PROBE_GRPC)
		return status < 0 ? grpc_dial_failed(a) : grpc_start(a);
	if (status < 0) {
		snprintf(msg, sizeof msg, "%s: connect: %s", a->what, uv_strerror(status));
		return finish(a, false, msg);
	}
	if (a->handler == PROBE_TCP)
		return finish(a, true, NULL);
	if (a->https) {
		int rc = tls_start(a);
		if (rc == 0)
			rc = uv_read_start((uv_stream_t *)&a->tcp, on_alloc, on_read);
		if (rc) {
			snprintf(msg, sizeof msg, "%s: %s", a->what, uv_strerror(rc));
			return finish(a, false, msg);
		}
		return tls_progress(a);
	}
	uv_buf_t b = uv_buf_init(a->request, (unsigned)strlen(a->request));
	a->wr.data = a;
	int rc = uv_write(&a->wr, (uv_stream_t *)&a->tcp, &b, 1, on_written);
	if (rc == 0)
		rc = uv_read_start((uv_stream_t *)&a->tcp, on_alloc, on_read);
	if (rc) {
		snprintf(msg, sizeof msg, "%s: %s", a->what, uv_strerror(rc));
		finish(a, false, msg);
	}
}

/* An IP literal (or localhost), and the "ip:port" text for messages. */
static int addr_parse(const char *host, int port, struct sockaddr_storage *ss, char *hostport,
		      size_t n)
{
	if (!strcmp(host, "localhost"))
		host = "127.0.0.1";
	if (uv_ip4_addr(host, port, (struct sockaddr_in *)ss) == 0) {
		snprintf(hostport, n, "%s:%d", host, port);
		return 0;
	}
	if (uv_ip6_addr(host, port, (struct sockaddr_in6 *)ss) == 0) {
		snprintf(hostport, n, "[%s]:%d", host, port);
		return 0;
	}
	snprintf(hostport, n, "%s:%d", host, port);
	return -EINVAL;
}

/* Whether the "Name: value\r\n" lines have a header called name. */
static bool has_header(const char *lines, const char *name)
{
	size_t n = strlen(name);
	for (const char *l = lines; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncasecmp(l, name, n) && l[n] == ':')
			return true;
	return false;
}

static void net_start(uv_loop_t *loop, struct attempt *a, const struct probe_spec *spec,
		      const struct probe_target *t)
{
	char hostport[300], msg[1600];
	struct sockaddr_storage ss;
	const char *host = spec->host[0] && spec->handler != PROBE_GRPC ? spec->host : t->pod_ip;
	if (!host || !*host)
		return finish(a, false, "the pod has no IP address yet");
	int bad = addr_parse(host, spec->port, &ss, hostport, sizeof hostport);
	if (spec->handler == PROBE_GRPC)
		snprintf(a->what, sizeof a->what, "%s", hostport);
	else if (spec->handler == PROBE_TCP)
		snprintf(a->what, sizeof a->what, "dial tcp %s", hostport);
	else
		snprintf(a->what, sizeof a->what, "Get \"%s://%s%s\"",
			 strcmp(spec->scheme, "HTTPS") ? "http" : "https", hostport, spec->path);
	if (bad) {
		snprintf(msg, sizeof msg, "%s: the host must be an IP address", a->what);
		return finish(a, false, msg);
	}
	a->https = spec->handler == PROBE_HTTP && !strcmp(spec->scheme, "HTTPS");
	if (spec->handler == PROBE_HTTP) {
		size_t len = strlen(spec->path) + strlen(hostport) +
			     (spec->headers ? strlen(spec->headers) : 0) + 200;
		a->request = malloc(len);
		if (!a->request)
			return finish(a, false, "out of memory");
		/* A Host (or User-Agent, Accept) among httpHeaders replaces the
		 * default, as in the kubelet. */
		const char *h = spec->headers ? spec->headers : "";
		bool own_host = has_header(h, "Host");
		snprintf(a->request, len,
			 "GET %s HTTP/1.1\r\n%s%s%s%s%sConnection: close\r\n%s\r\n", spec->path,
			 own_host ? "" : "Host: ", own_host ? "" : hostport, own_host ? "" : "\r\n",
			 has_header(h, "User-Agent") ? "" : "User-Agent: kube-probe/1.32\r\n",
			 has_header(h, "Accept") ? "" : "Accept: */*\r\n", h);
	}
	uv_tcp_init(loop, &a->tcp);
	a->tcp.data = a;
	a->tcp_open = true;
	a->handles++;
	a->conn.data = a;
	int rc = uv_tcp_connect(&a->conn, &a->tcp, (struct sockaddr *)&ss, on_connect);
	if (rc && spec->handler == PROBE_GRPC)
		grpc_dial_failed(a);
	else if (rc) {
		snprintf(msg, sizeof msg, "%s: connect: %s", a->what, uv_strerror(rc));
		finish(a, false, msg);
	}
}

/* ---- grpc: grpc.health.v1.Health/Check over h2c ---- */

static const char *const grpc_codes[] = {
    "OK",	"Canceled",	  "Unknown",	      "InvalidArgument",   "DeadlineExceeded",
    "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
    "Aborted",	"OutOfRange",	  "Unimplemented",    "Internal",	   "Unavailable",
    "DataLoss", "Unauthenticated"};
enum {
	GRPC_DEADLINE_EXCEEDED = 4,
	GRPC_UNIMPLEMENTED = 12,
	GRPC_INTERNAL = 13,
	GRPC_UNAVAILABLE = 14
};

/* A whole number of seconds as Go prints a time.Duration: "1s", "1m30s". */
static void go_duration(int s, char *out, size_t n)
{
	if (s < 60)
		snprintf(out, n, "%ds", s);
	else if (s < 3600)
		snprintf(out, n, "%dm%ds", s / 60, s % 60);
	else
		snprintf(out, n, "%dh%dm%ds", s / 3600, s / 60 % 60, s % 60);
}

static size_t varint_put(uint8_t *out, uint64_t v)
{
	size_t n = 0;
	do {
		out[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	return n;
}

static int varint_get(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 70 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -EINVAL;
}

size_t probe_grpc_request(const char *service, uint8_t *out, size_t cap)
{
	size_t slen = strlen(service);
	uint8_t len[10];
	size_t ll = varint_put(len, slen);
	/* proto3 leaves an empty string out: the message is then empty. */
	size_t msg = slen ? 1 + ll + slen : 0;
	if (5 + msg > cap || msg > UINT32_MAX)
		return 0;
	out[0] = 0; /* not compressed */
	out[1] = (uint8_t)(msg >> 24);
	out[2] = (uint8_t)(msg >> 16);
	out[3] = (uint8_t)(msg >> 8);
	out[4] = (uint8_t)msg;
	if (slen) {
		out[5] = 0x0a; /* field 1, length-delimited */
		memcpy(out + 6, len, ll);
		memcpy(out + 6 + ll, service, slen);
	}
	return 5 + msg;
}

int probe_grpc_response(const uint8_t *body, size_t len, int *status)
{
	if (len < 5 || body[0] > 1)
		return -EINVAL;
	if (body[0] == 1)
		return -ENOTSUP;
	uint32_t mlen =
	    (uint32_t)body[1] << 24 | (uint32_t)body[2] << 16 | (uint32_t)body[3] << 8 | body[4];
	if (mlen != len - 5)
		return -EINVAL;
	const uint8_t *p = body + 5, *end = body + len;
	*status = PROBE_GRPC_UNKNOWN;
	while (p < end) {
		uint64_t key, v;
		if (varint_get(&p, end, &key) || key >> 3 == 0)
			return -EINVAL;
		switch (key & 7) {
		case 0:
			if (varint_get(&p, end, &v))
				return -EINVAL;
			if (key >> 3 == 1)
				*status = (int)(int32_t)v;
			break;
		case 1:
		case 5:
			if ((size_t)(end - p) < ((key & 7) == 1 ? 8u : 4u))
				return -EINVAL;
			p += (key & 7) == 1 ? 8 : 4;
			break;
		case 2:
			if (varint_get(&p, end, &v) || v > (uint64_t)(end - p))
				return -EINVAL;
			p += v;
			break;
		default: /* groups are long gone; anything else is garbage */
			return -EINVAL;
		}
		if (key >> 3 == 1 && (key & 7) != 0)
			return -EINVAL; /* status with the wrong wire type */
	}
	return 0;
}

const char *probe_grpc_status_name(int status, char *buf, size_t n)
{
	static const char *const names[] = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};
	if (status >= 0 && status < 4)
		return names[status];
	snprintf(buf, n, "%d", status);
	return buf;
}

static void grpc_prepare(struct attempt *a, const struct probe_spec *spec)
{
	a->req_len = probe_grpc_request(spec->service, a->req, sizeof a->req);
	if (!a->req_len)
		finish(a, false, "the grpc service name is too long");
}

/* The RPC ended with a status other than OK: the kubelet's texts. */
static void grpc_fail(struct attempt *a, int code, const char *desc)
{
	char msg[900], cb[24];
	if (code == GRPC_UNIMPLEMENTED)
		snprintf(msg, sizeof msg,
			 "error: this server does not implement the grpc health protocol "
			 "(grpc.health.v1.Health): %s",
			 desc);
	else if (code == GRPC_DEADLINE_EXCEEDED)
		snprintf(msg, sizeof msg, "timeout: health rpc did not complete within %s",
			 a->timeout_text);
	else {
		const char *name = code >= 0 && code < (int)(sizeof grpc_codes / sizeof *grpc_codes)
				       ? grpc_codes[code]
				       : (snprintf(cb, sizeof cb, "Code(%d)", code), cb);
		snprintf(msg, sizeof msg,
			 "error: health rpc probe failed: rpc error: code = %s desc = %s", name,
			 desc);
	}
	finish(a, false, msg);
}

/* grpc-go's mapping of a non-200 HTTP status to a gRPC code. */
static int grpc_code_of_http(int status)
{
	switch (status) {
	case 400:
		return GRPC_INTERNAL;
	case 401:
		return 16; /* Unauthenticated */
	case 403:
		return 7; /* PermissionDenied */
	case 404:
		return GRPC_UNIMPLEMENTED;
	case 429:
	case 502:
	case 503:
	case 504:
		return GRPC_UNAVAILABLE;
	default:
		return 2; /* Unknown */
	}
}

/* The stream closed: the HTTP status, the grpc-status, then the message. */
static void grpc_check(struct attempt *a)
{
	char desc[400], nb[16];
	int st;
	if (a->grpc_status < 0 && a->h2_error) { /* reset, or refused before any answer */
		snprintf(desc, sizeof desc, "stream terminated by RST_STREAM with error code: %s",
			 nghttp2_http2_strerror(a->h2_error));
		return grpc_fail(
		    a, a->h2_error == NGHTTP2_REFUSED_STREAM ? GRPC_UNAVAILABLE : GRPC_INTERNAL,
		    desc);
	}
	if (a->http_status != 200) {
		snprintf(desc, sizeof desc, "unexpected HTTP status code received from server: %d",
			 a->http_status);
		return grpc_fail(a, grpc_code_of_http(a->http_status), desc);
	}
	if (a->grpc_status < 0) {
		snprintf(desc, sizeof desc, "server closed the stream without sending trailers");
		return grpc_fail(a, GRPC_INTERNAL, desc);
	}
	if (a->grpc_status != 0)
		return grpc_fail(a, a->grpc_status, a->grpc_message);
	int rc = a->resp_big ? -E2BIG : probe_grpc_response(a->resp, a->resp_len, &st);
	if (rc) {
		snprintf(desc, sizeof desc, "grpc: failed to unmarshal the received message: %s",
			 rc == -ENOTSUP ? "compressed, but no compression was asked for"
					: "malformed HealthCheckResponse");
		return grpc_fail(a, GRPC_INTERNAL, desc);
	}
	if (st != PROBE_GRPC_SERVING) {
		snprintf(desc, sizeof desc, "service unhealthy (responded with \"%s\")",
			 probe_grpc_status_name(st, nb, sizeof nb));
		return finish(a, false, desc);
	}
	finish(a, true, NULL);
}

/* Like grpc-go's blocking dial: a connection that fails before the HTTP/2
 * handshake is retried by nobody and reported at the deadline. */
static void grpc_dial_failed(struct attempt *a)
{
	if (a->tcp_open)
		handle_close(a, (uv_handle_t *)&a->tcp);
	a->tcp_open = false;
}

static int grpc_flush(struct attempt *a)
{
	const uint8_t *data;
	ssize_t n;
	while ((n = nghttp2_session_mem_send(a->h2, &data)) > 0) {
		int rc = stream_write_copy(a, data, (size_t)n);
		if (rc)
			return rc;
	}
	return n < 0 ? UV_EPROTO : 0;
}

static void grpc_read(struct attempt *a, ssize_t n)
{
	char desc[300];
	if (n < 0 && !a->h2_ready)
		return grpc_dial_failed(a);
	if (n < 0) {
		snprintf(desc, sizeof desc, "error reading from server: %s",
			 n == UV_EOF ? "EOF" : uv_strerror((int)n));
		return grpc_fail(a, GRPC_UNAVAILABLE, desc);
	}
	ssize_t used = nghttp2_session_mem_recv(a->h2, (const uint8_t *)a->tls_in, (size_t)n);
	if (used < 0 && !a->h2_ready)
		return grpc_dial_failed(a); /* not an HTTP/2 server */
	int rc = used < 0 ? 0 : grpc_flush(a);
	if (used < 0 || rc) {
		snprintf(desc, sizeof desc, "connection error: desc = \"transport: %s\"",
			 used < 0 ? nghttp2_strerror((int)used) : uv_strerror(rc));
		return grpc_fail(a, GRPC_UNAVAILABLE, desc);
	}
	if (a->h2_closed)
		grpc_check(a);
}

static int h2_on_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	struct attempt *a = ud;
	(void)s;
	if (f->hd.type == NGHTTP2_SETTINGS && !(f->hd.flags & NGHTTP2_FLAG_ACK))
		a->h2_ready = true;
	return 0;
}

/* grpc-message is percent-encoded. */
static void percent_decode(const uint8_t *v, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		unsigned x;
		char hex[3] = {0};
		if (v[i] == '%' && i + 2 < n) {
			memcpy(hex, v + i + 1, 2);
			if (sscanf(hex, "%2x", &x) == 1) {
				out[o++] = (char)x;
				i += 2;
				continue;
			}
		}
		out[o++] = (char)v[i];
	}
	out[o] = 0;
}

static int h2_on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
			size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
			void *ud)
{
	struct attempt *a = ud;
	char v[16];
	(void)s, (void)flags;
	if (f->hd.stream_id != a->stream_id)
		return 0;
	snprintf(v, sizeof v, "%.*s", (int)(valuelen < 15 ? valuelen : 15), (const char *)value);
	if (namelen == 7 && !memcmp(name, ":status", 7))
		a->http_status = atoi(v);
	else if (namelen == 11 && !memcmp(name, "grpc-status", 11))
		a->grpc_status = valuelen && valuelen < 15 ? atoi(v) : 2 /* Unknown */;
	else if (namelen == 12 && !memcmp(name, "grpc-message", 12))
		percent_decode(value, valuelen, a->grpc_message, sizeof a->grpc_message);
	return 0;
}

static int h2_on_data(nghttp2_session *s, uint8_t flags, int32_t stream_id, const uint8_t *data,
		      size_t len, void *ud)
{
	struct attempt *a = ud;
	(void)s, (void)flags;
	if (stream_id != a->stream_id || a->resp_big)
		return 0;
	if (a->resp_len + len > PROBE_GRPC_BODY_MAX ||
	    (!a->resp && !(a->resp = malloc(PROBE_GRPC_BODY_MAX)))) {
		a->resp_big = true;
		return 0;
	}
	memcpy(a->resp + a->resp_len, data, len);
	a->resp_len += len;
	return 0;
}

static int h2_on_close(nghttp2_session *s, int32_t stream_id, uint32_t error_code, void *ud)
{
	struct attempt *a = ud;
	(void)s;
	if (stream_id == a->stream_id) {
		a->h2_closed = true;
		a->h2_error = error_code;
	}
	return 0;
}

static ssize_t h2_read_body(nghttp2_session *s, int32_t stream_id, uint8_t *buf, size_t len,
			    uint32_t *flags, nghttp2_data_source *src, void *ud)
{
	struct attempt *a = ud;
	(void)s, (void)stream_id, (void)src;
	size_t n = a->req_len - a->req_off;
	n = n < len ? n : len;
	memcpy(buf, a->req + a->req_off, n);
	a->req_off += n;
	if (a->req_off == a->req_len)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

static nghttp2_nv nv(const char *name, const char *value)
{
	return (nghttp2_nv){(uint8_t *)name, (uint8_t *)value, strlen(name), strlen(value),
			    NGHTTP2_NV_FLAG_NONE};
}

/* Connected: the client preface, SETTINGS and the one request go out. */
static void grpc_start(struct attempt *a)
{
	nghttp2_session_callbacks *cbs;
	char timeout[24], desc[200];
	if (nghttp2_session_callbacks_new(&cbs))
		return finish(a, false, "out of memory");
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, h2_on_frame_recv);
	nghttp2_session_callbacks_set_on_header_callback(cbs, h2_on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, h2_on_data);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs, h2_on_close);
	int rc = nghttp2_session_client_new(&a->h2, cbs, a);
	nghttp2_session_callbacks_del(cbs);
	if (rc) {
		a->h2 = NULL;
		return finish(a, false, "out of memory");
	}
	nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0}};
	nghttp2_submit_settings(a->h2, NGHTTP2_FLAG_NONE, iv, 1);
	snprintf(timeout, sizeof timeout, "%llum", /* grpc-timeout: what is left, in ms */
		 (unsigned long long)uv_timer_get_due_in(&a->timeout));
	nghttp2_nv hdrs[] = {
	    nv(":method", "POST"),
	    nv(":scheme", "http"),
	    nv(":path", PROBE_GRPC_PATH),
	    nv(":authority", a->what),
	    nv("content-type", "application/grpc"),
	    nv("user-agent", PROBE_USER_AGENT),
	    nv("te", "trailers"),
	    nv("grpc-timeout", timeout),
	};
	nghttp2_data_provider body = {.read_callback = h2_read_body};
	a->stream_id =
	    nghttp2_submit_request(a->h2, NULL, hdrs, sizeof hdrs / sizeof hdrs[0], &body, a);
	if (a->stream_id < 0) {
		snprintf(desc, sizeof desc, "grpc request: %s", nghttp2_strerror(a->stream_id));
		return finish(a, false, desc);
	}
	rc = grpc_flush(a);
	if (rc == 0)
		rc = uv_read_start((uv_stream_t *)&a->tcp, on_alloc, on_read);
	if (rc) {
		snprintf(desc, sizeof desc, "connection error: desc = \"transport: %s\"",
			 uv_strerror(rc));
		grpc_fail(a, GRPC_UNAVAILABLE, desc);
	}
}

/* ---- exec ---- */

/* The command's own children, then the command (kills run in the
 * container's pid namespace, so the host pid of what it forked is found
 * through /proc). */
static void exec_kill(struct attempt *a)
{
	char path[64], line[4096];
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)a->pid, (int)a->pid);
	FILE *f = fopen(path, "re");
	if (f && fgets(line, sizeof line, f)) {
		char *save = NULL;
		for (char *tok = strtok_r(line, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save))
			kill((pid_t)atoi(tok), SIGKILL);
	}
	if (f)
		fclose(f);
	kill(a->pid, SIGKILL);
}

/* Reads what the command wrote; true at the end of its output. */
static bool out_drain(struct attempt *a)
{
	char sink[4096];
	for (;;) {
		size_t room = PROBE_OUTPUT_MAX - a->out_len;
		ssize_t n = room ? read(a->out_fd, a->out + a->out_len, room)
				 : read(a->out_fd, sink, sizeof sink);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 || errno != EAGAIN;
		if (room)
			a->out_len += (size_t)n;
	}
}

static void on_out(uv_poll_t *p, int status, int events)
{
	struct attempt *a = p->data;
	(void)status, (void)events;
	if (out_drain(a))
		uv_poll_stop(p); /* a closed pipe stays readable: no busy loop */
}

static void exec_reaped(struct attempt *a, int status)
{
	char msg[PROBE_OUTPUT_MAX + 300];
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (a->exit_open)
		handle_close(a, (uv_handle_t *)&a->exit_poll);
	if (a->reap_open)
		handle_close(a, (uv_handle_t *)&a->reap_timer);
	a->exit_open = a->reap_open = false;
	if (a->pidfd >= 0)
		close(a->pidfd);
	a->pidfd = -1;
	out_drain(a);
	if (a->out_open)
		handle_close(a, (uv_handle_t *)&a->out_poll);
	a->out_open = false;
	close(a->out_fd);
	a->out_fd = -1;
	a->out[a->out_len] = 0;
	if (a->timed_out) {
		snprintf(msg, sizeof msg, "command \"%s\" timed out", a->cmd);
		return finish(a, false, msg);
	}
	if (code == 0 || a->out_len) /* the kubelet's message is the output */
		return finish(a, code == 0, a->out);
	snprintf(msg, sizeof msg, "command \"%s\" exited with %d", a->cmd, code);
	finish(a, false, msg);
}

static void try_reap(struct attempt *a)
{
	int status;
	pid_t r = waitpid(a->pid, &status, WNOHANG);
	if (r == a->pid)
		exec_reaped(a, status);
	else if (r < 0 && errno == ECHILD)
		exec_reaped(a, 0x7f00); /* reaped elsewhere: report 127 */
}

static void on_exit_poll(uv_poll_t *p, int status, int events)
{
	(void)status, (void)events;
	try_reap(p->data);
}

static void on_reap_timer(uv_timer_t *t)
{
	try_reap(t->data);
}

static void exec_start(uv_loop_t *loop, struct attempt *a, const struct probe_spec *spec,
		       const struct probe_target *t)
{
	char err[512], msg[700];
	int fds[2];
	size_t off = 0;
	for (size_t i = 0; spec->argv && spec->argv[i] && off < sizeof a->cmd; i++)
		off += (size_t)snprintf(a->cmd + off, sizeof a->cmd - off, "%s%s", i ? " " : "",
					spec->argv[i]);
	if (!t->rt || !t->ctr_id || !*t->ctr_id)
		return finish(a, false, "the container is not running");
	if (pipe2(fds, O_CLOEXEC) < 0)
		return finish(a, false, strerror(errno));
	struct rt_exec_spec es;
	rt_exec_spec_init(&es);
	es.args = (const char *const *)spec->argv;
	es.stdin_fd = -1;
	es.stdout_fd = es.stderr_fd = fds[1];
	int rc = rt_container_exec_start(t->rt, t->ctr_id, &es, &a->pid, err, sizeof err);
	close(fds[1]);
	if (rc) {
		close(fds[0]);
		snprintf(msg, sizeof msg, "command \"%s\": %s", a->cmd, err);
		return finish(a, false, msg);
	}
	a->out_fd = fds[0];
	fcntl(a->out_fd, F_SETFL, fcntl(a->out_fd, F_GETFL) | O_NONBLOCK);
	if (uv_poll_init(loop, &a->out_poll, a->out_fd) == 0) {
		a->out_poll.data = a;
		a->out_open = true;
		a->handles++;
		uv_poll_start(&a->out_poll, UV_READABLE | UV_DISCONNECT, on_out);
	}
	a->pidfd = (int)syscall(SYS_pidfd_open, a->pid, 0);
	if (a->pidfd >= 0 && uv_poll_init(loop, &a->exit_poll, a->pidfd) == 0) {
		a->exit_poll.data = a;
		a->exit_open = true;
		a->handles++;
		uv_poll_start(&a->exit_poll, UV_READABLE, on_exit_poll);
		return;
	}
	uv_timer_init(loop, &a->reap_timer);
	a->reap_timer.data = a;
	a->reap_open = true;
	a->handles++;
	uv_timer_start(&a->reap_timer, on_reap_timer, PROBE_REAP_POLL_MS, PROBE_REAP_POLL_MS);
}

/* ---- the attempt ---- */

static void on_timeout(uv_timer_t *t)
{
	struct attempt *a = t->data;
	char msg[1600];
	if (a->done)
		return;
	if (a->handler == PROBE_EXEC) {
		/* Reported once the killed command is reaped. */
		a->timed_out = true;
		exec_kill(a);
		return;
	}
	if (a->handler == PROBE_SLEEP)
		return finish(a, true, NULL); /* slept, or cut at the bound */
	if (a->handler == PROBE_GRPC && !a->h2_ready)
		snprintf(msg, sizeof msg,
			 "timeout: failed to connect service \"%s\" within %s: context deadline "
			 "exceeded",
			 a->what, a->timeout_text);
	else if (a->handler == PROBE_GRPC)
		snprintf(msg, sizeof msg, "timeout: health rpc did not complete within %s",
			 a->timeout_text);
	else if (a->handler == PROBE_TCP)
		snprintf(msg, sizeof msg, "%s: i/o timeout", a->what);
	else
		snprintf(msg, sizeof msg,
			 "%s: context deadline exceeded (Client.Timeout exceeded while awaiting "
			 "headers)",
			 a->what);
	finish(a, false, msg);
}

void probe_run(uv_loop_t *loop, const struct probe_spec *spec, const struct probe_target *target,
	       probe_done_fn cb, void *ud)
{
	struct attempt *a = calloc(1, sizeof *a);
	if (!a)
		return cb(ud, false, "out of memory");
	a->cb = cb;
	a->ud = ud;
	a->handler = spec->handler;
	a->out_fd = a->pidfd = -1;
	a->pid = -1;
	a->grpc_status = -1;
	go_duration(spec->timeout_s, a->timeout_text, sizeof a->timeout_text);
	uv_timer_init(loop, &a->timeout);
	a->timeout.data = a;
	a->handles++;
	int secs = spec->timeout_s;
	if (spec->handler == PROBE_SLEEP && spec->sleep_s < secs)
		secs = spec->sleep_s;
	uv_timer_start(&a->timeout, on_timeout, (uint64_t)(secs < 0 ? 0 : secs) * 1000, 0);
	switch (spec->handler) {
	case PROBE_EXEC:
		exec_start(loop, a, spec, target);
		break;
	case PROBE_HTTP:
	case PROBE_TCP:
		net_start(loop, a, spec, target);
		break;
	case PROBE_GRPC:
		grpc_prepare(a, spec);
		if (!a->done)
			net_start(loop, a, spec, target);
		break;
	case PROBE_SLEEP:
		break; /* the timer ends it */
	default:
		finish(a, false, spec->invalid[0] ? spec->invalid : "the probe has no handler");
	}
}
