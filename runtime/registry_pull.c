/* runtime/registry_pull.c — `image pull`: fetches an image from a v2
 * registry (OCI distribution spec) into the blob store and records it.
 *
 * Flow: GET /v2/<repo>/manifests/<tag|digest> with every manifest type in
 * Accept; on 401 answer the WWW-Authenticate challenge (Bearer: fetch a token
 * from realm?service=&scope=, with Basic credentials from a docker
 * config.json when there are some; Basic: send the credentials) and retry
 * once. An index selects this machine's platform (image_ref.c), then the
 * manifest, config and layers are fetched by digest and verified while
 * written (blob_store.c); blobs already in the store are not fetched again.
 * Blob redirects are followed by the HTTP client, which never forwards the
 * Authorization header to another host. */
#define _GNU_SOURCE
#include "runtime/image_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/crypto.h"
#include "runtime/registry_http.h"

#define ACCEPT_MANIFESTS                                                                           \
	"Accept: application/vnd.oci.image.index.v1+json, "                                        \
	"application/vnd.docker.distribution.manifest.list.v2+json, "                              \
	"application/vnd.oci.image.manifest.v1+json, "                                             \
	"application/vnd.docker.distribution.manifest.v2+json"
#define MAX_TOKEN_RESPONSE (1u << 20)

struct pull {
	struct rt_images *imgs;
	struct rh_client http;
	struct rt_ref ref;
	char base[1024]; /* scheme://host/v2/<repo> */
	char *basic;	 /* "Basic <b64>" from config.json, or NULL */
	char *auth;	 /* current Authorization value */
	char *err;
	size_t errlen;
};

/* ---- credentials ---- */

/* "https://index.docker.io/v1/" -> "index.docker.io" */
static void key_host(const char *key, char *out, size_t n)
{
	const char *p = strstr(key, "://");
	p = p ? p + 3 : key;
	snprintf(out, n, "%.*s", (int)strcspn(p, "/"), p);
}

static bool host_matches(const char *key, const char *domain)
{
	char h[300];
	key_host(key, h, sizeof h);
	if (!strcasecmp(h, domain))
		return true;
	return !strcmp(domain, "docker.io") &&
	       (!strcasecmp(h, "index.docker.io") || !strcasecmp(h, "registry-1.docker.io"));
}

static char *basic_from_entry(const json_t *e)
{
	const char *auth = json_path_str(e, "auth");
	const char *user = json_path_str(e, "username"), *pass = json_path_str(e, "password");
	char *out = NULL;
	if (auth && *auth && strlen(auth) < 4096) {
		if (asprintf(&out, "Basic %s", auth) < 0)
			out = NULL;
	} else if (user && pass && strlen(user) + strlen(pass) < 2048) {
		char plain[4100];
		char enc[BASE64_LEN(sizeof plain) + 1];
		int n = snprintf(plain, sizeof plain, "%s:%s", user, pass);
		base64_encode(plain, (size_t)n, enc);
		secure_zero(plain, sizeof plain);
		if (asprintf(&out, "Basic %s", enc) < 0)
			out = NULL;
	}
	return out;
}

static int load_credentials(struct pull *p, const char *config_json)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	if (!config_json)
		return 0;
	int rc = img_read_file_at(AT_FDCWD, config_json, 1u << 20, &data, &len, p->err, p->errlen);
	if (rc)
		return rc;
	_cleanup_json_ json_t *j = img_json_parse(data, len, config_json, p->err, p->errlen);
	if (!j)
		return -EINVAL;
	const char *key;
	json_t *e;
	json_object_foreach(json_object_get(j, "auths"), key, e)
	{
		if (host_matches(key, p->ref.domain)) {
			p->basic = basic_from_entry(e);
			break;
		}
	}
	return 0;
}

/* ---- WWW-Authenticate ---- */

struct challenge {
	char scheme[16], realm[2048], service[2048], scope[2048];
};

static const char *parse_param(const char *s, char *key, size_t kn, char *val, size_t vn)
{
	size_t k = 0, v = 0;
	while (*s == ' ' || *s == ',')
		s++;
	while (*s && *s != '=' && *s != ' ' && *s != ',')
		if (k + 1 < kn)
			key[k++] = *s++;
		else
			s++;
	key[k] = 0;
	if (*s != '=')
		return *s ? s + 1 : s;
	s++;
	bool q = *s == '"';
	s += q;
	while (*s && (q ? *s != '"' : (*s != ',' && *s != ' '))) {
		if (q && *s == '\\' && s[1])
			s++;
		if (v + 1 < vn)
			val[v++] = *s;
		s++;
	}
	val[v] = 0;
	return *s ? s + 1 : s;
}

