/* agent/kubelet_exec.c — pods/exec and pods/attach over the channel.k8s.io
 * WebSocket protocols (v5 as kubectl 1.32 speaks it, v4 for the python
 * client): every message is binary, its first byte the channel — 0 stdin,
 * 1 stdout, 2 stderr, 3 the final metav1.Status, 4 terminal resize
 * {"Width":W,"Height":H}, 255 (v5) "close this channel" ([255, 0] is stdin
 * EOF). exec runs the command in the container through the runtime with
 * pipes, or a pty with tty=true; its exit is noticed through a pidfd.
 * attach connects to the container's monitor (rt_container_attach): output
 * from then on, stdin into the container's stdin when its spec has
 * stdin: true (discarded otherwise, as containerd does), resizes to its
 * pty when it has tty: true — the container's setting, not the request's,
 * decides, as in the kubelet. stdinOnce is the monitor's business: it ends
 * the container's stdin when this client's stdin ends. The attach ends
 * with a Success status when the container stops. Containers without an
 * attach socket (made before it existed) get their CRI log followed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "agent/kubelet.h"

#define EXEC_REAP_POLL_MS 100	/* without pidfd_open */
#define EXEC_RESIZE_WAIT_MS 250 /* tty: longest wait for the first resize */

enum { OUT_STDOUT, OUT_STDERR, OUT_N };

struct kl_exec {
	struct kl_session *s;
	bool tty, want_stdin;
	pid_t pid;
	int pidfd, master;
	uv_poll_t exit_poll;
	uv_timer_t exit_timer;
	bool poll_open, timer_open;
	uv_pipe_t in;	      /* stdin (or the pty for tty) */
	uv_pipe_t out[OUT_N]; /* stdout, stderr; none with tty (the pty is read) */
	bool in_open, out_open[OUT_N], in_closing;
	bool exited, stopped, reading_paused;
	int exit_code;
	struct buf cmdline; /* "sh -c exit 3" for the status message */
	/* until launched */
	char id[RT_ID_MAX + 1];
	char *args[KL_MAX_ARGS];
	size_t nargs;
	int fds[3]; /* the child's stdio */
	uv_timer_t start_timer;
	bool start_timer_open, launched;
	/* attach: the monitor's socket, stdin and resizes not yet sent */
	bool attach, want_out, want_err;
	int afd;
	uv_poll_t apoll;
	bool apoll_open;
	struct buf aq;
	size_t aq_off;
	bool aq_eof, eof_sent, resize_pending;
	struct rt_winsize ws;
	char rbuf[RT_ATTACH_OUT_MAX];
};

static void attach_update(struct kl_exec *ex);

static const char *const channel_protocols[] = {"v5.channel.k8s.io", "v4.channel.k8s.io", NULL};

/* ---- the final status ---- */

static void send_status(struct kl_session *s, json_t *st)
{
	char *js = json_dumps(st, JSON_COMPACT);
	json_decref(st);
	if (js)
		kl_ws_channel(s, 3, js, strlen(js));
	free(js);
	kl_ws_close(s, WS_CLOSE_NORMAL, "");
}

static void send_success(struct kl_session *s)
{
	send_status(s, json_pack("{s:{},s:s}", "metadata", "status", "Success"));
}

static void send_failure(struct kl_session *s, const char *reason, const char *msg)
{
	send_status(s, json_pack("{s:{},s:s,s:s,s:s}", "metadata", "status", "Failure", "message",
				 msg, "reason", reason));
}

static void send_exit(struct kl_exec *ex)
{
	if (ex->exit_code == 0) {
		send_success(ex->s);
		return;
	}
	char msg[1200], code[16];
	snprintf(msg, sizeof msg,
		 "command terminated with non-zero exit code: error executing command [%s], exit "
		 "code %d",
		 ex->cmdline.data ? ex->cmdline.data : "", ex->exit_code);
	snprintf(code, sizeof code, "%d", ex->exit_code);
	send_status(ex->s, json_pack("{s:{},s:s,s:s,s:s,s:{s:[{s:s,s:s}]}}", "metadata", "status",
				     "Failure", "message", msg, "reason", "NonZeroExitCode",
				     "details", "causes", "reason", "ExitCode", "message", code));
}

