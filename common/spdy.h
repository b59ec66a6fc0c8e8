/* SPDY/3.1 frame codec for port-forward (kubectl speaks it through
 * moby/spdystream, plain or tunnelled in WebSocket). The parser takes the
 * byte stream in arbitrary chunks and calls back once per control frame and
 * once per piece of DATA payload as it arrives, so a DATA frame never has to
 * be buffered whole; control frames and header blocks are bounded. Header
 * blocks are zlib streams primed with the SPDY/3 dictionary, one per direction
 * for the connection's lifetime: the parser owns the inflater, a writer the
 * deflater. Frame builders append wire bytes to a struct buf. */
#ifndef COMMON_SPDY_H
#define COMMON_SPDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "common/buf.h"

#define SPDY_VERSION 3
#define SPDY_FRAME_HEADER_LEN 8
#define SPDY_INITIAL_WINDOW 65536
#define SPDY_MAX_CONTROL_LEN 16384 /* larger control frames are a protocol error */
#define SPDY_MAX_NV_BYTES 16384	   /* decompressed header block */
#define SPDY_MAX_NV_PAIRS 32
#define SPDY_MAX_SETTINGS 16 /* entries reported per SETTINGS frame; more are ignored */
#define SPDY_MAX_DATA_LEN 0xffffffu

enum spdy_type {
	SPDY_DATA = 0, /* not a control type: a DATA frame */
	SPDY_SYN_STREAM = 1,
	SPDY_SYN_REPLY = 2,
	SPDY_RST_STREAM = 3,
	SPDY_SETTINGS = 4,
	SPDY_PING = 6,
	SPDY_GOAWAY = 7,
	SPDY_HEADERS = 8,
	SPDY_WINDOW_UPDATE = 9,
};

#define SPDY_FLAG_FIN 0x01
#define SPDY_FLAG_UNIDIRECTIONAL 0x02

enum spdy_rst_status {
	SPDY_PROTOCOL_ERROR = 1,
	SPDY_INVALID_STREAM = 2,
	SPDY_REFUSED_STREAM = 3,
	SPDY_CANCEL = 5,
	SPDY_INTERNAL_ERROR = 6,
	SPDY_FLOW_CONTROL_ERROR = 7,
	SPDY_STREAM_IN_USE = 8,
};

enum spdy_goaway_status {
	SPDY_GOAWAY_OK = 0,
	SPDY_GOAWAY_PROTOCOL_ERROR = 1,
	SPDY_GOAWAY_INTERNAL_ERROR = 2
};

#define SPDY_SETTINGS_INITIAL_WINDOW_SIZE 7

struct spdy_kv {
	const char *name, *value;
};

/* A decoded header block. Strings are NUL-terminated copies; a value holding
 * several NUL-separated values reads as its first one. */
struct spdy_nv {
	size_t n;
	struct spdy_kv kv[SPDY_MAX_NV_PAIRS];
	char store[SPDY_MAX_NV_BYTES + 2 * SPDY_MAX_NV_PAIRS];
};

struct spdy_setting {
	uint8_t flags;
	uint32_t id, value;
};

/* One parsed frame, valid only during the callback. */
struct spdy_frame {
	enum spdy_type type;
	uint8_t flags;	    /* for DATA, FIN is set only on the frame's last piece */
	uint32_t stream_id; /* DATA, SYN_*, RST_STREAM, HEADERS, WINDOW_UPDATE (0 = connection) */
	uint32_t assoc_id;  /* SYN_STREAM */
	uint8_t priority;   /* SYN_STREAM, 0..7 */
	uint32_t status;    /* RST_STREAM, GOAWAY */
	uint32_t value;	    /* PING id, GOAWAY last-good stream id, WINDOW_UPDATE delta */
	const struct spdy_nv *nv; /* SYN_STREAM, SYN_REPLY, HEADERS */
	size_t nsettings;
	const struct spdy_setting *settings;
	const uint8_t *data; /* DATA piece */
	size_t len;
};

/* Return 0 to go on, a negative errno to stop spdy_parser_feed with it. */
typedef int (*spdy_frame_cb)(void *ud, const struct spdy_frame *f);

struct spdy_parser {
	z_stream z;
	bool z_ready;
	int err; /* sticky: once the stream is malformed every feed fails */
	uint8_t head[SPDY_FRAME_HEADER_LEN];
	size_t head_len;
	bool in_frame, control, skip;
	uint16_t type;
	uint8_t flags;
	uint32_t stream_id, length, got;
	uint8_t ctl[SPDY_MAX_CONTROL_LEN];
	uint8_t plain[SPDY_MAX_NV_BYTES];
	struct spdy_nv nv;
	struct spdy_setting settings[SPDY_MAX_SETTINGS];
};

int spdy_parser_init(struct spdy_parser *p);
void spdy_parser_free(struct spdy_parser *p);
/* Parses len bytes, calling cb per frame (piece). Returns 0, -EPROTO on a
 * malformed stream (sticky), -EMSGSIZE on an oversized control frame or header
 * block, or the first negative value cb returned (the rest of that chunk is then
 * dropped: callers stop only when abandoning the connection). */
int spdy_parser_feed(struct spdy_parser *p, const void *data, size_t len, spdy_frame_cb cb,
		     void *ud);
/* Case-insensitive header lookup; NULL when absent. */
const char *spdy_nv_get(const struct spdy_nv *nv, const char *name);

/* The sending half: the header-block compressor of one connection direction. */
struct spdy_writer {
	z_stream z;
	bool z_ready;
};

int spdy_writer_init(struct spdy_writer *w);
void spdy_writer_free(struct spdy_writer *w);
/* Header-carrying frames; -EINVAL when a header is too long, -EIO on zlib failure. */
int spdy_build_syn_stream(struct spdy_writer *w, struct buf *out, uint32_t stream_id,
			  uint32_t assoc_id, uint8_t priority, uint8_t flags,
			  const struct spdy_kv *kv, size_t n);
int spdy_build_syn_reply(struct spdy_writer *w, struct buf *out, uint32_t stream_id, uint8_t flags,
			 const struct spdy_kv *kv, size_t n);

/* Writes the 8-byte DATA frame header for a payload of len (<= SPDY_MAX_DATA_LEN). */
void spdy_data_header(uint8_t hdr[SPDY_FRAME_HEADER_LEN], uint32_t stream_id, uint8_t flags,
		      size_t len);
void spdy_build_data(struct buf *out, uint32_t stream_id, uint8_t flags, const void *data,
		     size_t len);
void spdy_build_rst_stream(struct buf *out, uint32_t stream_id, uint32_t status);
void spdy_build_settings(struct buf *out, const struct spdy_setting *s, size_t n);
void spdy_build_ping(struct buf *out, uint32_t id);
void spdy_build_goaway(struct buf *out, uint32_t last_good_id, uint32_t status);
void spdy_build_window_update(struct buf *out, uint32_t stream_id, uint32_t delta);

#endif
