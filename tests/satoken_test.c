/* Service-account token JWTs (apiserver/satoken.h): base64url, the signing
 * key on disk, ES256 sign/verify and every way a token is refused. */
#define _GNU_SOURCE
#include "apiserver/satoken.h"
#include "common/pki.h"
#include "tests/test.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOW 1800000000LL

static char dir[] = "/tmp/satoken_test.XXXXXX";
static struct pki_key *key;

static json_t *claims(long long iat, long long exp, const char *iss, const char *aud)
{
	return json_pack("{s:[s],s:I,s:I,s:I,s:s,s:s,s:{s:s,s:{s:s,s:s}}}", "aud", aud, "exp",
			 (json_int_t)exp, "iat", (json_int_t)iat, "nbf", (json_int_t)iat, "iss",
			 iss, "sub", "system:serviceaccount:default:web", "kubernetes.io",
			 "namespace", "default", "serviceaccount", "name", "web", "uid", "u-1");
}

static char *sign(long long iat, long long exp, const char *iss, const char *aud)
{
	json_t *c = claims(iat, exp, iss, aud);
	char *t = satoken_sign(key, c);
	json_decref(c);
	return t;
}

static void test_b64url(void)
{
	const unsigned char in[] = {0xfb, 0xff, 0x00, 'a', 'b'};
	unsigned char out[16];
	for (size_t n = 0; n <= sizeof in; n++) {
		char *e = satoken_b64url_encode(in, n);
		CHECK(e && !strchr(e, '=') && !strchr(e, '+') && !strchr(e, '/'));
		CHECK_INT(satoken_b64url_decode(e, strlen(e), out), n);
		CHECK(memcmp(in, out, n) == 0);
		free(e);
	}
	char *e = satoken_b64url_encode(in, 3);
	CHECK_STR(e, "-_8A");
	free(e);
	CHECK_INT(satoken_b64url_decode("YQ==", 4, out), -1); /* no padding in JWS */
	CHECK_INT(satoken_b64url_decode("a+8A", 4, out), -1); /* std alphabet refused */
	CHECK_INT(satoken_b64url_decode("YR", 2, out), -1);   /* non-zero leftover bits */
	CHECK_INT(satoken_b64url_decode("Y", 1, out), -1);
}

static void test_key_file(void)
{
	char path[256], *err = NULL;
	struct stat st;
	snprintf(path, sizeof path, "%s/sa.key", dir);
	CHECK_INT(satoken_key_load_or_create(path, &key, &err), 0);
	CHECK(key != NULL);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	/* A second start loads the same key: its tokens still verify. */
	struct pki_key *again = NULL;
	CHECK_INT(satoken_key_load_or_create(path, &again, &err), 0);
	char *t = sign(NOW, NOW + 600, SATOKEN_ISSUER, SATOKEN_ISSUER);
	json_t *c = NULL;
	CHECK_INT(satoken_verify(again, t, NOW + 1, SATOKEN_ISSUER, &c), 0);
	json_decref(c);
	free(t);
	pki_key_free(again);
	/* A file that is not a key is an error, not a new key. */
	snprintf(path, sizeof path, "%s/bad.key", dir);
	FILE *f = fopen(path, "w");
	fputs("not a key\n", f);
	fclose(f);
	again = NULL;
	CHECK(satoken_key_load_or_create(path, &again, &err) < 0);
	CHECK(again == NULL && err && strstr(err, "bad.key"));
	free(err);
}

static void test_sign_verify(void)
{
	char *t = sign(NOW, NOW + 3600, SATOKEN_ISSUER, SATOKEN_ISSUER);
	json_t *c = NULL;
	CHECK(t && strchr(t, '.') != strrchr(t, '.'));
	CHECK_INT(satoken_verify(key, t, NOW + 10, SATOKEN_ISSUER, &c), 0);
	CHECK_STR(json_string_value(json_object_get(c, "sub")),
		  "system:serviceaccount:default:web");
	CHECK_INT(json_integer_value(json_object_get(c, "exp")), NOW + 3600);
	json_decref(c);
	/* The header names the algorithm and a key id. */
	unsigned char hdr[256];
	long n = satoken_b64url_decode(t, (size_t)(strchr(t, '.') - t), hdr);
	CHECK(n > 0);
	hdr[n > 0 ? n : 0] = 0;
	CHECK(strstr((char *)hdr, "\"alg\":\"ES256\"") && strstr((char *)hdr, "\"kid\":\""));
	free(t);
}

