/* Port-forward sessions; see portforward.h. A pf_conn is one forwarded TCP
 * connection: for SPDY an (error, data) stream pair paired by requestid, for
 * the WS channel protocol one ?ports= entry. Client bytes go to the pod with
 * uv_write; a SPDY WINDOW_UPDATE (stream and connection) credits them back
 * once written, so a flow-controlling client never stalls. Pod bytes become
 * DATA frames (or channel messages); the client's window is honoured once the
 * client shows it keeps one (a WINDOW_UPDATE or SETTINGS initial window):
 * moby/spdystream, kubectl's SPDY stack, never sends either and never limits
 * its own sending, so enforcing the default 64 KiB on it would stall every
 * download. Sockets are created inside the pod's netns by a brief setns() on
 * the loop thread. Handles close asynchronously: the session's memory goes
 * once pf_session_free was called and the last handle has closed. */
#define _GNU_SOURCE
#include "agent/portforward.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/spdy.h"

#define PF_MAX_CONNS 128		   /* concurrent SPDY stream pairs */
#define PF_MAX_CONN_BUFFER (4u << 20)	   /* client bytes queued toward one pod connection */
#define PF_READ_MAX 32768		   /* one DATA frame / message per pod read */
#define PF_HEAD_ROOM SPDY_FRAME_HEADER_LEN /* frame header or channel byte in front of read data   \
					    */

struct pf_conn {
	struct pf_session *s;
	struct pf_conn *next;
	uv_tcp_t tcp;
	uv_connect_t connect_req;
	uv_shutdown_t shutdown_req;
	int port;
	int index; /* WS: port index; SPDY: -1 */
	char request_id[64];
	uint32_t data_id, error_id; /* SPDY stream ids, 0 = not yet seen */
	bool tcp_open, connected, reading, client_fin, shut, done, closing;
	struct buf pending; /* client bytes received before the connection is up */
	size_t queued;	    /* client bytes in uv_write */
	int64_t send_window;
};

struct pf_session {
	uv_loop_t *loop;
	enum pf_mode mode;
	char *netns_path;
	char pod[256], uid[64];
	struct pf_io io;
	struct spdy_parser parser;
	struct spdy_writer writer;
	struct pf_conn *conns;
	size_t handles; /* conns plus the start timer not yet closed */
	uv_timer_t start_timer;
	size_t nports;
	int ports[PF_MAX_PORTS];
	uint32_t last_stream_id;
	bool flow_control;
	int64_t conn_send_window, initial_window;
	size_t buffered;
	bool output_blocked, goaway, close_called, freed;
	int busy;
	char rbuf[PF_HEAD_ROOM + PF_READ_MAX];
};

struct pf_write {
	uv_write_t req;
	struct pf_conn *c;
	size_t len;
	char data[];
};

static void conn_close(struct pf_conn *c);
static void conn_update_reading(struct pf_conn *c);

/* ---- session plumbing ------------------------------------------------------- */

static void emit(struct pf_session *s, const void *data, size_t len)
{
	if (!s->freed)
		s->io.write(s->io.ud, data, len);
}

static void emit_buf(struct pf_session *s, struct buf *b)
{
	if (b->len)
		emit(s, b->data, b->len);
	buf_free(b);
}

static void session_close(struct pf_session *s)
{
	if (s->close_called || s->freed)
		return;
	s->close_called = true;
	s->io.close(s->io.ud);
}

static void session_release_if_done(struct pf_session *s)
{
	if (!s->freed || s->busy || s->handles)
		return;
	spdy_parser_free(&s->parser);
	spdy_writer_free(&s->writer);
	free(s->netns_path);
	free(s);
}

static size_t live_conns(const struct pf_session *s)
{
	size_t n = 0;
	for (const struct pf_conn *c = s->conns; c; c = c->next)
		n += !c->done;
	return n;
}

/* A SPDY session ends when the client said GOAWAY and no pair is left; a WS
 * session when every port's connection has ended. */
static void session_check_end(struct pf_session *s)
{
	if ((s->mode == PF_SPDY && s->goaway) || s->mode == PF_WS_CHANNELS)
		if (live_conns(s) == 0)
			session_close(s);
}

static struct pf_conn *conn_by_stream(struct pf_session *s, uint32_t id)
{
	if (id == 0)
		return NULL;
	for (struct pf_conn *c = s->conns; c; c = c->next)
		if (!c->done && (c->data_id == id || c->error_id == id))
			return c;
	return NULL;
}

