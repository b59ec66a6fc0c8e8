/* Service-account tokens (see satoken.h): the ES256 JWT codec, the signing
 * key under DATA_DIR/tls, TokenRequest, the Bearer authenticator,
 * SelfSubjectReview and the ServiceAccount admission plugin. */
#define _GNU_SOURCE
#include "apiserver/satoken.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apiserver/body.h"
#include "apiserver/internal.h"
#include "common/crypto.h"
#include "common/jsonutil.h"
#include "common/pki.h"

#define ES256_LEN 64   /* r || s, 32 bytes each */
#define HEADER_MAX 512 /* decoded JOSE header */
#define KEY_FILE_MAX (16 * 1024)
#define API_ACCESS_PREFIX "kube-api-access-"
#define TOKEN_MAX_SECONDS (1LL << 32) /* upstream's upper bound */

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ __attribute__((cleanup(freep)))

/* ---- base64url ---- */

char *satoken_b64url_encode(const unsigned char *in, size_t len)
{
	char *out = malloc(BASE64_LEN(len) + 1);
	if (out)
		base64url_encode(in, len, out);
	return out;
}

long satoken_b64url_decode(const char *in, size_t len, unsigned char *out)
{
	/* JWS segments carry no padding (RFC 7515 §2). */
	if (memchr(in, '=', len))
		return -1;
	return base64_decode(in, len, out, len / 4 * 3 + 3, true);
}

/* ---- the key ---- */

static int key_write_new(const char *path, char **err)
{
	struct pki_key *key = pki_key_generate();
	char *pem = key ? pki_key_to_pem(key) : NULL;
	char tmp[4200];
	pki_key_free(key);
	if (!pem)
		return asprintf(err, "cannot generate the service-account key"), -EIO;
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		secure_zero(pem, strlen(pem));
		free(pem);
		return asprintf(err, "cannot create %s: %s", tmp, strerror(e)), -e;
	}
	int ok = fputs(pem, f) >= 0;
	ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
	fclose(f);
	secure_zero(pem, strlen(pem));
	free(pem);
	if (!ok || rename(tmp, path)) {
		unlink(tmp);
		return asprintf(err, "cannot write %s", path), -EIO;
	}
	return 0;
}

int satoken_key_load_or_create(const char *path, struct pki_key **out, char **err)
{
	int rc;
	*out = NULL;
	if (access(path, F_OK) != 0 && (rc = key_write_new(path, err)))
		return rc;
	FILE *f = fopen(path, "re");
	struct stat st;
	if (!f)
		return asprintf(err, "cannot open %s: %s", path, strerror(errno)), -errno;
	if (fstat(fileno(f), &st) || st.st_size > KEY_FILE_MAX) {
		fclose(f);
		return asprintf(err, "%s is not a key file", path), -EINVAL;
	}
	char buf[KEY_FILE_MAX + 1];
	size_t n = fread(buf, 1, KEY_FILE_MAX, f);
	fclose(f);
	buf[n] = 0;
	struct pki_key *key = strlen(buf) == n ? pki_key_from_pem(buf) : NULL;
	secure_zero(buf, sizeof buf);
	if (!key || !pki_key_is_p256(key)) {
		pki_key_free(key);
		return asprintf(err, "%s: not a P-256 private key", path), -EINVAL;
	}
	*out = key;
	return 0;
}

/* The key id upstream uses: base64url(sha256(DER SubjectPublicKeyInfo)). */
static char *key_id(const struct pki_key *key)
{
	unsigned char md[32];
	if (pki_key_spki_sha256(key, md) < 0)
		return NULL;
	return satoken_b64url_encode(md, sizeof md);
}

/* ---- JWS ---- */

static char *b64url_json(const json_t *v)
{
	_cleanup_free_ char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	return s ? satoken_b64url_encode((const unsigned char *)s, strlen(s)) : NULL;
}

char *satoken_sign(const struct pki_key *key, const json_t *claims)
{
	_cleanup_free_ char *kid = key_id(key);
	json_t *hdr = json_pack("{s:s,s:s}", "alg", "ES256", "kid", kid ? kid : "");
	_cleanup_free_ char *h = b64url_json(hdr);
	_cleanup_free_ char *p = b64url_json(claims);
	json_decref(hdr);
	unsigned char raw[ES256_LEN];
	char *input = NULL;
	if (!kid || !h || !p || asprintf(&input, "%s.%s", h, p) < 0)
		return NULL;
	_cleanup_free_ char *sig = pki_es256_sign(key, input, strlen(input), raw) == 0
				       ? satoken_b64url_encode(raw, sizeof raw)
				       : NULL;
	char *out = NULL;
	if (!sig || asprintf(&out, "%s.%s", input, sig) < 0)
		out = NULL;
	free(input);
	return out;
}

