/* SPDY/3.1 codec: decoding frames as moby/spdystream (kubectl) sends them,
 * round trips through our own builders, DATA streaming in arbitrary chunks,
 * and the bounds a hostile peer runs into. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/spdy.h"
#include "tests/test.h"

/* Two SYN_STREAMs of one connection, header blocks compressed by a separate
 * zlib (level 9, SPDY/3 dictionary, one stream, Z_SYNC_FLUSH per block), the
 * way spdystream's framer writes kubectl's error and data streams. The zlib
 * header names dictionary id 0xe3c6a7c2: inflating proves ours is exact. */
static const char vec_syn_error[] =
    "\x80\x03\x00\x01\x00\x00\x00\x3d\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x78\xf9\xe3\xc6\xa7"
    "\xc2"
    "\x02\x25\x3a\x70\x3a\x2b\x29\x4a\x4d\xcc\x85\x16\x25\xac\xa9\xa0\x80\x86\x14\xcb\x45\xe0\x1c"
    "\x60"
    "\x61\x60\x61\x00\xa4\x39\x8b\x20\xd1\x98\x09\x4a\xde\x8c\x06\x00\x00\x00\x00\xff\xff";
static const char vec_syn_data[] =
    "\x80\x03\x00\x01\x00\x00\x00\x18\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00"
    "\xc2\xaa\x19\x54\x0e\x25\x12\xd6\x0b\x00\x00\x00\xff\xff";

#define MAX_SEEN 64

struct seen_frame {
	enum spdy_type type;
	uint8_t flags;
	uint32_t stream_id, assoc_id, status, value;
	uint8_t priority;
	char streamtype[16], port[16], requestid[16];
	size_t nv_n, nsettings;
	uint32_t setting_id, setting_value;
	size_t len;
};

struct seen {
	size_t n;
	struct seen_frame f[MAX_SEEN];
	struct buf data; /* concatenated DATA payloads */
	int stop_at;	 /* return -ECANCELED on this frame number (1-based), 0 = never */
};

static void copy_hdr(char *dst, size_t n, const struct spdy_nv *nv, const char *name)
{
	const char *v = spdy_nv_get(nv, name);
	snprintf(dst, n, "%s", v ? v : "");
}

static int record(void *ud, const struct spdy_frame *f)
{
	struct seen *s = ud;
	if (s->n >= MAX_SEEN)
		return 0;
	struct seen_frame *r = &s->f[s->n++];
	*r = (struct seen_frame){.type = f->type,
				 .flags = f->flags,
				 .stream_id = f->stream_id,
				 .assoc_id = f->assoc_id,
				 .status = f->status,
				 .value = f->value,
				 .priority = f->priority,
				 .nsettings = f->nsettings,
				 .len = f->len};
	if (f->nv) {
		r->nv_n = f->nv->n;
		copy_hdr(r->streamtype, sizeof r->streamtype, f->nv, "streamtype");
		copy_hdr(r->port, sizeof r->port, f->nv, "port");
		copy_hdr(r->requestid, sizeof r->requestid, f->nv, "requestid");
	}
	if (f->nsettings) {
		r->setting_id = f->settings[0].id;
		r->setting_value = f->settings[0].value;
	}
	if (f->type == SPDY_DATA)
		buf_append(&s->data, (const char *)f->data, f->len);
	return s->stop_at && (int)s->n == s->stop_at ? -ECANCELED : 0;
}

static struct spdy_parser *parser_new(void)
{
	struct spdy_parser *p = malloc(sizeof *p);
	if (!p || spdy_parser_init(p) != 0)
		abort();
	return p;
}

static void parser_del(struct spdy_parser *p)
{
	spdy_parser_free(p);
	free(p);
}

static void check_kubectl_pair(const struct seen *s)
{
	CHECK_INT(s->n, 2);
	CHECK_INT(s->f[0].type, SPDY_SYN_STREAM);
	CHECK_INT(s->f[0].stream_id, 1);
	CHECK_INT(s->f[0].nv_n, 3);
	CHECK_STR(s->f[0].streamtype, "error");
	CHECK_STR(s->f[0].port, "8080");
	CHECK_STR(s->f[0].requestid, "0");
	CHECK_INT(s->f[1].type, SPDY_SYN_STREAM);
	CHECK_INT(s->f[1].stream_id, 3);
	CHECK_STR(s->f[1].streamtype, "data");
	CHECK_STR(s->f[1].port, "8080");
}