static void test_refused(void)
{
	json_t *c = NULL;
	char *t = sign(NOW, NOW + 600, SATOKEN_ISSUER, SATOKEN_ISSUER);
	/* expired, and not yet valid */
	CHECK_INT(satoken_verify(key, t, NOW + 600, SATOKEN_ISSUER, &c), -EKEYEXPIRED);
	CHECK_INT(satoken_verify(key, t, NOW - 5, SATOKEN_ISSUER, &c), -EKEYEXPIRED);
	/* another audience than the API's */
	CHECK_INT(satoken_verify(key, t, NOW + 1, "vault", &c), -EACCES);
	CHECK(c == NULL);
	/* one changed byte of the signature or of the payload */
	char *bad = strdup(t);
	size_t len = strlen(bad);
	bad[len - 3] = bad[len - 3] == 'A' ? 'B' : 'A';
	CHECK_INT(satoken_verify(key, bad, NOW + 1, SATOKEN_ISSUER, &c), -EBADMSG);
	strcpy(bad, t);
	char *p = strchr(bad, '.') + 5;
	*p = *p == 'A' ? 'B' : 'A';
	CHECK_INT(satoken_verify(key, bad, NOW + 1, SATOKEN_ISSUER, &c), -EBADMSG);
	free(bad);
	/* signed by some other key */
	struct pki_key *other = pki_key_generate();
	CHECK_INT(satoken_verify(other, t, NOW + 1, SATOKEN_ISSUER, &c), -EBADMSG);
	pki_key_free(other);
	free(t);
	/* another issuer */
	t = sign(NOW, NOW + 600, "https://example.com", SATOKEN_ISSUER);
	CHECK_INT(satoken_verify(key, t, NOW + 1, SATOKEN_ISSUER, &c), -EACCES);
	free(t);
	CHECK(c == NULL);
}

static void test_malformed(void)
{
	json_t *c = NULL;
	char *t = sign(NOW, NOW + 600, SATOKEN_ISSUER, SATOKEN_ISSUER);
	const char *dot2 = strrchr(t, '.');
	/* alg "none" with the same payload and no signature */
	char *none_hdr = satoken_b64url_encode((const unsigned char *)"{\"alg\":\"none\"}", 14);
	char *forged = NULL;
	CHECK(asprintf(&forged, "%s%.*s.", none_hdr, (int)(dot2 - strchr(t, '.')), strchr(t, '.')) >
	      0);
	CHECK_INT(satoken_verify(key, forged, NOW + 1, SATOKEN_ISSUER, &c), -EINVAL);
	free(forged);
	free(none_hdr);
	/* HS256 keyed with anything is refused before any MAC is computed */
	char *hs = satoken_b64url_encode((const unsigned char *)"{\"alg\":\"HS256\"}", 15);
	CHECK(asprintf(&forged, "%s%s", hs, strchr(t, '.')) > 0);
	CHECK_INT(satoken_verify(key, forged, NOW + 1, SATOKEN_ISSUER, &c), -EINVAL);
	free(forged);
	free(hs);
	CHECK_INT(satoken_verify(key, "a.b", NOW, SATOKEN_ISSUER, &c), -EINVAL);
	CHECK_INT(satoken_verify(key, "a.b.c.d", NOW, SATOKEN_ISSUER, &c), -EINVAL);
	CHECK_INT(satoken_verify(key, "", NOW, SATOKEN_ISSUER, &c), -EINVAL);
	CHECK_INT(satoken_verify(key, NULL, NOW, SATOKEN_ISSUER, &c), -EINVAL);
	char *huge = malloc(SATOKEN_MAX_LEN + 10);
	memset(huge, 'A', SATOKEN_MAX_LEN + 9);
	huge[SATOKEN_MAX_LEN + 9] = 0;
	huge[10] = huge[20] = '.';
	CHECK_INT(satoken_verify(key, huge, NOW, SATOKEN_ISSUER, &c), -EINVAL);
	free(huge);
	free(t);
	CHECK(c == NULL);
}

/* A key file written by the OpenSSL build (PKCS#8 "PRIVATE KEY") loads, and
 * its key id is the one that build put in tokens (base64url sha256 of the
 * SubjectPublicKeyInfo, computed with the OpenSSL CLI: pkey -pubout -outform DER). */
static void test_legacy_key(void)
{
	char path[512], *err = NULL;
	const char *slash = strrchr(__FILE__, '/');
	struct pki_key *k = NULL;
	snprintf(path, sizeof path, "%.*s%sfixtures/pki-legacy/admin.key",
		 slash ? (int)(slash - __FILE__) : 0, __FILE__, slash ? "/" : "");
	CHECK_INT(satoken_key_load_or_create(path, &k, &err), 0);
	if (!k) {
		free(err);
		return;
	}
	json_t *cl = claims(NOW, NOW + 600, SATOKEN_ISSUER, SATOKEN_ISSUER), *c = NULL;
	char *t = satoken_sign(k, cl);
	json_decref(cl);
	unsigned char hdr[256];
	long n = t ? satoken_b64url_decode(t, (size_t)(strchr(t, '.') - t), hdr) : -1;
	CHECK(n > 0);
	hdr[n > 0 ? n : 0] = 0;
	CHECK(strstr((char *)hdr, "\"kid\":\"FuGstm-_5BrBLZpusTLGq6T4t5xD5QEn5qC6mfS7khg\""));
	CHECK_INT(satoken_verify(k, t, NOW + 1, SATOKEN_ISSUER, &c), 0);
	json_decref(c);
	CHECK_INT(satoken_verify(key, t, NOW + 1, SATOKEN_ISSUER, &c), -EBADMSG);
	CHECK(c == NULL);
	free(t);
	pki_key_free(k);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	TEST_RUN(test_b64url);
	TEST_RUN(test_key_file);
	TEST_RUN(test_sign_verify);
	TEST_RUN(test_refused);
	TEST_RUN(test_malformed);
	TEST_RUN(test_legacy_key);
	pki_key_free(key);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd)) {
	}
	return test_summary();
}
