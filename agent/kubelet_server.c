/* agent/kubelet_server.c — one forwarded streaming request: parses it with
 * llhttp, finds the pod's container in the runtime, dispatches to the log,
 * exec/attach or port-forward handler, and owns the session's lifetime (see
 * kubelet.h). The server resolved the pod and container and names them in
 * X-Minikube-Pod / -Pod-Uid / -Container; the connection they come on is
 * our own TLS connection to the server, so they are trusted. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <llhttp.h>

#include "agent/kubelet.h"
#include "agent/podsync.h"

#define KL_MAX_HEADER_BYTES (64u << 10)

static void session_finalize(struct kl_session *s);

/* ---- request parsing ---- */

static struct kl_session *parser_session(llhttp_t *p)
{
	return p->data;
}

static int count_bytes(llhttp_t *p, size_t len)
{
	struct kl_session *s = parser_session(p);
	s->header_bytes += len;
	return s->header_bytes > KL_MAX_HEADER_BYTES ? -1 : 0;
}

static int on_url(llhttp_t *p, const char *at, size_t len)
{
	if (count_bytes(p, len))
		return -1;
	buf_append(&parser_session(p)->url, at, len);
	return 0;
}

static int on_header_field(llhttp_t *p, const char *at, size_t len)
{
	if (count_bytes(p, len))
		return -1;
	buf_append(&parser_session(p)->field, at, len);
	return 0;
}

static int on_header_value(llhttp_t *p, const char *at, size_t len)
{
	if (count_bytes(p, len))
		return -1;
	buf_append(&parser_session(p)->value, at, len);
	return 0;
}

