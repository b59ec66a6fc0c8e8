/* tests/image_pull_test.c — pulls from a real registry: Debian's
 * docker-registry (distribution 2.8) started on 127.0.0.1:<free port> with a
 * temp storage dir. The fixtures are pushed into it with our own HTTP client
 * (push exists only here), then pulled over plain HTTP (--insecure,
 * loopback), including platform selection from a multi-arch index. Then the
 * same storage is served by a second registry with token auth: a token
 * server thread in this test checks Basic credentials and issues ES256 JWTs
 * (x5c header) signed with a key whose self-signed certificate is the
 * registry's rootcertbundle (a throwaway cluster CA from common/pki); the pull authenticates with a
 * docker config.json. Registries are killed and temp dirs removed even on failure (atexit; the
 * registry also dies with us through PR_SET_PDEATHSIG). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/crypto.h"
#include "common/pki.h"
#include "runtime/image.h"
#include "runtime/image_internal.h"
#include "runtime/registry_http.h"
#include "tests/test.h"

#define REGISTRY "/usr/bin/docker-registry"

static char tmp[256], fx[320];
static json_t *fxinfo;
static pid_t registry_pid = -1;
static int reg_port;
static struct rh_client http;

/* ---- environment ---- */

static void stop_registry(void)
{
	if (registry_pid > 0) {
		kill(registry_pid, SIGKILL);
		waitpid(registry_pid, NULL, 0);
	}
	registry_pid = -1;
}

static void cleanup(void)
{
	stop_registry();
	if (tmp[0])
		img_rmtree(tmp);
	tmp[0] = 0;
	json_decref(fxinfo);
	fxinfo = NULL;
	rh_client_free(&http);
}

static const char *fxd(const char *key)
{
	return json_string_value(json_object_get(fxinfo, key));
}

static int make_fixtures(void)
{
	char src[1024], cmd[2048], p[400];
	const char *env = getenv("MINIKUBE_SRC");
	snprintf(src, sizeof src, "%s", env ? env : __FILE__);
	char *t = env ? NULL : strstr(src, "tests/image_pull_test.c");
	if (t)
		*t = 0;
	if (!src[0])
		snprintf(src, sizeof src, ".");
	snprintf(fx, sizeof fx, "%s/fx", tmp);
	snprintf(cmd, sizeof cmd, "python3 '%s/scripts/make-test-images' '%s'", src, fx);
	if (system(cmd) != 0)
		return -1;
	snprintf(p, sizeof p, "%s/blobs.json", fx);
	fxinfo = json_load_file(p, 0, NULL);
	return fxinfo ? 0 : -1;
}

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t n = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &n) < 0)
		return -1;
	close(fd);
	return ntohs(a.sin_port);
}

static int http_status(const char *url)
{
	struct rh_response r;
	struct rh_request req = {.url = url, .max_redirects = -1};
	char err[256];
	int rc = rh_do(&http, &req, &r, err, sizeof err);
	int s = rc ? -1 : r.status;
	rh_response_free(&r);
	return s;
}

/* Starts docker-registry with extra (YAML lines) on a free port. */
static int start_registry(const char *extra)
{
	char cfg[400], log[400], url[128];
	reg_port = free_port();
	snprintf(cfg, sizeof cfg, "%s/registry.yml", tmp);
	snprintf(log, sizeof log, "%s/registry.log", tmp);
	FILE *f = fopen(cfg, "w");
	if (!f || reg_port <= 0)
		return -1;
	fprintf(f,
		"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: "
		"%s/regdata\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:%d\n  secret: "
		"test-secret\n%s",
		tmp, reg_port, extra ? extra : "");
	fclose(f);
	pid_t parent = getpid();
	registry_pid = fork();
	if (registry_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(REGISTRY, REGISTRY, "serve", cfg, (char *)NULL);
		_exit(127);
	}
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v2/", reg_port);
	for (int i = 0; i < 100; i++) {
		int s = http_status(url);
		if (s == 200 || s == 401)
			return 0;
		usleep(100 * 1000);
	}
	fprintf(stderr, "registry did not come up; see %s\n", log);
	return -1;
}

/* ---- push (test only) ---- */