/* A base64url JSON object of at most max decoded bytes, or NULL. */
static json_t *segment_json(const char *s, size_t len, size_t max)
{
	if (len > max / 3 * 4 + 4)
		return NULL;
	_cleanup_free_ unsigned char *buf = malloc(len / 4 * 3 + 4);
	long n = buf ? satoken_b64url_decode(s, len, buf) : -1;
	json_t *v =
	    n > 0 ? json_loadb((const char *)buf, (size_t)n, JSON_REJECT_DUPLICATES, NULL) : NULL;
	if (!json_is_object(v) || json_depth(v, 8) < 0) {
		json_decref(v);
		return NULL;
	}
	return v;
}

static bool audience_ok(const json_t *aud, const char *want)
{
	if (json_is_string(aud))
		return !strcmp(json_string_value(aud), want);
	size_t i;
	json_t *a;
	json_array_foreach(aud, i, a) if (json_is_string(a) &&
					  !strcmp(json_string_value(a), want)) return true;
	return false;
}

static int claims_check(const json_t *c, time_t now, const char *audience)
{
	const json_t *exp = json_object_get(c, "exp"), *nbf = json_object_get(c, "nbf");
	if (!json_is_integer(exp))
		return -EINVAL;
	if (strcmp(json_path_str(c, "iss") ?: "", SATOKEN_ISSUER) ||
	    !audience_ok(json_object_get(c, "aud"), audience))
		return -EACCES;
	if (json_integer_value(exp) <= now ||
	    (json_is_integer(nbf) && json_integer_value(nbf) > now))
		return -EKEYEXPIRED;
	return 0;
}

int satoken_verify(const struct pki_key *key, const char *jwt, time_t now, const char *audience,
		   json_t **claims_out)
{
	*claims_out = NULL;
	size_t len = jwt ? strnlen(jwt, SATOKEN_MAX_LEN + 1) : 0;
	const char *d1 = len && len <= SATOKEN_MAX_LEN ? memchr(jwt, '.', len) : NULL;
	const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - jwt)) : NULL;
	if (!d2 || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - jwt)))
		return -EINVAL;
	json_t *hdr = segment_json(jwt, (size_t)(d1 - jwt), HEADER_MAX);
	bool es256 = !strcmp(json_path_str(hdr, "alg") ?: "", "ES256");
	json_decref(hdr);
	unsigned char raw[ES256_LEN + 4];
	size_t slen = len - (size_t)(d2 + 1 - jwt);
	if (!es256 || slen != 86 || satoken_b64url_decode(d2 + 1, slen, raw) != ES256_LEN)
		return -EINVAL;
	/* The payload is parsed only once the signature holds. */
	if (!pki_es256_verify(key, jwt, (size_t)(d2 - jwt), raw))
		return -EBADMSG;
	json_t *claims = segment_json(d1 + 1, (size_t)(d2 - d1 - 1), SATOKEN_MAX_LEN);
	if (!claims)
		return -EINVAL;
	int rc = claims_check(claims, now, audience);
	if (rc) {
		json_decref(claims);
		return rc;
	}
	*claims_out = claims;
	return 0;
}

/* ---- objects in the store ---- */

static json_t *load(struct cp *cp, const char *plural, const char *ns, const char *name)
{
	const struct resource *r = resource_find("", "v1", plural);
	char key[700];
	struct store_kv kv = {0};
	if (!r || !name || !*name)
		return NULL;
	rest_key(r, ns, name, key, sizeof key);
	if (store_get(cp->store, key, &kv) != 0)
		return NULL;
	json_t *obj = json_loadb(kv.value, kv.len, 0, NULL);
	store_kv_clear(&kv);
	return obj;
}

static bool uid_is(const json_t *obj, const char *uid)
{
	const char *u = json_path_str(obj, "metadata.uid");
	return obj && u && uid && !strcmp(u, uid);
}

/* ---- authentication ---- */

/* The claims still name live objects: the ServiceAccount with that uid and,
 * for a bound token, the Pod with that uid (not deleted). */
