/* Tests for common/websocket: the RFC 6455 handshake key, subprotocol choice,
 * frame parsing (masking, fragmentation, interleaved control frames, split
 * input, bounds, protocol errors) and frame building. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/websocket.h"
#include "tests/test.h"

struct got {
	int n;
	int op[8];
	struct buf data[8];
	int stop_at; /* return 1 from the n-th message (1-based); 0: never */
};

static int collect(void *ud, int op, const char *data, size_t len)
{
	struct got *g = ud;
	if (g->n < 8) {
		g->op[g->n] = op;
		buf_append(&g->data[g->n], data, len);
	}
	g->n++;
	return g->stop_at && g->n == g->stop_at;
}

static void got_free(struct got *g)
{
	for (int i = 0; i < 8; i++)
		buf_free(&g->data[i]);
}

static void test_accept_key(void)
{
	char out[29];
	/* The example of RFC 6455 section 1.3. */
	CHECK_INT(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out), 0);
	CHECK_STR(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	CHECK_INT(ws_accept_key("short", out), -EINVAL);
	CHECK_INT(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ", out), -EINVAL);
	/* 24 characters that are not 16 bytes of base64 */
	CHECK_INT(ws_accept_key("dGhlIHNhbXBsZSBub25jZ===", out), -EINVAL);
	CHECK_INT(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=x", out), -EINVAL);
	CHECK_INT(ws_accept_key("dGhlIHNhbXBsZSBub25jZ!==", out), -EINVAL);
	CHECK_INT(ws_accept_key(NULL, out), -EINVAL);
}

static void test_pick_protocol(void)
{
	static const char *const ours[] = {"v5.channel.k8s.io", "v4.channel.k8s.io", NULL};
	CHECK_INT(ws_pick_protocol("v5.channel.k8s.io", ours), 0);
	CHECK_INT(ws_pick_protocol("v4.channel.k8s.io", ours), 1);
	/* our preference wins over the client's order */
	CHECK_INT(ws_pick_protocol("v4.channel.k8s.io, v5.channel.k8s.io,channel.k8s.io", ours), 0);
	CHECK_INT(ws_pick_protocol("channel.k8s.io", ours), -1);
	CHECK_INT(ws_pick_protocol("v5.channel.k8s.io.evil", ours), -1);
	CHECK_INT(ws_pick_protocol(NULL, ours), -1);
}

static void test_handshake_response(void)
{
	struct buf b = {0};
	CHECK_INT(ws_handshake_response(&b, "dGhlIHNhbXBsZSBub25jZQ==", "v4.channel.k8s.io"), 0);
	CHECK(strstr(b.data, "HTTP/1.1 101 Switching Protocols\r\n") == b.data);
	CHECK(strstr(b.data, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
	CHECK(strstr(b.data, "Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n"));
	CHECK(b.len > 4 && !memcmp(b.data + b.len - 4, "\r\n\r\n", 4));
	buf_free(&b);
	CHECK_INT(ws_handshake_response(&b, "bad", NULL), -EINVAL);
	buf_free(&b);
}

static const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};

static void test_roundtrip_masked_split(void)
{
	struct buf b = {0};
	ws_frame_build(&b, WS_OP_BINARY, true,
		       "\x01"
		       "hello",
		       6, mask);
	/* the RFC's masked "Hello" example */
	struct buf rfc = {0};
	ws_frame_build(&rfc, WS_OP_TEXT, true, "Hello", 5, mask);
	CHECK_INT(rfc.len, 11);
	CHECK(!memcmp(rfc.data,
		      "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51"
		      "\x58",
		      11));
	buf_free(&rfc);
	struct ws_parser p;
	ws_parser_init(&p, 0, true);
	struct got g = {0};
	/* byte by byte: the parser keeps partial frames */
	for (size_t i = 0; i < b.len; i++)
		CHECK_INT(ws_parser_feed(&p, b.data + i, 1, collect, &g), 0);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.op[0], WS_OP_BINARY);
	CHECK_INT(g.data[0].len, 6);
	CHECK(!memcmp(g.data[0].data,
		      "\x01"
		      "hello",
		      6));
	ws_parser_free(&p);
	got_free(&g);
	buf_free(&b);
}

static void test_lengths(void)
{
	size_t sizes[] = {0, 125, 126, 65535, 65536, 200000};
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		char *data = malloc(sizes[s] + 1);
		for (size_t i = 0; i < sizes[s]; i++)
			data[i] = (char)(i * 7);
		struct buf b = {0};
		ws_frame_build(&b, WS_OP_BINARY, true, data, sizes[s], NULL);
		struct ws_parser p;
		ws_parser_init(&p, 0, false);
		struct got g = {0};
		CHECK_INT(ws_parser_feed(&p, b.data, b.len, collect, &g), 0);
		CHECK_INT(g.n, 1);
		CHECK_INT(g.data[0].len, sizes[s]);
		CHECK(sizes[s] == 0 || !memcmp(g.data[0].data, data, sizes[s]));
		ws_parser_free(&p);
		got_free(&g);
		buf_free(&b);
		free(data);
	}
}

static void test_fragments_with_ping(void)
{
	struct buf b = {0};
	ws_frame_build(&b, WS_OP_BINARY, false,
		       "\x01"
		       "ab",
		       3, mask);
	ws_frame_build(&b, WS_OP_PING, true, "p", 1, mask);
	ws_frame_build(&b, WS_OP_CONT, false, "cd", 2, mask);
	ws_frame_build(&b, WS_OP_CONT, true, "e", 1, mask);
	ws_close_build(&b, WS_CLOSE_NORMAL, "bye", mask);
	ws_frame_build(&b, WS_OP_BINARY, true, "x", 1, mask); /* after close: ignored */
	struct ws_parser p;
	ws_parser_init(&p, 0, true);
	struct got g = {0};
	CHECK_INT(ws_parser_feed(&p, b.data, b.len, collect, &g), 0);
	CHECK_INT(g.n, 3);
	CHECK_INT(g.op[0], WS_OP_PING);
	CHECK_INT(g.op[1], WS_OP_BINARY);
	CHECK_STR(g.data[1].data, "\x01"
				  "abcde");
	CHECK_INT(g.op[2], WS_OP_CLOSE);
	CHECK_INT(g.data[2].len, 5);
	CHECK(!memcmp(g.data[2].data,
		      "\x03\xe8"
		      "bye",
		      5));
	CHECK(p.closed);
	ws_parser_free(&p);
	got_free(&g);
	buf_free(&b);
}

static int feed_one(const struct buf *b, size_t max, bool require_mask)
{
	struct ws_parser p;
	ws_parser_init(&p, max, require_mask);
	struct got g = {0};
	int rc = ws_parser_feed(&p, b->data, b->len, collect, &g);
	ws_parser_free(&p);
	got_free(&g);
	return rc;
}

static void test_protocol_errors(void)
{
	struct buf b = {0};
	ws_frame_build(&b, WS_OP_BINARY, true, "x", 1, NULL);
	CHECK_INT(feed_one(&b, 0, true), -EPROTO); /* clients must mask */
	CHECK_INT(feed_one(&b, 0, false), 0);
	b.data[0] |= 0x40; /* RSV1 without an extension */
	CHECK_INT(feed_one(&b, 0, false), -EPROTO);
	buf_free(&b);
	ws_frame_build(&b, WS_OP_CONT, true, "x", 1, NULL); /* nothing to continue */
	CHECK_INT(feed_one(&b, 0, false), -EPROTO);
	buf_free(&b);
	ws_frame_build(&b, WS_OP_PING, false, "x", 1, NULL); /* fragmented control */
	CHECK_INT(feed_one(&b, 0, false), -EPROTO);
	buf_free(&b);
	char big[200] = {0};
	ws_frame_build(&b, WS_OP_PING, true, big, sizeof big, NULL);
	CHECK_INT(feed_one(&b, 0, false), -EPROTO);
	buf_free(&b);
	ws_frame_build(&b, 3, true, "x", 1, NULL); /* reserved opcode */
	CHECK_INT(feed_one(&b, 0, false), -EPROTO);
	buf_free(&b);
	ws_frame_build(&b, WS_OP_TEXT, false, "a", 1, NULL);
	ws_frame_build(&b, WS_OP_TEXT, true, "b", 1, NULL); /* new message inside one */
	CHECK_INT(feed_one(&b, 0, false), -EPROTO);
	buf_free(&b);
}

static void test_size_bound(void)
{
	struct buf b = {0};
	char data[100] = {0};
	ws_frame_build(&b, WS_OP_BINARY, true, data, sizeof data, NULL);
	CHECK_INT(feed_one(&b, 99, false), -EMSGSIZE);
	CHECK_INT(feed_one(&b, 100, false), 0);
	buf_free(&b);
	/* fragments add up against the bound */
	ws_frame_build(&b, WS_OP_BINARY, false, data, 60, NULL);
	ws_frame_build(&b, WS_OP_CONT, true, data, 60, NULL);
	CHECK_INT(feed_one(&b, 100, false), -EMSGSIZE);
	buf_free(&b);
	/* a huge announced length is refused from the header alone */
	const char hdr[] = "\x82\x7f\x00\x00\x00\x01\x00\x00\x00\x00";
	buf_append(&b, hdr, 10);
	CHECK_INT(feed_one(&b, 0, false), -EMSGSIZE);
	buf_free(&b);
}

static void test_callback_stops(void)
{
	struct buf b = {0};
	ws_frame_build(&b, WS_OP_BINARY, true, "a", 1, NULL);
	ws_frame_build(&b, WS_OP_BINARY, true, "b", 1, NULL);
	struct ws_parser p;
	ws_parser_init(&p, 0, false);
	struct got g = {.stop_at = 1};
	CHECK_INT(ws_parser_feed(&p, b.data, b.len, collect, &g), 1);
	CHECK_INT(g.n, 1);
	ws_parser_free(&p);
	got_free(&g);
	buf_free(&b);
}

int main(void)
{
	TEST_RUN(test_accept_key);
	TEST_RUN(test_pick_protocol);
	TEST_RUN(test_handshake_response);
	TEST_RUN(test_roundtrip_masked_split);
	TEST_RUN(test_lengths);
	TEST_RUN(test_fragments_with_ping);
	TEST_RUN(test_protocol_errors);
	TEST_RUN(test_size_bound);
	TEST_RUN(test_callback_stops);
	return test_summary();
}
