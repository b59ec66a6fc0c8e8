/* SPDY/3.1 frame codec; see spdy.h. Wire layout (big-endian):
 *   control: 1 | version(15) | type(16) | flags(8) | length(24) | payload
 *   data:    0 | stream id(31)           | flags(8) | length(24) | payload
 * Header blocks: u32 count, then (u32 len, name, u32 len, value) pairs,
 * zlib-compressed with the SPDY/3 dictionary, Z_SYNC_FLUSH per block. */
#include "common/spdy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The SPDY/3 header dictionary (spec §2.6.10.1): 65 length-prefixed words
 * followed by a run of common values; 1423 bytes, adler32 0xe3c6a7c2. */
/* clang-format off */
static const char *const spdy_dict_words[] = {
	"options", "head", "post", "put", "delete", "trace", "accept", "accept-charset",
	"accept-encoding", "accept-language", "accept-ranges", "age", "allow", "authorization",
	"cache-control", "connection", "content-base", "content-encoding", "content-language",
	"content-length", "content-location", "content-md5", "content-range", "content-type",
	"date", "etag", "expect", "expires", "from", "host", "if-match", "if-modified-since",
	"if-none-match", "if-range", "if-unmodified-since", "last-modified", "location",
	"max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer",
	"retry-after", "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent",
	"vary", "via", "warning", "www-authenticate", "method", "get", "status", "200 OK",
	"version", "HTTP/1.1", "url", "public", "set-cookie", "keep-alive", "origin",
};
/* clang-format on */
static const char spdy_dict_tail[] =
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request"
    "401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented"
    "503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 "
    "Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,"
    "application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age="
    "gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

#define SPDY_DICT_LEN 1423

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Builds the dictionary into d (SPDY_DICT_LEN bytes); zlib copies it, so a
 * stack buffer per use keeps the codec free of shared state. */
static void spdy_dict(uint8_t d[SPDY_DICT_LEN])
{
	size_t off = 0;
	for (size_t i = 0; i < sizeof spdy_dict_words / sizeof *spdy_dict_words; i++) {
		size_t n = strlen(spdy_dict_words[i]);
		put32(d + off, (uint32_t)n);
		memcpy(d + off + 4, spdy_dict_words[i], n);
		off += 4 + n;
	}
	memcpy(d + off, spdy_dict_tail, sizeof spdy_dict_tail - 1);
}

/* ---- parser ---------------------------------------------------------------- */

int spdy_parser_init(struct spdy_parser *p)
{
	memset(p, 0, offsetof(struct spdy_parser, ctl));
	p->nv.n = 0;
	if (inflateInit(&p->z) != Z_OK)
		return -ENOMEM;
	p->z_ready = true;
	return 0;
}

void spdy_parser_free(struct spdy_parser *p)
{
	if (p->z_ready)
		inflateEnd(&p->z);
	p->z_ready = false;
}

const char *spdy_nv_get(const struct spdy_nv *nv, const char *name)
{
	for (size_t i = 0; i < nv->n; i++)
		if (!strcasecmp(nv->kv[i].name, name))
			return nv->kv[i].value;
	return NULL;
}

/* Inflates one header block into p->plain; returns its length or -errno. */
static int nv_inflate(struct spdy_parser *p, const uint8_t *in, size_t len)
{
	p->z.next_in = (Bytef *)in;
	p->z.avail_in = (uInt)len;
	p->z.next_out = p->plain;
	p->z.avail_out = sizeof p->plain;
	while (p->z.avail_in > 0) {
		int r = inflate(&p->z, Z_SYNC_FLUSH);
		if (r == Z_NEED_DICT) {
			uint8_t d[SPDY_DICT_LEN];
			spdy_dict(d);
			if (inflateSetDictionary(&p->z, d, SPDY_DICT_LEN) != Z_OK)
				return -EPROTO;
			continue;
		}
		if (r != Z_OK && r != Z_BUF_ERROR)
			return -EPROTO;
		if (p->z.avail_out == 0 && p->z.avail_in > 0)
			return -EMSGSIZE;
		if (r == Z_BUF_ERROR)
			break;
	}
	if (p->z.avail_in > 0)
		return -EPROTO;
	if (p->z.avail_out == 0) /* zlib may hold more: too big to be sure */
		return -EMSGSIZE;
	return (int)(sizeof p->plain - p->z.avail_out);
}

/* Reads one u32-length-prefixed string at *off into the store at *so. */
static int nv_take(struct spdy_parser *p, size_t plen, size_t *off, size_t *so, const char **out)
{
	if (plen - *off < 4)
		return -EPROTO;
	uint32_t n = get32(p->plain + *off);
	*off += 4;
	if (n > plen - *off || n + 1 > sizeof p->nv.store - *so)
		return -EPROTO;
	char *s = p->nv.store + *so;
	memcpy(s, p->plain + *off, n);
	s[n] = 0;
	*off += n;
	*so += n + 1;
	*out = s;
	return 0;
}