static int push_blob(const char *repo, const char *digest, const char *data, size_t len)
{
	char url[2400], err[512], loc[2048];
	struct rh_response r;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v2/%s/blobs/uploads/", reg_port, repo);
	struct rh_request post = {.method = "POST", .url = url, .max_redirects = -1};
	int rc = rh_do(&http, &post, &r, err, sizeof err);
	const char *l = rc ? NULL : rh_header(&r, "Location");
	if (rc || r.status != 202 || !l) {
		fprintf(stderr, "upload start: %d %s\n", r.status, err);
		rh_response_free(&r);
		return -1;
	}
	if (l[0] == '/')
		snprintf(loc, sizeof loc, "http://127.0.0.1:%d%s", reg_port, l);
	else
		snprintf(loc, sizeof loc, "%s", l);
	rh_response_free(&r);
	snprintf(url, sizeof url, "%s%cdigest=%s", loc, strchr(loc, '?') ? '&' : '?', digest);
	const char *hdrs[] = {"Content-Type: application/octet-stream", NULL};
	struct rh_request put = {.method = "PUT",
				 .url = url,
				 .headers = hdrs,
				 .body = data,
				 .body_len = len,
				 .max_redirects = -1};
	rc = rh_do(&http, &put, &r, err, sizeof err);
	int ok = !rc && r.status == 201;
	if (!ok)
		fprintf(stderr, "blob put %s: %d %s %s\n", digest, r.status, err,
			r.body.data ? r.body.data : "");
	rh_response_free(&r);
	return ok ? 0 : -1;
}

static int push_manifest(const char *repo, const char *ref, const char *data, size_t len)
{
	char url[600], err[512], ct[200];
	struct rh_response r;
	json_t *j = json_loadb(data, len, 0, NULL);
	snprintf(ct, sizeof ct, "Content-Type: %s",
		 json_string_value(json_object_get(j, "mediaType")));
	json_decref(j);
	const char *hdrs[] = {ct, NULL};
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v2/%s/manifests/%s", reg_port, repo, ref);
	struct rh_request put = {.method = "PUT",
				 .url = url,
				 .headers = hdrs,
				 .body = data,
				 .body_len = len,
				 .max_redirects = -1};
	int rc = rh_do(&http, &put, &r, err, sizeof err);
	int ok = !rc && r.status == 201;
	if (!ok)
		fprintf(stderr, "manifest put %s: %d %s %s\n", ref, r.status, err,
			r.body.data ? r.body.data : "");
	rh_response_free(&r);
	return ok ? 0 : -1;
}

static int read_layout_blob(const char *layout, const char *digest, char **data, size_t *len)
{
	char p[600], err[256];
	snprintf(p, sizeof p, "%s/%s/blobs/sha256/%s", fx, layout, digest + 7);
	return img_read_file_at(AT_FDCWD, p, 64u << 20, data, len, err, sizeof err);
}

/* Pushes every blob of a layout, then the manifests by digest, then tag. */
static int push_layout(const char *layout, const char *repo, const char **manifests,
		       const char *top, const char *tag)
{
	char dir[600], cmd[700];
	snprintf(dir, sizeof dir, "%s/%s/blobs/sha256", fx, layout);
	snprintf(cmd, sizeof cmd, "ls '%s'", dir);
	FILE *ls = popen(cmd, "r");
	char name[128];
	int rc = ls ? 0 : -1;
	while (!rc && ls && fgets(name, sizeof name, ls)) {
		char digest[DIGEST_LEN + 1], *data;
		size_t len;
		name[strcspn(name, "\n")] = 0;
		snprintf(digest, sizeof digest, "sha256:%.64s", name);
		rc = read_layout_blob(layout, digest, &data, &len);
		if (!rc)
			rc = push_blob(repo, digest, data, len);
		free(data);
	}
	if (ls)
		pclose(ls);
	for (size_t i = 0; !rc && manifests && manifests[i]; i++) {
		char *data;
		size_t len;
		rc = read_layout_blob(layout, manifests[i], &data, &len);
		if (!rc)
			rc = push_manifest(repo, manifests[i], data, len);
		free(data);
	}
	char *data;
	size_t len;
	if (!rc)
		rc = read_layout_blob(layout, top, &data, &len);
	if (!rc) {
		rc = push_manifest(repo, tag, data, len);
		free(data);
	}
	return rc;
}

