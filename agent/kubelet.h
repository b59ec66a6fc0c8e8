/* agent/kubelet.h — the node's side of the streaming API (private to agent/).
 *
 * tunnel.c keeps the agent's control connection to the server
 * (GET /minikube/v1/tunnel, Upgrade: minikube-tunnel) and answers each
 * "DIAL <id>" by opening /minikube/v1/tunnel/<id>; the bytes that arrive
 * there are one client request (pods/log, exec, attach, portforward) that
 * the server resolved and forwarded. kubelet_server.c parses that request
 * and serves it like the kubelet's streaming server: kubelet_log.c the logs
 * (and attach's output), kubelet_exec.c exec/attach over the channel.k8s.io
 * WebSocket protocols, kubelet_pf.c port-forward through agent/portforward.
 *
 * A session talks to its transport only through struct kl_io, so the same
 * code could serve a local listener. */
#ifndef AGENT_KUBELET_H
#define AGENT_KUBELET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/websocket.h"
#include "runtime/container.h"

struct node;
struct agent_tunnel;

/* tunnel.c: starts the control connection (reconnecting with back-off);
 * stop closes it and every session (running exec processes are killed).
 * The struct frees itself once its handles are closed. */
int agent_tunnel_start(struct node *n, struct agent_tunnel **out);
void agent_tunnel_stop(struct agent_tunnel *t);

/* The transport of one session. */
struct kl_io {
	int (*write)(void *ud, const char *data, size_t len); /* 0 or -EPIPE */
	size_t (*pending)(void *ud);			      /* bytes not yet sent */
	void (*pause)(void *ud, bool paused);		      /* stop reading input */
	/* The session is done: flush and close. No kl_session_* call and no
	 * callback follows; the session frees itself. */
	void (*close)(void *ud);
	void *ud;
};

struct kl_session;

/* A new session for one forwarded request; NULL when out of memory. */
struct kl_session *kl_session_new(uv_loop_t *loop, struct rt *rt, const struct kl_io *io,
				  const struct logger *log);
/* Bytes from the client (the request, then the stream). */
void kl_session_input(struct kl_session *s, const char *data, size_t len);
/* Everything queued reached the socket (resume output). */
void kl_session_drained(struct kl_session *s);
/* The transport is gone: stop, free (later, after the handles closed); no
 * io callback follows. */
void kl_session_abort(struct kl_session *s);

/* ---- inside a session (kubelet_*.c) ---- */

#define KL_MAX_HEADERS 64
#define KL_MAX_ARGS 256
#define KL_HIGH_WATER (1u << 20) /* queued output at which reading from the source pauses */

enum kl_kind { KL_NONE, KL_LOG, KL_EXEC, KL_ATTACH, KL_PF };

struct kl_log;
struct kl_exec;
struct kl_pf;

struct kl_session {
	uv_loop_t *loop;
	struct rt *rt;
	struct kl_io io;
	const struct logger *log;
	/* the request */
	void *parser; /* llhttp_t, until the request is complete */
	struct buf url, field, value;
	char *hname[KL_MAX_HEADERS], *hvalue[KL_MAX_HEADERS];
	int nhdrs;
	size_t header_bytes;
	char method[16];
	bool request_done;
	char ns[256], pod[256], uid[64], container[256];
	enum kl_kind kind;
	/* the WebSocket once upgraded (exec, attach, portforward over WS) */
	bool ws;
	int ws_version; /* 4 or 5 for channel protocols; 0 otherwise */
	struct ws_parser wsp;
	bool ws_closed; /* our close frame went out */
	/* the handler's state */
	struct kl_log *lg;
	struct kl_exec *ex;
	struct kl_pf *pf;
	bool done, aborted;
	uv_timer_t drain; /* watches the transport drain while output is paused */
	bool drain_open;
	int busy; /* inside kl_session_input: freeing waits */
	bool finalize_pending;
	int handles; /* open uv handles of the handlers; freed at 0 once done */
};

/* kubelet_server.c helpers for the handlers */
const char *kl_header(const struct kl_session *s, const char *lname);
/* Every value of a query parameter, decoded ("+" = space); returns the count
 * (at most max), values malloc'd (kl_strv_free). */
size_t kl_query_all(const struct kl_session *s, const char *name, char **out, size_t max);
/* The first value or NULL (caller frees). */
char *kl_query(const struct kl_session *s, const char *name);
bool kl_query_bool(const struct kl_session *s, const char *name);
void kl_strv_free(char **v, size_t n);
/* Output is paused for a slow client: kl_session_drained follows once the
 * transport's queue went below half the high-water mark. */
void kl_wait_drain(struct kl_session *s);
/* Writes to the transport; -EPIPE once it is gone. */
int kl_write(struct kl_session *s, const char *data, size_t len);
/* A plain HTTP error answer (a metav1.Status), then the session ends. */
void kl_fail_http(struct kl_session *s, int code, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Ends the session: the transport is closed once handlers' handles are closed. */
void kl_finish(struct kl_session *s);
/* A handle of a handler closed: kl_handle_closed is a uv close callback
 * for handles whose data is the session, kl_handle_release for the others. */
void kl_handle_closed(uv_handle_t *h);
void kl_handle_release(struct kl_session *s);
/* Finds the runtime container of uid/name (kind "app"/"init", or "sandbox"
 * with name NULL): the newest attempt. 0 or -ENOENT. */
int kl_find_container(struct kl_session *s, const char *kind, const char *name,
		      struct rt_state *out);
/* WebSocket: a message to the client (binary for channel protocols). */
int kl_ws_send(struct kl_session *s, int opcode, const char *data, size_t len);
int kl_ws_channel(struct kl_session *s, uint8_t channel, const char *data, size_t len);
/* Our close frame, once (kl_finish sends one if nobody did). */
void kl_ws_close(struct kl_session *s, uint16_t code, const char *reason);

/* kubelet_log.c: pods/log (plain HTTP), and attach's output. */
void kl_log_serve(struct kl_session *s);
void kl_log_drained(struct kl_session *s);
void kl_log_stop(struct kl_session *s);
/* attach for a container without an attach socket (made by an older
 * version): follows its CRI log from its current end, sending each record as
 * a WebSocket channel message (1 stdout, 2 stderr) until the container
 * stops; then done(s) is called. */
int kl_log_attach(struct kl_session *s, const struct rt_state *st,
		  void (*done)(struct kl_session *));

/* kubelet_exec.c: exec and attach over channel.k8s.io WebSockets. */
void kl_exec_serve(struct kl_session *s);
void kl_exec_message(struct kl_session *s, int opcode, const char *data, size_t len);
void kl_exec_drained(struct kl_session *s);
void kl_exec_stop(struct kl_session *s);

/* kubelet_pf.c: portforward (SPDY over WebSocket, plain SPDY, WS channels). */
void kl_pf_serve(struct kl_session *s, const char *early, size_t len);
void kl_pf_input(struct kl_session *s, const char *data, size_t len);
void kl_pf_message(struct kl_session *s, int opcode, const char *data, size_t len);
void kl_pf_drained(struct kl_session *s);
void kl_pf_stop(struct kl_session *s);

#endif