static void test_decodes_spdystream_syn_streams(void)
{
	struct spdy_parser *p = parser_new();
	struct seen s = {0};
	CHECK_INT(spdy_parser_feed(p, vec_syn_error, sizeof vec_syn_error - 1, record, &s), 0);
	CHECK_INT(spdy_parser_feed(p, vec_syn_data, sizeof vec_syn_data - 1, record, &s), 0);
	check_kubectl_pair(&s);
	parser_del(p);
}

/* The transport may split frames anywhere: one byte at a time must work. */
static void test_decodes_byte_by_byte(void)
{
	struct spdy_parser *p = parser_new();
	struct seen s = {0};
	struct buf all = {0};
	buf_append(&all, vec_syn_error, sizeof vec_syn_error - 1);
	buf_append(&all, vec_syn_data, sizeof vec_syn_data - 1);
	for (size_t i = 0; i < all.len; i++)
		CHECK_INT(spdy_parser_feed(p, all.data + i, 1, record, &s), 0);
	check_kubectl_pair(&s);
	buf_free(&all);
	parser_del(p);
}

static void test_round_trip_control_frames(void)
{
	struct spdy_writer w;
	CHECK_INT(spdy_writer_init(&w), 0);
	struct buf out = {0};
	const struct spdy_kv kv[] = {{"streamtype", "data"}, {"port", "80"}, {"requestid", "7"}};
	CHECK_INT(spdy_build_syn_stream(&w, &out, 5, 0, 3, 0, kv, 3), 0);
	CHECK_INT(spdy_build_syn_reply(&w, &out, 5, SPDY_FLAG_FIN, NULL, 0), 0);
	/* Second block on the same zlib stream: state must carry over. */
	CHECK_INT(spdy_build_syn_stream(&w, &out, 7, 5, 0, SPDY_FLAG_FIN, kv, 1), 0);
	spdy_build_rst_stream(&out, 7, SPDY_CANCEL);
	spdy_build_ping(&out, 41);
	spdy_build_goaway(&out, 7, SPDY_GOAWAY_OK);
	spdy_build_window_update(&out, 0, 65536);
	const struct spdy_setting st = {.id = SPDY_SETTINGS_INITIAL_WINDOW_SIZE, .value = 1 << 20};
	spdy_build_settings(&out, &st, 1);

	struct spdy_parser *p = parser_new();
	struct seen s = {0};
	CHECK_INT(spdy_parser_feed(p, out.data, out.len, record, &s), 0);
	CHECK_INT(s.n, 8);
	CHECK_INT(s.f[0].type, SPDY_SYN_STREAM);
	CHECK_INT(s.f[0].stream_id, 5);
	CHECK_INT(s.f[0].priority, 3);
	CHECK_STR(s.f[0].requestid, "7");
	CHECK_INT(s.f[1].type, SPDY_SYN_REPLY);
	CHECK_INT(s.f[1].flags, SPDY_FLAG_FIN);
	CHECK_INT(s.f[1].nv_n, 0);
	CHECK_INT(s.f[2].stream_id, 7);
	CHECK_INT(s.f[2].assoc_id, 5);
	CHECK_INT(s.f[2].nv_n, 1);
	CHECK_STR(s.f[2].streamtype, "data");
	CHECK_INT(s.f[3].type, SPDY_RST_STREAM);
	CHECK_INT(s.f[3].status, SPDY_CANCEL);
	CHECK_INT(s.f[4].type, SPDY_PING);
	CHECK_INT(s.f[4].value, 41);
	CHECK_INT(s.f[5].type, SPDY_GOAWAY);
	CHECK_INT(s.f[5].value, 7);
	CHECK_INT(s.f[6].type, SPDY_WINDOW_UPDATE);
	CHECK_INT(s.f[6].stream_id, 0);
	CHECK_INT(s.f[6].value, 65536);
	CHECK_INT(s.f[7].type, SPDY_SETTINGS);
	CHECK_INT(s.f[7].nsettings, 1);
	CHECK_INT(s.f[7].setting_id, SPDY_SETTINGS_INITIAL_WINDOW_SIZE);
	CHECK_INT(s.f[7].setting_value, 1 << 20);
	buf_free(&out);
	parser_del(p);
	spdy_writer_free(&w);
}

