/* RFC 6455 WebSocket codec without I/O: the server-side handshake (accept key,
 * subprotocol choice, the 101 answer), an incremental frame parser that
 * reassembles fragmented messages within a size bound and lets control
 * frames interleave, and a frame builder. Used by the node's kubelet-like
 * server for exec/attach/port-forward (channel.k8s.io protocols) and usable
 * by the API server. No extensions (permessage-deflate is never accepted). */
#ifndef COMMON_WEBSOCKET_H
#define COMMON_WEBSOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

enum ws_opcode {
	WS_OP_CONT = 0x0,
	WS_OP_TEXT = 0x1,
	WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8,
	WS_OP_PING = 0x9,
	WS_OP_PONG = 0xA,
};

/* Close codes we send. */
#define WS_CLOSE_NORMAL 1000
#define WS_CLOSE_PROTOCOL 1002
#define WS_CLOSE_TOO_BIG 1009
#define WS_CLOSE_INTERNAL 1011

/* Sec-WebSocket-Accept for a client's Sec-WebSocket-Key: base64(sha1(key +
 * GUID)) into out (29 bytes with the NUL). -EINVAL for a key that is not 24
 * base64 characters (16 bytes), as RFC 6455 requires. */
int ws_accept_key(const char *client_key, char out[29]);

/* The first protocol of supported (NULL-terminated, in our order of
 * preference) that the client offered in its comma-separated
 * Sec-WebSocket-Protocol value. Returns its index, or -1. */
int ws_pick_protocol(const char *offered, const char *const *supported);

/* Appends the "101 Switching Protocols" answer (protocol may be NULL). */
int ws_handshake_response(struct buf *out, const char *client_key, const char *protocol);

/* Incremental parser. Data messages (text/binary, possibly fragmented) are
 * delivered whole; control frames (close, ping, pong) as they come, even
 * between fragments. */
struct ws_parser {
	size_t max_message; /* payload bound of a data message; 0: 1 MiB */
	bool require_mask;  /* frames from a client must be masked */
	bool closed;	    /* a close frame was delivered: further input is ignored */
	struct buf in;	    /* unparsed input (at most one frame header + payload) */
	struct buf msg;	    /* fragments of the data message being assembled */
	int msg_op;	    /* its opcode; -1 when none is open */
};

/* Returns nonzero to stop the feed (returned by ws_parser_feed). data is
 * borrowed for the call. */
typedef int (*ws_message_fn)(void *ud, int opcode, const char *data, size_t len);

void ws_parser_init(struct ws_parser *p, size_t max_message, bool require_mask);
/* 0, the callback's nonzero return, -EPROTO (reserved bits, bad opcode,
 * fragmented or oversized control frame, a continuation with no message, a
 * new message inside one, an unmasked frame when required) or -EMSGSIZE (a
 * message over max_message). After an error the parser must not be fed. */
int ws_parser_feed(struct ws_parser *p, const char *data, size_t len, ws_message_fn fn, void *ud);
void ws_parser_free(struct ws_parser *p);

/* Appends one frame. mask: 4 bytes for client frames, NULL for server ones. */
void ws_frame_build(struct buf *out, int opcode, bool fin, const char *data, size_t len,
		    const uint8_t *mask);
/* A close frame with a code and a short reason (truncated to fit 125 bytes). */
void ws_close_build(struct buf *out, uint16_t code, const char *reason, const uint8_t *mask);

#endif