static int nv_decode(struct spdy_parser *p, const uint8_t *in, size_t len)
{
	int plen = nv_inflate(p, in, len);
	if (plen < 0)
		return plen;
	p->nv.n = 0;
	if (plen < 4)
		return -EPROTO;
	uint32_t count = get32(p->plain);
	if (count > SPDY_MAX_NV_PAIRS)
		return -EMSGSIZE;
	size_t off = 4, so = 0;
	for (uint32_t i = 0; i < count; i++) {
		struct spdy_kv *kv = &p->nv.kv[i];
		int r = nv_take(p, (size_t)plen, &off, &so, &kv->name);
		if (!r)
			r = nv_take(p, (size_t)plen, &off, &so, &kv->value);
		if (r)
			return r;
		if (!kv->name[0])
			return -EPROTO;
		p->nv.n++;
	}
	return 0;
}

static int min_control_len(uint16_t type)
{
	switch (type) {
	case SPDY_SYN_STREAM:
		return 10;
	case SPDY_SYN_REPLY:
	case SPDY_HEADERS:
	case SPDY_SETTINGS:
	case SPDY_PING:
		return 4;
	case SPDY_RST_STREAM:
	case SPDY_GOAWAY:
	case SPDY_WINDOW_UPDATE:
		return 8;
	default:
		return -1; /* unknown: skipped */
	}
}

static void decode_settings(struct spdy_parser *p, struct spdy_frame *f)
{
	uint32_t n = get32(p->ctl);
	size_t room = (p->length - 4) / 8;
	if (n > room)
		n = (uint32_t)room;
	for (uint32_t i = 0; i < n && f->nsettings < SPDY_MAX_SETTINGS; i++) {
		const uint8_t *e = p->ctl + 4 + 8 * i;
		p->settings[f->nsettings++] = (struct spdy_setting){
		    .flags = e[0], .id = get32(e) & 0xffffff, .value = get32(e + 4)};
	}
	f->settings = p->settings;
}

/* Decodes the buffered control frame p->ctl[0..length) and hands it to cb. */
static int emit_control(struct spdy_parser *p, spdy_frame_cb cb, void *ud)
{
	struct spdy_frame f = {.type = (enum spdy_type)p->type, .flags = p->flags};
	const uint8_t *c = p->ctl;
	int r = 0;
	switch (p->type) {
	case SPDY_SYN_STREAM:
		f.stream_id = get32(c) & 0x7fffffff;
		f.assoc_id = get32(c + 4) & 0x7fffffff;
		f.priority = c[8] >> 5;
		r = nv_decode(p, c + 10, p->length - 10);
		f.nv = &p->nv;
		if (!r && f.stream_id == 0)
			r = -EPROTO;
		break;
	case SPDY_SYN_REPLY:
	case SPDY_HEADERS:
		f.stream_id = get32(c) & 0x7fffffff;
		r = nv_decode(p, c + 4, p->length - 4);
		f.nv = &p->nv;
		break;
	case SPDY_RST_STREAM:
		f.stream_id = get32(c) & 0x7fffffff;
		f.status = get32(c + 4);
		break;
	case SPDY_SETTINGS:
		decode_settings(p, &f);
		break;
	case SPDY_PING:
		f.value = get32(c);
		break;
	case SPDY_GOAWAY:
		f.value = get32(c) & 0x7fffffff;
		f.status = get32(c + 4);
		break;
	case SPDY_WINDOW_UPDATE:
		f.stream_id = get32(c) & 0x7fffffff;
		f.value = get32(c + 4) & 0x7fffffff;
		break;
	}
	if (r)
		return r;
	return cb(ud, &f);
}

/* Interprets the 8-byte header just collected. */
static int start_frame(struct spdy_parser *p)
{
	const uint8_t *h = p->head;
	p->control = h[0] & 0x80;
	p->flags = h[4];
	p->length = get32(h + 4) & 0xffffff;
	p->got = 0;
	p->skip = false;
	p->in_frame = true;
	if (!p->control) {
		p->type = SPDY_DATA;
		p->stream_id = get32(h) & 0x7fffffff;
		return p->stream_id ? 0 : -EPROTO;
	}
	uint16_t version = (uint16_t)(((h[0] & 0x7f) << 8) | h[1]);
	p->type = (uint16_t)(h[2] << 8 | h[3]);
	if (version != SPDY_VERSION)
		return -EPROTO;
	int min = min_control_len(p->type);
	if (min < 0) {
		p->skip = true;
		return 0;
	}
	if (p->length < (uint32_t)min)
		return -EPROTO;
	if ((p->type == SPDY_SETTINGS && (p->length - 4) % 8) ||
	    (min == 8 && p->type != SPDY_GOAWAY && p->length != 8) ||
	    (p->type == SPDY_PING && p->length != 4))
		return -EPROTO;
	return p->length > SPDY_MAX_CONTROL_LEN ? -EMSGSIZE : 0;
}