static bool claims_objects_live(struct cp *cp, const json_t *c, const char **ns, const char **sa)
{
	const json_t *k = json_object_get(c, "kubernetes.io");
	*ns = json_path_str(k, "namespace");
	*sa = json_path_str(k, "serviceaccount.name");
	char sub[600];
	snprintf(sub, sizeof sub, SATOKEN_SA_PREFIX "%s:%s", *ns ?: "", *sa ?: "");
	if (!*ns || !*sa || strcmp(json_path_str(c, "sub") ?: "", sub))
		return false;
	json_t *acct = load(cp, "serviceaccounts", *ns, *sa);
	bool ok = uid_is(acct, json_path_str(k, "serviceaccount.uid")) &&
		  !json_path(acct, "metadata.deletionTimestamp");
	json_decref(acct);
	const json_t *pod = json_object_get(k, "pod");
	if (ok && pod) {
		json_t *p = load(cp, "pods", *ns, json_path_str(pod, "name"));
		ok = uid_is(p, json_path_str(pod, "uid"));
		json_decref(p);
	}
	return ok;
}

bool satoken_authenticate(struct cp *cp, const char *token, char *user, size_t len)
{
	json_t *c = NULL;
	const char *ns, *sa;
	if (!cp->sa_key || !token || !strchr(token, '.'))
		return false;
	int rc = satoken_verify(cp->sa_key, token, time(NULL), SATOKEN_ISSUER, &c);
	bool ok = rc == 0 && claims_objects_live(cp, c, &ns, &sa);
	if (ok)
		snprintf(user, len, SATOKEN_SA_PREFIX "%s:%s", ns, sa);
	else
		log_v(&cp->log, 2, "authn", "service-account token refused reason=%s",
		      rc == -EKEYEXPIRED ? "expired"
		      : rc == -EBADMSG	 ? "signature"
		      : rc == -EACCES	 ? "issuer-or-audience"
		      : rc		 ? "malformed"
					 : "object-gone");
	json_decref(c);
	return ok;
}

/* ---- TokenRequest ---- */

static void token_invalid(struct api_req *rq, const char *field, json_t *value, const char *why)
{
	char msg[400], val[64] = "";
	if (json_is_integer(value))
		snprintf(val, sizeof val, "%lld", (long long)json_integer_value(value));
	snprintf(msg, sizeof msg, "Invalid value: %s: %s", val[0] ? val : "null", why);
	json_t *causes = json_pack("[{s:s,s:s,s:s}]", "reason", "FieldValueInvalid", "message", msg,
				   "field", field);
	char whole[800];
	snprintf(whole, sizeof whole,
		 "TokenRequest.authentication.k8s.io \"%s\" is invalid: %s: %s", rq->name, field,
		 msg);
	json_t *details =
	    json_pack("{s:s,s:s,s:s,s:o}", "name", rq->name, "group", "authentication.k8s.io",
		      "kind", "TokenRequest", "causes", causes);
	api_status_error(rq->http, 422, "Invalid", whole, details);
}

/* The bound Pod named by spec.boundObjectRef (NULL when none). -1 after an
 * error answer. */
static int token_bound_pod(struct api_req *rq, const json_t *ref, json_t **pod_out)
{
	*pod_out = NULL;
	if (!json_is_object(ref))
		return 0;
	const char *kind = json_path_str(ref, "kind"), *name = json_path_str(ref, "name");
	const char *uid = json_path_str(ref, "uid");
	if (!kind || strcmp(kind, "Pod")) {
		api_bad_request(rq->http,
				"cannot bind token for object of kind %s: only Pod is supported",
				kind ? kind : "\"\"");
		return -1;
	}
	json_t *pod = load(rq->cp, "pods", rq->ns, name);
	if (!pod) {
		char msg[400];
		snprintf(msg, sizeof msg, "pods \"%s\" not found", name ? name : "");
		api_status_error(rq->http, 404, "NotFound", msg,
				 json_pack("{s:s,s:s}", "name", name ?: "", "kind", "pods"));
		return -1;
	}
	if (strcmp(json_path_str(pod, "spec.serviceAccountName") ?: "default", rq->name)) {
		json_decref(pod);
		api_bad_request(rq->http,
				"cannot bind token for serviceaccount \"%s\" to pod running with "
				"different serviceaccount name.",
				rq->name);
		return -1;
	}
	if (uid && *uid && !uid_is(pod, uid)) {
		char msg[600];
		snprintf(msg, sizeof msg,
			 "Operation cannot be fulfilled on Pod \"%s\": the UID in the bound object "
			 "reference (%s) does not match the UID in record. The object might have "
			 "been deleted and then recreated",
			 name, uid);
		json_decref(pod);
		api_status_error(rq->http, 409, "Conflict", msg, NULL);
		return -1;
	}
	*pod_out = pod;
	return 0;
}

