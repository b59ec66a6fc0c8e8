/* The cluster's keys and certificates (OpenSSL 3, ECDSA P-256: generated in
 * milliseconds even on a Pi): a CA, the API server's serving certificate, client
 * certificates (CN = user, O = groups), the kubeconfig, and join tokens. */
#ifndef COMMON_PKI_H
#define COMMON_PKI_H

#include <stddef.h>
#include <openssl/ssl.h>

struct pki {
	char *dir; /* DATA_DIR/tls */
	EVP_PKEY *ca_key;
	X509 *ca_cert;
	char *ca_pem;	  /* PEM text of the CA certificate */
	char ca_hash[65]; /* hex sha256 of the CA certificate DER */
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

/* SSL_CTX for the API server: serving cert+key, TLS >= 1.2, ALPN http/1.1 only,
 * client certificates requested (SSL_VERIFY_PEER without FAIL_IF_NO_PEER_CERT)
 * and verified against the CA. A certificate that fails verification does not
 * fail the handshake: use pki_peer_identity, never the raw peer certificate. */
SSL_CTX *pki_server_ctx(const struct pki *p, char **err);

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
 * pki_server_ctx: CN as *user_out, every O as a NULL-terminated *groups_out
 * (both malloc'd; free with free() and pki_strv_free()). -ENOENT when the
 * client sent no certificate, -EACCES when it did not verify against the CA
 * (the handshake still succeeds so bearer tokens keep working). */
int pki_peer_identity(SSL *ssl, char **user_out, char ***groups_out);
void pki_strv_free(char **v);

/* Random hex string of nbytes*2 characters plus NUL (out holds 2*nbytes+1;
 * for bearer tokens, uids). */
void pki_random_hex(char *out, size_t nbytes);

#endif