/* ---- helpers ---- */

static struct rt_images *open_store(const char *name)
{
	char dd[400], err[512];
	struct rt_images *imgs = NULL;
	struct rt_platform amd = {"linux", "amd64", ""};
	snprintf(dd, sizeof dd, "%s/%s", tmp, name);
	CHECK_INT(rt_images_open(&imgs, dd, err, sizeof err), 0);
	if (imgs) {
		rt_images_set_platform(imgs, &amd);
		rt_images_set_progress(imgs, false);
	}
	return imgs;
}

static int pull(struct rt_images *imgs, const char *repo_ref, const struct rt_pull_opts *o,
		char *err, size_t errlen)
{
	char ref[300], *name = NULL;
	snprintf(ref, sizeof ref, "127.0.0.1:%d/%s", reg_port, repo_ref);
	int rc = rt_image_pull(imgs, ref, o, &name, err, errlen);
	if (!rc)
		CHECK(name && strstr(name, repo_ref) != NULL);
	free(name);
	return rc;
}

/* ---- plain registry ---- */

static void test_push_fixtures(void)
{
	const char *multi[] = {fxd("multi_attestation_manifest"), fxd("multi_amd64_manifest"),
			       fxd("multi_arm64_manifest"), NULL};
	CHECK_INT(push_layout("oci-busybox", "busybox", NULL, fxd("busybox_manifest"), "test"), 0);
	CHECK_INT(push_layout("oci-multi", "multi", multi, fxd("multi_index"), "latest"), 0);
}

static void test_pull_insecure(void)
{
	struct rt_images *imgs = open_store("p1");
	struct rt_pull_opts o = {.insecure = true};
	struct rt_image_info info;
	char err[1024], ref[300];
	if (!imgs)
		return;
	int rc = pull(imgs, "busybox:test", &o, err, sizeof err);
	CHECK_INT(rc, 0);
	if (rc)
		fprintf(stderr, "pull: %s\n", err);
	snprintf(ref, sizeof ref, "127.0.0.1:%d/busybox:test", reg_port);
	CHECK_INT(rt_image_resolve(imgs, ref, &info, err, sizeof err), 0);
	CHECK_STR(info.id, fxd("busybox_config"));
	CHECK_INT(info.n_layers, 2);
	char want[300];
	snprintf(want, sizeof want, "127.0.0.1:%d/busybox@%s", reg_port, fxd("busybox_manifest"));
	CHECK_STR(info.repo_digest, want);
	rt_image_info_free(&info);

	/* by digest */
	snprintf(ref, sizeof ref, "busybox@%s", fxd("busybox_manifest"));
	CHECK_INT(pull(imgs, ref, &o, err, sizeof err), 0);
	/* unknown tag, unknown digest */
	CHECK(pull(imgs, "busybox:nope", &o, err, sizeof err) < 0);
	CHECK(strstr(err, "MANIFEST_UNKNOWN") != NULL || strstr(err, "404") != NULL);
	snprintf(ref, sizeof ref, "busybox@sha256:%064d", 0);
	CHECK(pull(imgs, ref, &o, err, sizeof err) < 0);
	rt_images_close(imgs);
}

static void test_pull_index_platform(void)
{
	struct rt_images *imgs = open_store("p2");
	struct rt_pull_opts o = {.insecure = true};
	struct rt_image_info info;
	char err[1024], ref[300];
	if (!imgs)
		return;
	CHECK_INT(pull(imgs, "multi", &o, err, sizeof err), 0); /* :latest */
	snprintf(ref, sizeof ref, "127.0.0.1:%d/multi:latest", reg_port);
	CHECK_INT(rt_image_resolve(imgs, ref, &info, err, sizeof err), 0);
	CHECK_STR(info.arch, "amd64");
	CHECK_INT(info.n_layers, 2);
	char want[300];
	snprintf(want, sizeof want, "127.0.0.1:%d/multi@%s", reg_port, fxd("multi_index"));
	CHECK_STR(info.repo_digest, want);
	rt_image_info_free(&info);
	CHECK(blob_exists(imgs, fxd("multi_amd64_manifest")));
	CHECK(!blob_exists(imgs, fxd("multi_arm64_manifest")));
	CHECK(!blob_exists(imgs, fxd("multi_attestation_manifest")));

	struct rt_platform arm64 = {"linux", "arm64", "v8"};
	rt_images_set_platform(imgs, &arm64);
	CHECK_INT(pull(imgs, "multi", &o, err, sizeof err), 0);
	CHECK_INT(rt_image_resolve(imgs, ref, &info, err, sizeof err), 0);
	CHECK_STR(info.arch, "arm64");
	rt_image_info_free(&info);
	rt_images_close(imgs);
}