static struct pf_conn *conn_new(struct pf_session *s, int port, int index)
{
	struct pf_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->s = s;
	c->port = port;
	c->index = index;
	c->send_window = s->initial_window;
	c->next = s->conns;
	s->conns = c;
	s->handles++;
	return c;
}

static void conn_unlink_free(struct pf_conn *c)
{
	struct pf_session *s = c->s;
	for (struct pf_conn **pp = &s->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	s->buffered -= c->pending.len;
	buf_free(&c->pending);
	free(c);
	s->handles--;
	session_release_if_done(s);
}

static void on_conn_closed(uv_handle_t *h)
{
	conn_unlink_free(h->data);
}

static void conn_close(struct pf_conn *c)
{
	if (c->closing)
		return;
	c->closing = c->done = true;
	if (c->tcp_open)
		uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
	else
		conn_unlink_free(c);
}

/* ---- output to the client --------------------------------------------------- */

/* Sends text on the connection's error stream/channel. */
static void conn_send_error(struct pf_conn *c, const char *msg)
{
	struct pf_session *s = c->s;
	size_t n = strlen(msg);
	if (s->mode == PF_WS_CHANNELS) {
		struct buf b = {0};
		char ch = (char)(2 * c->index + 1);
		buf_append(&b, &ch, 1);
		buf_append(&b, msg, n);
		emit_buf(s, &b);
	} else if (c->error_id) {
		struct buf b = {0};
		spdy_build_data(&b, c->error_id, 0, msg, n);
		emit_buf(s, &b);
	}
}

/* The connection is over: FIN both SPDY streams (unless reset) and close. */
static void conn_finish(struct pf_conn *c, bool send_fins)
{
	struct pf_session *s = c->s;
	if (c->done)
		return;
	if (send_fins && s->mode == PF_SPDY) {
		struct buf b = {0};
		if (c->data_id)
			spdy_build_data(&b, c->data_id, SPDY_FLAG_FIN, NULL, 0);
		if (c->error_id)
			spdy_build_data(&b, c->error_id, SPDY_FLAG_FIN, NULL, 0);
		emit_buf(s, &b);
	}
	conn_close(c);
	session_check_end(s);
}

/* Reports why the pod could not be reached, in the kubelet's (Go's) words;
 * what == NULL means the connect() itself failed. */
static void conn_fail(struct pf_conn *c, const char *what, int err)
{
	char msg[1024], dial[64], reason[128];
	snprintf(dial, sizeof dial, "dial tcp4 127.0.0.1:%d: connect", c->port);
	snprintf(reason, sizeof reason, "%s", strerror(-err));
	reason[0] = (char)tolower((unsigned char)reason[0]);
	snprintf(msg, sizeof msg,
		 "error forwarding port %d to pod %s, uid %s: failed to connect to localhost:%d "
		 "inside namespace "
		 "\"%s\", IPv4: %s: %s",
		 c->port, c->s->pod, c->s->uid, c->port,
		 c->s->netns_path ? c->s->netns_path : "host", what ? what : dial, reason);
	conn_send_error(c, msg);
	conn_finish(c, true);
}

/* Tells a flow-controlling client that n bytes of its stream were consumed. */
static void credit(struct pf_session *s, uint32_t stream_id, size_t n)
{
	if (s->mode != PF_SPDY || n == 0 || s->freed)
		return;
	struct buf b = {0};
	spdy_build_window_update(&b, 0, (uint32_t)n);
	if (stream_id)
		spdy_build_window_update(&b, stream_id, (uint32_t)n);
	emit_buf(s, &b);
}

/* ---- pod side: reading ------------------------------------------------------- */

static size_t read_limit(const struct pf_conn *c)
{
	int64_t lim = PF_READ_MAX;
	if (c->s->flow_control) {
		if (c->send_window < lim)
			lim = c->send_window;
		if (c->s->conn_send_window < lim)
			lim = c->s->conn_send_window;
	}
	return lim > 0 ? (size_t)lim : 0;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	struct pf_conn *c = h->data;
	size_t n = read_limit(c);
	*b = uv_buf_init(c->s->rbuf + PF_HEAD_ROOM, (unsigned)(n ? n : 1));
}

static void forward_to_client(struct pf_conn *c, size_t n)
{
	struct pf_session *s = c->s;
	char *payload = s->rbuf + PF_HEAD_ROOM;
	if (s->mode == PF_WS_CHANNELS) {
		payload[-1] = (char)(2 * c->index);
		emit(s, payload - 1, n + 1);
		return;
	}
	spdy_data_header((uint8_t *)payload - SPDY_FRAME_HEADER_LEN, c->data_id, 0, n);
	emit(s, payload - SPDY_FRAME_HEADER_LEN, n + SPDY_FRAME_HEADER_LEN);
	c->send_window -= (int64_t)n;
	s->conn_send_window -= (int64_t)n;
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *b)
{
	struct pf_conn *c = st->data;
	struct pf_session *s = c->s;
	if (c->done || s->freed)
		return;
	if (nread > 0) {
		forward_to_client(c, (size_t)nread);
		if (!s->freed && !c->done)
			conn_update_reading(c);
	} else if (nread < 0) {
		conn_finish(c, true); /* EOF or reset from the pod */
	}
}

static void conn_update_reading(struct pf_conn *c)
{
	struct pf_session *s = c->s;
	bool want = c->connected && !c->done && !s->output_blocked && read_limit(c) > 0;
	if (want && !c->reading)
		c->reading = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0;
	else if (!want && c->reading) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->reading = false;
	}
}