/* Done once the process exited and its output was read to the end. */
static void exec_maybe_done(struct kl_exec *ex)
{
	if (ex->stopped || !ex->exited || ex->out_open[OUT_STDOUT] || ex->out_open[OUT_STDERR] ||
	    (ex->tty && ex->in_open))
		return;
	send_exit(ex);
	kl_finish(ex->s);
}

/* ---- handles ---- */

static void on_handle_closed(uv_handle_t *h)
{
	struct kl_exec *ex = h->data;
	kl_handle_release(ex->s);
}

/* h->data stays ex: callbacks of cancelled writes still find it. */
static void handle_close(struct kl_exec *ex, uv_handle_t *h)
{
	uv_close(h, on_handle_closed);
}

static void out_close(struct kl_exec *ex, int i)
{
	if (!ex->out_open[i])
		return;
	ex->out_open[i] = false;
	handle_close(ex, (uv_handle_t *)&ex->out[i]);
}

static void in_close(struct kl_exec *ex)
{
	if (!ex->in_open)
		return;
	ex->in_open = false;
	handle_close(ex, (uv_handle_t *)&ex->in);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	struct kl_exec *ex = h->data;
	*b = uv_buf_init(ex->rbuf, sizeof ex->rbuf);
}

static void output_pause(struct kl_exec *ex, bool paused)
{
	ex->reading_paused = paused;
	for (int i = 0; i < OUT_N; i++)
		if (ex->out_open[i])
			(void)(paused ? uv_read_stop((uv_stream_t *)&ex->out[i]) : 0);
	if (ex->tty && ex->in_open && paused)
		uv_read_stop((uv_stream_t *)&ex->in);
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b);

static void output_resume(struct kl_exec *ex)
{
	ex->reading_paused = false;
	for (int i = 0; i < OUT_N; i++)
		if (ex->out_open[i])
			uv_read_start((uv_stream_t *)&ex->out[i], on_alloc, on_read);
	if (ex->tty && ex->in_open)
		uv_read_start((uv_stream_t *)&ex->in, on_alloc, on_read);
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
	struct kl_exec *ex = st->data;
	struct kl_session *s = ex->s;
	if (n == 0)
		return;
	bool is_pty = st == (uv_stream_t *)&ex->in;
	int idx = st == (uv_stream_t *)&ex->out[OUT_STDERR] ? OUT_STDERR : OUT_STDOUT;
	if (n < 0) { /* EOF; a pty whose other side is gone reads EIO */
		if (is_pty)
			in_close(ex);
		else
			out_close(ex, idx);
		exec_maybe_done(ex);
		return;
	}
	kl_ws_channel(s, idx == OUT_STDERR && !is_pty ? 2 : 1, b->base, (size_t)n);
	if (s->io.pending(s->io.ud) > KL_HIGH_WATER) {
		output_pause(ex, true);
		kl_wait_drain(s);
	}
}

void kl_exec_drained(struct kl_session *s)
{
	struct kl_exec *ex = s->ex;
	if (ex && ex->reading_paused && !ex->stopped && ex->attach) {
		ex->reading_paused = false;
		attach_update(ex);
	} else if (ex && ex->reading_paused && !ex->stopped) {
		output_resume(ex);
	}
}

/* ---- the process ---- */

static void exec_reaped(struct kl_exec *ex, int status)
{
	ex->exited = true;
	ex->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (ex->poll_open) {
		ex->poll_open = false;
		uv_poll_stop(&ex->exit_poll);
		handle_close(ex, (uv_handle_t *)&ex->exit_poll);
	}
	if (ex->timer_open) {
		ex->timer_open = false;
		handle_close(ex, (uv_handle_t *)&ex->exit_timer);
	}
	if (ex->pidfd >= 0)
		close(ex->pidfd);
	ex->pidfd = -1;
	exec_maybe_done(ex);
}

