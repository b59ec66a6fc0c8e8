/* The cluster's keys and certificates (mbedTLS underneath, hidden here; ECDSA
 * P-256: generated in milliseconds even on a Pi): a CA, the API server's serving
 * certificate, client certificates (CN = user, O = groups), the kubeconfig,
 * join tokens, and the key/signature/CSR helpers service-account tokens and
 * node joins use. */
#ifndef COMMON_PKI_H
#define COMMON_PKI_H

#include <stdbool.h>
#include <stddef.h>

struct tls_config;
struct tls_conn;
struct pki_ca; /* the CA certificate and key (private to pki.c) */

struct pki {
	char *dir;	   /* DATA_DIR/tls */
	struct pki_ca *ca; /* NULL until loaded */
	char *ca_pem;	   /* PEM text of the CA certificate */
	char ca_hash[65];  /* hex sha256 of the CA certificate DER */
};

/* Loads DATA_DIR/tls/{ca.crt,ca.key,...} or creates them on first start.
 * Serving certificate SANs: hostname, every local IP, 127.0.0.1, ::1,
 * localhost, kubernetes, kubernetes.default, kubernetes.default.svc,
 * kubernetes.default.svc.cluster.local, the first service IP (service_ip)
 * plus extra_sans (NULL-terminated, may be NULL). An existing serving
 * certificate that lacks a required SAN is reissued. *err: malloc'd message. */
int pki_load_or_create(struct pki *p, const char *data_dir, const char *service_ip,
		       const char *const *extra_sans, char **err);
void pki_free(struct pki *p);

/* TLS configuration for the API server (common/tls.h): the serving
 * certificate and key from DATA_DIR/tls, ALPN http/1.1 only, client
 * certificates requested and checked against the CA. A certificate that fails
 * verification does not fail the handshake: use pki_peer_identity, never the
 * raw peer certificate. Release with tls_config_unref. */
struct tls_config *pki_server_config(const struct pki *p, char **err);

/* Issues a client certificate for user/groups signed by the CA. PEM strings
 * are malloc'd (caller frees). */
int pki_issue_client(const struct pki *p, const char *user, const char *const *groups,
		     char **cert_pem, char **key_pem, char **err);

/* Writes DATA_DIR/kubeconfig.yaml (mode 0600) for the admin (system:masters)
 * pointing at server_url, creating the admin certificate on first start and
 * reusing it after. Returns the path in *path_out (malloc'd). */
int pki_write_admin_kubeconfig(const struct pki *p, const char *data_dir, const char *server_url,
			       char **path_out, char **err);

/* Node join token in the k3s form K10<ca sha256 hex>::server:<secret>, the
 * secret kept in DATA_DIR/tls/server-token (created once, 0600). */
int pki_server_token(const struct pki *p, const char *data_dir, char **token_out, char **err);

/* Certificate signing requests (node join). csr_pem is bounded by
 * PKI_MAX_CSR bytes; its own signature must verify.
 * pki_csr_common_name: the subject CN into cn (cnlen bytes), -EINVAL with a
 * message when the CSR is malformed, unsigned or has no usable CN.
 * pki_sign_csr: a client certificate (EKU clientAuth, 1 year) for the CSR's
 * key with subject CN from the CSR and O = groups (the CSR's own O entries
 * are ignored: the CA decides the groups). *cert_pem malloc'd. */
#define PKI_MAX_CSR 8192
int pki_csr_common_name(const char *csr_pem, size_t len, char *cn, size_t cnlen, char **err);
int pki_sign_csr(const struct pki *p, const char *csr_pem, size_t len, const char *const *groups,
		 char **cert_pem, char **err);

/* Hex sha256 of a PEM certificate's DER into out (65 bytes); -EINVAL when
 * pem holds no certificate. */
int pki_cert_pem_hash(const char *pem, char out[65]);

/* The verified client-certificate identity of a TLS connection made with
 * pki_server_config: CN as *user_out, every O as a NULL-terminated *groups_out
 * (both malloc'd; free with free() and pki_strv_free()). -ENOENT when the
 * client sent no certificate, -EACCES when it did not verify against the CA
 * (the handshake still succeeds so bearer tokens keep working). */
int pki_peer_identity(const struct tls_conn *c, char **user_out, char ***groups_out);
void pki_strv_free(char **v);

/* Random hex string of nbytes*2 characters plus NUL (out holds 2*nbytes+1;
 * for bearer tokens, uids). */
void pki_random_hex(char *out, size_t nbytes);

/* The CN of the first certificate in pem into cn (cnlen bytes); -EINVAL when
 * pem holds no certificate or no usable CN. */
int pki_cert_pem_common_name(const char *pem, char *cn, size_t cnlen);

/* ---- private keys (service-account signing key, node key) ---- */

struct pki_key;
/* A new ECDSA P-256 key; NULL when out of memory. */
struct pki_key *pki_key_generate(void);
/* A private key from PEM text (NUL-terminated): "EC PRIVATE KEY" (SEC1),
 * "PRIVATE KEY" (PKCS#8, what the OpenSSL build wrote) or "RSA PRIVATE KEY".
 * NULL when it is none of these. */
struct pki_key *pki_key_from_pem(const char *pem);
/* The key as PEM ("EC PRIVATE KEY" for EC keys; malloc'd, caller wipes and
 * frees). */
char *pki_key_to_pem(const struct pki_key *k);
void pki_key_free(struct pki_key *k);
bool pki_key_is_p256(const struct pki_key *k);
/* SHA-256 of the DER SubjectPublicKeyInfo of the key's public half (the JWS
 * "kid" upstream derives). */
int pki_key_spki_sha256(const struct pki_key *k, unsigned char out[32]);

/* ES256 (RFC 7518 §3.4): ECDSA P-256 over SHA-256(msg), the signature as raw
 * r || s, 32 bytes each. sign: 0 or -EINVAL (not a P-256 key) / -EIO.
 * verify: true only for a valid signature by k. */
int pki_es256_sign(const struct pki_key *k, const void *msg, size_t n, unsigned char sig[64]);
bool pki_es256_verify(const struct pki_key *k, const void *msg, size_t n,
		      const unsigned char sig[64]);

/* A PEM certificate signing request for subject O = orgs (NULL-terminated,
 * may be NULL), CN = cn, signed SHA-256 by k. malloc'd; NULL on failure. */
char *pki_csr_new(const struct pki_key *k, const char *cn, const char *const *orgs);

#endif
