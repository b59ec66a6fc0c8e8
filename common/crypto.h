/* Hashes, encodings and randomness (mbedTLS and getrandom(2) underneath; no
 * other file includes mbedTLS for these). */
#ifndef COMMON_CRYPTO_H
#define COMMON_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SHA-256, streaming. The state is opaque; its size is checked in crypto.c. */
struct sha256 {
	_Alignas(8) unsigned char state[128];
};
void sha256_init(struct sha256 *h);
void sha256_update(struct sha256 *h, const void *data, size_t n);
void sha256_final(struct sha256 *h, unsigned char out[32]);
void sha256(const void *data, size_t n, unsigned char out[32]);
void sha256_hex(const void *data, size_t n, char out[65]); /* lower-case hex + NUL */
void hex_encode(const unsigned char *in, size_t n, char *out); /* 2n chars + NUL */

void sha1(const void *data, size_t n, unsigned char out[20]); /* WebSocket accept key only */
void hmac_sha256(const void *key, size_t keylen, const void *data, size_t n, unsigned char out[32]);

/* Standard base64 with padding. base64_encode writes BASE64_LEN(n) chars plus
 * NUL and returns the length. base64_decode accepts padded input (url: the
 * URL-safe alphabet, padding optional) and returns the decoded length, or -1
 * when the input is malformed or does not fit cap. The standard form ignores
 * the unused bits of the last character, like Go's decoders (what
 * Kubernetes uses for Secret data); the URL form (JWS) refuses them. The
 * _alloc forms return malloc'd, NUL-terminated memory, NULL
 * for malformed input or no memory. */
#define BASE64_LEN(n) (((n) + 2) / 3 * 4)
size_t base64_encode(const void *in, size_t n, char *out);
size_t base64url_encode(const void *in, size_t n, char *out); /* no padding */
long base64_decode(const char *in, size_t n, void *out, size_t cap, bool url);
char *base64_encode_alloc(const void *in, size_t n);
char *base64_decode_alloc(const char *in, size_t n, size_t *outlen);

/* Kernel randomness (getrandom(2)); aborts if the kernel cannot give it.
 * crypto_rng is the same with mbedTLS's f_rng signature (p_rng unused). */
void random_bytes(void *out, size_t n);
int crypto_rng(void *p_rng, unsigned char *out, size_t n);

/* Compares in time independent of the contents (secrets). */
bool ct_equal(const void *a, const void *b, size_t n);
/* Zeroes a secret so the compiler cannot drop it. */
void secure_zero(void *p, size_t n);

#endif