/* A DATA frame is delivered piecewise as it arrives, never buffered whole;
 * FIN is reported with the last piece only. */
static void test_data_streams_in_pieces(void)
{
	size_t n = 100000;
	char *payload = malloc(n);
	for (size_t i = 0; i < n; i++)
		payload[i] = (char)(i * 7);
	struct buf out = {0};
	spdy_build_data(&out, 3, SPDY_FLAG_FIN, payload, n);
	spdy_build_data(&out, 1, SPDY_FLAG_FIN, NULL, 0);
	struct spdy_parser *p = parser_new();
	struct seen s = {0};
	for (size_t off = 0; off < out.len; off += 4093) {
		size_t k = out.len - off < 4093 ? out.len - off : 4093;
		CHECK_INT(spdy_parser_feed(p, out.data + off, k, record, &s), 0);
	}
	CHECK(s.n > 2);
	CHECK_INT(s.data.len, n);
	CHECK(s.data.len == n && !memcmp(s.data.data, payload, n));
	int fins = 0;
	for (size_t i = 0; i < s.n; i++)
		fins += (s.f[i].flags & SPDY_FLAG_FIN) != 0;
	CHECK_INT(fins, 2);
	CHECK_INT(s.f[s.n - 2].flags, SPDY_FLAG_FIN); /* last piece of stream 3 */
	CHECK_INT(s.f[s.n - 1].stream_id, 1);	      /* the bare FIN */
	CHECK_INT(s.f[s.n - 1].len, 0);
	free(payload);
	buf_free(&out);
	buf_free(&s.data);
	parser_del(p);
}

static int feed_one(const void *bytes, size_t len)
{
	struct spdy_parser *p = parser_new();
	struct seen s = {0};
	int r = spdy_parser_feed(p, bytes, len, record, &s);
	/* Errors are sticky: nothing more is parsed on a broken stream. */
	if (r == -EPROTO || r == -EMSGSIZE) {
		static const char ping[] = "\x80\x03\x00\x06\x00\x00\x00\x04\x00\x00\x00\x01";
		if (spdy_parser_feed(p, ping, sizeof ping - 1, record, &s) != r)
			r = -EBADE;
	}
	buf_free(&s.data);
	parser_del(p);
	return r;
}

static void test_rejects_malformed_input(void)
{
	/* SPDY/2 control frame. */
	CHECK_INT(feed_one("\x80\x02\x00\x06\x00\x00\x00\x04\x00\x00\x00\x01", 12), -EPROTO);
	/* DATA on stream 0. */
	CHECK_INT(feed_one("\x00\x00\x00\x00\x00\x00\x00\x01x", 9), -EPROTO);
	/* A 16 MiB SYN_STREAM is refused from its header, before any payload. */
	CHECK_INT(feed_one("\x80\x03\x00\x01\x00\xff\xff\xff", 8), -EMSGSIZE);
	/* RST_STREAM of the wrong size. */
	CHECK_INT(feed_one("\x80\x03\x00\x03\x00\x00\x00\x04\x00\x00\x00\x01", 12), -EPROTO);
	/* SYN_STREAM whose header block is not zlib. */
	CHECK_INT(
	    feed_one("\x80\x03\x00\x01\x00\x00\x00\x0e\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"
		     "garb",
		     22),
	    -EPROTO);
	/* The kubectl vector with its stream id zeroed. */
	char z[sizeof vec_syn_error];
	memcpy(z, vec_syn_error, sizeof z);
	z[11] = 0;
	CHECK_INT(feed_one(z, sizeof z - 1), -EPROTO);
}

/* Header blocks: a block that inflates past the bound, one that claims more
 * pairs than allowed, and one whose lengths run past its end. */
