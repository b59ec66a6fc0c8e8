/* Service-account tokens: the bound JWTs the real API server issues through
 * TokenRequest (POST .../serviceaccounts/NAME/token), signed ES256 with a
 * P-256 key the server creates once under DATA_DIR/tls (0600), and accepted
 * back as Bearer credentials for user system:serviceaccount:NS:NAME while the
 * ServiceAccount (and the Pod the token is bound to) still exists. Also the
 * ServiceAccount admission plugin (a pod's kube-api-access-XXXXX projected
 * volume) and SelfSubjectReview (`kubectl auth whoami`).
 *
 * The JWT functions are pure (key in, string out) so tests/satoken_test.c can
 * exercise them without a server. */
#ifndef APISERVER_SATOKEN_H
#define APISERVER_SATOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

struct pki_key; /* common/pki.h */

/* The issuer, and the only audience the API server accepts (upstream's
 * --api-audiences defaults to --service-account-issuer). */
#define SATOKEN_ISSUER "https://kubernetes.default.svc.cluster.local"
#define SATOKEN_MAX_LEN 8192	/* a Bearer JWT longer than this is refused unread */
#define SATOKEN_MIN_SECONDS 600 /* TokenRequest spec.expirationSeconds bounds */
#define SATOKEN_DEFAULT_SECONDS 3600
#define SATOKEN_MOUNT_PATH "/var/run/secrets/kubernetes.io/serviceaccount"
#define SATOKEN_SA_PREFIX "system:serviceaccount:"

/* Loads the PEM private key at path (SEC1 "EC PRIVATE KEY" or PKCS#8, which
 * the OpenSSL build wrote) or, when the file does not exist, creates a P-256
 * key there (mode 0600, written atomically). Anything but P-256 is refused.
 * *err: malloc'd message. */
int satoken_key_load_or_create(const char *path, struct pki_key **out, char **err);

/* A compact JWS (header.payload.signature, base64url) of claims signed ES256
 * with key, header {"alg":"ES256","kid":<base64url sha256 of the public key>}.
 * Caller frees; NULL on failure. */
char *satoken_sign(const struct pki_key *key, const json_t *claims);

/* Verifies jwt against key and the registered claims: alg ES256, signature,
 * iss == SATOKEN_ISSUER, audience among aud, nbf <= now < exp. 0 and the
 * claims (new reference) in *claims_out; -EINVAL malformed, -EBADMSG bad
 * signature, -EKEYEXPIRED expired or not yet valid, -EACCES wrong issuer or
 * audience. */
int satoken_verify(const struct pki_key *key, const char *jwt, time_t now, const char *audience,
		   json_t **claims_out);

/* base64url without padding (RFC 7515 §2). encode: caller frees. decode:
 * decoded length or -1; out must hold 3*len/4 + 3 bytes. */
char *satoken_b64url_encode(const unsigned char *in, size_t len);
long satoken_b64url_decode(const char *in, size_t len, unsigned char *out);

/* ---- the server side (struct cp and struct api_req: apiserver/internal.h) ---- */

struct cp;
struct api_req;
struct http_req;

/* A Bearer JWT of ours that is valid now and whose ServiceAccount (and bound
 * Pod) still exist: true with "system:serviceaccount:NS:NAME" in user. */
bool satoken_authenticate(struct cp *cp, const char *token, char *user, size_t len);

/* POST /api/v1/namespaces/NS/serviceaccounts/NAME/token: answers it. */
void satoken_token_request(struct api_req *rq);

/* POST /apis/authentication.k8s.io/v1/selfsubjectreviews: true when path was
 * it and an answer was sent. */
bool satoken_whoami(struct api_req *rq, const char *path);

/* The ServiceAccount admission plugin on pod create (after defaulting): the
 * account must exist (403 "error looking up service account" otherwise; the
 * namespace's "default" is accepted while its controller creates it) and,
 * unless automounting is off, every container gets the kube-api-access-XXXXX
 * projected volume at SATOKEN_MOUNT_PATH. -1 when a 403 was sent. */
int satoken_admit_pod(struct api_req *rq, json_t *pod);

/* For node authorization of a TokenRequest: the spec.nodeName of the Pod
 * the request body binds the token to, when that Pod runs as the requested
 * ServiceAccount, else "" (into buf). */
void satoken_bound_pod_node(struct api_req *rq, char *buf, size_t len);

#endif