static void update_all_reading(struct pf_session *s)
{
	for (struct pf_conn *c = s->conns; c; c = c->next)
		if (!c->done)
			conn_update_reading(c);
}

/* ---- pod side: writing ------------------------------------------------------- */

static void on_shutdown(uv_shutdown_t *req, int status)
{
	(void)req;
	(void)status;
}

/* After the client's FIN and once everything queued is written, half-close
 * toward the pod so it sees EOF and can still answer. */
static void maybe_shutdown(struct pf_conn *c)
{
	if (!c->client_fin || !c->connected || c->shut || c->done || c->queued || c->pending.len)
		return;
	c->shut = true;
	c->shutdown_req.data = c;
	if (uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp, on_shutdown) < 0)
		conn_finish(c, true);
}

static void on_written(uv_write_t *req, int status)
{
	struct pf_write *w = (struct pf_write *)req;
	struct pf_conn *c = w->c;
	struct pf_session *s = c->s;
	c->queued -= w->len;
	s->buffered -= w->len;
	size_t n = w->len;
	free(w);
	if (c->done || s->freed)
		return;
	if (status < 0) {
		conn_finish(c, true);
		return;
	}
	credit(s, c->data_id, n);
	maybe_shutdown(c);
}

static void conn_write(struct pf_conn *c, const void *data, size_t len)
{
	struct pf_write *w = malloc(sizeof *w + len);
	if (!w)
		abort();
	w->c = c;
	w->len = len;
	memcpy(w->data, data, len);
	uv_buf_t b = uv_buf_init(w->data, (unsigned)len);
	c->queued += len;
	c->s->buffered += len;
	if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_written) < 0) {
		c->queued -= len;
		c->s->buffered -= len;
		free(w);
		conn_finish(c, true);
	}
}

/* Client bytes for the pod: written now, or kept until the connection is up. */
static void conn_client_data(struct pf_conn *c, const void *data, size_t len)
{
	if (len == 0)
		return;
	if (c->queued + c->pending.len + len > PF_MAX_CONN_BUFFER) {
		if (c->s->mode == PF_SPDY) {
			struct buf b = {0};
			spdy_build_rst_stream(&b, c->data_id, SPDY_FLOW_CONTROL_ERROR);
			spdy_build_rst_stream(&b, c->error_id, SPDY_FLOW_CONTROL_ERROR);
			emit_buf(c->s, &b);
		}
		conn_finish(c, false);
		return;
	}
	if (c->connected) {
		conn_write(c, data, len);
		return;
	}
	buf_append(&c->pending, data, len);
	c->s->buffered += len;
}

/* ---- pod side: connecting ---------------------------------------------------- */

/* Creates a TCP socket in the session's network namespace: the loop thread
 * enters it just for socket() and always returns to its own. */
static int socket_in_netns(const char *netns_path, int *fd_out)
{
	if (!netns_path) {
		*fd_out = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		return *fd_out < 0 ? -errno : 0;
	}
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	int target = open(netns_path, O_RDONLY | O_CLOEXEC);
	if (target < 0) {
		int e = -errno;
		close(self);
		return e;
	}
	int r = setns(target, CLONE_NEWNET) < 0 ? -errno : 0;
	close(target);
	if (r == 0) {
		*fd_out = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		r = *fd_out < 0 ? -errno : 0;
		if (setns(self, CLONE_NEWNET) < 0) {
			/* The loop thread would keep serving from inside a pod. */
			fprintf(stderr, "portforward: cannot return to own network namespace: %s\n",
				strerror(errno));
			abort();
		}
	}
	close(self);
	return r;
}

