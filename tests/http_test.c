/* Tests for apiserver/http.c: a real server on a libuv loop in the main
 * thread, driven by a blocking-socket client (plain and TLS) in a second
 * thread. CHECKs run in the client thread while the loop runs and in the
 * main thread only after the client thread has been joined. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "apiserver/http.h"
#include "common/pki.h"
#include "common/tls.h"
#include "tests/test.h"

/* ---- server side (loop thread) ---- */

struct cl;

struct tctx {
	uv_loop_t loop;
	struct http_server *srv;
	uv_async_t done;
	pthread_t th;
	int port;
	struct cl *leftover;   /* a client connection still open at stop */
	bool write_after_stop; /* on_done writes to the open watch after stopping */
	int stop_write_rc;
	void (*client_fn)(struct tctx *);
	struct http_stream *watch;
	atomic_int watch_closed;
	atomic_int late_answered;
	atomic_int handled;
};

struct delayed {
	uv_timer_t t;
	struct tctx *ctx;
	struct http_req *req;
	struct http_stream *stream;
	int writes;
};

static void delayed_free(uv_handle_t *h)
{
	free(h->data);
}

static void respond_text(struct http_req *r, int status, const char *text)
{
	struct http_header h[] = {{"X-Reply", "yes"}, {"Bad\r\nHeader", "x"}};
	http_respond(r, status, h, 2, "text/plain", text, strlen(text));
}

static void respond_echo(struct http_req *r)
{
	size_t blen;
	const char *body = http_req_body(r, &blen);
	const char *xt = http_req_header(r, "x-test");
	char out[4096];
	snprintf(out, sizeof out, "%s %s q=%s b=%.*s h=%s", http_req_method(r), http_req_path(r),
		 http_req_query(r), (int)blen, body, xt ? xt : "-");
	respond_text(r, 200, out);
}

static void on_delayed_answer(uv_timer_t *t)
{
	struct delayed *d = t->data;
	if (strcmp(http_req_path(d->req), "/late") == 0)
		atomic_store(&d->ctx->late_answered, 1);
	respond_echo(d->req);
	uv_close((uv_handle_t *)&d->t, delayed_free);
}

static void answer_later(struct tctx *ctx, struct http_req *r, unsigned ms)
{
	struct delayed *d = calloc(1, sizeof *d);
	d->ctx = ctx;
	d->req = r;
	uv_timer_init(&ctx->loop, &d->t);
	d->t.data = d;
	uv_timer_start(&d->t, on_delayed_answer, ms, 0);
}

static void on_stream_gone(void *ud)
{
	struct delayed *d = ud;
	d->stream = NULL;
	uv_close((uv_handle_t *)&d->t, delayed_free);
}

static void on_stream_tick(uv_timer_t *t)
{
	struct delayed *d = t->data;
	char chunk[32];
	snprintf(chunk, sizeof chunk, "chunk-%d\n", ++d->writes);
	int rc = http_stream_write(d->stream, chunk, strlen(chunk));
	if (rc == 0 && d->writes < 3)
		return;
	if (rc == 0)
		http_stream_end(d->stream);
	/* On -EPIPE the stream is already gone and on_close will not come. */
	uv_close((uv_handle_t *)&d->t, delayed_free);
}

static void stream_three_chunks(struct tctx *ctx, struct http_req *r)
{
	struct delayed *d = calloc(1, sizeof *d);
	d->ctx = ctx;
	uv_timer_init(&ctx->loop, &d->t);
	d->t.data = d;
	d->stream = http_stream_begin(r, 200, "application/json", NULL, 0, on_stream_gone, d);
	uv_timer_start(&d->t, on_stream_tick, 10, 10);
}

static void on_watch_closed(void *ud)
{
	struct tctx *ctx = ud;
	ctx->watch = NULL;
	atomic_store(&ctx->watch_closed, 1);
}

static void respond_peer(struct http_req *r)
{
	const struct http_peer *p = http_req_peer(r);
	char out[1024];
	snprintf(out, sizeof out, "has=%d user=%s n=%d g0=%s g1=%s", p->has_cert, p->user,
		 p->ngroups, p->ngroups > 0 ? p->groups[0] : "",
		 p->ngroups > 1 ? p->groups[1] : "");
	respond_text(r, 200, out);
}

static unsigned sum_bytes(const char *p, size_t n)
{
	unsigned sum = 0;
	for (size_t i = 0; i < n; i++)
		sum = sum * 31 + (unsigned char)p[i];
	return sum;
}

static void respond_len(struct http_req *r)
{
	size_t n;
	const char *body = http_req_body(r, &n);
	char out[64];
	snprintf(out, sizeof out, "len=%zu sum=%u", n, sum_bytes(body, n));
	respond_text(r, 200, out);
}

#define BIG_LEN 700000

static void fill_pattern(char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (char)('a' + i % 26);
}

