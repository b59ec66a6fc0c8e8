/* Tests for common/crypto: SHA-256 (one shot and streaming) and SHA-1
 * against the FIPS 180 examples, HMAC-SHA256 against RFC 4231, base64 and
 * base64url round trips and refusals, the RFC 6455 WebSocket accept example,
 * randomness and the constant-time compare. */
#include "common/crypto.h"
#include "tests/test.h"

#include <stdlib.h>

static void hex_of(const unsigned char *in, size_t n, char *out)
{
	hex_encode(in, n, out);
}

static void test_sha256(void)
{
	unsigned char md[32];
	char hex[65];
	sha256("abc", 3, md);
	hex_of(md, 32, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_sha256_streaming(void)
{
	struct sha256 h;
	unsigned char md[32];
	char hex[65], chunk[1000];
	memset(chunk, 'a', sizeof chunk);
	/* A million 'a's in uneven slices (FIPS 180-2 appendix B.3). */
	sha256_init(&h);
	size_t done = 0, step = 1;
	while (done < 1000000) {
		size_t n = step % sizeof chunk;
		if (n > 1000000 - done)
			n = 1000000 - done;
		sha256_update(&h, chunk, n);
		done += n;
		step = step * 7 + 3;
	}
	sha256_final(&h, md);
	hex_of(md, 32, hex);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* Byte at a time equals one shot. */
	sha256_init(&h);
	sha256_update(&h, "a", 1);
	sha256_update(&h, "", 0);
	sha256_update(&h, "bc", 2);
	sha256_final(&h, md);
	hex_of(md, 32, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_sha1(void)
{
	unsigned char md[20];
	char hex[41];
	sha1("abc", 3, md);
	hex_of(md, 20, hex);
	CHECK_STR(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
}

static void test_hmac(void)
{
	unsigned char mac[32], key[131];
	char hex[65];
	/* RFC 4231 test case 2. */
	hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac);
	hex_of(mac, 32, hex);
	CHECK_STR(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* Test case 6: a key longer than the block is hashed first. */
	memset(key, 0xaa, sizeof key);
	hmac_sha256(key, sizeof key, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
		    mac);
	hex_of(mac, 32, hex);
	CHECK_STR(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_base64(void)
{
	static const struct {
		const char *plain, *std, *url;
	} v[] = {
	    {"", "", ""},
	    {"f", "Zg==", "Zg"},
	    {"fo", "Zm8=", "Zm8"},
	    {"foo", "Zm9v", "Zm9v"},
	    {"foob", "Zm9vYg==", "Zm9vYg"},
	    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
	    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
	};
	char enc[64];
	unsigned char dec[64];
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		size_t n = strlen(v[i].plain);
		CHECK_INT(base64_encode(v[i].plain, n, enc), strlen(v[i].std));
		CHECK_STR(enc, v[i].std);
		CHECK_INT(base64url_encode(v[i].plain, n, enc), strlen(v[i].url));
		CHECK_STR(enc, v[i].url);
		CHECK_INT(base64_decode(v[i].std, strlen(v[i].std), dec, sizeof dec, false), n);
		CHECK(memcmp(dec, v[i].plain, n) == 0);
		CHECK_INT(base64_decode(v[i].url, strlen(v[i].url), dec, sizeof dec, true), n);
		CHECK(memcmp(dec, v[i].plain, n) == 0);
		/* The URL form also takes padding. */
		CHECK_INT(base64_decode(v[i].std, strlen(v[i].std), dec, sizeof dec, true), n);
	}
	/* Every byte value, both alphabets. */
	unsigned char all[256];
	char big[BASE64_LEN(256) + 1];
	unsigned char back[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	CHECK_INT(base64_encode(all, 256, big), BASE64_LEN(256));
	CHECK_INT(base64_decode(big, strlen(big), back, sizeof back, false), 256);
	CHECK(memcmp(all, back, 256) == 0);
	CHECK(strchr(big, '+') && strchr(big, '/'));
	base64url_encode(all, 256, big);
	CHECK(!strchr(big, '+') && !strchr(big, '/') && !strchr(big, '='));
	CHECK_INT(base64_decode(big, strlen(big), back, sizeof back, true), 256);
	CHECK(memcmp(all, back, 256) == 0);
	CHECK_INT(base64_decode(big, strlen(big), back, sizeof back, false), -1);
	CHECK_STR((base64url_encode("\xfb\xff", 2, enc), enc), "-_8");
}

static void test_base64_malformed(void)
{
	unsigned char out[16];
	CHECK_INT(base64_decode("Zg", 2, out, sizeof out, false), -1);	     /* std needs padding */
	CHECK_INT(base64_decode("Zg=", 3, out, sizeof out, false), -1);	     /* short padding */
	CHECK_INT(base64_decode("Z===", 4, out, sizeof out, false), -1);     /* too much padding */
	CHECK_INT(base64_decode("Zg==Zg==", 8, out, sizeof out, false), -1); /* padding inside */
	CHECK_INT(base64_decode("Zh==", 4, out, sizeof out, false), 1); /* leftover bits: as Go */
	CHECK_INT(out[0], 'f');
	CHECK_INT(base64_decode("Zh", 2, out, sizeof out, true), -1); /* but not in a JWS */
	size_t n = 0;
	char *dec = base64_decode_alloc("aGk=", 4, &n);
	CHECK_STR(dec, "hi");
	CHECK_INT(n, 2);
	free(dec);
	CHECK(base64_decode_alloc("aGk", 3, &n) == NULL);
	CHECK(base64_decode_alloc("a$k=", 4, &n) == NULL);
	char *enc = base64_encode_alloc("hi", 2);
	CHECK_STR(enc, "aGk=");
	free(enc);
	CHECK_INT(base64_decode("Zm9 v", 5, out, sizeof out, false), -1);    /* whitespace */
	CHECK_INT(base64_decode("Zm9\nv", 5, out, sizeof out, false), -1);
	CHECK_INT(base64_decode("-_8A", 4, out, sizeof out, false), -1); /* url alphabet */
	CHECK_INT(base64_decode("+/8A", 4, out, sizeof out, true), -1);	 /* std alphabet */
	CHECK_INT(base64_decode("Z", 1, out, sizeof out, true), -1);	 /* one char */
	CHECK_INT(base64_decode("Zm9vYmFy", 8, out, 5, false), -1);	 /* does not fit */
	CHECK_INT(base64_decode("Zm9vYmFy", 8, out, 6, false), 6);
	CHECK_INT(base64_decode("Zm\0v", 4, out, sizeof out, false), -1); /* NUL */
}

static void test_websocket_accept(void)
{
	/* RFC 6455 section 1.3. */
	const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
	char cat[128], acc[BASE64_LEN(20) + 1];
	unsigned char raw[20], nonce[16];
	CHECK_INT(base64_decode(key, strlen(key), nonce, sizeof nonce, false), 16);
	CHECK(memcmp(nonce, "the sample nonce", 16) == 0);
	snprintf(cat, sizeof cat, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
	sha1(cat, strlen(cat), raw);
	base64_encode(raw, sizeof raw, acc);
	CHECK_STR(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

static void test_random(void)
{
	unsigned char a[32] = {0}, b[32] = {0}, zero[32] = {0}, c[8];
	random_bytes(a, sizeof a);
	random_bytes(b, sizeof b);
	CHECK(memcmp(a, b, sizeof a) != 0);
	CHECK(memcmp(a, zero, sizeof a) != 0);
	CHECK_INT(crypto_rng(NULL, c, sizeof c), 0);
	random_bytes(c, 0);
}

static void test_ct_equal_and_zero(void)
{
	char s[] = "secret";
	CHECK(ct_equal("abcdef", "abcdef", 6));
	CHECK(!ct_equal("abcdef", "abcdeg", 6));
	CHECK(!ct_equal("xbcdef", "abcdef", 6));
	CHECK(ct_equal("a", "b", 0));
	secure_zero(s, sizeof s);
	for (size_t i = 0; i < sizeof s; i++)
		CHECK(s[i] == 0);
}

int main(void)
{
	TEST_RUN(test_sha256);
	TEST_RUN(test_sha256_streaming);
	TEST_RUN(test_sha1);
	TEST_RUN(test_hmac);
	TEST_RUN(test_base64);
	TEST_RUN(test_base64_malformed);
	TEST_RUN(test_websocket_accept);
	TEST_RUN(test_random);
	TEST_RUN(test_ct_equal_and_zero);
	return test_summary();
}