static void test_pull_refusals(void)
{
	struct rt_images *imgs = open_store("p3");
	struct rt_pull_opts o = {.insecure = true}, tls = {0};
	char err[1024];
	if (!imgs)
		return;
	/* plain http only for loopback */
	CHECK_INT(rt_image_pull(imgs, "example.com/x:1", &o, NULL, err, sizeof err), -EPERM);
	/* https against a plain-http registry fails cleanly */
	CHECK(pull(imgs, "busybox:test", &tls, err, sizeof err) < 0);
	CHECK(rt_image_pull(imgs, "Bad Ref", &o, NULL, err, sizeof err) == -EINVAL);
	rt_images_close(imgs);
}

/* A registry whose stored layer was tampered with (one byte flipped on its
 * disk, same size): the pull must fail on the digest and keep nothing. */
static void test_pull_tampered_blob(void)
{
	struct rt_images *imgs = open_store("p4");
	struct rt_pull_opts o = {.insecure = true};
	char err[1024], p[600];
	const char *d = fxd("busybox_upper_layer");
	if (!imgs)
		return;
	snprintf(p, sizeof p, "%s/regdata/docker/registry/v2/blobs/sha256/%.2s/%s/data", tmp, d + 7,
		 d + 7);
	FILE *f = fopen(p, "r+b");
	CHECK(f != NULL);
	if (!f) {
		rt_images_close(imgs);
		return;
	}
	fseek(f, 40, SEEK_SET);
	int c = fgetc(f);
	fseek(f, 40, SEEK_SET);
	fputc(c ^ 0x55, f);
	fflush(f);
	int rc = pull(imgs, "busybox:test", &o, err, sizeof err);
	CHECK(rc < 0);
	CHECK(strstr(err, d) != NULL || strstr(err, "digest") != NULL);
	if (rc == 0 || !strstr(err, "digest"))
		fprintf(stderr, "tampered pull: %d %s\n", rc, err);
	CHECK(!blob_exists(imgs, d));
	fseek(f, 40, SEEK_SET); /* restore for the token-auth test */
	fputc(c, f);
	fclose(f);
	rt_images_close(imgs);
}

/* ---- token auth ---- */

struct token_server {
	int fd, port;
	struct pki_key *key;
	char x5c[4096];
	pthread_t th;
	int issued, refused;
};

static void b64url(const unsigned char *in, size_t n, char *out)
{
	base64url_encode(in, n, out);
}

static char *make_jwt(struct token_server *ts, const char *repo)
{
	char hdr[4400], claims[1024], h64[6000], c64[1400], input[7500], s64[100];
	time_t now = time(NULL);
	snprintf(hdr, sizeof hdr, "{\"typ\":\"JWT\",\"alg\":\"ES256\",\"x5c\":[\"%s\"]}", ts->x5c);
	snprintf(claims, sizeof claims,
		 "{\"iss\":\"test-issuer\",\"sub\":\"user\",\"aud\":\"test-registry\","
		 "\"exp\":%lld,\"nbf\":%lld,\"iat\":%lld,\"jti\":\"%lld-%d\","
		 "\"access\":[{\"type\":\"repository\",\"name\":\"%s\",\"actions\":[\"pull\"]}]}",
		 (long long)now + 300, (long long)now - 10, (long long)now, (long long)now,
		 ts->issued, repo);
	b64url((unsigned char *)hdr, strlen(hdr), h64);
	b64url((unsigned char *)claims, strlen(claims), c64);
	snprintf(input, sizeof input, "%s.%s", h64, c64);
	unsigned char rs[64];
	if (pki_es256_sign(ts->key, input, strlen(input), rs) != 0)
		return NULL;
	b64url(rs, 64, s64);
	char *jwt = NULL;
	if (asprintf(&jwt, "%s.%s", input, s64) < 0)
		return NULL;
	return jwt;
}

