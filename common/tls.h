/* TLS 1.2 for every connection minikube makes or accepts (API server, node
 * client, registry pulls, https probes), on mbedTLS. The caller owns the
 * transport (libuv or a blocking socket): it feeds the ciphertext it received
 * in, and sends the ciphertext this module queued. No other file includes
 * mbedTLS headers for TLS; keys, certificates and hashes are in pki.h and
 * crypto.h. */
#ifndef COMMON_TLS_H
#define COMMON_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct tls_config; /* built once, shared by many connections (reference counted) */
struct tls_conn;

/* Server side: chain_pem is the serving certificate followed by any
 * intermediates, key_pem its private key; when the chain's last certificate
 * was issued by a certificate of client_ca_pem, that one is sent too (as
 * OpenSSL completed chains: a joining node picks the CA out of the handshake,
 * see httpc_chain_find_ca). When client_ca_pem is set, client
 * certificates are requested and checked against it, but a missing or failing
 * one does not fail the handshake (bearer tokens still work): see
 * tls_peer_cert. alpn: NULL-terminated list the server accepts, in its order
 * of preference; a client that offers ALPN but none of these is refused with
 * a no_application_protocol alert (RFC 7301; mbedTLS has no "ignore" mode), a
 * client that offers no ALPN is served without. */
struct tls_config *tls_server_config(const char *chain_pem, const char *key_pem,
				     const char *client_ca_pem, const char *const *alpn,
				     char **err);

/* Client side. ca_pem NULL means the system store
 * (/etc/ssl/certs/ca-certificates.crt, read once, on first use);
 * with_system_ca trusts ca_pem in addition to it (registries). insecure: no
 * verification at all (plain-text registries on loopback are handled by the
 * caller, not here). A client certificate is sent when cert_pem and key_pem
 * are both set. */
struct tls_client_opts {
	const char *ca_pem;
	bool with_system_ca;
	bool insecure;
	const char *cert_pem, *key_pem;
	const char *const *alpn; /* NULL-terminated, may be NULL */
};
struct tls_config *tls_client_config(const struct tls_client_opts *o, char **err);

struct tls_config *tls_config_ref(struct tls_config *cfg);
void tls_config_unref(struct tls_config *cfg);

/* A connection. For clients, peer_name is the host name or IP literal the
 * certificate must match (DNS name or IP address SAN); a host name is also
 * sent as SNI. NULL for servers (and for insecure clients). The connection
 * holds a reference to cfg. NULL on allocation failure. */
struct tls_conn *tls_conn_new(struct tls_config *cfg, const char *peer_name);
void tls_conn_free(struct tls_conn *c);

/* Ciphertext received from the peer (copied). -ENOMEM only. */
int tls_feed(struct tls_conn *c, const void *data, size_t n);

/* Advances the handshake: 1 done, 0 wants more input (send the pending output
 * first), <0 failed (tls_error says why). */
int tls_handshake(struct tls_conn *c);

/* Decrypted bytes: >0 copied into buf, 0 need more input, TLS_EOF the peer
 * closed cleanly (close_notify), <0 error. Runs the handshake first if needed. */
#define TLS_EOF (-1000)
ssize_t tls_read(struct tls_conn *c, void *buf, size_t cap);

/* Encrypts all n bytes into the pending output; returns n or <0. Callers
 * write large bodies in slices and drain the output between them. */
ssize_t tls_write(struct tls_conn *c, const void *buf, size_t n);

/* Ciphertext waiting to be sent: returns its length and points *data at it;
 * after sending k bytes call tls_output_done(c, k). */
size_t tls_output(struct tls_conn *c, const void **data);
void tls_output_done(struct tls_conn *c, size_t k);

/* Bytes received but not yet returned by tls_read (ciphertext and decrypted),
 * for back-pressure. */
size_t tls_input_pending(const struct tls_conn *c);

/* Queues close_notify. */
void tls_close(struct tls_conn *c);

/* Releases the ciphertext queues of an idle connection until the next use
 * (pooled keep-alive connections). mbedTLS's own record buffers (~33 KB a
 * connection) stay: Debian's 2.28 is built without
 * MBEDTLS_SSL_VARIABLE_BUFFER_LENGTH, and its context serialisation is
 * DTLS-only. */
void tls_idle(struct tls_conn *c);

bool tls_handshake_done(const struct tls_conn *c);
/* The handshake failed because the peer's certificate did not verify (CA,
 * name or IP address, validity): tls_error says which. */
bool tls_verify_failed(const struct tls_conn *c);
const char *tls_alpn(const struct tls_conn *c);	 /* negotiated protocol or NULL */
const char *tls_error(const struct tls_conn *c); /* last failure, never NULL */

/* The peer's leaf certificate as DER (NULL when it sent none) and whether it
 * verified against the configured CA. */
const unsigned char *tls_peer_cert(const struct tls_conn *c, size_t *len, bool *verified);

/* Every certificate the peer sent, as PEM (malloc'd; NULL if none). For
 * joining: the CA is picked from this chain by its hash, before trusting it. */
char *tls_peer_chain_pem(const struct tls_conn *c);

/* Blocking file descriptors (registry pulls, tests, benchmarks): the same
 * engine, with fd read and written in place (send with MSG_NOSIGNAL on
 * sockets). 0 / bytes, or <0: -errno from the socket (-EAGAIN on a receive
 * timeout), -ECONNRESET when the peer closed during the handshake, -EPROTO
 * on a TLS failure (tls_error). tls_fd_read returns 0 at the end of the
 * stream (close_notify, or the peer closed without one). tls_fd_write
 * writes all n bytes. tls_fd_close sends close_notify (best effort). */
int tls_fd_handshake(struct tls_conn *c, int fd);
ssize_t tls_fd_read(struct tls_conn *c, int fd, void *buf, size_t cap);
ssize_t tls_fd_write(struct tls_conn *c, int fd, const void *buf, size_t n);
void tls_fd_close(struct tls_conn *c, int fd);

#endif