static json_t *token_claims(struct api_req *rq, const json_t *sa, const json_t *pod,
			    json_t *audiences, time_t now, long long seconds)
{
	char jti[37], sub[600];
	api_new_uid(jti);
	snprintf(sub, sizeof sub, SATOKEN_SA_PREFIX "%s:%s", rq->ns, rq->name);
	json_t *k = json_pack("{s:s,s:{s:s,s:s}}", "namespace", rq->ns, "serviceaccount", "name",
			      rq->name, "uid", json_path_str(sa, "metadata.uid") ?: "");
	if (pod) {
		json_object_set_new(k, "pod",
				    json_pack("{s:s,s:s}", "name",
					      json_path_str(pod, "metadata.name") ?: "", "uid",
					      json_path_str(pod, "metadata.uid") ?: ""));
		const char *node = json_path_str(pod, "spec.nodeName");
		json_t *n = node && *node ? load(rq->cp, "nodes", "", node) : NULL;
		if (n)
			json_object_set_new(k, "node",
					    json_pack("{s:s,s:s}", "name", node, "uid",
						      json_path_str(n, "metadata.uid") ?: ""));
		json_decref(n);
	}
	return json_pack("{s:O,s:I,s:I,s:s,s:s,s:o,s:I,s:s}", "aud", audiences, "exp",
			 (json_int_t)(now + seconds), "iat", (json_int_t)now, "iss", SATOKEN_ISSUER,
			 "jti", jti, "kubernetes.io", k, "nbf", (json_int_t)now, "sub", sub);
}

static json_t *token_body(struct api_req *rq)
{
	size_t len = 0;
	const char *data = http_req_body(rq->http, &len);
	char err[256] = "empty body";
	json_t *b = len ? body_decode(body_type_of(http_req_header(rq->http, "content-type")), data,
				      len, false, err, sizeof err)
			: json_object();
	if (!json_is_object(b)) {
		json_decref(b);
		api_bad_request(rq->http, "the TokenRequest cannot be decoded: %s", err);
		return NULL;
	}
	return b;
}

/* spec.audiences defaulted to the API's, each a non-empty string. */
static json_t *token_audiences(struct api_req *rq, json_t *spec)
{
	json_t *aud = json_object_get(spec, "audiences");
	if (!aud || json_is_null(aud) || (json_is_array(aud) && !json_array_size(aud)))
		return json_pack("[s]", SATOKEN_ISSUER);
	size_t i;
	json_t *a;
	bool ok = json_is_array(aud) && json_array_size(aud) <= 32;
	json_array_foreach(aud, i, a) ok =
	    ok && json_is_string(a) && json_string_length(a) && json_string_length(a) < 256;
	if (!ok) {
		api_bad_request(rq->http, "spec.audiences must be a list of non-empty strings");
		return NULL;
	}
	return json_incref(aud);
}