static void token_reply(int c, int status, const char *body)
{
	char head[256];
	snprintf(head, sizeof head,
		 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n",
		 status, strlen(body));
	if (write(c, head, strlen(head)) < 0 || write(c, body, strlen(body)) < 0)
		return;
}

/* user:pass, base64 */
#define GOOD_BASIC "Basic dXNlcjpwYXNz"

static void token_handle(struct token_server *ts, int c)
{
	char req[8192] = "";
	size_t n = 0;
	while (n < sizeof req - 1 && !strstr(req, "\r\n\r\n")) {
		ssize_t k = read(c, req + n, sizeof req - 1 - n);
		if (k <= 0)
			break;
		n += (size_t)k;
		req[n] = 0;
	}
	req[n] = 0;
	char *scope = strstr(req, "scope=repository%3A"), repo[128] = "";
	if (scope)
		sscanf(scope + strlen("scope=repository%3A"), "%127[^%]", repo);
	if (!strstr(req, "Authorization: " GOOD_BASIC "\r\n") || !repo[0]) {
		ts->refused++;
		token_reply(c, 401, "{\"details\":\"bad credentials\"}");
		return;
	}
	char *jwt = make_jwt(ts, repo), body[8192];
	snprintf(body, sizeof body, "{\"token\":\"%s\",\"expires_in\":300}", jwt ? jwt : "");
	free(jwt);
	ts->issued++;
	token_reply(c, 200, body);
}

static void *token_loop(void *arg)
{
	struct token_server *ts = arg;
	for (;;) {
		int c = accept(ts->fd, NULL, NULL);
		if (c < 0)
			return NULL; /* shutdown() ends us */
		token_handle(ts, c);
		close(c);
	}
}

/* The issuer: a cluster CA made by common/pki in tmp/issuer (self-signed,
 * P-256); its certificate is the rootcertbundle and, in x5c, the signer. */
static int make_cert(struct token_server *ts, const char *crt_path)
{
	char dir[300], path[340], *err = NULL;
	struct pki p = {0};
	snprintf(dir, sizeof dir, "%s/issuer", tmp);
	if (mkdir(dir, 0700) < 0 || pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err) < 0) {
		fprintf(stderr, "issuer: %s\n", err ? err : strerror(errno));
		free(err);
		return -1;
	}
	char key_pem[4096] = "";
	snprintf(path, sizeof path, "%s/tls/ca.key", dir);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(key_pem, 1, sizeof key_pem - 1, f) : 0;
	if (f)
		fclose(f);
	key_pem[n] = '\0';
	ts->key = pki_key_from_pem(key_pem);
	/* x5c is the DER in standard base64: the PEM body without line breaks */
	const char *b = strstr(p.ca_pem, "-----\n"), *e = strstr(p.ca_pem, "\n-----END");
	char *w = ts->x5c;
	for (const char *r = b ? b + 6 : e; b && e && r < e && w < ts->x5c + sizeof ts->x5c - 1;
	     r++)
		if (*r != '\n')
			*w++ = *r;
	*w = '\0';
	f = fopen(crt_path, "w");
	int rc = ts->key && ts->x5c[0] && f && fputs(p.ca_pem, f) >= 0 ? 0 : -1;
	if (f)
		fclose(f);
	pki_free(&p);
	return rc;
}

static int token_start(struct token_server *ts)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t n = sizeof a;
	ts->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (ts->fd < 0 || bind(ts->fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(ts->fd, 16) < 0 || getsockname(ts->fd, (struct sockaddr *)&a, &n) < 0)
		return -1;
	ts->port = ntohs(a.sin_port);
	return pthread_create(&ts->th, NULL, token_loop, ts) ? -1 : 0;
}