static void test_rejects_hostile_header_blocks(void)
{
	struct spdy_writer w;
	CHECK_INT(spdy_writer_init(&w), 0);
	char big[SPDY_MAX_NV_BYTES];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	const struct spdy_kv kv = {"x", big};
	struct buf out = {0};
	CHECK_INT(spdy_build_syn_stream(&w, &out, 1, 0, 0, 0, &kv, 1),
		  -EINVAL); /* writer bounds too */
	CHECK_INT(out.len, 0);
	spdy_writer_free(&w);

	/* Hand-built plaintext blocks, compressed with a writer's zlib stream. */
	struct {
		const char *plain;
		size_t len;
		int want;
	} cases[] = {
	    {"\x00\x00\x00\x21", 4, -EMSGSIZE}, /* 33 pairs */
	    {"\x00\x00\x00\x01\x00\x00\x00\x09"
	     "ab",
	     10, -EPROTO},
	    {"\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00", 12, -EPROTO}, /* empty name */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		CHECK_INT(spdy_writer_init(&w), 0);
		uint8_t comp[256] = {0};
		w.z.next_in = (Bytef *)cases[i].plain;
		w.z.avail_in = (uInt)cases[i].len;
		w.z.next_out = comp;
		w.z.avail_out = sizeof comp;
		CHECK_INT(deflate(&w.z, Z_SYNC_FLUSH), Z_OK);
		size_t clen = sizeof comp - w.z.avail_out;
		uint8_t frame[8 + 10 + 256] = {0x80, 3, 0, 1, 0, 0, 0, (uint8_t)(10 + clen),
					       0,    0, 0, 1};
		memcpy(frame + 18, comp, clen);
		CHECK_INT(feed_one(frame, 18 + clen), cases[i].want);
		spdy_writer_free(&w);
	}

	/* A zlib bomb: 64 KiB of zeros compresses to a few hundred bytes. */
	z_stream z = {0};
	CHECK_INT(deflateInit(&z, 9), Z_OK);
	uint8_t *zeros = calloc(1, 65536), comp[1024] = {0};
	z.next_in = zeros;
	z.avail_in = 65536;
	z.next_out = comp;
	z.avail_out = sizeof comp;
	CHECK_INT(deflate(&z, Z_SYNC_FLUSH), Z_OK);
	size_t clen = sizeof comp - z.avail_out;
	deflateEnd(&z);
	free(zeros);
	uint8_t frame[8 + 10 + sizeof comp] = {
	    0x80, 3, 0, 1, 0, 0, (uint8_t)((10 + clen) >> 8), (uint8_t)(10 + clen), 0, 0, 0, 1};
	memcpy(frame + 18, comp, clen);
	CHECK_INT(feed_one(frame, 18 + clen), -EMSGSIZE);
}

/* Unknown control types are skipped whatever their size; the stream goes on. */
static void test_skips_unknown_control_frames(void)
{
	struct buf in = {0};
	buf_append(&in, "\x80\x03\x00\x0a\x00\x01\x00\x00", 8); /* type 10, 64 KiB */
	char *junk = calloc(1, 65536);
	buf_append(&in, junk, 65536);
	free(junk);
	spdy_build_ping(&in, 3);
	struct spdy_parser *p = parser_new();
	struct seen s = {0};
	CHECK_INT(spdy_parser_feed(p, in.data, in.len, record, &s), 0);
	CHECK_INT(s.n, 1);
	CHECK_INT(s.f[0].type, SPDY_PING);
	CHECK_INT(s.f[0].value, 3);
	buf_free(&in);
	parser_del(p);
}

/* A callback's error stops the feed without poisoning the parser. */
static void test_callback_can_stop(void)
{
	struct buf in = {0};
	spdy_build_ping(&in, 1);
	spdy_build_ping(&in, 3);
	struct spdy_parser *p = parser_new();
	struct seen s = {.stop_at = 1};
	CHECK_INT(spdy_parser_feed(p, in.data, in.len, record, &s), -ECANCELED);
	CHECK_INT(s.n, 1);
	s.stop_at = 0;
	struct buf more = {0};
	spdy_build_ping(&more, 5);
	CHECK_INT(spdy_parser_feed(p, more.data, more.len, record, &s), 0);
	CHECK_INT(s.f[s.n - 1].value, 5);
	buf_free(&in);
	buf_free(&more);
	parser_del(p);
}

int main(void)
{
	TEST_RUN(test_decodes_spdystream_syn_streams);
	TEST_RUN(test_decodes_byte_by_byte);
	TEST_RUN(test_round_trip_control_frames);
	TEST_RUN(test_data_streams_in_pieces);
	TEST_RUN(test_rejects_malformed_input);
	TEST_RUN(test_rejects_hostile_header_blocks);
	TEST_RUN(test_skips_unknown_control_frames);
	TEST_RUN(test_callback_can_stop);
	return test_summary();
}