static void parse_challenge(const char *h, struct challenge *c)
{
	memset(c, 0, sizeof *c);
	size_t n = strcspn(h, " ");
	snprintf(c->scheme, sizeof c->scheme, "%.*s", (int)n, h);
	for (const char *s = h + n; *s;) {
		char key[32], val[2048];
		s = parse_param(s, key, sizeof key, val, sizeof val);
		if (!strcasecmp(key, "realm"))
			snprintf(c->realm, sizeof c->realm, "%s", val);
		else if (!strcasecmp(key, "service"))
			snprintf(c->service, sizeof c->service, "%s", val);
		else if (!strcasecmp(key, "scope"))
			snprintf(c->scope, sizeof c->scope, "%s", val);
	}
}

static void url_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-_.~", ch))
			buf_append(b, s, 1);
		else
			buf_printf(b, "%%%02X", ch);
	}
}

static int token_from_response(struct pull *p, const struct rh_response *r)
{
	_cleanup_json_ json_t *j = img_json_parse(r->body.data ? r->body.data : "", r->body.len,
						  "token response", p->err, p->errlen);
	if (!j)
		return -EINVAL;
	const char *t = json_path_str(j, "token");
	if (!t || !*t)
		t = json_path_str(j, "access_token");
	if (!t || !*t || strlen(t) > 64 * 1024)
		return errf(p->err, p->errlen, -EACCES, "token server sent no token");
	free(p->auth);
	if (asprintf(&p->auth, "Bearer %s", t) < 0)
		p->auth = NULL;
	return p->auth ? 0 : -ENOMEM;
}

static int fetch_token(struct pull *p, const struct challenge *c)
{
	struct buf url = {0};
	struct rh_response r;
	if (!c->realm[0])
		return errf(p->err, p->errlen, -EACCES, "Bearer challenge without a realm");
	buf_printf(&url, "%s%cservice=", c->realm, strchr(c->realm, '?') ? '&' : '?');
	url_escape(&url, c->service);
	buf_puts(&url, "&scope=");
	if (c->scope[0]) {
		url_escape(&url, c->scope);
	} else {
		char scope[300];
		snprintf(scope, sizeof scope, "repository:%s:pull", p->ref.path);
		url_escape(&url, scope);
	}
	struct rh_request req = {
	    .url = url.data, .authorization = p->basic, .max_body = MAX_TOKEN_RESPONSE};
	int rc = rh_do(&p->http, &req, &r, p->err, p->errlen);
	if (!rc && r.status != 200)
		rc = errf(p->err, p->errlen, -EACCES, "token server %.200s answered %d%s", c->realm,
			  r.status,
			  p->basic ? " (check the credentials)" : " (credentials needed?)");
	if (!rc)
		rc = token_from_response(p, &r);
	rh_response_free(&r);
	buf_free(&url);
	return rc;
}

static int answer_challenge(struct pull *p, const char *www)
{
	struct challenge c;
	if (!www)
		return errf(p->err, p->errlen, -EACCES,
			    "registry answered 401 without a challenge");
	parse_challenge(www, &c);
	if (!strcasecmp(c.scheme, "Bearer"))
		return fetch_token(p, &c);
	if (!strcasecmp(c.scheme, "Basic") && p->basic) {
		free(p->auth);
		p->auth = strdup(p->basic);
		return p->auth ? 0 : -ENOMEM;
	}
	return errf(p->err, p->errlen, -EACCES, "registry wants %s authentication%s", c.scheme,
		    p->basic ? "" : "; no credentials for it (--config-json)");
}

/* ---- requests ---- */

static void registry_error(struct pull *p, const struct rh_response *r, const char *what)
{
	json_error_t je;
	_cleanup_json_ json_t *j =
	    r->body.data ? json_loadb(r->body.data, r->body.len, 0, &je) : NULL;
	const json_t *e0 = json_array_get(json_object_get(j, "errors"), 0);
	const char *code = json_path_str(e0, "code"), *msg = json_path_str(e0, "message");
	errf(p->err, p->errlen,
	     r->status == 404	? -ENOENT
	     : r->status == 401 ? -EACCES
				: -EIO,
	     "%s: registry answered %d%s%s%s%.200s", what, r->status, code ? " " : "",
	     code ? code : "", msg ? ": " : "", msg ? msg : "");
}

