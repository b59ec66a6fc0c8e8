/* Tests for the byte-stream transport under the node tunnel: the server's
 * connection takeover (apiserver/http.c http_req_take_conn) against the
 * client's upgrade (common/httpc.c httpc_upgrade), plain HTTP on one loop.
 * The server answers 101 and echoes what it receives in upper case; the
 * checks cover bytes sent right behind the 101 head, data both ways, a
 * refused upgrade, a graceful client close that still delivers everything
 * queued, and the server learning that the client went away. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver/http.h"
#include "common/buf.h"
#include "common/httpc.h"
#include "tests/test.h"

struct env {
	uv_loop_t loop;
	struct http_server *srv;
	int port;
	/* server side */
	struct http_raw *raw;
	struct buf got;	   /* bytes the server received */
	int server_closes; /* on_close calls */
	bool take_fails;
	/* client side */
	struct httpc *c;
	struct httpc_stream *s;
	struct buf echoed;
	int ends, end_status;
};

static void srv_on_data(void *ud, const char *data, size_t len)
{
	struct env *e = ud;
	buf_append(&e->got, data, len);
	char *up = malloc(len);
	for (size_t i = 0; i < len; i++)
		up[i] = (char)toupper((unsigned char)data[i]);
	http_raw_write(e->raw, up, len);
	free(up);
}

static void srv_on_close(void *ud)
{
	struct env *e = ud;
	e->server_closes++;
	e->raw = NULL;
}

static const struct http_raw_cbs srv_cbs = {srv_on_data, NULL, srv_on_close};

static void handler(void *ud, struct http_req *r)
{
	struct env *e = ud;
	const char *up = http_req_header(r, "upgrade");
	if (!up || strcmp(up, "echo")) {
		http_respond(r, 400, NULL, 0, "text/plain", "no upgrade", 10);
		return;
	}
	CHECK_STR(http_req_header_at(r, 0, NULL) ? "yes" : "no", "yes");
	e->raw = http_req_take_conn(r, &srv_cbs, e);
	CHECK(e->raw != NULL);
	static const char head[] =
	    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n";
	/* the head and the first bytes of the new protocol in one write */
	struct buf out = {0};
	buf_append(&out, head, sizeof head - 1);
	buf_puts(&out, "hello;");
	http_raw_write(e->raw, out.data, out.len);
	buf_free(&out);
}

static void cli_on_data(void *ud, const char *data, size_t len)
{
	struct env *e = ud;
	buf_append(&e->echoed, data, len);
}

static void cli_on_end(void *ud, int status)
{
	struct env *e = ud;
	e->ends++;
	e->end_status = status;
	e->s = NULL;
}

static void on_guard(uv_timer_t *t)
{
	uv_stop(t->loop);
}

/* Runs the loop until cond(e) or ms passed. */
static bool run_until(struct env *e, bool (*cond)(struct env *), unsigned ms)
{
	uv_timer_t guard;
	uv_timer_init(&e->loop, &guard);
	uv_timer_start(&guard, on_guard, ms, 0);
	while (!cond(e)) {
		uv_timer_again(&guard);
		if (uv_run(&e->loop, UV_RUN_ONCE) == 0 || !uv_is_active((uv_handle_t *)&guard))
			break;
	}
	bool ok = cond(e);
	uv_close((uv_handle_t *)&guard, NULL);
	uv_run(&e->loop, UV_RUN_NOWAIT);
	return ok;
}

static void env_start_timeout(struct env *e, unsigned request_timeout_ms)
{
	memset(e, 0, sizeof *e);
	uv_loop_init(&e->loop);
	struct http_server_config cfg = {
	    .bind_address = "127.0.0.1",
	    .handler = handler,
	    .handler_ud = e,
	    .limits = {.idle_timeout_ms = request_timeout_ms, .request_timeout_ms = request_timeout_ms}};
	CHECK_INT(http_server_start(&e->loop, &cfg, &e->srv), 0);
	e->port = http_server_port(e->srv);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", e->port);
	struct httpc_config hc = {.url = url, .request_timeout_ms = request_timeout_ms};
	CHECK_INT(httpc_new(&e->loop, &hc, &e->c, NULL), 0);
}

static void env_start(struct env *e)
{
	env_start_timeout(e, 0);
}

static void env_stop(struct env *e)
{
	httpc_free(e->c);
	http_server_stop(e->srv);
	uv_run(&e->loop, UV_RUN_DEFAULT);
	CHECK_INT(uv_loop_close(&e->loop), 0);
	buf_free(&e->got);
	buf_free(&e->echoed);
}

static bool echoed_hello(struct env *e)
{
	return e->echoed.len >= 6;
}

static bool echoed_hello_abc(struct env *e)
{
	return e->echoed.len >= 9;
}