static void try_reap(struct kl_exec *ex)
{
	int status;
	pid_t r = waitpid(ex->pid, &status, WNOHANG);
	if (r == ex->pid)
		exec_reaped(ex, status);
	else if (r < 0 && errno == ECHILD)
		exec_reaped(ex, 0x7f00); /* reaped elsewhere: report 127 */
}

static void on_exit_poll(uv_poll_t *p, int status, int events)
{
	try_reap(p->data);
}

static void on_exit_timer(uv_timer_t *t)
{
	try_reap(t->data);
}

static void watch_exit(struct kl_exec *ex)
{
	struct kl_session *s = ex->s;
	ex->pidfd = (int)syscall(SYS_pidfd_open, ex->pid, 0);
	if (ex->pidfd >= 0 && uv_poll_init(s->loop, &ex->exit_poll, ex->pidfd) == 0) {
		ex->exit_poll.data = ex;
		ex->poll_open = true;
		s->handles++;
		uv_poll_start(&ex->exit_poll, UV_READABLE, on_exit_poll);
		return;
	}
	uv_timer_init(s->loop, &ex->exit_timer);
	ex->exit_timer.data = ex;
	ex->timer_open = true;
	s->handles++;
	uv_timer_start(&ex->exit_timer, on_exit_timer, EXEC_REAP_POLL_MS, EXEC_REAP_POLL_MS);
}

static int pipe_open(struct kl_exec *ex, uv_pipe_t *p, int fd)
{
	uv_pipe_init(ex->s->loop, p, 0);
	p->data = ex;
	ex->s->handles++;
	return uv_pipe_open(p, fd);
}

/* Child ends of the stdio: fds[3] for the runtime; parent ends opened as
 * uv pipes. */
static int stdio_setup(struct kl_exec *ex, bool want_out, bool want_err, int fds[3])
{
	fds[0] = fds[1] = fds[2] = -1;
	if (ex->tty) {
		int slave;
		if (openpty(&ex->master, &slave, NULL, NULL, NULL) < 0)
			return -errno;
		fcntl(ex->master, F_SETFD, FD_CLOEXEC);
		fcntl(slave, F_SETFD, FD_CLOEXEC);
		fds[0] = slave;
		fds[1] = dup(slave);
		fds[2] = dup(slave);
		ex->in_open = true;
		return pipe_open(ex, &ex->in, ex->master);
	}
	int p[2];
	if (ex->want_stdin) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return -errno;
		fds[0] = p[0];
		ex->in_open = true;
		if (pipe_open(ex, &ex->in, p[1]) < 0)
			return -EIO;
	}
	bool want[OUT_N] = {want_out, want_err};
	for (int i = 0; i < OUT_N; i++) {
		if (!want[i])
			continue;
		if (pipe2(p, O_CLOEXEC) < 0)
			return -errno;
		fds[1 + i] = p[1];
		ex->out_open[i] = true;
		if (pipe_open(ex, &ex->out[i], p[0]) < 0)
			return -EIO;
	}
	return 0;
}

