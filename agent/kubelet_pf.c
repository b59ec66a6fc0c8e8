/* agent/kubelet_pf.c — pods/portforward on the node: picks the transport the
 * client asked for and hands the byte stream to agent/portforward:
 *  - WebSocket "SPDY/3.1+portforward.k8s.io" (kubectl 1.32): the payloads of
 *    binary messages are a SPDY byte stream;
 *  - WebSocket "v4.channel.k8s.io" / "portforward.k8s.io": channel messages,
 *    ports from ?ports=;
 *  - plain "Upgrade: SPDY/3.1" (kubectl's fallback): raw SPDY after the 101.
 * Connections are made inside the pod's network namespace (its sandbox's). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent/kubelet.h"
#include "agent/podsync.h"
#include "agent/portforward.h"

struct kl_pf {
	struct pf_session *ps;
	bool blocked;
};

static const char *const pf_ws_protocols[] = {"SPDY/3.1+portforward.k8s.io", "v4.channel.k8s.io",
					      "portforward.k8s.io", NULL};

static void pf_write(void *ud, const void *data, size_t len)
{
	struct kl_session *s = ud;
	if (s->done)
		return;
	if (s->ws)
		kl_ws_send(s, WS_OP_BINARY, data, len);
	else
		kl_write(s, data, len);
	if (s->pf && !s->pf->blocked && s->io.pending(s->io.ud) > KL_HIGH_WATER) {
		s->pf->blocked = true;
		pf_session_set_output_blocked(s->pf->ps, true);
		kl_wait_drain(s);
	}
}

static void pf_close(void *ud)
{
	kl_finish(ud);
}

/* Ports of a channel-protocol request (?ports=80&ports=8080 or "80,8080"). */
static int ports_parse(struct kl_session *s, int *ports, size_t *n)
{
	char *vals[PF_MAX_PORTS];
	size_t nv = kl_query_all(s, "ports", vals, PF_MAX_PORTS);
	char err[256] = "";
	int rc = 0;
	*n = 0;
	for (size_t i = 0; i < nv && rc == 0; i++)
		rc = pf_parse_ports(vals[i], ports, PF_MAX_PORTS, n, err, sizeof err);
	kl_strv_free(vals, nv);
	if (rc == 0 && *n == 0)
		snprintf(err, sizeof err, "at least 1 port must be specified"), rc = -EINVAL;
	if (rc < 0)
		kl_fail_http(s, 400, "BadRequest", "%s", err);
	return rc;
}

/* Answers the upgrade; returns the mode, or -1 (answered). */
static int pf_accept(struct kl_session *s)
{
	const char *up = kl_header(s, "upgrade");
	if (up && !strcasecmp(up, "SPDY/3.1")) {
		static const char head[] =
		    "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
		    "Upgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n";
		kl_write(s, head, sizeof head - 1);
		return PF_SPDY;
	}
	if (!up || strcasecmp(up, "websocket") || !kl_header(s, "sec-websocket-key")) {
		kl_fail_http(s, 400, "BadRequest", "Upgrade request required");
		return -1;
	}
	int p = ws_pick_protocol(kl_header(s, "sec-websocket-protocol"), pf_ws_protocols);
	if (p < 0) {
		kl_fail_http(s, 400, "BadRequest",
			     "unable to upgrade connection: no supported port-forward subprotocol");
		return -1;
	}
	struct buf out = {0};
	if (ws_handshake_response(&out, kl_header(s, "sec-websocket-key"), pf_ws_protocols[p]) <
	    0) {
		buf_free(&out);
		kl_fail_http(s, 400, "BadRequest", "bad Sec-WebSocket-Key");
		return -1;
	}
	kl_write(s, out.data, out.len);
	buf_free(&out);
	s->ws = true;
	return p == 0 ? PF_SPDY : PF_WS_CHANNELS;
}

void kl_pf_serve(struct kl_session *s, const char *early, size_t len)
{
	struct rt_state st;
	int ports[PF_MAX_PORTS];
	size_t nports = 0;
	char netns[1100];
	/* The pod's network namespace: its bind-mounted file (sandbox.c), else
	 * that of its sandbox container or, for hostNetwork, of a container. */
	if (sandbox_ns_held(rt_data_dir(s->rt), s->uid, 1u << RT_NS_NET) ||
	    sandbox_ns_path(rt_data_dir(s->rt), s->uid, RT_NS_NET, netns, sizeof netns)) {
		if ((kl_find_container(s, "sandbox", NULL, &st) < 0 || st.status != RT_RUNNING ||
		     st.pid <= 0) &&
		    (kl_find_container(s, NULL, NULL, &st) < 0 || st.status != RT_RUNNING ||
		     st.pid <= 0)) {
			kl_fail_http(s, 400, "BadRequest", "pod %s is not running on this node",
				     s->pod);
			return;
		}
		snprintf(netns, sizeof netns, "/proc/%d/ns/net", (int)st.pid);
	}
	const char *up = kl_header(s, "upgrade");
	bool websocket = up && !strcasecmp(up, "websocket");
	int prot = ws_pick_protocol(kl_header(s, "sec-websocket-protocol"), pf_ws_protocols);
	if (websocket && prot > 0 && ports_parse(s, ports, &nports) < 0)
		return;
	int mode = pf_accept(s);
	if (mode < 0)
		return;
	struct kl_pf *pf = calloc(1, sizeof *pf);
	struct pf_io io = {.write = pf_write, .close = pf_close, .ud = s};
	s->pf = pf;
	if (pf)
		pf->ps = pf_session_new(s->loop, (enum pf_mode)mode, netns, ports, nports, &io);
	if (!pf || !pf->ps) {
		log_warn(s->log, "kubelet", "port-forward session failed pod=%s/%s", s->ns, s->pod);
		kl_finish(s);
		return;
	}
	char pod[600];
	snprintf(pod, sizeof pod, "%s_%s", s->pod, s->ns);
	pf_session_set_pod(pf->ps, pod, s->uid);
	if (len)
		kl_session_input(s, early, len);
}

void kl_pf_input(struct kl_session *s, const char *data, size_t len)
{
	if (s->pf && s->pf->ps)
		pf_session_input(s->pf->ps, data, len);
}

void kl_pf_message(struct kl_session *s, int opcode, const char *data, size_t len)
{
	if (opcode == WS_OP_BINARY && s->pf && s->pf->ps)
		pf_session_input(s->pf->ps, data, len);
}

void kl_pf_drained(struct kl_session *s)
{
	if (s->pf && s->pf->ps && s->pf->blocked) {
		s->pf->blocked = false;
		pf_session_set_output_blocked(s->pf->ps, false);
	}
}

void kl_pf_stop(struct kl_session *s)
{
	if (s->pf && s->pf->ps) {
		pf_session_free(s->pf->ps);
		s->pf->ps = NULL;
	}
}