static void token_respond(struct api_req *rq, json_t *spec, json_t *aud, long long seconds,
			  const char *token, time_t exp)
{
	char ts[32];
	struct tm tm;
	gmtime_r(&exp, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set(spec, "audiences", aud);
	json_object_set_new(spec, "expirationSeconds", json_integer(seconds));
	if (!json_object_get(spec, "boundObjectRef"))
		json_object_set_new(spec, "boundObjectRef", json_null());
	json_t *out = json_pack("{s:s,s:s,s:{s:s,s:s,s:n},s:O,s:{s:s,s:s}}", "kind", "TokenRequest",
				"apiVersion", "authentication.k8s.io/v1", "metadata", "name",
				rq->name, "namespace", rq->ns, "creationTimestamp", "spec", spec,
				"status", "token", token, "expirationTimestamp", ts);
	api_respond_json(rq->http, 201, out);
	json_decref(out);
}

void satoken_token_request(struct api_req *rq)
{
	if (strcmp(rq->method, "POST")) {
		api_status_error(rq->http, 405, "MethodNotAllowed",
				 "the server does not allow this method on the requested resource",
				 NULL);
		return;
	}
	if (!rq->cp->sa_key) {
		api_status_error(rq->http, 404, "NotFound", "service-account tokens need TLS",
				 NULL);
		return;
	}
	json_t *sa = load(rq->cp, "serviceaccounts", rq->ns, rq->name);
	if (!sa) {
		api_not_found(rq, rq->name);
		return;
	}
	json_t *b = token_body(rq), *pod = NULL, *aud = NULL;
	json_t *spec = b ? json_object_get(b, "spec") : NULL;
	spec = json_is_object(spec) ? json_deep_copy(spec) : json_object();
	json_t *es = json_object_get(spec, "expirationSeconds");
	long long seconds = json_is_integer(es) ? json_integer_value(es) : SATOKEN_DEFAULT_SECONDS;
	if (!b)
		goto out;
	if (es && !json_is_null(es) && (!json_is_integer(es) || seconds < SATOKEN_MIN_SECONDS)) {
		token_invalid(rq, "spec.expirationSeconds", es,
			      "may not specify a duration less than 10 minutes");
		goto out;
	}
	if (seconds > TOKEN_MAX_SECONDS) {
		token_invalid(rq, "spec.expirationSeconds", es,
			      "may not specify a duration larger than 2^32 seconds");
		goto out;
	}
	if (!(aud = token_audiences(rq, spec)) ||
	    token_bound_pod(rq, json_object_get(spec, "boundObjectRef"), &pod))
		goto out;
	time_t now = time(NULL);
	json_t *claims = token_claims(rq, sa, pod, aud, now, seconds);
	char *jwt = claims ? satoken_sign(rq->cp->sa_key, claims) : NULL;
	json_decref(claims);
	if (!jwt) {
		api_status_error(rq->http, 500, "InternalError", "cannot sign the token", NULL);
		goto out;
	}
	log_v(&rq->cp->log, 2, "authn", "token issued sa=%s/%s pod=%s seconds=%lld by=%s", rq->ns,
	      rq->name, json_path_str(pod, "metadata.name") ?: "-", seconds, rq->user);
	token_respond(rq, spec, aud, seconds, jwt, now + (time_t)seconds);
	free(jwt);
out:
	json_decref(aud);
	json_decref(pod);
	json_decref(spec);
	json_decref(b);
	json_decref(sa);
}

void satoken_bound_pod_node(struct api_req *rq, char *buf, size_t len)
{
	size_t blen = 0;
	const char *body = http_req_body(rq->http, &blen);
	json_t *b = body && blen && blen < 64 * 1024 ? json_loadb(body, blen, 0, NULL) : NULL;
	const json_t *ref = json_path(b, "spec.boundObjectRef");
	json_t *pod = ref && !strcmp(json_path_str(ref, "kind") ?: "", "Pod")
			  ? load(rq->cp, "pods", rq->ns, json_path_str(ref, "name"))
			  : NULL;
	const char *node = json_path_str(pod, "spec.nodeName");
	bool same_sa = !strcmp(json_path_str(pod, "spec.serviceAccountName") ?: "", rq->name);
	snprintf(buf, len, "%s", node && same_sa ? node : "");
	json_decref(pod);
	json_decref(b);
}

/* ---- SelfSubjectReview ---- */

bool satoken_whoami(struct api_req *rq, const char *path)
{
	if (strcmp(path, "/apis/authentication.k8s.io/v1/selfsubjectreviews"))
		return false;
	if (strcmp(rq->method, "POST")) {
		api_status_error(rq->http, 405, "MethodNotAllowed",
				 "the server does not allow this method on the requested resource",
				 NULL);
		return true;
	}
	json_t *groups = json_array();
	const struct http_peer *p = http_req_peer(rq->http);
	if (!strncmp(rq->user, SATOKEN_SA_PREFIX, strlen(SATOKEN_SA_PREFIX))) {
		char ns[256];
		snprintf(ns, sizeof ns, "%s", rq->user + strlen(SATOKEN_SA_PREFIX));
		ns[strcspn(ns, ":")] = 0;
		json_array_append_new(groups, json_string("system:serviceaccounts"));
		json_array_append_new(groups, json_pack("s++", "system:serviceaccounts:", ns, ""));
	} else if (p && p->has_cert) {
		for (int i = 0; i < p->ngroups; i++)
			json_array_append_new(groups, json_string(p->groups[i]));
	} else {
		json_array_append_new(groups, json_string("system:masters"));
	}
	json_array_append_new(groups, json_string("system:authenticated"));
	json_t *out =
	    json_pack("{s:s,s:s,s:{s:n},s:{s:{s:s,s:o}}}", "kind", "SelfSubjectReview",
		      "apiVersion", "authentication.k8s.io/v1", "metadata", "creationTimestamp",
		      "status", "userInfo", "username", rq->user, "groups", groups);
	api_respond_json(rq->http, 201, out);
	json_decref(out);
	return true;
}

/* ---- the ServiceAccount admission plugin ---- */

static bool has_mount_at(const json_t *c, const char *path)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(c, "volumeMounts"), i,
			   m) if (!strcmp(json_path_str(m, "mountPath") ?: "", path)) return true;
	return false;
}