static void fds_close(int fds[3])
{
	for (int i = 0; i < 3; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

static void exec_fail(struct kl_exec *ex, const char *msg)
{
	send_failure(ex->s, "InternalError", msg);
	kl_finish(ex->s);
}

/* Starts the process on the stdio prepared by stdio_setup (ex->fds). */
static void exec_launch(struct kl_exec *ex)
{
	struct kl_session *s = ex->s;
	char err[512];
	if (ex->launched || ex->stopped)
		return;
	ex->launched = true;
	if (ex->start_timer_open) {
		ex->start_timer_open = false;
		handle_close(ex, (uv_handle_t *)&ex->start_timer);
	}
	const char *argv[KL_MAX_ARGS + 1];
	for (size_t i = 0; i < ex->nargs; i++)
		argv[i] = ex->args[i];
	argv[ex->nargs] = NULL;
	struct rt_exec_spec spec;
	rt_exec_spec_init(&spec);
	spec.args = argv;
	spec.stdin_fd = ex->fds[0];
	spec.stdout_fd = ex->fds[1];
	spec.stderr_fd = ex->fds[2];
	spec.tty = ex->tty;
	int rc = rt_container_exec_start(s->rt, ex->id, &spec, &ex->pid, err, sizeof err);
	fds_close(ex->fds); /* the child has them */
	if (rc < 0) {
		char msg[700];
		snprintf(msg, sizeof msg, "error executing command in container: %s", err);
		log_v(s->log, 2, "kubelet", "exec failed pod=%s/%s error=\"%s\"", s->ns, s->pod,
		      err);
		exec_fail(ex, msg);
		return;
	}
	watch_exit(ex);
	output_resume(ex);
}

static void on_start_timer(uv_timer_t *t)
{
	exec_launch(t->data);
}

/* With a terminal the process waits (briefly) for the client's first resize,
 * so it starts with the right window size (kubectl sends it at once). */
static void exec_start(struct kl_exec *ex, const struct rt_state *st, char **args, size_t nargs)
{
	struct kl_session *s = ex->s;
	char err[512];
	snprintf(ex->id, sizeof ex->id, "%s", st->id);
	int rc = stdio_setup(ex, kl_query_bool(s, "stdout"), kl_query_bool(s, "stderr"), ex->fds);
	if (rc < 0) {
		fds_close(ex->fds);
		snprintf(err, sizeof err, "cannot set up the process's stdio: %s", strerror(-rc));
		exec_fail(ex, err);
		return;
	}
	for (size_t i = 0; i < nargs; i++) {
		ex->args[i] = args[i];
		args[i] = NULL;
	}
	ex->nargs = nargs;
	if (!ex->tty) {
		exec_launch(ex);
		return;
	}
	uv_timer_init(s->loop, &ex->start_timer);
	ex->start_timer.data = ex;
	ex->start_timer_open = true;
	s->handles++;
	uv_timer_start(&ex->start_timer, on_start_timer, EXEC_RESIZE_WAIT_MS, 0);
}

/* ---- attach ---- */

static void attach_end(struct kl_exec *ex)
{
	send_success(ex->s);
	kl_finish(ex->s);
}

/* Sends what is queued for the monitor: stdin, then its end, a resize. */
static void attach_flush(struct kl_exec *ex)
{
	struct kl_session *s = ex->s;
	while (ex->aq_off < ex->aq.len) {
		ssize_t n = rt_attach_send(ex->afd, RT_ATTACH_STDIN, ex->aq.data + ex->aq_off,
					   ex->aq.len - ex->aq_off);
		if (n == -EAGAIN)
			break;
		ex->aq_off =
		    n < 0 ? ex->aq.len : ex->aq_off + (size_t)n; /* < 0: gone, EOF follows */
	}
	if (ex->aq_off == ex->aq.len) {
		ex->aq.len = ex->aq_off = 0;
	} else if (ex->aq_off >= 65536) {
		memmove(ex->aq.data, ex->aq.data + ex->aq_off, ex->aq.len - ex->aq_off);
		ex->aq.len -= ex->aq_off;
		ex->aq_off = 0;
	}
	if (ex->resize_pending &&
	    rt_attach_send(ex->afd, RT_ATTACH_RESIZE, &ex->ws, sizeof ex->ws) != -EAGAIN)
		ex->resize_pending = false;
	if (ex->aq_eof && !ex->aq.len && !ex->eof_sent &&
	    rt_attach_send(ex->afd, RT_ATTACH_CLOSE_STDIN, NULL, 0) != -EAGAIN)
		ex->eof_sent = true;
	if (ex->aq.len - ex->aq_off < KL_HIGH_WATER / 2)
		s->io.pause(s->io.ud, false);
}

/* Container output to the client until the monitor closes the socket. */
static void attach_read(struct kl_exec *ex)
{
	struct kl_session *s = ex->s;
	for (int i = 0; i < 64 && !ex->stopped; i++) {
		int kind;
		ssize_t n = rt_attach_recv(ex->afd, &kind, ex->rbuf, sizeof ex->rbuf);
		if (n == -EAGAIN)
			return;
		if (n < 0 || kind < 0) {
			attach_end(ex);
			return;
		}
		if (kind == RT_ATTACH_STDOUT && ex->want_out && n)
			kl_ws_channel(s, 1, ex->rbuf, (size_t)n);
		else if (kind == RT_ATTACH_STDERR && ex->want_err && n)
			kl_ws_channel(s, 2, ex->rbuf, (size_t)n);
		if (s->io.pending(s->io.ud) > KL_HIGH_WATER) {
			ex->reading_paused = true;
			kl_wait_drain(s);
			return;
		}
	}
}

static void on_attach_poll(uv_poll_t *p, int status, int events)
{
	struct kl_exec *ex = p->data;
	if (ex->stopped)
		return;
	if (status < 0) {
		attach_end(ex);
		return;
	}
	if (events & UV_WRITABLE)
		attach_flush(ex);
	if (events & UV_READABLE)
		attach_read(ex);
	attach_update(ex);
}

static void attach_update(struct kl_exec *ex)
{
	if (ex->stopped || !ex->apoll_open)
		return;
	int ev = ex->reading_paused ? 0 : UV_READABLE;
	if (ex->aq.len > ex->aq_off || ex->resize_pending || (ex->aq_eof && !ex->eof_sent))
		ev |= UV_WRITABLE;
	if (ev)
		uv_poll_start(&ex->apoll, ev, on_attach_poll);
	else
		uv_poll_stop(&ex->apoll);
}

static void on_apoll_closed(uv_handle_t *h)
{
	struct kl_exec *ex = h->data;
	close(ex->afd);
	ex->afd = -1;
	kl_handle_release(ex->s);
}

/* Connects to the monitor; < 0 when the container has no attach socket. */
static int attach_start(struct kl_exec *ex, const struct rt_state *st)
{
	struct kl_session *s = ex->s;
	char err[512];
	ex->tty = st->terminal;
	ex->want_stdin = ex->want_stdin && st->open_stdin;
	ex->want_out = kl_query_bool(s, "stdout");
	ex->want_err = kl_query_bool(s, "stderr");
	int r = rt_container_attach(s->rt, st->id, ex->want_stdin, &ex->afd, err, sizeof err);
	if (r < 0) {
		log_v(s->log, 2, "kubelet", "attach falls back to the log pod=%s/%s error=\"%s\"",
		      s->ns, s->pod, err);
		return r;
	}
	if (uv_poll_init(s->loop, &ex->apoll, ex->afd) < 0) {
		close(ex->afd);
		ex->afd = -1;
		return -EIO;
	}
	ex->attach = true;
	ex->apoll.data = ex;
	ex->apoll_open = true;
	s->handles++;
	attach_update(ex);
	return 0;
}

static void attach_stdin(struct kl_exec *ex, const char *data, size_t len)
{
	if (!ex->want_stdin || ex->aq_eof || !len)
		return; /* the container has no stdin: dropped, as containerd does */
	buf_append(&ex->aq, data, len);
	attach_flush(ex);
	if (ex->aq.len - ex->aq_off > KL_HIGH_WATER)
		ex->s->io.pause(ex->s->io.ud, true);
	attach_update(ex);
}

/* ---- client messages ---- */

static void on_stdin_written(uv_write_t *w, int status)
{
	struct kl_exec *ex = w->handle->data;
	free(w);
	struct kl_session *s = ex->s;
	if (!ex->stopped && ex->in_open &&
	    uv_stream_get_write_queue_size((uv_stream_t *)&ex->in) < KL_HIGH_WATER)
		s->io.pause(s->io.ud, false);
}

static void stdin_write(struct kl_exec *ex, const char *data, size_t len)
{
	if (!ex->in_open || ex->in_closing || !len)
		return;
	uv_write_t *w = malloc(sizeof *w + len);
	if (!w)
		return;
	char *copy = (char *)(w + 1);
	memcpy(copy, data, len);
	uv_buf_t b = uv_buf_init(copy, (unsigned)len);
	if (uv_write(w, (uv_stream_t *)&ex->in, &b, 1, on_stdin_written) < 0) {
		free(w);
		return;
	}
	if (uv_stream_get_write_queue_size((uv_stream_t *)&ex->in) > KL_HIGH_WATER)
		ex->s->io.pause(ex->s->io.ud, true);
}

static void on_stdin_shutdown(uv_shutdown_t *req, int status)
{
	struct kl_exec *ex = req->handle->data;
	free(req);
	if (!ex->stopped)
		in_close(ex);
}

/* stdin EOF: after what is queued, close our end (shutdown(2) does not apply
 * to a pipe; libuv calls back once the queue drained). */
static void stdin_eof(struct kl_exec *ex)
{
	if (!ex->in_open || ex->in_closing || ex->tty)
		return;
	ex->in_closing = true;
	uv_shutdown_t *req = malloc(sizeof *req);
	if (!req || uv_shutdown(req, (uv_stream_t *)&ex->in, on_stdin_shutdown) < 0) {
		free(req);
		in_close(ex);
	}
}

static void resize(struct kl_exec *ex, const char *data, size_t len)
{
	json_t *j = json_loadb(data, len, 0, NULL);
	json_int_t w = json_integer_value(json_object_get(j, "Width"));
	json_int_t h = json_integer_value(json_object_get(j, "Height"));
	json_decref(j);
	bool valid = w > 0 && h > 0 && w < 65536 && h < 65536;
	if (ex->attach) {
		if (ex->tty && valid) {
			ex->ws = (struct rt_winsize){.rows = (uint16_t)h, .cols = (uint16_t)w};
			ex->resize_pending = true;
			attach_flush(ex);
			attach_update(ex);
		}
		return;
	}
	if (ex->s->kind != KL_EXEC)
		return; /* an attach that follows the log has no terminal */
	if (ex->tty && ex->master >= 0 && valid) {
		struct winsize ws = {.ws_row = (unsigned short)h, .ws_col = (unsigned short)w};
		ioctl(ex->master, TIOCSWINSZ, &ws);
	}
	exec_launch(ex);
}

void kl_exec_message(struct kl_session *s, int opcode, const char *data, size_t len)
{
	struct kl_exec *ex = s->ex;
	if (!ex || ex->stopped || opcode != WS_OP_BINARY || len == 0)
		return;
	uint8_t ch = (uint8_t)data[0];
	bool eof = ch == 255 && len >= 2 && data[1] == 0 && s->ws_version >= 5;
	if (ex->attach && (ch == 0 || eof)) {
		if (eof && ex->want_stdin) {
			ex->aq_eof = true;
			attach_flush(ex);
			attach_update(ex);
		} else if (!eof) {
			attach_stdin(ex, data + 1, len - 1);
		}
	} else if (ch == 0) {
		stdin_write(ex, data + 1, len - 1);
	} else if (ch == 4) {
		resize(ex, data + 1, len - 1);
	} else if (eof) {
		stdin_eof(ex);
	}
	/* anything else: unknown channels are ignored, as the client does */
}

/* ---- serving ---- */

static void attach_done(struct kl_session *s)
{
	send_success(s);
	kl_finish(s);
}

static bool upgrade_is_websocket(struct kl_session *s)
{
	const char *up = kl_header(s, "upgrade");
	return up && !strcasecmp(up, "websocket") && kl_header(s, "sec-websocket-key");
}

/* Answers the WebSocket handshake with a channel protocol; false when the
 * request cannot be upgraded (answered). */
static bool ws_accept(struct kl_session *s)
{
	if (!upgrade_is_websocket(s)) {
		kl_fail_http(s, 400, "BadRequest", "Upgrade request required");
		return false;
	}
	int p = ws_pick_protocol(kl_header(s, "sec-websocket-protocol"), channel_protocols);
	if (p < 0) {
		kl_fail_http(s, 400, "BadRequest",
			     "unable to upgrade connection: none of the offered subprotocols is "
			     "supported (want %s or %s)",
			     channel_protocols[0], channel_protocols[1]);
		return false;
	}
	struct buf out = {0};
	if (ws_handshake_response(&out, kl_header(s, "sec-websocket-key"), channel_protocols[p]) <
	    0) {
		buf_free(&out);
		kl_fail_http(s, 400, "BadRequest", "bad Sec-WebSocket-Key");
		return false;
	}
	kl_write(s, out.data, out.len);
	buf_free(&out);
	s->ws = true;
	s->ws_version = p == 0 ? 5 : 4;
	return true;
}

void kl_exec_serve(struct kl_session *s)
{
	struct rt_state st;
	char *args[KL_MAX_ARGS];
	if (!kl_query_bool(s, "stdin") && !kl_query_bool(s, "stdout") &&
	    !kl_query_bool(s, "stderr")) {
		kl_fail_http(s, 400, "BadRequest",
			     "you must specify at least 1 of stdin, stdout, stderr");
		return;
	}
	size_t nargs = s->kind == KL_EXEC ? kl_query_all(s, "command", args, KL_MAX_ARGS) : 0;
	if (s->kind == KL_EXEC && nargs == 0) {
		kl_fail_http(s, 400, "BadRequest", "you must specify at least 1 command");
		return;
	}
	if (kl_find_container(s, NULL, s->container, &st) < 0 || st.status != RT_RUNNING) {
		kl_strv_free(args, nargs);
		kl_fail_http(s, 400, "BadRequest",
			     "unable to upgrade connection: container not found (\"%s\")",
			     s->container);
		return;
	}
	struct kl_exec *ex = calloc(1, sizeof *ex);
	if (!ex || !ws_accept(s)) {
		free(ex);
		kl_strv_free(args, nargs);
		if (!ex)
			kl_fail_http(s, 500, "InternalError", "out of memory");
		return;
	}
	s->ex = ex;
	ex->s = s;
	ex->master = ex->pidfd = ex->afd = -1;
	ex->fds[0] = ex->fds[1] = ex->fds[2] = -1;
	ex->tty = kl_query_bool(s, "tty");
	ex->want_stdin = kl_query_bool(s, "stdin");
	for (size_t i = 0; i < nargs; i++)
		buf_printf(&ex->cmdline, "%s%s", i ? " " : "", args[i]);
	if (s->kind == KL_EXEC) {
		exec_start(ex, &st, args, nargs);
	} else if (attach_start(ex, &st) < 0 && kl_log_attach(s, &st, attach_done) < 0) {
		send_failure(s, "InternalError", "cannot follow the container's output");
		kl_finish(s);
	}
	kl_strv_free(args, nargs);
}

void kl_exec_stop(struct kl_session *s)
{
	struct kl_exec *ex = s->ex;
	if (!ex || ex->stopped)
		return;
	ex->stopped = true;
	in_close(ex);
	for (int i = 0; i < OUT_N; i++)
		out_close(ex, i);
	if (!ex->exited && ex->pid > 0) {
		/* The client went away first: end the process (the middle
		 * process; the command then loses its stdio). */
		kill(ex->pid, SIGKILL);
		int status;
		while (waitpid(ex->pid, &status, 0) < 0 && errno == EINTR)
			;
		ex->exited = true;
	}
	if (ex->poll_open) {
		ex->poll_open = false;
		uv_poll_stop(&ex->exit_poll);
		handle_close(ex, (uv_handle_t *)&ex->exit_poll);
	}
	if (ex->timer_open) {
		ex->timer_open = false;
		handle_close(ex, (uv_handle_t *)&ex->exit_timer);
	}
	if (ex->pidfd >= 0)
		close(ex->pidfd);
	ex->pidfd = -1;
	ex->master = -1; /* closed with ex->in */
	if (ex->start_timer_open) {
		ex->start_timer_open = false;
		handle_close(ex, (uv_handle_t *)&ex->start_timer);
	}
	fds_close(ex->fds);
	kl_strv_free(ex->args, ex->nargs);
	ex->nargs = 0;
	buf_free(&ex->cmdline);
	/* the monitor sees us go: with stdinOnce the container's stdin ends */
	if (ex->apoll_open) {
		ex->apoll_open = false;
		uv_poll_stop(&ex->apoll);
		uv_close((uv_handle_t *)&ex->apoll, on_apoll_closed);
	}
	buf_free(&ex->aq);
}
