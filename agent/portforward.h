/* Port-forward sessions (pods/portforward on the node side). A session turns
 * the client's multiplexed byte stream into TCP connections to 127.0.0.1:PORT
 * inside a pod's network namespace, and back. It knows nothing of HTTP or
 * WebSocket framing: the transport (the server↔agent tunnel) hands it bytes
 * and gets bytes back through struct pf_io. Two wire protocols:
 *  - PF_SPDY: SPDY/3.1 frames (kubectl; plain SPDY upgrade, or the concatenated
 *    WebSocket binary payloads of SPDY/3.1+portforward.k8s.io). Each local
 *    connection is a pair of streams (streamtype error + data) with one port
 *    and requestid; the data stream carries the TCP bytes.
 *  - PF_WS_CHANNELS: the WebSocket channel protocol (portforward.k8s.io /
 *    v4.channel.k8s.io, python client): port i has data channel 2i and error
 *    channel 2i+1, one TCP connection per port for the session's life; the
 *    first message on each channel is the port, 2 bytes little-endian. */
#ifndef AGENT_PORTFORWARD_H
#define AGENT_PORTFORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

enum pf_mode { PF_SPDY, PF_WS_CHANNELS };

#define PF_MAX_PORTS 32 /* ports of one WS channel session (channel ids fit a byte) */

struct pf_io {
	/* Bytes (PF_SPDY) or one whole message (PF_WS_CHANNELS) for the client;
	 * data is valid only during the call. */
	void (*write)(void *ud, const void *data, size_t len);
	/* The session is over (protocol error, GOAWAY, every WS port closed): the
	 * transport should close the connection and then call pf_session_free.
	 * Called at most once; pf_session_free may be called from inside it. */
	void (*close)(void *ud);
	void *ud;
};

struct pf_session;

/* netns_path: /proc/PID/ns/net of the sandbox or a bind-mounted netns file;
 * NULL forwards in the agent's own namespace (hostNetwork pods). ports/nports
 * are the ?ports= of a PF_WS_CHANNELS request (ignored for PF_SPDY). Returns
 * NULL with errno set (EINVAL: bad ports). Runs on loop's thread only. */
struct pf_session *pf_session_new(uv_loop_t *loop, enum pf_mode mode, const char *netns_path,
				  const int *ports, size_t nports, const struct pf_io *io);
/* Names the pod in error messages ("error forwarding port 80 to pod P, uid U: ..."). */
void pf_session_set_pod(struct pf_session *s, const char *pod, const char *uid);
/* Feeds client input: any chunk of the SPDY byte stream, or one WS message. */
void pf_session_input(struct pf_session *s, const void *data, size_t len);
/* Bytes received from the client not yet written to pods: a transport that
 * can pause reading should do so while this is large (kubectl's SPDY stack
 * ignores flow-control windows, so the session cannot throttle it). */
size_t pf_session_buffered(const struct pf_session *s);
/* Transport back-pressure: while blocked, the session stops reading from pods. */
void pf_session_set_output_blocked(struct pf_session *s, bool blocked);
/* Closes every TCP connection and frees the session (the memory is released
 * once libuv has closed the handles, so keep running the loop). No pf_io
 * callback is made after this. */
void pf_session_free(struct pf_session *s);

/* Parses a ?ports= value ("80", "80,8080"; repeated parameters: call again
 * with *n carried over) into ports[*n..max). Returns 0 or -EINVAL with a
 * message in err (e.g. "port \"0\" must be > 0"). */
int pf_parse_ports(const char *value, int *ports, size_t max, size_t *n, char *err, size_t errlen);

#endif