static void on_connect(uv_connect_t *req, int status)
{
	struct pf_conn *c = req->data;
	if (c->done || c->s->freed)
		return;
	if (status < 0) {
		conn_fail(c, NULL, status);
		return;
	}
	c->connected = true;
	if (c->pending.len) {
		struct buf p = c->pending;
		c->pending = (struct buf){0};
		c->s->buffered -= p.len;
		conn_write(c, p.data, p.len);
		buf_free(&p);
		if (c->done)
			return;
	}
	maybe_shutdown(c);
	if (!c->done)
		conn_update_reading(c);
}

static void conn_connect(struct pf_conn *c)
{
	struct pf_session *s = c->s;
	if (c->port < 1 || c->port > 65535) {
		conn_fail(c, "invalid port", -EINVAL);
		return;
	}
	int fd = -1;
	int r = socket_in_netns(s->netns_path, &fd);
	if (r) {
		conn_fail(c, "entering network namespace", r);
		return;
	}
	uv_tcp_init(s->loop, &c->tcp);
	c->tcp.data = c;
	c->tcp_open = true;
	if ((r = uv_tcp_open(&c->tcp, fd)) < 0) {
		close(fd);
		conn_fail(c, "socket", r);
		return;
	}
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)c->port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->connect_req.data = c;
	if ((r = uv_tcp_connect(&c->connect_req, &c->tcp, (const struct sockaddr *)&a,
				on_connect)) < 0)
		conn_fail(c, NULL, r);
}

/* ---- SPDY protocol ----------------------------------------------------------- */

static void spdy_reset(struct pf_session *s, uint32_t id, uint32_t status)
{
	struct buf b = {0};
	spdy_build_rst_stream(&b, id, status);
	emit_buf(s, &b);
}

/* Older clients send no requestid: the pair is named after the error stream. */
static void request_id_of(const struct spdy_frame *f, const char *type, char *out, size_t n)
{
	const char *rid = spdy_nv_get(f->nv, "requestid");
	if (rid && *rid)
		snprintf(out, n, "%s", rid);
	else
		snprintf(out, n, "%u", !strcmp(type, "data") ? f->stream_id - 2 : f->stream_id);
}

static struct pf_conn *pair_for(struct pf_session *s, const char *rid)
{
	for (struct pf_conn *c = s->conns; c; c = c->next)
		if (!c->done && !strcmp(c->request_id, rid))
			return c;
	if (live_conns(s) >= PF_MAX_CONNS)
		return NULL;
	struct pf_conn *c = conn_new(s, 0, -1);
	if (c)
		snprintf(c->request_id, sizeof c->request_id, "%s", rid);
	return c;
}

static void on_syn_stream(struct pf_session *s, const struct spdy_frame *f)
{
	if (!(f->stream_id & 1) || f->stream_id <= s->last_stream_id) {
		spdy_reset(s, f->stream_id, SPDY_PROTOCOL_ERROR);
		return;
	}
	s->last_stream_id = f->stream_id;
	if (s->goaway) {
		spdy_reset(s, f->stream_id, SPDY_REFUSED_STREAM);
		return;
	}
	struct buf b = {0};
	if (spdy_build_syn_reply(&s->writer, &b, f->stream_id, 0, NULL, 0) < 0) {
		buf_free(&b);
		spdy_reset(s, f->stream_id, SPDY_INTERNAL_ERROR);
		return;
	}
	emit_buf(s, &b);
	const char *type = spdy_nv_get(f->nv, "streamtype");
	type = type ? type : "";
	bool is_data = !strcmp(type, "data"), is_error = !strcmp(type, "error");
	char rid[64];
	request_id_of(f, type, rid, sizeof rid);
	struct pf_conn *c = is_data || is_error ? pair_for(s, rid) : NULL;
	if (!c || (is_data && c->data_id) || (is_error && c->error_id)) {
		spdy_reset(s, f->stream_id, c ? SPDY_PROTOCOL_ERROR : SPDY_REFUSED_STREAM);
		return;
	}
	if (is_data) {
		const char *port = spdy_nv_get(f->nv, "port");
		c->data_id = f->stream_id;
		c->port = port ? atoi(port) : 0;
		c->client_fin = f->flags & SPDY_FLAG_FIN;
	} else {
		c->error_id = f->stream_id;
	}
	if (c->data_id && c->error_id)
		conn_connect(c);
}

