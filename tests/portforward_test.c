/* Port-forward sessions against a real TCP echo server inside a separate
 * network namespace (a child that unshare()s one, reached through
 * /proc/PID/ns/net exactly like a pod sandbox): SPDY stream pairs as kubectl
 * opens them, flow control, errors on the error stream, PING/GOAWAY, and the
 * WebSocket channel protocol. The namespace dies with the server's process
 * group, which every test run kills on the way out. */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "agent/portforward.h"
#include "common/spdy.h"
#include "tests/test.h"

#define ECHO_PORT 7777
#define CLOSED_PORT 7778

static pid_t server_pid;
static char netns_path[64];

/* ---- echo server in its own network namespace ---------------------------------- */

static void echo_conn(int fd)
{
	char b[65536];
	ssize_t n;
	while ((n = read(fd, b, sizeof b)) > 0)
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, b + off, (size_t)(n - off));
			if (w <= 0)
				_exit(1);
			off += w;
		}
	_exit(0);
}

static void echo_server(int ready_fd)
{
	setpgid(0, 0);
	if (unshare(CLONE_NEWNET) < 0)
		_exit(2);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		_exit(3);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		_exit(4);
	close(s);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(ECHO_PORT)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 16) < 0)
		_exit(5);
	if (write(ready_fd, "k", 1) != 1)
		_exit(6);
	close(ready_fd);
	signal(SIGCHLD, SIG_IGN);
	for (;;) {
		int c = accept(l, NULL, NULL);
		if (c < 0)
			continue;
		if (fork() == 0) {
			close(l);
			echo_conn(c);
		}
		close(c);
	}
}

static int server_start(void)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	server_pid = fork();
	if (server_pid == 0) {
		close(p[0]);
		echo_server(p[1]);
	}
	close(p[1]);
	char c = 0;
	ssize_t n = read(p[0], &c, 1);
	close(p[0]);
	snprintf(netns_path, sizeof netns_path, "/proc/%d/ns/net", (int)server_pid);
	return n == 1 ? 0 : -1;
}