static void token_stop(struct token_server *ts)
{
	if (ts->fd >= 0) {
		shutdown(ts->fd, SHUT_RDWR);
		pthread_join(ts->th, NULL);
		close(ts->fd);
	}
	pki_key_free(ts->key);
}

static void write_config_json(const char *path, const char *auth)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fprintf(f, "{\"auths\":{\"127.0.0.1:%d\":{\"auth\":\"%s\"}}}\n", reg_port, auth);
		fclose(f);
	}
}

static void test_pull_token_auth(void)
{
	struct token_server ts = {.fd = -1};
	char crt[300], extra[1024], cj[300], bad[300], err[1024], url[128];
	snprintf(crt, sizeof crt, "%s/token.crt", tmp);
	CHECK_INT(make_cert(&ts, crt), 0);
	CHECK_INT(token_start(&ts), 0);
	stop_registry(); /* the same storage, now behind token auth */
	snprintf(extra, sizeof extra,
		 "auth:\n  token:\n    realm: http://127.0.0.1:%d/token\n    service: "
		 "test-registry\n    issuer: test-issuer\n    rootcertbundle: %s\n",
		 ts.port, crt);
	int rc = start_registry(extra);
	CHECK_INT(rc, 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v2/", reg_port);
	CHECK_INT(http_status(url), 401);

	struct rt_images *imgs = open_store("p4");
	if (!rc && imgs) {
		struct rt_pull_opts anon = {.insecure = true};
		CHECK(pull(imgs, "busybox:test", &anon, err, sizeof err) == -EACCES);
		CHECK(strstr(err, "token server") != NULL);
		CHECK(ts.refused >= 1);

		snprintf(bad, sizeof bad, "%s/bad-config.json", tmp);
		write_config_json(bad, "dXNlcjp3cm9uZw=="); /* user:wrong */
		struct rt_pull_opts wrong = {.insecure = true, .config_json = bad};
		rc = pull(imgs, "busybox:test", &wrong, err, sizeof err);
		CHECK_INT(rc, -EACCES);
		/* refused for the credentials config.json gave, not for sending none */
		CHECK(strstr(err, "check the credentials") != NULL);
		if (rc != -EACCES)
			fprintf(stderr, "pull with wrong credentials: %s\n", err);

		snprintf(cj, sizeof cj, "%s/config.json", tmp);
		write_config_json(cj, "dXNlcjpwYXNz"); /* user:pass */
		struct rt_pull_opts o = {.insecure = true, .config_json = cj};
		rc = pull(imgs, "multi:latest", &o, err, sizeof err);
		CHECK_INT(rc, 0);
		if (rc)
			fprintf(stderr, "token pull: %s\n", err);
		CHECK(ts.issued >= 1);
		struct rt_image_info info;
		char ref[200];
		snprintf(ref, sizeof ref, "127.0.0.1:%d/multi", reg_port);
		CHECK_INT(rt_image_resolve(imgs, ref, &info, err, sizeof err), 0);
		CHECK_STR(info.arch, "amd64");
		rt_image_info_free(&info);
	}
	if (imgs)
		rt_images_close(imgs);
	stop_registry();
	token_stop(&ts);
}

int main(void)
{
	char err[256];
	signal(SIGPIPE, SIG_IGN);
	if (access(REGISTRY, X_OK) != 0) {
		fprintf(stderr, "%s missing: scripts/install-deps installs docker-registry\n",
			REGISTRY);
		return 1;
	}
	snprintf(tmp, sizeof tmp, "/tmp/image_pull_test.XXXXXX");
	if (!mkdtemp(tmp) || rh_client_init(&http, NULL, true, err, sizeof err)) {
		perror("setup");
		return 1;
	}
	atexit(cleanup);
	if (make_fixtures() || start_registry(NULL)) {
		fprintf(stderr, "cannot set up fixtures or registry\n");
		return 1;
	}
	TEST_RUN(test_push_fixtures);
	TEST_RUN(test_pull_insecure);
	TEST_RUN(test_pull_index_platform);
	TEST_RUN(test_pull_refusals);
	TEST_RUN(test_pull_tampered_blob);
	TEST_RUN(test_pull_token_auth);
	return test_summary();
}