static void on_spdy_data(struct pf_session *s, const struct spdy_frame *f)
{
	struct pf_conn *c = conn_by_stream(s, f->stream_id);
	if (!c || c->data_id != f->stream_id || c->client_fin) {
		credit(s, 0, f->len); /* ignored bytes still used the connection window */
		return;
	}
	conn_client_data(c, f->data, f->len);
	if (!c->done && (f->flags & SPDY_FLAG_FIN)) {
		c->client_fin = true;
		maybe_shutdown(c);
	}
}

static void on_settings(struct pf_session *s, const struct spdy_frame *f)
{
	for (size_t i = 0; i < f->nsettings; i++) {
		if (f->settings[i].id != SPDY_SETTINGS_INITIAL_WINDOW_SIZE)
			continue;
		int64_t v = f->settings[i].value & 0x7fffffff, delta = v - s->initial_window;
		s->initial_window = v;
		s->flow_control = true;
		for (struct pf_conn *c = s->conns; c; c = c->next)
			c->send_window += delta;
	}
	update_all_reading(s);
}

static void on_window_update(struct pf_session *s, const struct spdy_frame *f)
{
	s->flow_control = true;
	if (f->stream_id == 0) {
		s->conn_send_window += f->value;
		update_all_reading(s);
		return;
	}
	struct pf_conn *c = conn_by_stream(s, f->stream_id);
	if (c && c->data_id == f->stream_id) {
		c->send_window += f->value;
		conn_update_reading(c);
	}
}

static int on_frame(void *ud, const struct spdy_frame *f)
{
	struct pf_session *s = ud;
	struct pf_conn *c;
	struct buf b = {0};
	switch (f->type) {
	case SPDY_SYN_STREAM:
		on_syn_stream(s, f);
		break;
	case SPDY_DATA:
		on_spdy_data(s, f);
		break;
	case SPDY_RST_STREAM:
		if ((c = conn_by_stream(s, f->stream_id)))
			conn_finish(c, false);
		break;
	case SPDY_SETTINGS:
		on_settings(s, f);
		break;
	case SPDY_PING:
		if (f->value & 1) { /* client-initiated; even ids would be answers to ours */
			spdy_build_ping(&b, f->value);
			emit_buf(s, &b);
		}
		break;
	case SPDY_GOAWAY:
		s->goaway = true;
		session_check_end(s);
		break;
	case SPDY_WINDOW_UPDATE:
		on_window_update(s, f);
		break;
	default: /* SYN_REPLY, HEADERS: nothing to do on this side */
		break;
	}
	return s->freed || s->close_called ? -ECANCELED : 0;
}

static void spdy_input(struct pf_session *s, const void *data, size_t len)
{
	int r = spdy_parser_feed(&s->parser, data, len, on_frame, s);
	if (r == -EPROTO || r == -EMSGSIZE) {
		struct buf b = {0};
		spdy_build_goaway(&b, s->last_stream_id, SPDY_GOAWAY_PROTOCOL_ERROR);
		emit_buf(s, &b);
		session_close(s);
	}
}

/* ---- WebSocket channel protocol ---------------------------------------------- */

static void ws_input(struct pf_session *s, const uint8_t *msg, size_t len)
{
	if (len == 0)
		return;
	size_t ch = msg[0];
	if (ch % 2 || ch / 2 >= s->nports) /* error channels carry nothing from the client */
		return;
	for (struct pf_conn *c = s->conns; c; c = c->next)
		if (c->index == (int)(ch / 2) && !c->done)
			conn_client_data(c, msg + 1, len - 1);
}

/* After pf_session_new returned: announce each port on both its channels
 * (as the kubelet does) and connect. */
static void on_timer_closed(uv_handle_t *h)
{
	struct pf_session *s = h->data;
	s->handles--;
	session_release_if_done(s);
}

static void ws_start(uv_timer_t *t)
{
	struct pf_session *s = t->data;
	uv_close((uv_handle_t *)t, on_timer_closed);
	s->busy++;
	for (size_t i = 0; i < s->nports && !s->freed; i++) {
		uint8_t m[3] = {(uint8_t)(2 * i), (uint8_t)(s->ports[i] & 0xff),
				(uint8_t)(s->ports[i] >> 8)};
		emit(s, m, sizeof m);
		m[0]++;
		emit(s, m, sizeof m);
	}
	/* conn_connect may finish a connection (and with it the list) at once. */
	for (size_t i = 0; i < s->nports && !s->freed; i++)
		for (struct pf_conn *c = s->conns; c; c = c->next)
			if (c->index == (int)i && !c->tcp_open && !c->done) {
				conn_connect(c);
				break;
			}
	s->busy--;
	session_release_if_done(s);
}