/* Consumes payload bytes of the current frame; returns how many it took. */
static size_t take_payload(struct spdy_parser *p, const uint8_t *in, size_t len, spdy_frame_cb cb,
			   void *ud, int *rc)
{
	size_t n = p->length - p->got;
	if (n > len)
		n = len;
	bool last = p->got + n == p->length;
	if (p->type == SPDY_DATA) {
		/* Empty pieces only when the frame itself is empty (a bare FIN). */
		if (n > 0 || p->length == 0) {
			struct spdy_frame f = {.type = SPDY_DATA,
					       .stream_id = p->stream_id,
					       .flags = last ? p->flags
							     : (uint8_t)(p->flags & ~SPDY_FLAG_FIN),
					       .data = in,
					       .len = n};
			*rc = cb(ud, &f);
		}
	} else if (!p->skip) {
		memcpy(p->ctl + p->got, in, n);
		if (last)
			*rc = emit_control(p, cb, ud);
	}
	p->got += (uint32_t)n;
	if (last) {
		p->in_frame = false;
		p->head_len = 0;
	}
	return n;
}

int spdy_parser_feed(struct spdy_parser *p, const void *data, size_t len, spdy_frame_cb cb,
		     void *ud)
{
	const uint8_t *in = data;
	if (p->err)
		return p->err;
	int rc = 0;
	for (;;) {
		if (!p->in_frame) {
			size_t n = SPDY_FRAME_HEADER_LEN - p->head_len;
			if (n > len)
				n = len;
			memcpy(p->head + p->head_len, in, n);
			p->head_len += n;
			in += n;
			len -= n;
			if (p->head_len < SPDY_FRAME_HEADER_LEN)
				return 0;
			rc = start_frame(p);
			if (rc)
				break;
		}
		/* A zero-length frame completes here even with no bytes left. */
		size_t n = take_payload(p, in, len, cb, ud, &rc);
		in += n;
		len -= n;
		if (rc || (len == 0 && p->in_frame))
			break;
		if (len == 0)
			return 0;
	}
	if (rc == -EPROTO || rc == -EMSGSIZE)
		p->err = rc;
	return rc;
}

/* ---- writer ---------------------------------------------------------------- */