static bool server_got_close(struct env *e)
{
	return e->server_closes > 0;
}

static bool client_ended(struct env *e)
{
	return e->ends > 0;
}

static void test_upgrade_round_trip(void)
{
	struct env e;
	env_start(&e);
	CHECK_INT(
	    httpc_upgrade(e.c, "/x", "echo", "X-Test: 1\r\n", cli_on_data, cli_on_end, &e, &e.s),
	    0);
	CHECK_INT(httpc_stream_write(e.s, "abc", 3), -EPIPE); /* not upgraded yet */
	CHECK(run_until(&e, echoed_hello, 2000));
	CHECK_INT(httpc_stream_status(e.s), 101);
	CHECK_INT(httpc_stream_write(e.s, "abc", 3), 0);
	CHECK(run_until(&e, echoed_hello_abc, 2000));
	CHECK_STR(e.echoed.data, "hello;ABC");
	CHECK_STR(e.got.data, "abc");
	/* a graceful close: the server sees everything, then the close */
	char big[100000];
	memset(big, 'q', sizeof big);
	CHECK_INT(httpc_stream_write(e.s, big, sizeof big), 0);
	httpc_stream_close(e.s);
	e.s = NULL;
	CHECK(run_until(&e, server_got_close, 3000));
	CHECK_INT(e.got.len, 3 + sizeof big);
	CHECK_INT(e.ends, 0); /* no callback after close */
	env_stop(&e);
}

static void test_server_closes(void)
{
	struct env e;
	env_start(&e);
	CHECK_INT(httpc_upgrade(e.c, "/x", "echo", NULL, cli_on_data, cli_on_end, &e, &e.s), 0);
	CHECK(run_until(&e, echoed_hello, 2000));
	CHECK(e.raw != NULL);
	if (e.raw)
		http_raw_write(e.raw, "bye", 3);
	if (e.raw)
		http_raw_close(e.raw);
	e.raw = NULL;
	CHECK(run_until(&e, client_ended, 3000));
	CHECK_INT(e.end_status, 0); /* a clean close after the upgrade */
	CHECK_STR(e.echoed.data, "hello;bye");
	CHECK_INT(e.server_closes, 0); /* http_raw_close: no on_close */
	env_stop(&e);
}

static void test_refused_upgrade(void)
{
	struct env e;
	env_start(&e);
	CHECK_INT(httpc_upgrade(e.c, "/x", "other", NULL, cli_on_data, cli_on_end, &e, &e.s), 0);
	CHECK(run_until(&e, client_ended, 3000));
	CHECK_INT(e.end_status, 400);
	CHECK_STR(e.echoed.data, "no upgrade");
	CHECK_INT(httpc_upgrade(e.c, "/x", "bad\r\nproto", NULL, cli_on_data, cli_on_end, &e, &e.s),
		  -EINVAL);
	env_stop(&e);
}

static bool never(struct env *e)
{
	(void)e;
	return false;
}

/* An upgraded stream outlives the client's request timeout and the server's
 * idle and request timeouts: the tunnel and logs -f stay up as long as their
 * users want (the server once dropped them after its 90 s idle timeout). */
static void test_upgraded_outlives_request_timeout(void)
{
	struct env e;
	env_start_timeout(&e, 100);
	CHECK_INT(httpc_upgrade(e.c, "/x", "echo", NULL, cli_on_data, cli_on_end, &e, &e.s), 0);
	CHECK(run_until(&e, echoed_hello, 2000));
	run_until(&e, never, 400); /* four request timeouts of silence */
	CHECK_INT(e.ends, 0);
	CHECK_INT(httpc_stream_write(e.s, "abc", 3), 0);
	CHECK(run_until(&e, echoed_hello_abc, 2000));
	httpc_stream_cancel(e.s);
	e.s = NULL;
	env_stop(&e);
}

static void test_client_cancel_seen_by_server(void)
{
	struct env e;
	env_start(&e);
	CHECK_INT(httpc_upgrade(e.c, "/x", "echo", NULL, cli_on_data, cli_on_end, &e, &e.s), 0);
	CHECK(run_until(&e, echoed_hello, 2000));
	httpc_stream_cancel(e.s);
	e.s = NULL;
	CHECK(run_until(&e, server_got_close, 3000));
	CHECK_INT(e.server_closes, 1);
	env_stop(&e);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* as the binary does: a closed peer is -EPIPE */
	TEST_RUN(test_upgrade_round_trip);
	TEST_RUN(test_server_closes);
	TEST_RUN(test_refused_upgrade);
	TEST_RUN(test_client_cancel_seen_by_server);
	TEST_RUN(test_upgraded_outlives_request_timeout);
	return test_summary();
}
