/* Hashes, HMAC, base64 and kernel randomness for the rest of the tree (see
 * crypto.h): SHA-256/SHA-1/HMAC from mbedTLS, base64 encoding from mbedTLS
 * and a strict decoder of our own (one alphabet at a time, no whitespace,
 * canonical trailing bits), random bytes from getrandom(2). */
#define _GNU_SOURCE
#include "common/crypto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <mbedtls/base64.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>

_Static_assert(sizeof(struct sha256) >= sizeof(mbedtls_sha256_context),
	       "struct sha256 must hold an mbedtls_sha256_context");
_Static_assert(_Alignof(struct sha256) >= _Alignof(mbedtls_sha256_context),
	       "struct sha256 must be aligned like an mbedtls_sha256_context");

static mbedtls_sha256_context *sha256_ctx(struct sha256 *h)
{
	return (mbedtls_sha256_context *)(void *)h->state;
}

/* ---- SHA-256 ---- */

void sha256_init(struct sha256 *h)
{
	mbedtls_sha256_init(sha256_ctx(h));
	(void)mbedtls_sha256_starts_ret(sha256_ctx(h), 0); /* cannot fail in software */
}

void sha256_update(struct sha256 *h, const void *data, size_t n)
{
	(void)mbedtls_sha256_update_ret(sha256_ctx(h), data, n);
}

void sha256_final(struct sha256 *h, unsigned char out[32])
{
	(void)mbedtls_sha256_finish_ret(sha256_ctx(h), out);
	mbedtls_sha256_free(sha256_ctx(h));
}

void sha256(const void *data, size_t n, unsigned char out[32])
{
	(void)mbedtls_sha256_ret(data, n, out, 0);
}

void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void sha256_hex(const void *data, size_t n, char out[65])
{
	unsigned char md[32];
	sha256(data, n, md);
	hex_encode(md, sizeof md, out);
}

void sha1(const void *data, size_t n, unsigned char out[20])
{
	(void)mbedtls_sha1_ret(data, n, out);
}

void hmac_sha256(const void *key, size_t keylen, const void *data, size_t n, unsigned char out[32])
{
	/* Only fails on a NULL md_info or an allocation failure: no MAC to hand out. */
	if (mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), key, keylen, data, n,
			    out) != 0)
		abort();
}

/* ---- base64 ---- */

size_t base64_encode(const void *in, size_t n, char *out)
{
	size_t olen = 0;
	/* The buffer is BASE64_LEN(n) + 1 by contract, which is what mbedTLS needs. */
	if (mbedtls_base64_encode((unsigned char *)out, BASE64_LEN(n) + 1, &olen, in, n) != 0)
		abort();
	out[olen] = '\0';
	return olen;
}

size_t base64url_encode(const void *in, size_t n, char *out)
{
	size_t len = base64_encode(in, n, out);
	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = '\0';
	for (size_t i = 0; i < len; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	return len;
}

static int b64_value(char c, bool url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

long base64_decode(const char *in, size_t n, void *out, size_t cap, bool url)
{
	unsigned char *o = out;
	size_t pad = 0, len = 0;
	unsigned acc = 0;
	int bits = 0;
	while (pad < 2 && pad < n && in[n - 1 - pad] == '=')
		pad++;
	/* Padded input comes in whole quads; the URL form may drop the padding. */
	if (pad > 0 || !url) {
		if (n % 4 != 0)
			return -1;
	} else if (n % 4 == 1) {
		return -1;
	}
	n -= pad;
	for (size_t i = 0; i < n; i++) {
		int v = b64_value(in[i], url);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (len == cap)
				return -1;
			o[len++] = (unsigned char)(acc >> bits);
		}
	}
	/* The standard form ignores leftover bits, as Go's encoding/base64
	 * does (Kubernetes accepts "YR==" for "a" in a Secret); the URL form
	 * (JWS) wants them zero, so one token has one spelling. */
	if (url && bits && (acc & ((1u << bits) - 1)))
		return -1;
	return (long)len;
}

char *base64_encode_alloc(const void *in, size_t n)
{
	char *out = malloc(BASE64_LEN(n) + 1);
	if (out)
		base64_encode(in, n, out);
	return out;
}

char *base64_decode_alloc(const char *in, size_t n, size_t *outlen)
{
	size_t cap = n / 4 * 3 + 3;
	char *out = malloc(cap + 1);
	long len = out ? base64_decode(in, n, out, cap, false) : -1;
	if (len < 0) {
		free(out);
		return NULL;
	}
	out[len] = '\0';
	*outlen = (size_t)len;
	return out;
}

/* ---- randomness ---- */

void random_bytes(void *out, size_t n)
{
	unsigned char *p = out;
	while (n > 0) {
		ssize_t r = getrandom(p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			abort(); /* no entropy: nothing safe to hand out */
		p += r;
		n -= (size_t)r;
	}
}

int crypto_rng(void *p_rng, unsigned char *out, size_t n)
{
	(void)p_rng;
	random_bytes(out, n);
	return 0;
}

bool ct_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;
	for (size_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

void secure_zero(void *p, size_t n)
{
	mbedtls_platform_zeroize(p, n);
}