static bool volume_named(const json_t *spec, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(spec, "volumes"), i,
			   v) if (!strcmp(json_path_str(v, "name") ?: "", name)) return true;
	return false;
}

/* kube-api-access-XXXXX with apimachinery's rand.String alphabet. */
static void api_access_name(const json_t *spec, char out[32])
{
	static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789";
	do {
		unsigned char r[5];
		random_bytes(r, sizeof r);
		snprintf(out, 32, API_ACCESS_PREFIX "%c%c%c%c%c", alnum[r[0] % 27],
			 alnum[r[1] % 27], alnum[r[2] % 27], alnum[r[3] % 27], alnum[r[4] % 27]);
	} while (volume_named(spec, out));
}

static json_t *api_access_volume(const char *name)
{
	return json_pack(
	    "{s:s,s:{s:i,s:[{s:{s:i,s:s}},{s:{s:s,s:[{s:s,s:s}]}},{s:{s:[{s:s,s:{s:s,s:s}}]}}]}}",
	    "name", name, "projected", "defaultMode", 420, "sources", "serviceAccountToken",
	    "expirationSeconds", 3607, "path", "token", "configMap", "name", "kube-root-ca.crt",
	    "items", "key", "ca.crt", "path", "ca.crt", "downwardAPI", "items", "path", "namespace",
	    "fieldRef", "apiVersion", "v1", "fieldPath", "metadata.namespace");
}

/* Mounts the volume into every container that has nothing at the path;
 * returns how many got it. */
static size_t mount_everywhere(json_t *list, const char *name)
{
	size_t i, n = 0;
	json_t *c;
	json_array_foreach(list, i, c)
	{
		if (!json_is_object(c) || has_mount_at(c, SATOKEN_MOUNT_PATH))
			continue;
		json_t *mounts = json_object_get(c, "volumeMounts");
		if (!json_is_array(mounts)) {
			mounts = json_array();
			json_object_set_new(c, "volumeMounts", mounts);
		}
		json_array_append_new(mounts, json_pack("{s:s,s:b,s:s}", "name", name, "readOnly",
							1, "mountPath", SATOKEN_MOUNT_PATH));
		n++;
	}
	return n;
}

static bool automount(const json_t *spec, const json_t *sa)
{
	const json_t *v = json_object_get(spec, "automountServiceAccountToken");
	if (!json_is_boolean(v))
		v = json_object_get(sa, "automountServiceAccountToken");
	return !json_is_false(v);
}

int satoken_admit_pod(struct api_req *rq, json_t *pod)
{
	json_t *spec = json_object_get(pod, "spec");
	const char *name = json_path_str(spec, "serviceAccountName");
	if (!rq->cp->sa_key || !json_is_object(spec) || !name)
		return 0;
	json_t *sa = load(rq->cp, "serviceaccounts", rq->ns, name);
	if (!sa && strcmp(name, "default")) {
		char msg[900];
		snprintf(msg, sizeof msg,
			 "pods \"%s\" is forbidden: error looking up service account %s/%s: "
			 "serviceaccount \"%s\" not found",
			 json_path_str(pod, "metadata.name") ?: "", rq->ns, name, name);
		api_status_error(rq->http, 403, "Forbidden", msg,
				 api_details(rq->res, json_path_str(pod, "metadata.name") ?: ""));
		return -1;
	}
	if (automount(spec, sa)) {
		char vol[32];
		api_access_name(spec, vol);
		size_t n = mount_everywhere(json_object_get(spec, "initContainers"), vol) +
			   mount_everywhere(json_object_get(spec, "containers"), vol);
		json_t *vols = json_object_get(spec, "volumes");
		if (n && !json_is_array(vols)) {
			vols = json_array();
			json_object_set_new(spec, "volumes", vols);
		}
		if (n)
			json_array_append_new(vols, api_access_volume(vol));
	}
	json_decref(sa);
	return 0;
}
