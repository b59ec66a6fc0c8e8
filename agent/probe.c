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
 * timeoutSeconds. An attempt owns its handles and frees itself once they
 * are closed. */
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
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "agent/probe.h"
#include "runtime/container.h"

#define PROBE_REAP_POLL_MS 100 /* exec without pidfd_open */
#define PROBE_STATUS_LINE_MAX 1024

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
	SSL_CTX *tls_ctx; /* HTTPS: no verification, like the kubelet */
	SSL *ssl;
	bool tls_sent;
	char tls_in[16384];
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
		SSL_free(a->ssl);
		SSL_CTX_free(a->tls_ctx);
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
	if (a->ssl) {
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

/* Sends what TLS has to send. */
static int tls_flush(struct attempt *a)
{
	char out[16384];
	int n;
	while ((n = BIO_read(SSL_get_wbio(a->ssl), out, sizeof out)) > 0) {
		uv_write_t *w = malloc(sizeof *w + (size_t)n);
		if (!w)
			return UV_ENOMEM;
		char *data = (char *)(w + 1);
		memcpy(data, out, (size_t)n);
		uv_buf_t b = uv_buf_init(data, (unsigned)n);
		int rc = uv_write(w, (uv_stream_t *)&a->tcp, &b, 1, on_tls_written);
		if (rc) {
			free(w);
			return rc;
		}
	}
	return 0;
}

/* The handshake, then the request once, then the response's first bytes. */
static void tls_progress(struct attempt *a)
{
	char msg[1800];
	ERR_clear_error();
	if (!a->tls_sent) {
		int rc = SSL_do_handshake(a->ssl);
		int e = rc == 1 ? SSL_ERROR_NONE : SSL_get_error(a->ssl, rc);
		if (rc == 1 && SSL_write(a->ssl, a->request, (int)strlen(a->request)) > 0)
			a->tls_sent = true;
		else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
			char why[256] = "handshake failed";
			unsigned long ec = ERR_peek_last_error();
			if (ec)
				ERR_error_string_n(ec, why, sizeof why);
			tls_flush(a);
			snprintf(msg, sizeof msg, "%s: tls: %s", a->what, why);
			return finish(a, false, msg);
		}
	}
	int n;
	while (a->tls_sent && a->len < sizeof a->buf - 1 &&
	       (n = SSL_read(a->ssl, a->buf + a->len, (int)(sizeof a->buf - 1 - a->len))) > 0)
		a->len += (size_t)n;
	int rc = tls_flush(a);
	if (rc) {
		snprintf(msg, sizeof msg, "%s: %s", a->what, uv_strerror(rc));
		return finish(a, false, msg);
	}
	if (a->tls_sent)
		http_check(a, 0);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct attempt *a = s->data;
	(void)buf;
	if (a->done)
		return;
	if (n > 0 && a->ssl) {
		BIO_write(SSL_get_rbio(a->ssl), a->tls_in, (int)n);
		return tls_progress(a);
	}
	if (n > 0)
		a->len += (size_t)n;
	http_check(a, n);
}

/* An HTTPS attempt: TLS over memory BIOs on the TCP stream. */
static int tls_start(struct attempt *a)
{
	a->tls_ctx = SSL_CTX_new(TLS_client_method());
	a->ssl = a->tls_ctx ? SSL_new(a->tls_ctx) : NULL;
	BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
	if (!a->ssl || !rb || !wb) {
		BIO_free(rb);
		BIO_free(wb);
		SSL_free(a->ssl);
		a->ssl = NULL;
		return UV_ENOMEM;
	}
	BIO_set_mem_eof_return(rb, -1);
	BIO_set_mem_eof_return(wb, -1);
	SSL_set_bio(a->ssl, rb, wb);
	SSL_set_verify(a->ssl, SSL_VERIFY_NONE, NULL);
	SSL_set_connect_state(a->ssl);
	return 0;
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

static void on_connect(uv_connect_t *c, int status)
{
	struct attempt *a = c->data;
	char msg[1600];
	if (a->done)
		return;
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
	const char *host = spec->host[0] ? spec->host : t->pod_ip;
	if (!host || !*host)
		return finish(a, false, "the pod has no IP address yet");
	int bad = addr_parse(host, spec->port, &ss, hostport, sizeof hostport);
	if (spec->handler == PROBE_TCP)
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
	if (rc) {
		snprintf(msg, sizeof msg, "%s: connect: %s", a->what, uv_strerror(rc));
		finish(a, false, msg);
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
	if (a->handler == PROBE_TCP)
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
	uv_timer_init(loop, &a->timeout);
	a->timeout.data = a;
	a->handles++;
	uv_timer_start(&a->timeout, on_timeout, (uint64_t)spec->timeout_s * 1000, 0);
	switch (spec->handler) {
	case PROBE_EXEC:
		exec_start(loop, a, spec, target);
		break;
	case PROBE_HTTP:
	case PROBE_TCP:
		net_start(loop, a, spec, target);
		break;
	case PROBE_GRPC:
		finish(a, false, "grpc probes are not supported by this node");
		break;
	default:
		finish(a, false, spec->invalid[0] ? spec->invalid : "the probe has no handler");
	}
}