static void respond_big(struct http_req *r)
{
	char *big = malloc(BIG_LEN);
	fill_pattern(big, BIG_LEN);
	http_respond(r, 200, NULL, 0, "application/octet-stream", big, BIG_LEN);
	free(big);
}

static void test_handler(void *ud, struct http_req *r)
{
	struct tctx *ctx = ud;
	const char *path = http_req_path(r);
	atomic_fetch_add(&ctx->handled, 1);
	if (strcmp(path, "/async") == 0) {
		answer_later(ctx, r, 30);
	} else if (strcmp(path, "/late") == 0) {
		answer_later(ctx, r, 150);
	} else if (strcmp(path, "/stream") == 0) {
		stream_three_chunks(ctx, r);
	} else if (strcmp(path, "/watch") == 0) {
		ctx->watch =
		    http_stream_begin(r, 200, "application/json", NULL, 0, on_watch_closed, ctx);
		http_stream_write(ctx->watch, "hello\n", 6);
	} else if (strcmp(path, "/peer") == 0) {
		respond_peer(r);
	} else if (strcmp(path, "/len") == 0) {
		respond_len(r);
	} else if (strcmp(path, "/big") == 0) {
		respond_big(r);
	} else if (strcmp(path, "/nocontent") == 0) {
		http_respond(r, 204, NULL, 0, NULL, NULL, 0);
	} else {
		respond_echo(r);
	}
}

/* ---- client side (second thread, blocking sockets) ---- */

struct cl {
	int fd;
	struct tls_conn *tls;
	char buf[65536];
	size_t len, pos;
};

struct resp {
	int status;
	char head[8192]; /* "name: value\n" lines, names lower-cased */
	char body[1 << 20];
	size_t body_len;
};

static int cl_connect(struct cl *c, int port, struct tls_config *cfg)
{
	memset(c, 0, sizeof *c);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct timeval tv = {.tv_sec = 5};
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return -1;
	if (!cfg)
		return 0;
	c->tls = tls_conn_new(cfg, NULL);
	return c->tls && tls_fd_handshake(c->tls, c->fd) == 0 ? 0 : -1;
}