/* GET with the current credentials; on 401 authenticate and retry once. */
static int reg_get(struct pull *p, struct rh_request *req, struct rh_response *r)
{
	for (int attempt = 0;; attempt++) {
		req->authorization = p->auth;
		int rc = rh_do(&p->http, req, r, p->err, p->errlen);
		if (rc || r->status != 401 || attempt)
			return rc;
		rc = answer_challenge(p, rh_header(r, "WWW-Authenticate"));
		rh_response_free(r);
		if (rc)
			return rc;
	}
}

/* Fetches a manifest or index by tag or digest, verifies and stores it. */
static int fetch_manifest(struct pull *p, const char *ref, char digest[DIGEST_LEN + 1],
			  json_t **doc, enum img_kind *kind)
{
	char url[1400];
	const char *hdrs[] = {ACCEPT_MANIFESTS, NULL};
	struct rh_response r;
	snprintf(url, sizeof url, "%s/manifests/%s", p->base, ref);
	struct rh_request req = {.url = url, .headers = hdrs, .max_body = IMG_MAX_MANIFEST};
	int rc = reg_get(p, &req, &r);
	if (!rc && r.status != 200)
		registry_error(p, &r, ref), rc = -EIO;
	if (!rc) {
		const char *hd = rh_header(&r, "Docker-Content-Digest");
		digest_of_mem(r.body.data ? r.body.data : "", r.body.len, digest);
		if (digest_valid(ref) && strcmp(ref, digest))
			rc = errf(p->err, p->errlen, -EBADMSG, "manifest %s: content is %s", ref,
				  digest);
		else if (hd && digest_valid(hd) && strcmp(hd, digest))
			rc = errf(p->err, p->errlen, -EBADMSG,
				  "manifest %s: registry says %s, content is %s", ref, hd, digest);
	}
	if (!rc)
		*doc = img_json_parse(r.body.data ? r.body.data : "", r.body.len, ref, p->err,
				      p->errlen);
	if (!rc && !*doc)
		rc = -EINVAL;
	if (!rc) {
		*kind = img_kind_of_doc(rh_header(&r, "Content-Type"), *doc);
		rc =
		    blob_put_mem(p->imgs, r.body.data, r.body.len, digest, NULL, p->err, p->errlen);
	}
	rh_response_free(&r);
	return rc;
}

struct blob_sink {
	struct pull *p;
	struct blob_writer w;
	const char *digest;
	uint64_t total, last;
	int rc;
};

static int blob_sink_fn(void *ud, const void *data, size_t n)
{
	struct blob_sink *s = ud;
	s->rc = blob_writer_write(&s->w, data, n, s->p->err, s->p->errlen);
	if (s->w.n - s->last >= (256u << 10)) {
		img_progress(s->p->imgs, s->digest, s->w.n, s->total, false);
		s->last = s->w.n;
	}
	return s->rc;
}

static int fetch_blob(struct pull *p, const json_t *desc)
{
	const char *digest = json_path_str(desc, "digest");
	json_int_t size = json_integer_value(json_object_get(desc, "size"));
	char url[1400];
	struct rh_response r;
	if (!digest_valid(digest) || size < 0)
		return errf(p->err, p->errlen, -EINVAL, "bad descriptor (digest %.80s)",
			    digest ? digest : "none");
	if (blob_exists(p->imgs, digest))
		return 0;
	struct blob_sink s = {.p = p, .digest = digest, .total = (uint64_t)size};
	int rc = blob_writer_open(p->imgs, &s.w, (uint64_t)size, p->err, p->errlen);
	if (rc)
		return rc;
	snprintf(url, sizeof url, "%s/blobs/%s", p->base, digest);
	struct rh_request req = {.url = url, .sink = blob_sink_fn, .sink_ud = &s};
	rc = reg_get(p, &req, &r);
	if (!rc && r.status != 200)
		registry_error(p, &r, digest), rc = -EIO;
	if (!rc && s.rc)
		rc = s.rc;
	if (!rc) {
		img_progress(p->imgs, digest, s.w.n, s.total, true);
		rc = blob_writer_commit(p->imgs, &s.w, digest, NULL, p->err, p->errlen);
	} else {
		blob_writer_abort(&s.w);
	}
	rh_response_free(&r);
	return rc;
}

