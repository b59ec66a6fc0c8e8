/* RFC 6455 codec; see websocket.h. Input is buffered only up to one frame
 * (bounded by max_message), so a peer cannot make us hold more. */
#include "common/websocket.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/crypto.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_DEFAULT_MAX (1u << 20)
#define WS_MAX_CONTROL 125

int ws_accept_key(const char *client_key, char out[29])
{
	unsigned char raw[20];
	if (!client_key)
		return -EINVAL;
	size_t klen = strlen(client_key);
	/* 16 random bytes in base64 are 24 characters ending in "==". */
	if (klen != 24 || base64_decode(client_key, 24, raw, sizeof raw, false) != 16)
		return -EINVAL;
	char cat[24 + sizeof WS_GUID];
	memcpy(cat, client_key, 24);
	memcpy(cat + 24, WS_GUID, sizeof WS_GUID);
	sha1(cat, strlen(cat), raw);
	base64_encode(raw, 20, out);
	return 0;
}

/* Whether the comma list offered holds name (tokens trimmed of spaces). */
static bool list_has(const char *offered, const char *name)
{
	size_t nlen = strlen(name);
	for (const char *p = offered; *p;) {
		p += strspn(p, " \t,");
		size_t len = strcspn(p, ",");
		size_t tl = len;
		while (tl > 0 && (p[tl - 1] == ' ' || p[tl - 1] == '\t'))
			tl--;
		if (tl == nlen && !strncmp(p, name, nlen))
			return true;
		p += len;
	}
	return false;
}

int ws_pick_protocol(const char *offered, const char *const *supported)
{
	if (!offered || !supported)
		return -1;
	for (int i = 0; supported[i]; i++)
		if (list_has(offered, supported[i]))
			return i;
	return -1;
}

int ws_handshake_response(struct buf *out, const char *client_key, const char *protocol)
{
	char accept[29];
	int rc = ws_accept_key(client_key, accept);
	if (rc < 0)
		return rc;
	buf_printf(
	    out,
	    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n",
	    accept);
	if (protocol && !strpbrk(protocol, "\r\n"))
		buf_printf(out, "Sec-WebSocket-Protocol: %s\r\n", protocol);
	buf_puts(out, "\r\n");
	return 0;
}

void ws_parser_init(struct ws_parser *p, size_t max_message, bool require_mask)
{
	memset(p, 0, sizeof *p);
	p->max_message = max_message ? max_message : WS_DEFAULT_MAX;
	p->require_mask = require_mask;
	p->msg_op = -1;
}

void ws_parser_free(struct ws_parser *p)
{
	buf_free(&p->in);
	buf_free(&p->msg);
	p->msg_op = -1;
}

struct ws_frame {
	bool fin, masked;
	int op;
	uint8_t mask[4];
	uint64_t len;
	size_t hdr_len;
};

static bool op_is_control(int op)
{
	return op >= WS_OP_CLOSE;
}

static bool op_is_known(int op)
{
	return op <= WS_OP_BINARY || (op >= WS_OP_CLOSE && op <= WS_OP_PONG);
}

/* Decodes a frame header: 1 when complete, 0 when more bytes are needed,
 * -EPROTO. */
static int frame_header(const uint8_t *b, size_t n, struct ws_frame *f)
{
	if (n < 2)
		return 0;
	f->fin = b[0] & 0x80;
	f->op = b[0] & 0x0F;
	f->masked = b[1] & 0x80;
	if ((b[0] & 0x70) || !op_is_known(f->op))
		return -EPROTO; /* no extension negotiated: RSV must be 0 */
	uint64_t len = b[1] & 0x7F;
	size_t h = 2;
	if (len == 126) {
		if (n < 4)
			return 0;
		len = (uint64_t)b[2] << 8 | b[3];
		h = 4;
	} else if (len == 127) {
		if (n < 10)
			return 0;
		len = 0;
		for (int i = 0; i < 8; i++)
			len = len << 8 | b[2 + i];
		if (len >> 63)
			return -EPROTO;
		h = 10;
	}
	if (f->masked) {
		if (n < h + 4)
			return 0;
		memcpy(f->mask, b + h, 4);
		h += 4;
	}
	f->len = len;
	f->hdr_len = h;
	return 1;
}

/* Checks a frame against the protocol and the size bound before its payload
 * is buffered. */