int spdy_writer_init(struct spdy_writer *w)
{
	memset(w, 0, sizeof *w);
	/* A 2 KiB window holds the whole dictionary; keeps a session's
	 * compressor near 16 KiB instead of zlib's default 256 KiB. */
	if (deflateInit2(&w->z, Z_BEST_COMPRESSION, Z_DEFLATED, 11, 4, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	uint8_t d[SPDY_DICT_LEN];
	spdy_dict(d);
	if (deflateSetDictionary(&w->z, d, SPDY_DICT_LEN) != Z_OK) {
		deflateEnd(&w->z);
		return -EIO;
	}
	w->z_ready = true;
	return 0;
}

void spdy_writer_free(struct spdy_writer *w)
{
	if (w->z_ready)
		deflateEnd(&w->z);
	w->z_ready = false;
}

static void put_control_header(struct buf *out, uint16_t type, uint8_t flags, size_t len)
{
	uint8_t h[8] = {0x80, SPDY_VERSION, (uint8_t)(type >> 8), (uint8_t)type};
	put32(h + 4, (uint32_t)len);
	h[4] = flags;
	buf_append(out, (const char *)h, sizeof h);
}

/* Compresses kv[0..n) as a header block and appends it to out. */
static int nv_deflate(struct spdy_writer *w, struct buf *out, const struct spdy_kv *kv, size_t n)
{
	struct buf plain = {0};
	uint8_t u[4];
	put32(u, (uint32_t)n);
	buf_append(&plain, (const char *)u, 4);
	for (size_t i = 0; i < n; i++) {
		const char *s[2] = {kv[i].name, kv[i].value};
		for (int j = 0; j < 2; j++) {
			size_t l = strlen(s[j]);
			put32(u, (uint32_t)l);
			buf_append(&plain, (const char *)u, 4);
			buf_append(&plain, s[j], l);
		}
	}
	if (plain.len > SPDY_MAX_NV_BYTES) {
		buf_free(&plain);
		return -EINVAL;
	}
	w->z.next_in = (Bytef *)plain.data;
	w->z.avail_in = (uInt)plain.len;
	int r = Z_OK;
	do {
		uint8_t chunk[1024];
		w->z.next_out = chunk;
		w->z.avail_out = sizeof chunk;
		r = deflate(&w->z, Z_SYNC_FLUSH);
		buf_append(out, (const char *)chunk, sizeof chunk - w->z.avail_out);
	} while (r == Z_OK && w->z.avail_out == 0);
	buf_free(&plain);
	return r == Z_OK || r == Z_BUF_ERROR ? 0 : -EIO;
}

/* Appends a header-carrying control frame: fixed fields, then the block. */
static int build_nv_frame(struct spdy_writer *w, struct buf *out, uint16_t type, uint8_t flags,
			  const uint8_t *fixed, size_t nfixed, const struct spdy_kv *kv, size_t n)
{
	struct buf body = {0};
	buf_append(&body, (const char *)fixed, nfixed);
	int r = nv_deflate(w, &body, kv, n);
	if (!r && body.len > SPDY_MAX_DATA_LEN)
		r = -EINVAL;
	if (!r) {
		put_control_header(out, type, flags, body.len);
		buf_append(out, body.data, body.len);
	}
	buf_free(&body);
	return r;
}

int spdy_build_syn_stream(struct spdy_writer *w, struct buf *out, uint32_t stream_id,
			  uint32_t assoc_id, uint8_t priority, uint8_t flags,
			  const struct spdy_kv *kv, size_t n)
{
	uint8_t fixed[10] = {0};
	put32(fixed, stream_id & 0x7fffffff);
	put32(fixed + 4, assoc_id & 0x7fffffff);
	fixed[8] = (uint8_t)((priority & 7) << 5);
	return build_nv_frame(w, out, SPDY_SYN_STREAM, flags, fixed, sizeof fixed, kv, n);
}

int spdy_build_syn_reply(struct spdy_writer *w, struct buf *out, uint32_t stream_id, uint8_t flags,
			 const struct spdy_kv *kv, size_t n)
{
	uint8_t fixed[4];
	put32(fixed, stream_id & 0x7fffffff);
	return build_nv_frame(w, out, SPDY_SYN_REPLY, flags, fixed, sizeof fixed, kv, n);
}

void spdy_data_header(uint8_t hdr[SPDY_FRAME_HEADER_LEN], uint32_t stream_id, uint8_t flags,
		      size_t len)
{
	put32(hdr, stream_id & 0x7fffffff);
	put32(hdr + 4, (uint32_t)len & 0xffffff);
	hdr[4] = flags;
}

void spdy_build_data(struct buf *out, uint32_t stream_id, uint8_t flags, const void *data,
		     size_t len)
{
	uint8_t h[SPDY_FRAME_HEADER_LEN];
	spdy_data_header(h, stream_id, flags, len);
	buf_append(out, (const char *)h, sizeof h);
	if (len)
		buf_append(out, data, len);
}

static void build_two_words(struct buf *out, uint16_t type, uint32_t a, uint32_t b)
{
	uint8_t p[8];
	put32(p, a);
	put32(p + 4, b);
	put_control_header(out, type, 0, sizeof p);
	buf_append(out, (const char *)p, sizeof p);
}

void spdy_build_rst_stream(struct buf *out, uint32_t stream_id, uint32_t status)
{
	build_two_words(out, SPDY_RST_STREAM, stream_id & 0x7fffffff, status);
}

void spdy_build_goaway(struct buf *out, uint32_t last_good_id, uint32_t status)
{
	build_two_words(out, SPDY_GOAWAY, last_good_id & 0x7fffffff, status);
}

void spdy_build_window_update(struct buf *out, uint32_t stream_id, uint32_t delta)
{
	build_two_words(out, SPDY_WINDOW_UPDATE, stream_id & 0x7fffffff, delta & 0x7fffffff);
}

void spdy_build_ping(struct buf *out, uint32_t id)
{
	uint8_t p[4];
	put32(p, id);
	put_control_header(out, SPDY_PING, 0, sizeof p);
	buf_append(out, (const char *)p, sizeof p);
}

void spdy_build_settings(struct buf *out, const struct spdy_setting *s, size_t n)
{
	uint8_t p[8];
	put_control_header(out, SPDY_SETTINGS, 0, 4 + 8 * n);
	put32(p, (uint32_t)n);
	buf_append(out, (const char *)p, 4);
	for (size_t i = 0; i < n; i++) {
		put32(p, s[i].id & 0xffffff);
		p[0] = s[i].flags;
		put32(p + 4, s[i].value);
		buf_append(out, (const char *)p, 8);
	}
}