/* Follows indexes down to this platform's manifest. */
static int resolve_manifest(struct pull *p, char repo_digest[DIGEST_LEN + 1],
			    char manifest[DIGEST_LEN + 1], json_t **man)
{
	enum img_kind kind;
	json_t *doc = NULL;
	int rc = fetch_manifest(p, p->ref.digest[0] ? p->ref.digest : p->ref.tag, repo_digest, &doc,
				&kind);
	snprintf(manifest, DIGEST_LEN + 1, "%s", repo_digest);
	for (int depth = 0; !rc && kind == IMG_KIND_INDEX; depth++) {
		const json_t *d = depth < IMG_MAX_NESTED_INDEX
				      ? img_select_platform(doc, &p->imgs->plat, p->err, p->errlen)
				      : NULL;
		char want[DIGEST_LEN + 1];
		snprintf(want, sizeof want, "%s", d ? json_path_str(d, "digest") ?: "" : "");
		json_decref(doc);
		doc = NULL;
		if (!d)
			return depth < IMG_MAX_NESTED_INDEX ? -ENOENT : -ELOOP;
		if (!digest_valid(want))
			return errf(p->err, p->errlen, -EINVAL, "index entry has a bad digest");
		rc = fetch_manifest(p, want, manifest, &doc, &kind);
	}
	if (!rc && kind == IMG_KIND_SCHEMA1)
		rc = errf(p->err, p->errlen, -ENOTSUP,
			  "Docker schema 1 manifests are not supported (image too old)");
	else if (!rc && kind != IMG_KIND_MANIFEST)
		rc = errf(p->err, p->errlen, -ENOTSUP, "not an image manifest");
	if (rc)
		json_decref(doc);
	else
		*man = doc;
	return rc;
}

static int fetch_image_blobs(struct pull *p, const json_t *man)
{
	const json_t *layers = json_object_get(man, "layers"), *l;
	size_t i;
	int rc = fetch_blob(p, json_object_get(man, "config"));
	if (!json_is_array(layers) || json_array_size(layers) > IMG_MAX_LAYERS)
		return errf(p->err, p->errlen, -EINVAL, "manifest: bad layers list");
	json_array_foreach(layers, i, l)
	{
		if (rc)
			break;
		if (!img_layer_type_ok(json_path_str(l, "mediaType")))
			return errf(p->err, p->errlen, -ENOTSUP,
				    "layer %zu: unsupported type %.100s", i,
				    json_path_str(l, "mediaType") ?: "(none)");
		rc = fetch_blob(p, l);
	}
	return rc;
}

static int pull_setup(struct pull *p, const char *ref, const struct rt_pull_opts *o)
{
	int rc = rt_ref_parse(ref, &p->ref, p->err, p->errlen);
	if (rc)
		return rc;
	const char *host = rt_ref_registry_host(&p->ref);
	bool plain = o && o->insecure;
	if (plain && !rh_host_is_loopback(host))
		return errf(
		    p->err, p->errlen, -EPERM,
		    "--insecure (plain http) is only allowed for loopback registries, not %s",
		    host);
	snprintf(p->base, sizeof p->base, "%s://%s/v2/%s", plain ? "http" : "https", host,
		 p->ref.path);
	rc = rh_client_init(&p->http, o ? o->ca_file : NULL, plain, p->err, p->errlen);
	if (!rc)
		rc = load_credentials(p, o ? o->config_json : NULL);
	return rc;
}

static int pull_run(struct pull *p, char **name_out)
{
	char repo_digest[DIGEST_LEN + 1], manifest[DIGEST_LEN + 1], name[600];
	json_t *man = NULL;
	int rc = resolve_manifest(p, repo_digest, manifest, &man);
	if (!rc)
		rc = fetch_image_blobs(p, man);
	json_decref(man);
	rt_ref_string(&p->ref, name, sizeof name);
	char *names[] = {name};
	if (!rc)
		rc = img_commit(p->imgs, manifest, repo_digest, names, 1, p->err, p->errlen);
	if (!rc && name_out)
		*name_out = strdup(name);
	return rc;
}

int rt_image_pull(struct rt_images *imgs, const char *ref, const struct rt_pull_opts *opts,
		  char **name_out, char *err, size_t errlen)
{
	struct pull *p = calloc(1, sizeof *p);
	if (!p)
		return errf(err, errlen, -ENOMEM, "out of memory");
	p->imgs = imgs;
	p->err = err;
	p->errlen = errlen;
	int rc = pull_setup(p, ref, opts);
	int lk = rc ? -1 : img_gc_lock_shared(imgs, err, errlen);
	if (!rc && lk < 0)
		rc = lk;
	if (!rc)
		rc = pull_run(p, name_out);
	if (lk >= 0)
		close(lk);
	rh_client_free(&p->http);
	free(p->basic);
	free(p->auth);
	free(p);
	return rc;
}