static void cl_close(struct cl *c)
{
	if (c->tls) {
		tls_conn_free(c->tls);
		c->tls = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static void cl_send_n(struct cl *c, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n =
		    c->tls ? tls_fd_write(c->tls, c->fd, data, len) : write(c->fd, data, len);
		if (n <= 0) {
			fprintf(stderr, "client write failed\n");
			return;
		}
		data += n;
		len -= (size_t)n;
	}
}

static void cl_send(struct cl *c, const char *data)
{
	cl_send_n(c, data, strlen(data));
}

/* Reads more bytes; 0 on EOF, -1 on error or timeout. */
static int cl_fill(struct cl *c)
{
	if (c->pos > 0) {
		memmove(c->buf, c->buf + c->pos, c->len - c->pos);
		c->len -= c->pos;
		c->pos = 0;
	}
	if (c->len == sizeof c->buf)
		return -1;
	ssize_t n;
	if (c->tls) {
		n = tls_fd_read(c->tls, c->fd, c->buf + c->len, sizeof c->buf - c->len);
		if (n < 0)
			n = -1;
	} else {
		n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
	}
	if (n > 0)
		c->len += (size_t)n;
	return n > 0 ? 1 : (int)n;
}

static int cl_line(struct cl *c, char *out, size_t cap)
{
	for (;;) {
		char *nl = memmem(c->buf + c->pos, c->len - c->pos, "\r\n", 2);
		if (nl) {
			size_t n = (size_t)(nl - (c->buf + c->pos));
			if (n >= cap)
				return -1;
			memcpy(out, c->buf + c->pos, n);
			out[n] = '\0';
			c->pos += n + 2;
			return 0;
		}
		if (cl_fill(c) <= 0)
			return -1;
	}
}

static int cl_bytes(struct cl *c, char *out, size_t n)
{
	while (n > 0) {
		if (c->pos == c->len && cl_fill(c) <= 0)
			return -1;
		size_t k = c->len - c->pos < n ? c->len - c->pos : n;
		memcpy(out, c->buf + c->pos, k);
		c->pos += k;
		out += k;
		n -= k;
	}
	return 0;
}

/* True when the server closed the connection (EOF or reset) within 5 s. */
static bool cl_sees_close(struct cl *c)
{
	if (c->pos < c->len)
		return false;
	int r = cl_fill(c);
	return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static const char *resp_header(const struct resp *r, const char *name, char *out, size_t cap)
{
	size_t nlen = strlen(name);
	for (const char *p = r->head; *p;) {
		const char *eol = strchr(p, '\n');
		if (strncmp(p, name, nlen) == 0 && p[nlen] == ':') {
			size_t vlen = (size_t)(eol - p) - nlen - 2;
			if (vlen >= cap)
				vlen = cap - 1;
			memcpy(out, p + nlen + 2, vlen);
			out[vlen] = '\0';
			return out;
		}
		p = eol + 1;
	}
	return NULL;
}

static int cl_read_head(struct cl *c, struct resp *r)
{
	char line[4096];
	memset(r, 0, sizeof *r);
	if (cl_line(c, line, sizeof line) < 0 || sscanf(line, "HTTP/1.1 %d", &r->status) != 1)
		return -1;
	size_t used = 0;
	while (cl_line(c, line, sizeof line) == 0 && line[0]) {
		for (char *p = line; *p && *p != ':'; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		int n = snprintf(r->head + used, sizeof r->head - used, "%s\n", line);
		if (n < 0 || (size_t)n >= sizeof r->head - used)
			return -1;
		used += (size_t)n;
	}
	return 0;
}

/* Reads one chunk of a chunked body; returns its size (0 = last), -1 on error. */
static long cl_read_chunk(struct cl *c, char *out, size_t cap)
{
	char line[64];
	if (cl_line(c, line, sizeof line) < 0)
		return -1;
	long n = strtol(line, NULL, 16);
	if (n < 0 || (size_t)n >= cap || cl_bytes(c, out, (size_t)n) < 0)
		return -1;
	out[n] = '\0';
	if (cl_line(c, line, sizeof line) < 0 || line[0])
		return -1;
	return n;
}

static int cl_read_response(struct cl *c, struct resp *r, bool head_only)
{
	char v[64];
	if (cl_read_head(c, r) < 0)
		return -1;
	if (head_only)
		return 0;
	if (resp_header(r, "content-length", v, sizeof v)) {
		r->body_len = strtoul(v, NULL, 10);
		if (r->body_len >= sizeof r->body || cl_bytes(c, r->body, r->body_len) < 0)
			return -1;
	} else if (resp_header(r, "transfer-encoding", v, sizeof v)) {
		long n;
		while ((n = cl_read_chunk(c, r->body + r->body_len, sizeof r->body - r->body_len)) >
		       0)
			r->body_len += (size_t)n;
		if (n < 0)
			return -1;
	}
	r->body[r->body_len] = '\0';
	return 0;
}

/* One request on a fresh or existing connection, answer in *r. */
static int cl_request(struct cl *c, const char *raw, struct resp *r)
{
	cl_send(c, raw);
	return cl_read_response(c, r, false);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

static bool wait_flag(atomic_int *flag, int ms)
{
	for (int i = 0; i < ms / 10 && !atomic_load(flag); i++)
		sleep_ms(10);
	return atomic_load(flag) != 0;
}

/* Large bodies both ways, and pipelined input beyond the server's read
 * high-water mark while a response is pending. */
static void cl_big_transfers(struct cl *c)
{
	static char body[300000];
	struct resp *r = malloc(sizeof *r);
	char head[256], want[64];
	fill_pattern(body, sizeof body);
	snprintf(head, sizeof head, "POST /len HTTP/1.1\r\nHost: t\r\nContent-Length: %zu\r\n\r\n",
		 sizeof body);
	snprintf(want, sizeof want, "len=%zu sum=%u", sizeof body, sum_bytes(body, sizeof body));
	cl_send(c, "GET /async?id=1 HTTP/1.1\r\nHost: t\r\n\r\n");
	cl_send(c, head);
	cl_send_n(c, body, sizeof body);
	CHECK_INT(cl_read_response(c, r, false), 0);
	CHECK_STR(r->body, "GET /async q=id=1 b= h=-");
	CHECK_INT(cl_read_response(c, r, false), 0);
	CHECK_STR(r->body, want);
	CHECK_INT(cl_request(c, "GET /big HTTP/1.1\r\nHost: t\r\n\r\n", r), 0);
	CHECK_INT(r->body_len, BIG_LEN);
	char *expect = malloc(BIG_LEN);
	fill_pattern(expect, BIG_LEN);
	CHECK(r->body_len == BIG_LEN && memcmp(r->body, expect, BIG_LEN) == 0);
	free(expect);
	free(r);
}

/* ---- harness ---- */

static void on_done(uv_async_t *a)
{
	struct tctx *ctx = a->data;
	http_server_stop(ctx->srv);
	if (ctx->write_after_stop && ctx->watch) {
		/* The client is gone for the server now: the write says so and ends
		 * the stream, so on_close must not follow. */
		ctx->stop_write_rc = http_stream_write(ctx->watch, "x", 1);
		ctx->watch = NULL;
	}
	uv_close((uv_handle_t *)a, NULL);
}

static void *client_main(void *arg)
{
	struct tctx *ctx = arg;
	ctx->client_fn(ctx);
	uv_async_send(&ctx->done);
	return NULL;
}

/* Serves with the given limits/TLS until client_fn returns; the loop must then
 * wind down completely (checked by uv_loop_close). */
static void run_server(struct tctx *ctx, struct http_limits lim, struct tls_config *server_tls,
		       void (*client_fn)(struct tctx *))
{
	uv_loop_init(&ctx->loop);
	struct http_server_config cfg = {
	    .bind_address = "127.0.0.1",
	    .port = 0,
	    .tls = server_tls,
	    .limits = lim,
	    .handler = test_handler,
	    .handler_ud = ctx,
	};
	int rc = http_server_start(&ctx->loop, &cfg, &ctx->srv);
	CHECK_INT(rc, 0);
	if (rc < 0)
		return;
	ctx->port = http_server_port(ctx->srv);
	CHECK(ctx->port > 0);
	ctx->client_fn = client_fn;
	uv_async_init(&ctx->loop, &ctx->done, on_done);
	ctx->done.data = ctx;
	pthread_create(&ctx->th, NULL, client_main, ctx);
	uv_run(&ctx->loop, UV_RUN_DEFAULT);
	pthread_join(ctx->th, NULL);
	CHECK_INT(uv_loop_close(&ctx->loop), 0);
}

static void run_plain(struct tctx *ctx, void (*client_fn)(struct tctx *))
{
	run_server(ctx, (struct http_limits){0}, NULL, client_fn);
}

/* ---- plain HTTP cases ---- */

static void client_get_query(struct tctx *ctx)
{
	struct cl c;
	struct resp r;
	char v[64];
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	CHECK_INT(cl_request(&c,
			     "GET /echo%20x?a=b+c&x=%2F HTTP/1.1\r\nHost: t\r\nX-Test: hi\r\n\r\n",
			     &r),
		  0);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body, "GET /echo x q=a=b+c&x=%2F b= h=hi");
	CHECK_STR(resp_header(&r, "content-type", v, sizeof v), "text/plain");
	CHECK_STR(resp_header(&r, "content-length", v, sizeof v), "33");
	CHECK_STR(resp_header(&r, "x-reply", v, sizeof v), "yes");
	CHECK(!resp_header(&r, "bad", v, sizeof v)); /* CRLF in a name is never emitted */
	CHECK(!resp_header(&r, "connection", v, sizeof v));
	cl_close(&c);
}

static void test_get_query(void)
{
	struct tctx ctx = {0};
	run_plain(&ctx, client_get_query);
}

static void client_post_bodies(struct tctx *ctx)
{
	struct cl c;
	struct resp r;
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	CHECK_INT(
	    cl_request(&c, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello", &r),
	    0);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body, "POST /echo q= b=hello h=-");
	/* Same connection (keep-alive), chunked body split over two writes. */
	cl_send(&c,
		"PUT /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n");
	sleep_ms(20);
	CHECK_INT(cl_request(&c, "3\r\nefg\r\n0\r\n\r\n", &r), 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body, "PUT /echo q= b=abcdefg h=-");
	cl_close(&c);
}

static void test_post_bodies(void)
{
	struct tctx ctx = {0};
	run_plain(&ctx, client_post_bodies);
	CHECK_INT(atomic_load(&ctx.handled), 2);
}

static void client_keep_alive(struct tctx *ctx)
{
	struct cl c;
	struct resp r;
	char v[64];
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	CHECK_INT(cl_request(&c, "GET /one HTTP/1.1\r\nHost: t\r\n\r\n", &r), 0);
	CHECK_STR(r.body, "GET /one q= b= h=-");
	CHECK_INT(cl_request(&c, "GET /async?n=2 HTTP/1.1\r\nHost: t\r\n\r\n", &r), 0);
	CHECK_STR(r.body, "GET /async q=n=2 b= h=-");
	/* HEAD: the length of the GET body, no body bytes. */
	cl_send(&c, "HEAD /echo HTTP/1.1\r\nHost: t\r\n\r\n");
	CHECK_INT(cl_read_response(&c, &r, true), 0);
	CHECK_STR(resp_header(&r, "content-length", v, sizeof v), "20");
	CHECK_INT(cl_request(&c, "GET /nocontent HTTP/1.1\r\nHost: t\r\n\r\n", &r), 0);
	CHECK_INT(r.status, 204);
	CHECK(!resp_header(&r, "content-length", v, sizeof v));
	/* The last request asks to close: answered with Connection: close, then EOF. */
	CHECK_INT(cl_request(&c, "GET /three HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", &r),
		  0);
	CHECK_STR(r.body, "GET /three q= b= h=-");
	CHECK_STR(resp_header(&r, "connection", v, sizeof v), "close");
	CHECK(cl_sees_close(&c));
	cl_close(&c);
}

static void test_keep_alive(void)
{
	struct tctx ctx = {0};
	run_plain(&ctx, client_keep_alive);
	CHECK_INT(atomic_load(&ctx.handled), 5);
}

static void client_pipelined(struct tctx *ctx)
{
	struct cl c;
	struct resp r;
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	/* The first is answered 30 ms later, the others at once: order must hold. */
	cl_send(&c, "GET /async?id=1 HTTP/1.1\r\nHost: t\r\n\r\n"
		    "POST /echo?id=2 HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
		    "GET /echo?id=3 HTTP/1.1\r\nHost: t\r\n\r\n");
	CHECK_INT(cl_read_response(&c, &r, false), 0);
	CHECK_STR(r.body, "GET /async q=id=1 b= h=-");
	CHECK_INT(cl_read_response(&c, &r, false), 0);
	CHECK_STR(r.body, "POST /echo q=id=2 b=abc h=-");
	CHECK_INT(cl_read_response(&c, &r, false), 0);
	CHECK_STR(r.body, "GET /echo q=id=3 b= h=-");
	cl_big_transfers(&c);
	cl_close(&c);

	/* HTTP/1.0 without keep-alive: answered, then closed. */
	char v[64];
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	CHECK_INT(cl_request(&c, "GET /old HTTP/1.0\r\n\r\n", &r), 0);
	CHECK_STR(r.body, "GET /old q= b= h=-");
	CHECK_STR(resp_header(&r, "connection", v, sizeof v), "close");
	CHECK(cl_sees_close(&c));
	cl_close(&c);
}

static void test_pipelined(void)
{
	struct tctx ctx = {0};
	run_plain(&ctx, client_pipelined);
}

static const char status_413[] =
    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
    "\"message\":\"the request body is too large\",\"reason\":\"RequestEntityTooLarge\","
    "\"code\":413}";

static void client_too_large(struct tctx *ctx)
{
	struct cl c;
	struct resp r;
	char v[64];
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	CHECK_INT(cl_request(&c,
			     "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 16\r\n\r\n"
			     "0123456789abcdef",
			     &r),
		  0);
	CHECK_INT(r.status, 200); /* exactly the limit */
	CHECK_INT(cl_request(&c,
			     "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 17\r\n\r\n"
			     "0123456789abcdefg",
			     &r),
		  0);
	CHECK_INT(r.status, 413);
	CHECK_STR(r.body, status_413);
	CHECK_STR(resp_header(&r, "content-type", v, sizeof v), "application/json");
	CHECK_STR(resp_header(&r, "connection", v, sizeof v), "close");
	CHECK(cl_sees_close(&c));
	cl_close(&c);

	/* Chunked bodies are counted as they arrive. */
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	CHECK_INT(cl_request(&c,
			     "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
			     "a\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n",
			     &r),
		  0);
	CHECK_INT(r.status, 413);
	CHECK(cl_sees_close(&c));
	cl_close(&c);

	/* Expect: 100-continue is refused with 413 before the body is sent... */
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	CHECK_INT(cl_request(&c,
			     "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
			     "Content-Length: 1000\r\n\r\n",
			     &r),
		  0);
	CHECK_INT(r.status, 413);
	cl_close(&c);

	/* ...and accepted with 100 Continue when it fits. */
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	cl_send(
	    &c,
	    "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
	CHECK_INT(cl_read_head(&c, &r), 0);
	CHECK_INT(r.status, 100);
	CHECK_INT(cl_request(&c, "ok", &r), 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body, "POST /echo q= b=ok h=-");
	cl_close(&c);
}

static void test_too_large(void)
{
	struct tctx ctx = {0};
	run_server(&ctx, (struct http_limits){.max_body = 16}, NULL, client_too_large);
	CHECK_INT(atomic_load(&ctx.handled), 2);
}

static void client_bad_requests(struct tctx *ctx)
{
	struct cl c;
	struct resp r;
	char v[64];
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	CHECK_INT(cl_request(&c, "GARBAGE\r\n\r\n", &r), 0);
	CHECK_INT(r.status, 400);
	CHECK(strstr(r.body, "\"reason\":\"BadRequest\"") != NULL);
	CHECK_STR(resp_header(&r, "connection", v, sizeof v), "close");
	CHECK(cl_sees_close(&c));
	cl_close(&c);

	/* Bad percent-escape in the path. */
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	CHECK_INT(cl_request(&c, "GET /a%zz HTTP/1.1\r\nHost: t\r\n\r\n", &r), 0);
	CHECK_INT(r.status, 400);
	cl_close(&c);

	/* Too many headers (limit 4). */
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	CHECK_INT(
	    cl_request(&c, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n", &r),
	    0);
	CHECK_INT(r.status, 431);
	CHECK(cl_sees_close(&c));
	cl_close(&c);

	/* Header bytes over the limit (256). */
	char big[600];
	memset(big, 'x', sizeof big);
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	memcpy(big + sizeof big - 5, "\r\n\r\n", 5);
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	CHECK_INT(cl_request(&c, big, &r), 0);
	CHECK_INT(r.status, 431);
	cl_close(&c);

	/* Smuggling shape: both Content-Length and chunked. */
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	CHECK_INT(cl_request(&c,
			     "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
			     "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			     &r),
		  0);
	CHECK_INT(r.status, 400);
	cl_close(&c);
}

static void test_bad_requests(void)
{
	struct tctx ctx = {0};
	struct http_limits lim = {.max_headers = 4, .max_header_bytes = 256};
	run_server(&ctx, lim, NULL, client_bad_requests);
	CHECK_INT(atomic_load(&ctx.handled), 0);
}

static void client_stream(struct tctx *ctx)
{
	struct cl c;
	struct resp r;
	char v[64], chunk[256];
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	cl_send(&c, "GET /stream HTTP/1.1\r\nHost: t\r\n\r\n");
	CHECK_INT(cl_read_head(&c, &r), 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(resp_header(&r, "transfer-encoding", v, sizeof v), "chunked");
	CHECK_STR(resp_header(&r, "content-type", v, sizeof v), "application/json");
	/* Each write arrives as its own chunk (flushed, not batched). */
	CHECK_INT(cl_read_chunk(&c, chunk, sizeof chunk), 8);
	CHECK_STR(chunk, "chunk-1\n");
	/* A request pipelined during the stream must not disturb it. */
	cl_send(&c, "GET /after HTTP/1.1\r\nHost: t\r\n\r\n");
	CHECK_INT(cl_read_chunk(&c, chunk, sizeof chunk), 8);
	CHECK_STR(chunk, "chunk-2\n");
	CHECK_INT(cl_read_chunk(&c, chunk, sizeof chunk), 8);
	CHECK_STR(chunk, "chunk-3\n");
	CHECK_INT(cl_read_chunk(&c, chunk, sizeof chunk), 0);
	CHECK_INT(cl_read_response(&c, &r, false), 0);
	CHECK_STR(r.body, "GET /after q= b= h=-");
	/* And the connection goes on. */
	CHECK_INT(cl_request(&c, "GET /stream HTTP/1.1\r\nHost: t\r\n\r\n", &r), 0);
	CHECK_STR(r.body, "chunk-1\nchunk-2\nchunk-3\n");
	cl_close(&c);
}

static void test_stream(void)
{
	struct tctx ctx = {0};
	run_plain(&ctx, client_stream);
	CHECK_INT(atomic_load(&ctx.handled), 3);
}

static void client_stream_disconnect(struct tctx *ctx)
{
	struct cl c;
	struct resp r;
	char chunk[64];
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	cl_send(&c, "GET /watch HTTP/1.1\r\nHost: t\r\n\r\n");
	CHECK_INT(cl_read_head(&c, &r), 0);
	CHECK_INT(cl_read_chunk(&c, chunk, sizeof chunk), 6);
	cl_close(&c);
	CHECK(wait_flag(&ctx->watch_closed, 3000));

	/* A request answered after its client left is dropped safely. */
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	cl_send(&c, "GET /late HTTP/1.1\r\nHost: t\r\n\r\n");
	sleep_ms(20);
	cl_close(&c);
	CHECK(wait_flag(&ctx->late_answered, 3000));

	/* A watch still open when the server stops gets on_close too. */
	atomic_store(&ctx->watch_closed, 0);
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	cl_send(&c, "GET /watch HTTP/1.1\r\nHost: t\r\n\r\n");
	CHECK_INT(cl_read_head(&c, &r), 0);
	CHECK_INT(cl_read_chunk(&c, chunk, sizeof chunk), 6);
	/* client_main now signals done: the server stops with the watch open. */
	ctx->leftover = malloc(sizeof c);
	memcpy(ctx->leftover, &c, sizeof c); /* closed by the test after join */
}

static void test_stream_disconnect(void)
{
	struct tctx ctx = {0};
	run_plain(&ctx, client_stream_disconnect);
	CHECK_INT(atomic_load(&ctx.watch_closed), 1);
	CHECK(ctx.watch == NULL);
	cl_close(ctx.leftover);
	free(ctx.leftover);
}

static void client_timeouts(struct tctx *ctx)
{
	struct cl c;
	struct resp r;
	/* Slowloris: a request that never completes is cut off. */
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	cl_send(&c, "GET / HTTP/1.1\r\nHost: t\r\n");
	CHECK(cl_sees_close(&c));
	cl_close(&c);
	/* An idle keep-alive connection is closed too. */
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	CHECK_INT(cl_request(&c, "GET / HTTP/1.1\r\nHost: t\r\n\r\n", &r), 0);
	CHECK_INT(r.status, 200);
	CHECK(cl_sees_close(&c));
	cl_close(&c);
}

static void test_timeouts(void)
{
	struct tctx ctx = {0};
	struct http_limits lim = {.request_timeout_ms = 150, .idle_timeout_ms = 150};
	run_server(&ctx, lim, NULL, client_timeouts);
}

static void client_max_connections(struct tctx *ctx)
{
	struct cl c, c2;
	struct resp r;
	CHECK_INT(cl_connect(&c, ctx->port, NULL), 0);
	CHECK_INT(cl_request(&c, "GET / HTTP/1.1\r\nHost: t\r\n\r\n", &r), 0);
	/* Over the limit: accepted and closed at once (timeouts are long here). */
	CHECK_INT(cl_connect(&c2, ctx->port, NULL), 0);
	CHECK(cl_sees_close(&c2));
	cl_close(&c2);
	/* The first connection still works; once it is gone a new one is served. */
	CHECK_INT(cl_request(&c, "GET /again HTTP/1.1\r\nHost: t\r\n\r\n", &r), 0);
	CHECK_INT(r.status, 200);
	cl_close(&c);
	sleep_ms(100);
	CHECK_INT(cl_connect(&c2, ctx->port, NULL), 0);
	CHECK_INT(cl_request(&c2, "GET /third HTTP/1.1\r\nHost: t\r\n\r\n", &r), 0);
	CHECK_INT(r.status, 200);
	cl_close(&c2);
}

static void test_max_connections(void)
{
	struct tctx ctx = {0};
	run_server(&ctx, (struct http_limits){.max_connections = 1}, NULL, client_max_connections);
	CHECK_INT(atomic_load(&ctx.handled), 3);
}

/* ---- TLS ---- */

/* A cluster CA (common/pki) serving and signing alice's certificate, and a
 * second, unrelated CA signing mallory's. */
struct tls_fixture {
	char dir[64], rogue_dir[64];
	struct pki ca, rogue_ca;
	char *cli_crt, *cli_key, *rogue_crt, *rogue_key;
	struct tls_config *server, *anon, *client, *rogue_client;
};

static struct tls_config *client_cfg_new(const char *crt, const char *key)
{
	struct tls_client_opts o = {.insecure = true, .cert_pem = crt, .key_pem = key};
	return tls_client_config(&o, NULL);
}

static void fixture_init(struct tls_fixture *p)
{
	static const char *const groups[] = {"system:masters", "dev", NULL};
	char *err = NULL;
	snprintf(p->dir, sizeof p->dir, "/tmp/http_test.XXXXXX");
	snprintf(p->rogue_dir, sizeof p->rogue_dir, "/tmp/http_test.XXXXXX");
	CHECK(mkdtemp(p->dir) && mkdtemp(p->rogue_dir));
	CHECK_INT(pki_load_or_create(&p->ca, p->dir, "10.96.0.1", NULL, &err), 0);
	CHECK_INT(pki_load_or_create(&p->rogue_ca, p->rogue_dir, "10.96.0.1", NULL, &err), 0);
	CHECK_INT(pki_issue_client(&p->ca, "alice", groups, &p->cli_crt, &p->cli_key, &err), 0);
	CHECK_INT(
	    pki_issue_client(&p->rogue_ca, "mallory", groups, &p->rogue_crt, &p->rogue_key, &err),
	    0);
	/* As the API server does: ask for a certificate, do not require one. */
	p->server = pki_server_config(&p->ca, &err);
	CHECK(p->server != NULL);
	free(err);
	p->anon = client_cfg_new(NULL, NULL);
	p->client = client_cfg_new(p->cli_crt, p->cli_key);
	p->rogue_client = client_cfg_new(p->rogue_crt, p->rogue_key);
	CHECK(p->anon && p->client && p->rogue_client);
}

static void fixture_free(struct tls_fixture *p)
{
	char cmd[160];
	tls_config_unref(p->server);
	tls_config_unref(p->anon);
	tls_config_unref(p->client);
	tls_config_unref(p->rogue_client);
	pki_free(&p->ca);
	pki_free(&p->rogue_ca);
	free(p->cli_crt);
	free(p->cli_key);
	free(p->rogue_crt);
	free(p->rogue_key);
	snprintf(cmd, sizeof cmd, "rm -rf %s %s", p->dir, p->rogue_dir);
	CHECK(system(cmd) == 0);
}

struct tls_case {
	struct tctx ctx;
	struct tls_fixture *pki;
};

static void client_tls(struct tctx *ctx)
{
	struct tls_fixture *p = ((struct tls_case *)ctx)->pki;
	struct cl c;
	struct resp r;
	char chunk[64];

	CHECK_INT(cl_connect(&c, ctx->port, p->anon), 0);
	CHECK_INT(cl_request(&c, "GET /peer HTTP/1.1\r\nHost: t\r\n\r\n", &r), 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body, "has=0 user= n=0 g0= g1=");
	/* Keep-alive, a body and a stream over TLS as well. */
	CHECK_INT(
	    cl_request(&c, "POST /echo?x=1 HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi", &r),
	    0);
	CHECK_STR(r.body, "POST /echo q=x=1 b=hi h=-");
	CHECK_INT(cl_request(&c, "GET /stream HTTP/1.1\r\nHost: t\r\n\r\n", &r), 0);
	CHECK_STR(r.body, "chunk-1\nchunk-2\nchunk-3\n");
	cl_big_transfers(&c);
	cl_close(&c);

	CHECK_INT(cl_connect(&c, ctx->port, p->client), 0);
	CHECK_INT(cl_request(&c, "GET /peer HTTP/1.1\r\nHost: t\r\n\r\n", &r), 0);
	CHECK_STR(r.body, "has=1 user=alice n=2 g0=system:masters g1=dev");
	cl_close(&c);

	/* A certificate from another CA gives no identity. */
	CHECK_INT(cl_connect(&c, ctx->port, p->rogue_client), 0);
	CHECK_INT(cl_request(&c, "GET /peer HTTP/1.1\r\nHost: t\r\n\r\n", &r), 0);
	CHECK_STR(r.body, "has=0 user= n=0 g0= g1=");
	cl_close(&c);

	/* Client disconnect during a TLS stream. */
	CHECK_INT(cl_connect(&c, ctx->port, p->anon), 0);
	cl_send(&c, "GET /watch HTTP/1.1\r\nHost: t\r\n\r\n");
	CHECK_INT(cl_read_head(&c, &r), 0);
	CHECK_INT(cl_read_chunk(&c, chunk, sizeof chunk), 6);
	cl_close(&c);
	CHECK(wait_flag(&ctx->watch_closed, 3000));

	/* A watch open at stop, written to right after: -EPIPE, no on_close. */
	atomic_store(&ctx->watch_closed, 0);
	ctx->leftover = malloc(sizeof c);
	CHECK_INT(cl_connect(ctx->leftover, ctx->port, p->anon), 0);
	cl_send(ctx->leftover, "GET /watch HTTP/1.1\r\nHost: t\r\n\r\n");
	CHECK_INT(cl_read_head(ctx->leftover, &r), 0);
	CHECK_INT(cl_read_chunk(ctx->leftover, chunk, sizeof chunk), 6);
	ctx->write_after_stop = true;
}

static void test_tls(void)
{
	struct tls_fixture p = {0};
	fixture_init(&p);
	struct tls_case tc = {.pki = &p};
	run_server(&tc.ctx, (struct http_limits){0}, p.server, client_tls);
	CHECK_INT(tc.ctx.stop_write_rc, -EPIPE);
	CHECK_INT(atomic_load(&tc.ctx.watch_closed), 0);
	cl_close(tc.ctx.leftover);
	free(tc.ctx.leftover);
	fixture_free(&p);
}

/* ---- pure helpers ---- */

static void check_query(const char *q, const char *name, const char *want)
{
	char *got = http_query_get(q, name);
	if (want)
		CHECK_STR(got, want);
	else
		CHECK(got == NULL);
	free(got);
}

static void test_query_get(void)
{
	check_query("a+b%2Fc", "a b/c", "");
	check_query("x=a+b%2Fc", "x", "a b/c");
	check_query("labelSelector=app+in+%28nginx%2Cx%29%2C%21foo", "labelSelector",
		    "app in (nginx,x),!foo");
	check_query("watch=1&watchy=2", "watchy", "2");
	check_query("watchy=2", "watch", NULL);
	check_query("a=1&a=2", "a", "1");
	check_query("a=%zz&a=ok", "a", "ok");
	check_query("a=%00", "a", NULL);
	check_query("a=%4", "a", NULL);
	check_query("", "a", NULL);
	check_query("&&a&", "a", "");
	check_query("limit=500&timeout=32s", "timeout", "32s");
	check_query("k=v=w", "k", "v=w");
}

static void test_parse_bool(void)
{
	static const struct {
		const char *in;
		int want;
	} cases[] = {
	    {"1", 1},	  {"t", 1},	 {"T", 1},     {"TRUE", 1}, {"true", 1},
	    {"True", 1},  {"0", 0},	 {"f", 0},     {"F", 0},    {"FALSE", 0},
	    {"false", 0}, {"False", 0},	 {"", -1},     {"yes", -1}, {"tRUE", -1},
	    {"2", -1},	  {"true ", -1}, {"TrUe", -1}, {"no", -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_INT(http_parse_bool(cases[i].in), cases[i].want);
	CHECK_INT(http_parse_bool(NULL), -1);
}

static void test_start_errors(void)
{
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct http_server *s = (struct http_server *)1;
	struct http_server_config cfg = {.bind_address = "not-an-ip", .handler = test_handler};
	CHECK_INT(http_server_start(&loop, &cfg, &s), -EINVAL);
	CHECK(s == NULL);
	cfg.handler = NULL;
	CHECK_INT(http_server_start(&loop, &cfg, &s), -EINVAL);
	uv_run(&loop, UV_RUN_DEFAULT);
	CHECK_INT(uv_loop_close(&loop), 0);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	TEST_RUN(test_query_get);
	TEST_RUN(test_parse_bool);
	TEST_RUN(test_start_errors);
	TEST_RUN(test_get_query);
	TEST_RUN(test_post_bodies);
	TEST_RUN(test_keep_alive);
	TEST_RUN(test_pipelined);
	TEST_RUN(test_too_large);
	TEST_RUN(test_bad_requests);
	TEST_RUN(test_stream);
	TEST_RUN(test_stream_disconnect);
	TEST_RUN(test_timeouts);
	TEST_RUN(test_max_connections);
	TEST_RUN(test_tls);
	return test_summary();
}