static int on_header_value_complete(llhttp_t *p)
{
	struct kl_session *s = parser_session(p);
	if (s->nhdrs >= KL_MAX_HEADERS)
		return -1;
	char *n = strdup(s->field.data ? s->field.data : "");
	char *v = strdup(s->value.data ? s->value.data : "");
	if (!n || !v) {
		free(n);
		free(v);
		return -1;
	}
	for (char *c = n; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	s->hname[s->nhdrs] = n;
	s->hvalue[s->nhdrs++] = v;
	s->field.len = s->value.len = 0;
	if (s->field.data)
		s->field.data[0] = 0;
	if (s->value.data)
		s->value.data[0] = 0;
	return 0;
}

static int on_message_complete(llhttp_t *p)
{
	struct kl_session *s = parser_session(p);
	snprintf(s->method, sizeof s->method, "%s", llhttp_method_name((llhttp_method_t)p->method));
	s->request_done = true;
	return HPE_PAUSED;
}

static const llhttp_settings_t kl_settings = {
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_header_value_complete = on_header_value_complete,
    .on_message_complete = on_message_complete,
};

/* ---- helpers for the handlers ---- */

const char *kl_header(const struct kl_session *s, const char *lname)
{
	for (int i = 0; i < s->nhdrs; i++)
		if (!strcmp(s->hname[i], lname))
			return s->hvalue[i];
	return NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes %XX and '+' into a new string; NULL on a bad escape. */
static char *query_decode(const char *p, size_t len)
{
	char *out = malloc(len + 1);
	size_t n = 0;
	for (size_t i = 0; out && i < len; i++) {
		if (p[i] == '+') {
			out[n++] = ' ';
		} else if (p[i] == '%') {
			int hi = i + 2 < len ? hexval(p[i + 1]) : -1,
			    lo = i + 2 < len ? hexval(p[i + 2]) : -1;
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				free(out);
				return NULL;
			}
			out[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[n++] = p[i];
		}
	}
	if (out)
		out[n] = 0;
	return out;
}

size_t kl_query_all(const struct kl_session *s, const char *name, char **out, size_t max)
{
	const char *q = s->url.data ? strchr(s->url.data, '?') : NULL;
	size_t n = 0;
	for (const char *p = q ? q + 1 : ""; *p && n < max;) {
		size_t len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;
		char *key = query_decode(p, klen);
		if (key && !strcmp(key, name)) {
			char *v = eq ? query_decode(eq + 1, len - klen - 1) : strdup("");
			if (v)
				out[n++] = v;
		}
		free(key);
		p += len;
		if (*p == '&')
			p++;
	}
	return n;
}

char *kl_query(const struct kl_session *s, const char *name)
{
	char *v = NULL;
	return kl_query_all(s, name, &v, 1) ? v : NULL;
}

bool kl_query_bool(const struct kl_session *s, const char *name)
{
	char *v = kl_query(s, name);
	/* Go's strconv.ParseBool truths (python sends "True"). */
	bool t = v && (!strcmp(v, "1") || !strcasecmp(v, "t") || !strcasecmp(v, "true"));
	free(v);
	return t;
}

void kl_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
}

int kl_write(struct kl_session *s, const char *data, size_t len)
{
	if (s->aborted || !len)
		return s->aborted ? -EPIPE : 0;
	return s->io.write(s->io.ud, data, len);
}

static const char *reason_phrase(int code)
{
	switch (code) {
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	default:
		return "Internal Server Error";
	}
}

void kl_fail_http(struct kl_session *s, int code, const char *reason, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_t *st = json_pack("{s:s,s:s,s:{},s:s,s:s,s:s,s:i}", "kind", "Status", "apiVersion",
			       "v1", "metadata", "status", "Failure", "message", msg, "reason",
			       reason, "code", code);
	char *body = st ? json_dumps(st, JSON_COMPACT) : NULL;
	json_decref(st);
	struct buf out = {0};
	buf_printf(&out,
		   "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
		   "Connection: close\r\n\r\n%s",
		   code, reason_phrase(code), body ? strlen(body) : 0, body ? body : "");
	kl_write(s, out.data, out.len);
	buf_free(&out);
	free(body);
	log_v(s->log, 2, "kubelet", "request failed code=%d message=\"%s\"", code, msg);
	kl_finish(s);
}

int kl_find_container(struct kl_session *s, const char *kind, const char *name,
		      struct rt_state *out)
{
	struct rt_state *list = NULL;
	size_t n = 0;
	char err[256];
	if (!s->rt || rt_container_list(s->rt, &list, &n, err, sizeof err))
		return -ENOENT;
	int best = -1;
	for (size_t i = 0; i < n; i++) {
		char uid[64], k[16], nm[64];
		int attempt;
		if (sandbox_label_parse(list[i].bundle, uid, k, nm, &attempt) ||
		    strcmp(uid, s->uid))
			continue;
		bool kind_ok = kind ? !strcmp(k, kind) : (!strcmp(k, "app") || !strcmp(k, "init"));
		if (!kind_ok || (name && strcmp(nm, name)))
			continue;
		if (best < 0 || attempt > best) {
			best = attempt;
			*out = list[i];
		}
	}
	free(list);
	return best < 0 ? -ENOENT : 0;
}

/* ---- lifetime ---- */

#define KL_DRAIN_POLL_MS 20

static void on_drain_poll(uv_timer_t *t)
{
	struct kl_session *s = t->data;
	if (s->done || s->io.pending(s->io.ud) > KL_HIGH_WATER / 2)
		return;
	uv_timer_stop(t);
	kl_session_drained(s);
}

void kl_wait_drain(struct kl_session *s)
{
	if (s->done)
		return;
	if (!s->drain_open) {
		uv_timer_init(s->loop, &s->drain);
		s->drain.data = s;
		s->drain_open = true;
		s->handles++;
	}
	if (!uv_is_active((uv_handle_t *)&s->drain))
		uv_timer_start(&s->drain, on_drain_poll, KL_DRAIN_POLL_MS, KL_DRAIN_POLL_MS);
}

void kl_handle_release(struct kl_session *s)
{
	if (--s->handles == 0 && s->done)
		session_finalize(s);
}

void kl_handle_closed(uv_handle_t *h)
{
	kl_handle_release(h->data);
}

static void handlers_stop(struct kl_session *s)
{
	if (s->drain_open) {
		s->drain_open = false;
		uv_close((uv_handle_t *)&s->drain, kl_handle_closed);
	}
	if (s->lg)
		kl_log_stop(s);
	if (s->ex)
		kl_exec_stop(s);
	if (s->pf)
		kl_pf_stop(s);
}

static void session_free(struct kl_session *s)
{
	if (s->parser)
		free(s->parser);
	buf_free(&s->url);
	buf_free(&s->field);
	buf_free(&s->value);
	for (int i = 0; i < s->nhdrs; i++) {
		free(s->hname[i]);
		free(s->hvalue[i]);
	}
	ws_parser_free(&s->wsp);
	free(s->lg);
	free(s->ex);
	free(s->pf);
	free(s);
}

/* Every handle is closed: close the transport (unless it went first). */
static void session_finalize(struct kl_session *s)
{
	if (s->busy) {
		s->finalize_pending = true;
		return;
	}
	if (!s->aborted)
		s->io.close(s->io.ud);
	session_free(s);
}

void kl_finish(struct kl_session *s)
{
	if (s->done)
		return;
	kl_ws_close(s, WS_CLOSE_NORMAL, ""); /* clients wait for it (python) */
	s->done = true;
	handlers_stop(s);
	if (s->handles == 0)
		session_finalize(s);
}

void kl_session_abort(struct kl_session *s)
{
	s->aborted = true;
	if (s->done) {
		if (s->handles == 0 && s->finalize_pending)
			session_finalize(s);
		return;
	}
	kl_finish(s);
}

void kl_session_drained(struct kl_session *s)
{
	if (s->done)
		return;
	if (s->lg)
		kl_log_drained(s);
	if (s->ex)
		kl_exec_drained(s);
	if (s->pf)
		kl_pf_drained(s);
}

struct kl_session *kl_session_new(uv_loop_t *loop, struct rt *rt, const struct kl_io *io,
				  const struct logger *log)
{
	struct kl_session *s = calloc(1, sizeof *s);
	llhttp_t *p = calloc(1, sizeof *p);
	if (!s || !p) {
		free(s);
		free(p);
		return NULL;
	}
	s->loop = loop;
	s->rt = rt;
	s->io = *io;
	s->log = log;
	llhttp_init(p, HTTP_REQUEST, &kl_settings);
	p->data = s;
	s->parser = p;
	ws_parser_init(&s->wsp, 0, true);
	return s;
}

/* ---- WebSocket ---- */

int kl_ws_send(struct kl_session *s, int opcode, const char *data, size_t len)
{
	struct buf out = {0};
	ws_frame_build(&out, opcode, true, data, len, NULL);
	int rc = kl_write(s, out.data, out.len);
	buf_free(&out);
	return rc;
}

int kl_ws_channel(struct kl_session *s, uint8_t channel, const char *data, size_t len)
{
	struct buf out = {0};
	/* One frame: header, channel byte, payload. */
	uint8_t ch = channel;
	struct buf payload = {0};
	buf_append(&payload, (const char *)&ch, 1);
	buf_append(&payload, data, len);
	ws_frame_build(&out, WS_OP_BINARY, true, payload.data, payload.len, NULL);
	int rc = kl_write(s, out.data, out.len);
	buf_free(&payload);
	buf_free(&out);
	return rc;
}

void kl_ws_close(struct kl_session *s, uint16_t code, const char *reason)
{
	if (!s->ws || s->ws_closed)
		return;
	s->ws_closed = true;
	struct buf out = {0};
	ws_close_build(&out, code, reason, NULL);
	kl_write(s, out.data, out.len);
	buf_free(&out);
}

static int on_ws_message(void *ud, int opcode, const char *data, size_t len)
{
	struct kl_session *s = ud;
	if (opcode == WS_OP_PING) {
		kl_ws_send(s, WS_OP_PONG, data, len);
		return 0;
	}
	if (opcode == WS_OP_PONG)
		return 0;
	if (opcode == WS_OP_CLOSE) {
		kl_ws_close(s, WS_CLOSE_NORMAL, "");
		kl_finish(s);
		return 1;
	}
	if (s->kind == KL_PF)
		kl_pf_message(s, opcode, data, len);
	else if (s->kind == KL_EXEC || s->kind == KL_ATTACH)
		kl_exec_message(s, opcode, data, len);
	return s->done ? 1 : 0;
}

static void ws_input(struct kl_session *s, const char *data, size_t len)
{
	int rc = ws_parser_feed(&s->wsp, data, len, on_ws_message, s);
	if (rc < 0 && !s->done) {
		kl_ws_close(s, rc == -EMSGSIZE ? WS_CLOSE_TOO_BIG : WS_CLOSE_PROTOCOL,
			    rc == -EMSGSIZE ? "message too big" : "protocol error");
		kl_finish(s);
	}
}

/* ---- dispatch ---- */

static void request_dispatch(struct kl_session *s, const char *rest, size_t rest_len)
{
	char sub[32] = "";
	const char *url = s->url.data ? s->url.data : "";
	if (sscanf(url, "/api/v1/namespaces/%255[^/]/pods/%255[^/]/%31[^?]", s->ns, s->pod, sub) !=
	    3) {
		kl_fail_http(s, 404, "NotFound", "the node does not serve %s", url);
		return;
	}
	const char *uid = kl_header(s, "x-minikube-pod-uid");
	const char *ctr = kl_header(s, "x-minikube-container");
	snprintf(s->uid, sizeof s->uid, "%s", uid ? uid : "");
	snprintf(s->container, sizeof s->container, "%s", ctr ? ctr : "");
	log_v(s->log, 3, "kubelet", "%s %s pod=%s/%s container=%s", s->method, sub, s->ns, s->pod,
	      s->container);
	if (!strcmp(sub, "log")) {
		s->kind = KL_LOG;
		kl_log_serve(s);
	} else if (!strcmp(sub, "exec") || !strcmp(sub, "attach")) {
		s->kind = sub[0] == 'e' ? KL_EXEC : KL_ATTACH;
		kl_exec_serve(s);
	} else if (!strcmp(sub, "portforward")) {
		s->kind = KL_PF;
		kl_pf_serve(s, rest, rest_len);
		return; /* it consumed the early bytes */
	} else {
		kl_fail_http(s, 404, "NotFound", "the node does not serve pods/%s", sub);
		return;
	}
	if (!s->done && rest_len)
		kl_session_input(s, rest, rest_len);
}

static void request_feed(struct kl_session *s, const char *data, size_t len)
{
	llhttp_t *p = s->parser;
	llhttp_errno_t e = llhttp_execute(p, data, len);
	if (e != HPE_OK && e != HPE_PAUSED && e != HPE_PAUSED_UPGRADE) {
		kl_fail_http(s, 400, "BadRequest", "malformed forwarded request: %s",
			     llhttp_errno_name(e));
		return;
	}
	if (!s->request_done)
		return;
	const char *pos = e == HPE_OK ? data + len : llhttp_get_error_pos(p);
	size_t rest = pos && pos >= data && pos <= data + len ? (size_t)(data + len - pos) : 0;
	free(s->parser);
	s->parser = NULL;
	request_dispatch(s, data + len - rest, rest);
}

void kl_session_input(struct kl_session *s, const char *data, size_t len)
{
	if (s->done || !len)
		return;
	s->busy++;
	if (!s->request_done)
		request_feed(s, data, len);
	else if (s->ws)
		ws_input(s, data, len);
	else if (s->kind == KL_PF)
		kl_pf_input(s, data, len);
	/* logs: the client has nothing more to say */
	if (--s->busy == 0 && s->finalize_pending) {
		s->finalize_pending = false;
		session_finalize(s);
	}
}