static void server_stop(void)
{
	if (server_pid > 0) {
		kill(-server_pid, SIGKILL);
		kill(server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
		server_pid = 0;
	}
}

/* ---- a fake transport: collects what the session sends ----------------------- */

struct client {
	uv_loop_t *loop;
	struct pf_session *s;
	enum pf_mode mode;
	struct buf out;	    /* PF_SPDY: raw bytes from the session */
	struct buf msgs[8]; /* PF_WS_CHANNELS: payloads per channel */
	int nmsgs[8];
	int closes;
	struct spdy_parser parser; /* decodes out incrementally */
	size_t parsed;
	struct spdy_writer writer; /* builds the client's frames */
	/* what came back */
	int syn_replies[8]; /* stream ids */
	int nreplies;
	struct buf data[8]; /* DATA payload per stream id (index = id) */
	bool fin[8];
	uint32_t wu_stream[8]; /* WINDOW_UPDATE delta sums per stream (0 = connection) */
	int pings, goaways, rsts;
	uint32_t goaway_status;
};

static void client_write(void *ud, const void *data, size_t len)
{
	struct client *c = ud;
	if (c->mode == PF_SPDY) {
		buf_append(&c->out, data, len);
		return;
	}
	const uint8_t *m = data;
	if (len >= 1 && m[0] < 8) {
		buf_append(&c->msgs[m[0]], (const char *)m + 1, len - 1);
		c->nmsgs[m[0]]++;
	}
}

static void client_close(void *ud)
{
	struct client *c = ud;
	c->closes++;
}

static int on_client_frame(void *ud, const struct spdy_frame *f)
{
	struct client *c = ud;
	uint32_t id = f->stream_id;
	switch (f->type) {
	case SPDY_SYN_REPLY:
		if (c->nreplies < 8)
			c->syn_replies[c->nreplies++] = (int)id;
		break;
	case SPDY_DATA:
		if (id < 8) {
			buf_append(&c->data[id], (const char *)f->data, f->len);
			c->fin[id] |= f->flags & SPDY_FLAG_FIN;
		}
		break;
	case SPDY_WINDOW_UPDATE:
		if (id < 8)
			c->wu_stream[id] += f->value;
		break;
	case SPDY_PING:
		c->pings++;
		break;
	case SPDY_GOAWAY:
		c->goaways++;
		c->goaway_status = f->status;
		break;
	case SPDY_RST_STREAM:
		c->rsts++;
		break;
	default:
		break;
	}
	return 0;
}

static void client_init(struct client *c, uv_loop_t *loop, enum pf_mode mode, const int *ports,
			size_t nports)
{
	memset(c, 0, sizeof *c);
	c->loop = loop;
	c->mode = mode;
	CHECK_INT(spdy_parser_init(&c->parser), 0);
	CHECK_INT(spdy_writer_init(&c->writer), 0);
	struct pf_io io = {.write = client_write, .close = client_close, .ud = c};
	c->s = pf_session_new(loop, mode, netns_path, ports, nports, &io);
	CHECK(c->s != NULL);
	pf_session_set_pod(c->s, "default/web", "uid-1");
}

/* Frees the session and runs the loop until its handles are closed. */
static void client_done(struct client *c)
{
	pf_session_free(c->s);
	uv_run(c->loop, UV_RUN_DEFAULT);
	spdy_parser_free(&c->parser);
	spdy_writer_free(&c->writer);
	buf_free(&c->out);
	for (int i = 0; i < 8; i++) {
		buf_free(&c->msgs[i]);
		buf_free(&c->data[i]);
	}
}

static void client_parse(struct client *c)
{
	if (c->out.len > c->parsed) {
		CHECK_INT(spdy_parser_feed(&c->parser, c->out.data + c->parsed,
					   c->out.len - c->parsed, on_client_frame, c),
			  0);
		c->parsed = c->out.len;
	}
}

static void send_buf(struct client *c, struct buf *b)
{
	pf_session_input(c->s, b->data, b->len);
	buf_free(b);
}

/* Opens a stream pair the way kubectl does: error stream (FIN at once), then data. */
static void open_pair(struct client *c, uint32_t error_id, int port, const char *rid)
{
	char ps[16];
	snprintf(ps, sizeof ps, "%d", port);
	struct spdy_kv e[] = {{"streamtype", "error"}, {"port", ps}, {"requestid", rid}};
	struct spdy_kv d[] = {{"streamtype", "data"}, {"port", ps}, {"requestid", rid}};
	struct buf b = {0};
	CHECK_INT(spdy_build_syn_stream(&c->writer, &b, error_id, 0, 0, 0, e, 3), 0);
	spdy_build_data(&b, error_id, SPDY_FLAG_FIN, NULL, 0);
	CHECK_INT(spdy_build_syn_stream(&c->writer, &b, error_id + 2, 0, 0, 0, d, 3), 0);
	send_buf(c, &b);
}

static void on_tick(uv_timer_t *t)
{
	(void)t;
}

/* Runs the loop until pred holds or ms pass; returns whether pred held. */
static bool run_until(struct client *c, bool (*pred)(struct client *), int ms)
{
	uv_timer_t t;
	uv_timer_init(c->loop, &t);
	uv_timer_start(&t, on_tick, 10, 10);
	uint64_t end = uv_now(c->loop) + (uint64_t)ms;
	bool ok;
	while (!(ok = (client_parse(c), pred(c))) && uv_now(c->loop) < end)
		uv_run(c->loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&t, NULL);
	uv_run(c->loop, UV_RUN_NOWAIT);
	return ok;
}

static bool both_fins(struct client *c)
{
	return c->fin[1] && c->fin[3];
}

/* ---- SPDY ------------------------------------------------------------------------ */

static void test_spdy_echo_through_netns(void)
{
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct client c;
	client_init(&c, &loop, PF_SPDY, NULL, 0);
	open_pair(&c, 1, ECHO_PORT, "0");
	struct buf b = {0};
	spdy_build_data(&b, 3, 0, "hello ", 6);
	send_buf(&c, &b);
	spdy_build_data(&b, 3, SPDY_FLAG_FIN, "pod", 3); /* the local client half-closes */
	/* Split mid-frame, as WebSocket messages may. */
	pf_session_input(c.s, b.data, 5);
	pf_session_input(c.s, b.data + 5, b.len - 5);
	buf_free(&b);
	CHECK(run_until(&c, both_fins, 5000));
	CHECK_INT(c.nreplies, 2);
	CHECK_INT(c.syn_replies[0], 1);
	CHECK_INT(c.syn_replies[1], 3);
	CHECK_STR(c.data[3].data, "hello pod");
	CHECK_INT(c.data[1].len, 0);  /* no error */
	CHECK_INT(c.wu_stream[3], 9); /* every consumed byte credited back ... */
	CHECK_INT(c.wu_stream[0], 9); /* ... on the stream and the connection */
	CHECK_INT(c.closes, 0);
	CHECK_INT(pf_session_buffered(c.s), 0);
	client_done(&c);
	uv_loop_close(&loop);
}

static bool got_200k(struct client *c)
{
	return c->fin[3];
}

/* More than the 64 KiB initial window each way: kubectl's spdystream neither
 * sends WINDOW_UPDATE nor honours ours, so nothing may wait for one. */
static void test_spdy_large_transfer(void)
{
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct client c;
	client_init(&c, &loop, PF_SPDY, NULL, 0);
	open_pair(&c, 1, ECHO_PORT, "0");
	size_t total = 200000;
	char *payload = malloc(total);
	for (size_t i = 0; i < total; i++)
		payload[i] = (char)('a' + i % 26);
	struct buf b = {0};
	for (size_t off = 0; off < total; off += 32768) {
		size_t n = total - off < 32768 ? total - off : 32768;
		spdy_build_data(&b, 3, off + n == total ? SPDY_FLAG_FIN : 0, payload + off, n);
	}
	send_buf(&c, &b);
	CHECK(run_until(&c, got_200k, 10000));
	CHECK_INT(c.data[3].len, total);
	CHECK(c.data[3].len == total && !memcmp(c.data[3].data, payload, total));
	CHECK_INT(c.wu_stream[3], total);
	free(payload);
	client_done(&c);
	uv_loop_close(&loop);
}

static bool got_16(struct client *c)
{
	return c->data[3].len >= 16;
}

static bool got_40(struct client *c)
{
	return c->data[3].len >= 40;
}

/* A client that keeps SPDY/3.1 windows is honoured: no more DATA than it
 * allowed until it sends WINDOW_UPDATE. */
static void test_spdy_respects_client_window(void)
{
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct client c;
	client_init(&c, &loop, PF_SPDY, NULL, 0);
	struct buf b = {0};
	const struct spdy_setting st = {.id = SPDY_SETTINGS_INITIAL_WINDOW_SIZE, .value = 16};
	spdy_build_settings(&b, &st, 1);
	send_buf(&c, &b);
	open_pair(&c, 1, ECHO_PORT, "0");
	spdy_build_data(&b, 3, 0, "0123456789012345678901234567890123456789", 40);
	send_buf(&c, &b);
	CHECK(run_until(&c, got_16, 5000));
	run_until(&c, got_40, 300); /* must not arrive */
	CHECK_INT(c.data[3].len, 16);
	spdy_build_window_update(&b, 3, 100);
	send_buf(&c, &b);
	CHECK(run_until(&c, got_40, 5000));
	CHECK_INT(c.data[3].len, 40);
	client_done(&c);
	uv_loop_close(&loop);
}

static bool fin7(struct client *c)
{
	return c->fin[7];
}

static void test_spdy_connection_refused_goes_to_error_stream(void)
{
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct client c;
	client_init(&c, &loop, PF_SPDY, NULL, 0);
	open_pair(&c, 1, CLOSED_PORT, "0");
	CHECK(run_until(&c, both_fins, 5000));
	CHECK(c.data[1].data &&
	      strstr(c.data[1].data, "error forwarding port 7778 to pod default/web, uid uid-1"));
	CHECK(c.data[1].data &&
	      strstr(c.data[1].data, "dial tcp4 127.0.0.1:7778: connect: connection refused"));
	CHECK_INT(c.data[3].len, 0);
	CHECK_INT(c.closes, 0); /* one failed connection does not end the session */
	/* The session still serves the next local connection. */
	open_pair(&c, 5, ECHO_PORT, "1");
	struct buf b = {0};
	spdy_build_data(&b, 7, SPDY_FLAG_FIN, "again", 5);
	send_buf(&c, &b);
	CHECK(run_until(&c, fin7, 5000));
	CHECK_STR(c.data[7].data, "again");
	client_done(&c);
	uv_loop_close(&loop);
}

static bool closed(struct client *c)
{
	return c->closes > 0;
}

static void test_spdy_ping_goaway_and_protocol_errors(void)
{
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct client c;
	client_init(&c, &loop, PF_SPDY, NULL, 0);
	struct buf b = {0};
	spdy_build_ping(&b, 1);
	spdy_build_ping(&b, 2); /* even: an answer to a ping we never sent, not echoed */
	send_buf(&c, &b);
	client_parse(&c);
	CHECK_INT(c.pings, 1);
	/* A stream id going backwards is refused, the connection lives on. */
	open_pair(&c, 5, ECHO_PORT, "0");
	struct spdy_kv e[] = {{"streamtype", "error"}, {"port", "1"}, {"requestid", "9"}};
	CHECK_INT(spdy_build_syn_stream(&c.writer, &b, 3, 0, 0, 0, e, 3), 0);
	send_buf(&c, &b);
	client_parse(&c);
	CHECK_INT(c.rsts, 1);
	spdy_build_goaway(&b, 0, SPDY_GOAWAY_OK);
	send_buf(&c, &b);
	CHECK_INT(c.closes, 0); /* a pair is still open */
	spdy_build_rst_stream(&b, 7, SPDY_CANCEL);
	send_buf(&c, &b);
	CHECK(run_until(&c, closed, 2000));
	CHECK_INT(c.closes, 1);
	client_done(&c);

	/* Garbage: GOAWAY(PROTOCOL_ERROR), close, and input after it is ignored. */
	client_init(&c, &loop, PF_SPDY, NULL, 0);
	pf_session_input(c.s, "\x80\x02\x00\x01\x00\x00\x00\x00", 8);
	client_parse(&c);
	CHECK_INT(c.goaways, 1);
	CHECK_INT(c.goaway_status, SPDY_GOAWAY_PROTOCOL_ERROR);
	CHECK_INT(c.closes, 1);
	pf_session_input(c.s, "\x80\x03\x00\x06\x00\x00\x00\x04\x00\x00\x00\x01", 12);
	client_parse(&c);
	CHECK_INT(c.pings, 0);
	client_done(&c);
	uv_loop_close(&loop);
}

/* The transport may free the session from inside pf_io.close. */
static void close_frees(void *ud)
{
	struct client *c = ud;
	c->closes++;
	pf_session_free(c->s);
}

static void test_free_from_close_callback(void)
{
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct client c;
	client_init(&c, &loop, PF_SPDY, NULL, 0);
	pf_session_free(c.s);
	struct pf_io io = {.write = client_write, .close = close_frees, .ud = &c};
	c.s = pf_session_new(&loop, PF_SPDY, netns_path, NULL, 0, &io);
	open_pair(&c, 1, ECHO_PORT, "0");
	pf_session_input(c.s, "\xff\xff\xff\xff\xff\xff\xff\xff", 8); /* SPDY version 0x7fff */
	CHECK_INT(c.closes, 1);
	uv_run(&loop, UV_RUN_DEFAULT); /* the TCP handle closes, then the memory goes */
	c.s = NULL;
	client_done(&c);
	uv_loop_close(&loop);
}

/* ---- WebSocket channels ------------------------------------------------------------ */

static bool ws_echoed(struct client *c)
{
	return c->msgs[0].len >= 2 + 5 && c->msgs[3].len > 2;
}

static void test_ws_channels(void)
{
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct client c;
	int ports[] = {ECHO_PORT, CLOSED_PORT};
	client_init(&c, &loop, PF_WS_CHANNELS, ports, 2);
	/* Data before the connection is up is kept, not lost. */
	pf_session_input(c.s,
			 "\x00"
			 "echo!",
			 6);
	pf_session_input(c.s,
			 "\x01"
			 "ignored",
			 8); /* error channel: nothing to the pod */
	pf_session_input(c.s,
			 "\x09"
			 "nowhere",
			 8); /* no such port */
	CHECK(run_until(&c, ws_echoed, 5000));
	/* Each channel opens with its port, 2 bytes little-endian. */
	CHECK(c.msgs[0].len >= 2 && (uint8_t)c.msgs[0].data[0] == (ECHO_PORT & 0xff) &&
	      (uint8_t)c.msgs[0].data[1] == (ECHO_PORT >> 8));
	CHECK(c.msgs[1].len == 2 && (uint8_t)c.msgs[1].data[0] == (ECHO_PORT & 0xff));
	CHECK(c.msgs[2].len == 2 && (uint8_t)c.msgs[2].data[0] == (CLOSED_PORT & 0xff));
	CHECK(c.msgs[0].len >= 7 && !memcmp(c.msgs[0].data + 2, "echo!", 5));
	CHECK(c.msgs[3].len > 2 && strstr(c.msgs[3].data + 2, "error forwarding port 7778"));
	CHECK_INT(c.closes, 0); /* port 7777 is still connected */
	client_done(&c);

	/* Every port failing ends the session. */
	int bad[] = {CLOSED_PORT};
	client_init(&c, &loop, PF_WS_CHANNELS, bad, 1);
	CHECK(run_until(&c, closed, 5000));
	client_done(&c);

	errno = 0;
	struct pf_io io = {.write = client_write, .close = client_close, .ud = &c};
	CHECK(pf_session_new(&loop, PF_WS_CHANNELS, NULL, NULL, 0, &io) == NULL && errno == EINVAL);
	int zero[] = {0};
	CHECK(pf_session_new(&loop, PF_WS_CHANNELS, NULL, zero, 1, &io) == NULL);
	uv_loop_close(&loop);
}

static void test_parse_ports(void)
{
	int p[4];
	size_t n = 0;
	char err[128];
	CHECK_INT(pf_parse_ports("80,8080", p, 4, &n, err, sizeof err), 0);
	CHECK_INT(pf_parse_ports("443", p, 4, &n, err, sizeof err), 0);
	CHECK_INT(n, 3);
	CHECK_INT(p[0], 80);
	CHECK_INT(p[1], 8080);
	CHECK_INT(p[2], 443);
	CHECK_INT(pf_parse_ports("0", p, 4, &n, err, sizeof err), -EINVAL);
	CHECK_STR(err, "port \"0\" must be > 0");
	CHECK_INT(pf_parse_ports("http", p, 4, &n, err, sizeof err), -EINVAL);
	CHECK_INT(pf_parse_ports("70000", p, 4, &n, err, sizeof err), -EINVAL);
	CHECK_INT(pf_parse_ports("1,2", p, 4, &n, err, sizeof err), -EINVAL); /* a 5th port */
	CHECK_INT(pf_parse_ports("", p, 4, &n, err, sizeof err), -EINVAL);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	TEST_RUN(test_parse_ports);
	if (server_start() != 0) {
		fprintf(stderr,
			"cannot start the echo server in a new network namespace (root needed)\n");
		server_stop();
		return 1;
	}
	TEST_RUN(test_spdy_echo_through_netns);
	TEST_RUN(test_spdy_large_transfer);
	TEST_RUN(test_spdy_respects_client_window);
	TEST_RUN(test_spdy_connection_refused_goes_to_error_stream);
	TEST_RUN(test_spdy_ping_goaway_and_protocol_errors);
	TEST_RUN(test_free_from_close_callback);
	TEST_RUN(test_ws_channels);
	server_stop();
	return test_summary();
}