/* ---- public API -------------------------------------------------------------- */

struct pf_session *pf_session_new(uv_loop_t *loop, enum pf_mode mode, const char *netns_path,
				  const int *ports, size_t nports, const struct pf_io *io)
{
	if (mode == PF_WS_CHANNELS && (nports == 0 || nports > PF_MAX_PORTS)) {
		errno = EINVAL;
		return NULL;
	}
	for (size_t i = 0; mode == PF_WS_CHANNELS && i < nports; i++)
		if (ports[i] < 1 || ports[i] > 65535) {
			errno = EINVAL;
			return NULL;
		}
	struct pf_session *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->loop = loop;
	s->mode = mode;
	s->io = *io;
	s->initial_window = s->conn_send_window = SPDY_INITIAL_WINDOW;
	if ((netns_path && !(s->netns_path = strdup(netns_path))) ||
	    spdy_parser_init(&s->parser) < 0) {
		free(s->netns_path);
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	if (spdy_writer_init(&s->writer) < 0) {
		spdy_parser_free(&s->parser);
		free(s->netns_path);
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	if (mode == PF_WS_CHANNELS) {
		s->nports = nports;
		memcpy(s->ports, ports, nports * sizeof *ports);
		for (size_t i = 0; i < nports; i++)
			if (!conn_new(s, ports[i], (int)i))
				abort();
		uv_timer_init(loop, &s->start_timer);
		s->start_timer.data = s;
		s->handles++;
		uv_timer_start(&s->start_timer, ws_start, 0, 0);
	}
	return s;
}

void pf_session_set_pod(struct pf_session *s, const char *pod, const char *uid)
{
	snprintf(s->pod, sizeof s->pod, "%s", pod ? pod : "");
	snprintf(s->uid, sizeof s->uid, "%s", uid ? uid : "");
}

void pf_session_input(struct pf_session *s, const void *data, size_t len)
{
	if (s->freed || s->close_called)
		return;
	s->busy++;
	if (s->mode == PF_SPDY)
		spdy_input(s, data, len);
	else
		ws_input(s, data, len);
	s->busy--;
	session_release_if_done(s);
}

size_t pf_session_buffered(const struct pf_session *s)
{
	return s->buffered;
}

void pf_session_set_output_blocked(struct pf_session *s, bool blocked)
{
	if (s->freed || s->output_blocked == blocked)
		return;
	s->output_blocked = blocked;
	update_all_reading(s);
}

void pf_session_free(struct pf_session *s)
{
	if (!s || s->freed)
		return;
	s->freed = true;
	if (s->mode == PF_WS_CHANNELS && !uv_is_closing((uv_handle_t *)&s->start_timer))
		uv_close((uv_handle_t *)&s->start_timer, on_timer_closed);
	struct pf_conn *c = s->conns;
	s->busy++; /* conn_close may free conns (and would free s) while we walk */
	while (c) {
		struct pf_conn *next = c->next;
		conn_close(c);
		c = next;
	}
	s->busy--;
	session_release_if_done(s);
}

int pf_parse_ports(const char *value, int *ports, size_t max, size_t *n, char *err, size_t errlen)
{
	char tmp[512];
	if (!value || !*value || strlen(value) >= sizeof tmp) {
		snprintf(err, errlen, "query parameter \"ports\" is required");
		return -EINVAL;
	}
	snprintf(tmp, sizeof tmp, "%s", value);
	char *save = NULL;
	for (char *tok = strtok_r(tmp, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		char *end;
		errno = 0;
		long v = strtol(tok, &end, 10);
		if (errno || *end || end == tok || v < 0 || v > 65535) {
			snprintf(err, errlen, "unable to parse \"%s\" as a port", tok);
			return -EINVAL;
		}
		if (v == 0) {
			snprintf(err, errlen, "port \"%s\" must be > 0", tok);
			return -EINVAL;
		}
		if (*n >= max) {
			snprintf(err, errlen, "too many ports (at most %zu)", max);
			return -EINVAL;
		}
		ports[(*n)++] = (int)v;
	}
	return 0;
}