static int frame_check(const struct ws_parser *p, const struct ws_frame *f)
{
	if (p->require_mask && !f->masked)
		return -EPROTO;
	if (op_is_control(f->op))
		return (!f->fin || f->len > WS_MAX_CONTROL) ? -EPROTO : 0;
	if (f->op == WS_OP_CONT && p->msg_op < 0)
		return -EPROTO;
	if (f->op != WS_OP_CONT && p->msg_op >= 0)
		return -EPROTO;
	if (f->len > p->max_message || f->len + p->msg.len > p->max_message)
		return -EMSGSIZE;
	return 0;
}

static void unmask(char *d, size_t n, const uint8_t mask[4])
{
	for (size_t i = 0; i < n; i++)
		d[i] ^= (char)mask[i & 3];
}

/* Handles one complete frame whose payload (unmasked) is data. */
static int frame_deliver(struct ws_parser *p, const struct ws_frame *f, char *data, size_t len,
			 ws_message_fn fn, void *ud)
{
	if (op_is_control(f->op)) {
		if (f->op == WS_OP_CLOSE)
			p->closed = true;
		return fn(ud, f->op, data, len);
	}
	if (f->fin && f->op != WS_OP_CONT)
		return fn(ud, f->op, data, len); /* unfragmented: no copy */
	if (f->op != WS_OP_CONT)
		p->msg_op = f->op;
	buf_append(&p->msg, data, len);
	if (!f->fin)
		return 0;
	int op = p->msg_op;
	p->msg_op = -1;
	int rc = fn(ud, op, p->msg.data, p->msg.len);
	p->msg.len = 0;
	return rc;
}

/* Parses whole frames at the front of buf (n bytes); *used gets what was
 * consumed. */
static int parse_frames(struct ws_parser *p, char *buf, size_t n, size_t *used, ws_message_fn fn,
			void *ud)
{
	size_t off = 0;
	int rc = 0;
	while (!p->closed && off < n) {
		struct ws_frame f;
		int h = frame_header((const uint8_t *)buf + off, n - off, &f);
		if (h > 0 && (rc = frame_check(p, &f)) < 0)
			break;
		if (h < 0) {
			rc = h;
			break;
		}
		if (h == 0 || n - off - f.hdr_len < f.len)
			break; /* incomplete */
		char *payload = buf + off + f.hdr_len;
		if (f.masked)
			unmask(payload, (size_t)f.len, f.mask);
		off += f.hdr_len + (size_t)f.len;
		if ((rc = frame_deliver(p, &f, payload, (size_t)f.len, fn, ud)) != 0)
			break;
	}
	*used = off;
	return rc;
}

int ws_parser_feed(struct ws_parser *p, const char *data, size_t len, ws_message_fn fn, void *ud)
{
	if (p->closed)
		return 0;
	buf_append(&p->in, data, len);
	size_t used = 0;
	int rc = parse_frames(p, p->in.data, p->in.len, &used, fn, ud);
	if (used) {
		memmove(p->in.data, p->in.data + used, p->in.len - used);
		p->in.len -= used;
	}
	return rc;
}

void ws_frame_build(struct buf *out, int opcode, bool fin, const char *data, size_t len,
		    const uint8_t *mask)
{
	uint8_t h[14];
	size_t n = 0;
	h[n++] = (uint8_t)((fin ? 0x80 : 0) | (opcode & 0x0F));
	uint8_t m = mask ? 0x80 : 0;
	if (len < 126) {
		h[n++] = m | (uint8_t)len;
	} else if (len <= 0xFFFF) {
		h[n++] = m | 126;
		h[n++] = (uint8_t)(len >> 8);
		h[n++] = (uint8_t)len;
	} else {
		h[n++] = m | 127;
		for (int i = 7; i >= 0; i--)
			h[n++] = (uint8_t)((uint64_t)len >> (8 * i));
	}
	if (mask) {
		memcpy(h + n, mask, 4);
		n += 4;
	}
	buf_append(out, (const char *)h, n);
	size_t start = out->len;
	if (len)
		buf_append(out, data, len);
	if (mask)
		unmask(out->data + start, len, mask);
}

void ws_close_build(struct buf *out, uint16_t code, const char *reason, const uint8_t *mask)
{
	char payload[WS_MAX_CONTROL];
	size_t rlen = reason ? strlen(reason) : 0;
	if (rlen > WS_MAX_CONTROL - 2)
		rlen = WS_MAX_CONTROL - 2;
	payload[0] = (char)(code >> 8);
	payload[1] = (char)code;
	if (rlen)
		memcpy(payload + 2, reason, rlen);
	ws_frame_build(out, WS_OP_CLOSE, true, payload, rlen + 2, mask);
}
