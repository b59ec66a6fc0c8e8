/* Tests for common/pki: first-start creation (files, modes, timing), reuse on
 * restart, serving-certificate SANs and reissue, client certificates, the join
 * token, the kubeconfig, real TLS handshakes against pki_server_config, keys,
 * ES256 and CSRs, and a data directory written by the OpenSSL build. */
#define _GNU_SOURCE /* nftw */
#include "common/pki.h"
#include "common/crypto.h"
#include "tests/test.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <strings.h>

#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "common/tls.h"

static const char *const no_sans[] = {NULL};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void dir_remove(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *tmp_dir_new(void)
{
	char tmpl[] = "/tmp/pki_test.XXXXXX";
	char *d = mkdtemp(tmpl);
	return d ? strdup(d) : NULL;
}

static char *file_slurp(const char *dir, const char *name)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int file_mode(const char *dir, const char *name)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

/* The test reads certificates with mbedTLS directly: an independent parse
 * of what pki.c wrote, down to the extension bytes. */
static mbedtls_x509_crt *cert_from_pem(const char *pem)
{
	mbedtls_x509_crt *x = calloc(1, sizeof *x);
	mbedtls_x509_crt_init(x);
	if (!pem || mbedtls_x509_crt_parse(x, (const unsigned char *)pem, strlen(pem) + 1) != 0) {
		mbedtls_x509_crt_free(x);
		free(x);
		return NULL;
	}
	return x;
}

static void cert_free(mbedtls_x509_crt *x)
{
	if (x)
		mbedtls_x509_crt_free(x);
	free(x);
}

static mbedtls_pk_context *key_from_pem(const char *pem)
{
	mbedtls_pk_context *k = calloc(1, sizeof *k);
	mbedtls_pk_init(k);
	if (mbedtls_pk_parse_key(k, (const unsigned char *)pem, strlen(pem) + 1, NULL, 0) != 0) {
		mbedtls_pk_free(k);
		free(k);
		return NULL;
	}
	return k;
}

static void key_free(mbedtls_pk_context *k)
{
	if (k)
		mbedtls_pk_free(k);
	free(k);
}

static mbedtls_x509_crt *cert_from_file(const char *dir, const char *name)
{
	char *pem = file_slurp(dir, name);
	mbedtls_x509_crt *x = pem ? cert_from_pem(pem) : NULL;
	free(pem);
	return x;
}

#define EKU_SERVER MBEDTLS_OID_SERVER_AUTH
#define EKU_CLIENT MBEDTLS_OID_CLIENT_AUTH

/* 1 when x chains to p's CA and allows the extended key usage eku. */
static int cert_verify(const struct pki *p, mbedtls_x509_crt *x, const char *eku)
{
	mbedtls_x509_crt *ca = cert_from_pem(p->ca_pem);
	uint32_t flags = 0;
	int ok = ca && mbedtls_x509_crt_verify(x, ca, NULL, NULL, &flags, NULL, NULL) == 0 &&
		 mbedtls_x509_crt_check_extended_key_usage(x, eku, strlen(eku)) == 0;
	cert_free(ca);
	return ok;
}

static void name_field(const mbedtls_x509_crt *x, const char *oid, int nth, char *out,
		       size_t outlen)
{
	out[0] = '\0';
	for (const mbedtls_x509_name *n = &x->subject; n; n = n->next)
		if (n->oid.p && n->oid.len == strlen(oid) && !memcmp(n->oid.p, oid, n->oid.len) &&
		    nth-- == 0) {
			CHECK_INT(n->val.tag,
				  MBEDTLS_ASN1_UTF8_STRING); /* as the OpenSSL build wrote */
			snprintf(out, outlen, "%.*s", (int)n->val.len, (const char *)n->val.p);
			return;
		}
}

static bool cert_has_ip(const mbedtls_x509_crt *x, const char *ip)
{
	unsigned char a[16];
	size_t len = inet_pton(AF_INET, ip, a) == 1 ? 4 : inet_pton(AF_INET6, ip, a) == 1 ? 16 : 0;
	for (const mbedtls_x509_sequence *s = &x->subject_alt_names; len && s && s->buf.p;
	     s = s->next)
		if (s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) && s->buf.len == len &&
		    !memcmp(s->buf.p, a, len))
			return true;
	return false;
}

static bool cert_has_dns(const mbedtls_x509_crt *x, const char *name)
{
	for (const mbedtls_x509_sequence *s = &x->subject_alt_names; s && s->buf.p; s = s->next)
		if (s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2) &&
		    s->buf.len == strlen(name) &&
		    !strncasecmp((const char *)s->buf.p, name, s->buf.len))
			return true;
	return false;
}

/* The raw extension with this OID (3-byte id-ce arc), critical or not. */
static bool cert_has_ext(const mbedtls_x509_crt *x, unsigned char id, bool critical)
{
	const unsigned char oid[] = {0x06, 0x03, 0x55, 0x1d, id}, crit[] = {0x01, 0x01, 0xff};
	const unsigned char *at = memmem(x->v3_ext.p, x->v3_ext.len, oid, sizeof oid);
	if (!at)
		return false;
	return !critical ||
	       ((size_t)(x->v3_ext.p + x->v3_ext.len - at) > sizeof oid + sizeof crit &&
		!memcmp(at + sizeof oid, crit, sizeof crit));
}

static long cert_days(const mbedtls_x509_crt *x)
{
	struct tm a = {.tm_year = x->valid_from.year - 1900,
		       .tm_mon = x->valid_from.mon - 1,
		       .tm_mday = x->valid_from.day,
		       .tm_hour = x->valid_from.hour,
		       .tm_min = x->valid_from.min,
		       .tm_sec = x->valid_from.sec};
	struct tm b = {.tm_year = x->valid_to.year - 1900,
		       .tm_mon = x->valid_to.mon - 1,
		       .tm_mday = x->valid_to.day,
		       .tm_hour = x->valid_to.hour,
		       .tm_min = x->valid_to.min,
		       .tm_sec = x->valid_to.sec};
	return (long)((timegm(&b) - timegm(&a)) / 86400);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* ---- creation and reuse ---- */

static void test_first_start_creates_files(void)
{
	char *dir = tmp_dir_new(), tls[512];
	struct pki p;
	char *err = NULL, *token = NULL, *kc = NULL;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	CHECK_INT(pki_server_token(&p, dir, &token, &err), 0);
	CHECK_INT(pki_write_admin_kubeconfig(&p, dir, "https://127.0.0.1:6443", &kc, &err), 0);
	printf("first start (CA + serving + admin cert + token + kubeconfig): %.2f ms\n",
	       ms_since(&t0));
	CHECK(err == NULL);
	snprintf(tls, sizeof tls, "%s/tls", dir);
	CHECK_INT(file_mode(dir, "tls"), 0700);
	CHECK_INT(file_mode(tls, "ca.key"), 0600);
	CHECK_INT(file_mode(tls, "server.key"), 0600);
	CHECK_INT(file_mode(tls, "admin.key"), 0600);
	CHECK_INT(file_mode(tls, "server-token"), 0600);
	CHECK_INT(file_mode(dir, "kubeconfig.yaml"), 0600);
	CHECK_INT(file_mode(tls, "ca.crt"), 0644);
	CHECK_INT(file_mode(tls, "server.crt"), 0644);
	CHECK_INT(file_mode(tls, "admin.crt"), 0644);
	CHECK_STR(p.dir, tls);
	CHECK(p.ca_pem && strncmp(p.ca_pem, "-----BEGIN CERTIFICATE-----", 27) == 0);
	CHECK_INT(strlen(p.ca_hash), 64);
	free(token);
	free(kc);
	pki_free(&p);
	dir_remove(dir);
	free(dir);
}

static void test_ca_extensions(void)
{
	char *dir = tmp_dir_new(), cn[128], tls[512], *kpem;
	struct pki p;
	char *err = NULL;
	mbedtls_x509_crt *ca;
	struct pki_key *k;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	ca = cert_from_pem(p.ca_pem);
	CHECK(ca != NULL);
	if (!ca)
		goto out;
	name_field(ca, MBEDTLS_OID_AT_CN, 0, cn, sizeof cn);
	CHECK(strncmp(cn, "minikube-ca@", 12) == 0 && atoll(cn + 12) > 1600000000);
	CHECK_INT(ca->ca_istrue, 1);
	CHECK_INT(ca->max_pathlen, 0); /* no path length constraint */
	CHECK_INT(mbedtls_x509_crt_check_key_usage(ca, MBEDTLS_X509_KU_KEY_CERT_SIGN), 0);
	CHECK_INT(mbedtls_x509_crt_check_key_usage(ca, MBEDTLS_X509_KU_CRL_SIGN), 0);
	CHECK(cert_has_ext(ca, 0x0e, false));  /* subjectKeyIdentifier */
	CHECK(cert_has_ext(ca, 0x13, true));   /* basicConstraints, critical */
	CHECK(cert_has_ext(ca, 0x0f, true));   /* keyUsage, critical */
	CHECK(!cert_has_ext(ca, 0x23, false)); /* no authorityKeyIdentifier on the root */
	/* self-signed: subject == issuer */
	CHECK(ca->subject_raw.len == ca->issuer_raw.len &&
	      !memcmp(ca->subject_raw.p, ca->issuer_raw.p, ca->issuer_raw.len));
	/* ten years, give or take the hour of skew allowance */
	CHECK_INT(cert_days(ca), 3650);
	CHECK_INT(ca->version, 3);
	CHECK_INT(ca->sig_md, MBEDTLS_MD_SHA256);
	snprintf(tls, sizeof tls, "%s/tls", dir);
	kpem = file_slurp(tls, "ca.key");
	k = kpem ? pki_key_from_pem(kpem) : NULL;
	CHECK(k && pki_key_is_p256(k));
	pki_key_free(k);
	free(kpem);
	cert_free(ca);
out:
	pki_free(&p);
	dir_remove(dir);
	free(dir);
}

static void test_second_load_reuses(void)
{
	char *dir = tmp_dir_new(), tls[512], hash[65];
	struct pki p;
	char *err = NULL, *srv1, *srv2, *ca1, *ca2;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", no_sans, &err), 0);
	memcpy(hash, p.ca_hash, sizeof hash);
	pki_free(&p);
	snprintf(tls, sizeof tls, "%s/tls", dir);
	srv1 = file_slurp(tls, "server.crt");
	ca1 = file_slurp(tls, "ca.crt");
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", no_sans, &err), 0);
	CHECK_STR(p.ca_hash, hash);
	srv2 = file_slurp(tls, "server.crt");
	ca2 = file_slurp(tls, "ca.crt");
	CHECK_STR(srv2, srv1);
	CHECK_STR(ca2, ca1);
	CHECK_STR(p.ca_pem, ca1);
	pki_free(&p);
	free(srv1);
	free(srv2);
	free(ca1);
	free(ca2);
	dir_remove(dir);
	free(dir);
}

/* ---- serving certificate ---- */

static void test_server_cert_sans_and_chain(void)
{
	char *dir = tmp_dir_new(), tls[512], cn[64];
	struct pki p;
	char *err = NULL;
	mbedtls_x509_crt *x;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	snprintf(tls, sizeof tls, "%s/tls", dir);
	x = cert_from_file(tls, "server.crt");
	CHECK(x != NULL);
	if (!x)
		goto out;
	CHECK_INT(cert_verify(&p, x, EKU_SERVER), 1);
	/* serverAuth only: it must not pass as a client certificate */
	CHECK(cert_verify(&p, x, EKU_CLIENT) != 1);
	name_field(x, MBEDTLS_OID_AT_CN, 0, cn, sizeof cn);
	CHECK_STR(cn, "kube-apiserver");
	CHECK(cert_has_ip(x, "127.0.0.1"));
	CHECK(cert_has_ip(x, "::1"));
	CHECK(cert_has_ip(x, "10.96.0.1"));
	CHECK(!cert_has_ip(x, "10.96.0.2"));
	const char *dns[] = {"localhost", "kubernetes", "kubernetes.default",
			     "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"};
	for (size_t i = 0; i < sizeof dns / sizeof dns[0]; i++)
		CHECK(cert_has_dns(x, dns[i]));
	CHECK(!cert_has_dns(x, "example.com"));
	char host[256];
	if (gethostname(host, sizeof host) == 0)
		CHECK(cert_has_dns(x, host));
	CHECK_INT(mbedtls_x509_crt_check_key_usage(x, MBEDTLS_X509_KU_DIGITAL_SIGNATURE), 0);
	CHECK_INT(mbedtls_x509_crt_check_key_usage(x, MBEDTLS_X509_KU_KEY_CERT_SIGN) != 0, 1);
	CHECK(cert_has_ext(x, 0x23, false)); /* authorityKeyIdentifier */
	CHECK(cert_has_ext(x, 0x0e, false)); /* subjectKeyIdentifier */
	CHECK(cert_has_ext(x, 0x13, true));  /* basicConstraints CA:FALSE, critical */
	CHECK(cert_has_ext(x, 0x11, false)); /* subjectAltName */
	CHECK(!cert_has_ext(x, 0x11, true));
	CHECK(cert_has_ext(x, 0x25, false)); /* extKeyUsage, not critical */
	CHECK(!cert_has_ext(x, 0x25, true));
	CHECK_INT(x->ca_istrue, 0);
	CHECK_INT(cert_days(x), 365);
	/* 128-bit random serial, positive */
	CHECK(x->serial.len > 8 && x->serial.len <= 16 && !(x->serial.p[0] & 0x80));
	cert_free(x);
out:
	pki_free(&p);
	dir_remove(dir);
	free(dir);
}

static void test_server_cert_reissued_for_new_san(void)
{
	char *dir = tmp_dir_new(), tls[512];
	const char *extra[] = {"api.example.test", "192.0.2.10", NULL};
	struct pki p;
	char *err = NULL, *s1, *s2, *s3;
	mbedtls_x509_crt *x;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	pki_free(&p);
	snprintf(tls, sizeof tls, "%s/tls", dir);
	s1 = file_slurp(tls, "server.crt");
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", extra, &err), 0);
	pki_free(&p);
	s2 = file_slurp(tls, "server.crt");
	CHECK(s1 && s2 && strcmp(s1, s2) != 0);
	x = cert_from_file(tls, "server.crt");
	CHECK(x && cert_has_dns(x, "api.example.test"));
	CHECK(x && cert_has_ip(x, "192.0.2.10"));
	cert_free(x);
	/* the same SANs again: kept */
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", extra, &err), 0);
	pki_free(&p);
	s3 = file_slurp(tls, "server.crt");
	CHECK_STR(s3, s2);
	/* a different service IP: reissued */
	CHECK_INT(pki_load_or_create(&p, dir, "10.43.0.1", extra, &err), 0);
	pki_free(&p);
	x = cert_from_file(tls, "server.crt");
	CHECK(x && cert_has_ip(x, "10.43.0.1"));
	cert_free(x);
	free(s1);
	free(s2);
	free(s3);
	dir_remove(dir);
	free(dir);
}

static void file_put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_damaged_files(void)
{
	char *dir = tmp_dir_new(), tls[512], path[600];
	const char *bad_sans[] = {"bad name,with comma", NULL};
	struct pki p;
	char *err = NULL;
	mbedtls_x509_crt *x;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	pki_free(&p);
	snprintf(tls, sizeof tls, "%s/tls", dir);
	/* a garbage serving certificate is replaced */
	file_put(tls, "server.crt", "garbage");
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	x = cert_from_file(tls, "server.crt");
	CHECK(x && cert_verify(&p, x, EKU_SERVER) == 1);
	cert_free(x);
	pki_free(&p);
	/* an invalid extra SAN is an error with a message */
	CHECK(pki_load_or_create(&p, dir, "10.96.0.1", bad_sans, &err) < 0);
	CHECK(err && strstr(err, "invalid extra SAN"));
	free(err);
	err = NULL;
	CHECK(pki_load_or_create(&p, dir, "not-an-ip!", NULL, &err) < 0);
	CHECK(err && strstr(err, "service IP"));
	free(err);
	err = NULL;
	/* a corrupt CA key is an error, never a silent new CA */
	file_put(tls, "ca.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
	CHECK(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err) < 0);
	CHECK(err && strstr(err, "ca.key"));
	free(err);
	err = NULL;
	/* ca.crt without ca.key: refused */
	snprintf(path, sizeof path, "%s/ca.key", tls);
	unlink(path);
	CHECK(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err) < 0);
	CHECK(err && strstr(err, "ca.key"));
	CHECK(p.dir == NULL && p.ca == NULL);
	free(err);
	err = NULL;
	CHECK(pki_load_or_create(&p, "", "10.96.0.1", NULL, &err) < 0);
	free(err);
	dir_remove(dir);
	free(dir);
}

static void test_server_cert_from_other_ca_reissued(void)
{
	char *dir = tmp_dir_new(), *dir2 = tmp_dir_new(), tls[512], tls2[512], path[600];
	char path2[600];
	struct pki p;
	char *err = NULL;
	mbedtls_x509_crt *x;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	pki_free(&p);
	CHECK_INT(pki_load_or_create(&p, dir2, "10.96.0.1", NULL, &err), 0);
	pki_free(&p);
	snprintf(tls, sizeof tls, "%s/tls", dir);
	snprintf(tls2, sizeof tls2, "%s/tls", dir2);
	/* the serving pair from the second cluster copied over the first's */
	snprintf(path, sizeof path, "%s/server.crt", tls);
	snprintf(path2, sizeof path2, "%s/server.crt", tls2);
	CHECK_INT(rename(path2, path), 0);
	snprintf(path, sizeof path, "%s/server.key", tls);
	snprintf(path2, sizeof path2, "%s/server.key", tls2);
	CHECK_INT(rename(path2, path), 0);
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	x = cert_from_file(tls, "server.crt");
	CHECK(x && cert_verify(&p, x, EKU_SERVER) == 1);
	cert_free(x);
	pki_free(&p);
	dir_remove(dir);
	dir_remove(dir2);
	free(dir);
	free(dir2);
}

/* ---- client certificates, token, kubeconfig ---- */

static void test_client_cert(void)
{
	char *dir = tmp_dir_new(), buf[128];
	const char *groups[] = {"system:masters", "devs", NULL};
	struct pki p;
	char *err = NULL, *crt = NULL, *key = NULL;
	mbedtls_x509_crt *x;
	mbedtls_pk_context *k;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	CHECK_INT(pki_issue_client(&p, "alice", groups, &crt, &key, &err), 0);
	x = crt ? cert_from_pem(crt) : NULL;
	k = key ? key_from_pem(key) : NULL;
	CHECK(x && k);
	if (x && k) {
		CHECK_INT(mbedtls_pk_check_pair(&x->pk, k), 0);
		CHECK_INT(cert_verify(&p, x, EKU_CLIENT), 1);
		CHECK(cert_verify(&p, x, EKU_SERVER) != 1);
		name_field(x, MBEDTLS_OID_AT_CN, 0, buf, sizeof buf);
		CHECK_STR(buf, "alice");
		name_field(x, MBEDTLS_OID_AT_ORGANIZATION, 0, buf, sizeof buf);
		CHECK_STR(buf, "system:masters");
		name_field(x, MBEDTLS_OID_AT_ORGANIZATION, 1, buf, sizeof buf);
		CHECK_STR(buf, "devs");
		name_field(x, MBEDTLS_OID_AT_ORGANIZATION, 2, buf, sizeof buf);
		CHECK_STR(buf, "");
		/* DER order O, O, CN (the OpenSSL build's order) */
		CHECK(x->subject.oid.len == 3 &&
		      !memcmp(x->subject.oid.p, MBEDTLS_OID_AT_ORGANIZATION, 3));
		CHECK_INT(mbedtls_pk_get_type(&x->pk), MBEDTLS_PK_ECKEY);
	}
	cert_free(x);
	key_free(k);
	free(crt);
	free(key);
	/* bad names are refused with a message */
	char longname[100];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	CHECK(pki_issue_client(&p, "", NULL, &crt, &key, &err) < 0);
	CHECK(crt == NULL && key == NULL && err != NULL);
	CHECK(pki_issue_client(&p, longname, NULL, &crt, &key, &err) < 0);
	const char *bad_groups[] = {"ok", longname, NULL};
	CHECK(pki_issue_client(&p, "bob", bad_groups, &crt, &key, &err) < 0);
	free(err);
	pki_free(&p);
	dir_remove(dir);
	free(dir);
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

static void test_token(void)
{
	char *dir = tmp_dir_new(), tls[512];
	struct pki p;
	char *err = NULL, *t1 = NULL, *t2 = NULL, *t3 = NULL;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	CHECK_INT(pki_server_token(&p, dir, &t1, &err), 0);
	CHECK(t1 && strlen(t1) == 3 + 64 + 9 + 32);
	if (t1 && strlen(t1) == 108) {
		CHECK(strncmp(t1, "K10", 3) == 0);
		CHECK(strncmp(t1 + 3, p.ca_hash, 64) == 0);
		CHECK(strncmp(t1 + 67, "::server:", 9) == 0);
		CHECK(is_hex(t1 + 76, 32));
	}
	pki_free(&p);
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	CHECK_INT(pki_server_token(&p, dir, &t2, &err), 0);
	CHECK_STR(t2, t1);
	/* a damaged secret is an error, not a new token */
	snprintf(tls, sizeof tls, "%s/tls", dir);
	file_put(tls, "server-token", "xyz\n");
	CHECK(pki_server_token(&p, dir, &t3, &err) < 0);
	CHECK(t3 == NULL && err && strstr(err, "server-token"));
	free(err);
	free(t1);
	free(t2);
	pki_free(&p);
	dir_remove(dir);
	free(dir);
}

static void test_random_hex(void)
{
	char a[33], b[33];
	pki_random_hex(a, 16);
	pki_random_hex(b, 16);
	CHECK_INT(strlen(a), 32);
	CHECK(is_hex(a, 32));
	CHECK(strcmp(a, b) != 0);
	char big[301];
	pki_random_hex(big, 150);
	CHECK_INT(strlen(big), 300);
}

/* The base64 value after "key: " in a kubeconfig, decoded. */
static char *kubeconfig_field(const char *text, const char *key)
{
	char needle[64];
	const char *s, *e;
	unsigned char *out;
	long n;
	snprintf(needle, sizeof needle, "%s: ", key);
	s = strstr(text, needle);
	if (!s)
		return NULL;
	s += strlen(needle);
	e = strchr(s, '\n');
	if (!e)
		return NULL;
	out = calloc(1, (size_t)(e - s));
	n = base64_decode(s, (size_t)(e - s), out, (size_t)(e - s) - 1, false);
	if (n < 0) {
		free(out);
		return NULL;
	}
	return (char *)out;
}

static void test_kubeconfig(void)
{
	char *dir = tmp_dir_new(), tls[512], cn[64], o[64];
	struct pki p;
	char *err = NULL, *path = NULL, *text, *ca, *crt, *key, *admin1, *admin2;
	mbedtls_x509_crt *x;
	mbedtls_pk_context *k;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	CHECK_INT(pki_write_admin_kubeconfig(&p, dir, "https://127.0.0.1:6443", &path, &err), 0);
	CHECK(path && strstr(path, "/kubeconfig.yaml"));
	text = file_slurp(dir, "kubeconfig.yaml");
	CHECK(text != NULL);
	if (!text)
		goto out;
	CHECK(strstr(text, "current-context: minikube\n") != NULL);
	CHECK(strstr(text, "    server: \"https://127.0.0.1:6443\"\n") != NULL);
	CHECK(strstr(text, "  name: minikube\n") != NULL);
	CHECK(strstr(text, "- name: minikube\n") != NULL);
	ca = kubeconfig_field(text, "certificate-authority-data");
	crt = kubeconfig_field(text, "client-certificate-data");
	key = kubeconfig_field(text, "client-key-data");
	CHECK_STR(ca, p.ca_pem);
	x = crt ? cert_from_pem(crt) : NULL;
	k = key ? key_from_pem(key) : NULL;
	CHECK(x && k && mbedtls_pk_check_pair(&x->pk, k) == 0);
	if (x) {
		CHECK_INT(cert_verify(&p, x, EKU_CLIENT), 1);
		name_field(x, MBEDTLS_OID_AT_CN, 0, cn, sizeof cn);
		name_field(x, MBEDTLS_OID_AT_ORGANIZATION, 0, o, sizeof o);
		CHECK_STR(cn, "kubernetes-admin");
		CHECK_STR(o, "system:masters");
	}
	snprintf(tls, sizeof tls, "%s/tls", dir);
	admin1 = file_slurp(tls, "admin.crt");
	CHECK_STR(admin1, crt);
	/* second write reuses the admin certificate */
	free(path);
	CHECK_INT(pki_write_admin_kubeconfig(&p, dir, "https://10.0.0.5:6443", &path, &err), 0);
	admin2 = file_slurp(tls, "admin.crt");
	CHECK_STR(admin2, admin1);
	free(text);
	text = file_slurp(dir, "kubeconfig.yaml");
	CHECK(text && strstr(text, "https://10.0.0.5:6443"));
	/* URLs that would break the YAML are refused */
	free(path);
	path = NULL;
	CHECK(pki_write_admin_kubeconfig(&p, dir, "https://x\"\n", &path, &err) < 0);
	CHECK(path == NULL);
	free(err);
	cert_free(x);
	key_free(k);
	free(ca);
	free(crt);
	free(key);
	free(admin1);
	free(admin2);
	free(text);
out:
	free(path);
	pki_free(&p);
	dir_remove(dir);
	free(dir);
}

/* ---- TLS handshakes through common/tls (no sockets) ---- */

struct tls_pair {
	struct tls_conn *srv, *cli;
	bool ok; /* both sides finished the handshake */
};

static size_t shuttle(struct tls_conn *from, struct tls_conn *to)
{
	const void *data;
	size_t n = tls_output(from, &data);
	if (n) {
		tls_feed(to, data, n);
		tls_output_done(from, n);
	}
	return n;
}

static void tls_pair_run(struct tls_pair *tp, struct tls_config *scfg, struct tls_config *ccfg)
{
	int crc = 0, src = 0;
	memset(tp, 0, sizeof *tp);
	tp->srv = tls_conn_new(scfg, NULL);
	tp->cli = tls_conn_new(ccfg, "localhost");
	if (!tp->srv || !tp->cli)
		return;
	for (int i = 0; i < 20 && crc >= 0 && src >= 0 && !(crc == 1 && src == 1); i++) {
		if (crc == 0)
			crc = tls_handshake(tp->cli);
		shuttle(tp->cli, tp->srv);
		if (src == 0)
			src = tls_handshake(tp->srv);
		shuttle(tp->srv, tp->cli);
	}
	tp->ok = crc == 1 && src == 1;
}

static void tls_pair_close(struct tls_pair *tp)
{
	tls_conn_free(tp->srv);
	tls_conn_free(tp->cli);
}

/* A client configuration trusting p's CA, presenting cert/key when given. */
static struct tls_config *client_cfg_new(const struct pki *p, const char *crt, const char *key,
					 const char *const *alpn)
{
	struct tls_client_opts o = {
	    .ca_pem = p->ca_pem, .cert_pem = crt, .key_pem = key, .alpn = alpn};
	char *err = NULL;
	struct tls_config *c = tls_client_config(&o, &err);
	if (!c)
		fprintf(stderr, "client config: %s\n", err ? err : "?");
	free(err);
	return c;
}

static const char *const alpn_h2_h1[] = {"h2", "http/1.1", NULL};
static const char *const alpn_h2[] = {"h2", NULL};

static void test_tls_admin_handshake(void)
{
	char *dir = tmp_dir_new(), tls[512];
	struct pki p;
	char *err = NULL, *path = NULL, *crt, *key, *user = NULL, **groups = NULL;
	struct tls_config *scfg, *ccfg;
	struct tls_pair tp;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	CHECK_INT(pki_write_admin_kubeconfig(&p, dir, "https://127.0.0.1:6443", &path, &err), 0);
	scfg = pki_server_config(&p, &err);
	CHECK(scfg != NULL);
	snprintf(tls, sizeof tls, "%s/tls", dir);
	crt = file_slurp(tls, "admin.crt");
	key = file_slurp(tls, "admin.key");
	ccfg = client_cfg_new(&p, crt, key, alpn_h2_h1);
	tls_pair_run(&tp, scfg, ccfg);
	CHECK(tp.ok); /* the client verified the serving certificate for "localhost" */
	CHECK_STR(tls_alpn(tp.srv), "http/1.1");
	CHECK_INT(pki_peer_identity(tp.srv, &user, &groups), 0);
	CHECK_STR(user, "kubernetes-admin");
	CHECK(groups && groups[0] && !groups[1]);
	if (groups && groups[0])
		CHECK_STR(groups[0], "system:masters");
	free(user);
	pki_strv_free(groups);
	user = NULL;
	groups = NULL;
	tls_pair_close(&tp);
	tls_config_unref(ccfg);

	/* h2 only: the server never agrees to h2 (mbedTLS refuses the handshake
	 * with no_application_protocol; no ALPN at all would do as well) */
	ccfg = client_cfg_new(&p, crt, key, alpn_h2);
	tls_pair_run(&tp, scfg, ccfg);
	CHECK(tls_alpn(tp.srv) == NULL && tls_alpn(tp.cli) == NULL);
	tls_pair_close(&tp);
	tls_config_unref(ccfg);

	/* no client certificate (token users): handshake fine, no identity */
	ccfg = client_cfg_new(&p, NULL, NULL, NULL);
	tls_pair_run(&tp, scfg, ccfg);
	CHECK(tp.ok);
	CHECK_INT(pki_peer_identity(tp.srv, &user, &groups), -ENOENT);
	CHECK(user == NULL && groups == NULL);
	tls_pair_close(&tp);
	tls_config_unref(ccfg);

	free(crt);
	free(key);
	free(path);
	tls_config_unref(scfg);
	pki_free(&p);
	dir_remove(dir);
	free(dir);
}

static void test_tls_foreign_client_cert(void)
{
	char *dir = tmp_dir_new(), *dir2 = tmp_dir_new();
	const char *groups[] = {"system:masters", NULL};
	struct pki p, other;
	char *err = NULL, *crt = NULL, *key = NULL, *user = NULL, **g = NULL;
	struct tls_config *scfg, *ccfg;
	struct tls_pair tp;
	size_t len = 0;
	bool verified = true;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	CHECK_INT(pki_load_or_create(&other, dir2, "10.96.0.1", NULL, &err), 0);
	CHECK_INT(pki_issue_client(&other, "mallory", groups, &crt, &key, &err), 0);
	scfg = pki_server_config(&p, &err);
	ccfg = client_cfg_new(&p, crt, key, alpn_h2_h1);
	tls_pair_run(&tp, scfg, ccfg);
	CHECK(tp.ok); /* bearer tokens still work over it */
	CHECK(tls_peer_cert(tp.srv, &len, &verified) != NULL && !verified);
	CHECK_INT(pki_peer_identity(tp.srv, &user, &g), -EACCES);
	CHECK(user == NULL && g == NULL);
	tls_pair_close(&tp);
	tls_config_unref(ccfg);
	free(crt);
	free(key);

	/* the serving certificate (serverAuth only) is not a client certificate */
	char tls[512];
	snprintf(tls, sizeof tls, "%s/tls", dir);
	crt = file_slurp(tls, "server.crt");
	key = file_slurp(tls, "server.key");
	ccfg = client_cfg_new(&p, crt, key, NULL);
	tls_pair_run(&tp, scfg, ccfg);
	CHECK_INT(pki_peer_identity(tp.srv, &user, &g), -EACCES);
	tls_pair_close(&tp);
	tls_config_unref(ccfg);
	free(crt);
	free(key);

	tls_config_unref(scfg);
	pki_free(&p);
	pki_free(&other);
	dir_remove(dir);
	dir_remove(dir2);
	free(dir);
	free(dir2);
}

static void test_server_config_errors(void)
{
	struct pki p;
	char *err = NULL;
	memset(&p, 0, sizeof p);
	CHECK(pki_server_config(&p, &err) == NULL);
	CHECK(err != NULL);
	free(err);
}

/* ---- keys, ES256, CSRs ---- */

static void test_keys_and_es256(void)
{
	struct pki_key *k = pki_key_generate(), *k2, *other = pki_key_generate();
	unsigned char sig[64], h1[32], h2[32], h3[32];
	const char msg[] = "header.payload";
	char *pem;
	CHECK(k && other && pki_key_is_p256(k));
	if (!k || !other)
		return;
	pem = pki_key_to_pem(k);
	CHECK(pem && strstr(pem, "-----BEGIN EC PRIVATE KEY-----"));
	k2 = pem ? pki_key_from_pem(pem) : NULL;
	CHECK(k2 && pki_key_is_p256(k2));
	CHECK_INT(pki_key_spki_sha256(k, h1), 0);
	CHECK_INT(pki_key_spki_sha256(k2, h2), 0);
	CHECK_INT(pki_key_spki_sha256(other, h3), 0);
	CHECK(memcmp(h1, h2, 32) == 0 && memcmp(h1, h3, 32) != 0);
	/* signed by k, verified by its reloaded copy; r and s are 32 bytes each */
	CHECK_INT(pki_es256_sign(k, msg, strlen(msg), sig), 0);
	CHECK(pki_es256_verify(k2, msg, strlen(msg), sig));
	CHECK(!pki_es256_verify(other, msg, strlen(msg), sig));
	CHECK(!pki_es256_verify(k2, msg, strlen(msg) - 1, sig));
	sig[10] ^= 1;
	CHECK(!pki_es256_verify(k2, msg, strlen(msg), sig));
	memset(sig, 0, sizeof sig); /* r = s = 0 is never valid */
	CHECK(!pki_es256_verify(k2, msg, strlen(msg), sig));
	memset(sig, 0xff, sizeof sig); /* r, s >= n */
	CHECK(!pki_es256_verify(k2, msg, strlen(msg), sig));
	/* two signatures of the same message differ (random k), both verify */
	unsigned char s1[64], s2[64];
	CHECK_INT(pki_es256_sign(k, msg, strlen(msg), s1), 0);
	CHECK_INT(pki_es256_sign(k, msg, strlen(msg), s2), 0);
	CHECK(memcmp(s1, s2, 64) != 0);
	CHECK(pki_es256_verify(k, msg, strlen(msg), s2));
	/* garbage */
	CHECK(pki_key_from_pem("") == NULL);
	CHECK(pki_key_from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") ==
	      NULL);
	CHECK(pki_key_from_pem(NULL) == NULL);
	if (pem)
		secure_zero(pem, strlen(pem));
	free(pem);
	pki_key_free(k);
	pki_key_free(k2);
	pki_key_free(other);
	pki_key_free(NULL);
}

static void test_csr_sign(void)
{
	char *dir = tmp_dir_new(), cn[128], buf[128], hash[65];
	const char *const req_orgs[] = {"system:masters", NULL}; /* asked for, never granted */
	const char *const groups[] = {"system:nodes", NULL};
	struct pki p;
	struct pki_key *k = pki_key_generate();
	char *err = NULL, *csr, *crt = NULL, *kpem;
	mbedtls_x509_crt *x;
	mbedtls_pk_context *pk;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	csr = pki_csr_new(k, "system:node:n1", req_orgs);
	CHECK(csr && strstr(csr, "-----BEGIN CERTIFICATE REQUEST-----"));
	if (!csr)
		goto out;
	CHECK_INT(pki_csr_common_name(csr, strlen(csr), cn, sizeof cn, &err), 0);
	CHECK_STR(cn, "system:node:n1");
	CHECK_INT(pki_sign_csr(&p, csr, strlen(csr), groups, &crt, &err), 0);
	x = crt ? cert_from_pem(crt) : NULL;
	CHECK(x != NULL);
	if (x) {
		kpem = pki_key_to_pem(k);
		pk = kpem ? key_from_pem(kpem) : NULL;
		CHECK(pk && mbedtls_pk_check_pair(&x->pk, pk) == 0); /* the requester's key */
		key_free(pk);
		free(kpem);
		CHECK_INT(cert_verify(&p, x, EKU_CLIENT), 1);
		CHECK(cert_verify(&p, x, EKU_SERVER) != 1);
		name_field(x, MBEDTLS_OID_AT_CN, 0, buf, sizeof buf);
		CHECK_STR(buf, "system:node:n1");
		name_field(x, MBEDTLS_OID_AT_ORGANIZATION, 0, buf, sizeof buf);
		CHECK_STR(buf, "system:nodes");
		name_field(x, MBEDTLS_OID_AT_ORGANIZATION, 1, buf, sizeof buf);
		CHECK_STR(buf, "");
		CHECK_INT(cert_days(x), 365);
		cert_free(x);
	}
	CHECK_INT(pki_cert_pem_common_name(crt, buf, sizeof buf), 0);
	CHECK_STR(buf, "system:node:n1");
	CHECK(pki_cert_pem_common_name(crt, buf, 5) < 0); /* does not fit */
	free(crt);
	crt = NULL;

	/* a tampered CSR does not verify */
	char *bad = strdup(csr), *body = strchr(bad, '\n') + 40;
	*body = *body == 'A' ? 'B' : 'A';
	CHECK_INT(pki_sign_csr(&p, bad, strlen(bad), groups, &crt, &err), -EINVAL);
	CHECK(crt == NULL && err != NULL);
	free(bad);
	/* not a CSR, too big, no CN */
	CHECK_INT(pki_csr_common_name("hello", 5, cn, sizeof cn, &err), -EINVAL);
	CHECK_INT(pki_csr_common_name(csr, PKI_MAX_CSR + 1, cn, sizeof cn, &err), -EINVAL);
	CHECK_INT(pki_csr_common_name(p.ca_pem, strlen(p.ca_pem), cn, sizeof cn, &err), -EINVAL);
	free(csr);
	csr = pki_csr_new(k, "", NULL);
	CHECK(csr && pki_csr_common_name(csr, strlen(csr), cn, sizeof cn, &err) == -EINVAL);
	CHECK(err && strstr(err, "common name"));
	free(csr);

	/* the CA hash is the sha256 of its DER, first certificate of a chain */
	CHECK_INT(pki_cert_pem_hash(p.ca_pem, hash), 0);
	CHECK_STR(hash, p.ca_hash);
	CHECK_INT(pki_cert_pem_hash("garbage", hash), -EINVAL);
out:
	free(err);
	pki_key_free(k);
	pki_free(&p);
	dir_remove(dir);
	free(dir);
}

/* A data directory written by the OpenSSL build (tests/fixtures/pki-legacy:
 * PKCS#8 "PRIVATE KEY" files, certificates made by OpenSSL 3) loads: same CA,
 * its admin certificate still authenticates through mbedTLS. */
static void test_legacy_data_dir_loads(void)
{
	static const char *const files[] = {"ca.crt",	  "ca.key",	"admin.crt",   "admin.key",
					    "server.crt", "server.key", "server-token"};
	static const char ca_hash[] =
	    "158047e66820783054b88ed43ccaa7d8bff411f937562ce9cc08fc4fa40f7789";
	char *dir = tmp_dir_new(), tls[512], fixtures[512], path[600];
	const char *slash = strrchr(__FILE__, '/');
	struct pki p;
	char *err = NULL, *kc = NULL, *token = NULL, *user = NULL, **groups = NULL;
	char *admin_crt, *admin_key, *text;
	snprintf(fixtures, sizeof fixtures, "%.*s%sfixtures/pki-legacy",
		 slash ? (int)(slash - __FILE__) : 0, __FILE__, slash ? "/" : "");
	snprintf(tls, sizeof tls, "%s/tls", dir);
	CHECK_INT(mkdir(tls, 0700), 0);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *t = file_slurp(fixtures, files[i]);
		CHECK(t != NULL);
		if (t) {
			snprintf(path, sizeof path, "%s/%s", tls, files[i]);
			file_put(tls, files[i], t);
			chmod(path, strstr(files[i], ".crt") ? 0644 : 0600);
		}
		free(t);
	}
	admin_crt = file_slurp(tls, "admin.crt");
	admin_key = file_slurp(tls, "admin.key");
	CHECK(admin_key && strstr(admin_key, "-----BEGIN PRIVATE KEY-----"));
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	if (err)
		fprintf(stderr, "load: %s\n", err);
	CHECK_STR(p.ca_hash, ca_hash);
	CHECK_INT(pki_server_token(&p, dir, &token, &err), 0);
	CHECK(token && strstr(token, ca_hash) && strstr(token, "::server:"));
	/* the admin pair is reused while it has more than 30 days left */
	mbedtls_x509_crt *x = cert_from_pem(admin_crt);
	struct tm to = {0};
	if (x) {
		to.tm_year = x->valid_to.year - 1900;
		to.tm_mon = x->valid_to.mon - 1;
		to.tm_mday = x->valid_to.day;
	}
	bool fresh = x && timegm(&to) > time(NULL) + 31 * 86400L;
	cert_free(x);
	CHECK_INT(pki_write_admin_kubeconfig(&p, dir, "https://127.0.0.1:6443", &kc, &err), 0);
	text = file_slurp(dir, "kubeconfig.yaml");
	if (fresh) {
		char *now = file_slurp(tls, "admin.crt");
		char *kdata = text ? kubeconfig_field(text, "client-key-data") : NULL;
		CHECK_STR(now, admin_crt);
		CHECK_STR(kdata, admin_key);
		free(now);
		free(kdata);
		/* and it still authenticates against the loaded CA */
		struct tls_config *scfg = pki_server_config(&p, &err);
		struct tls_config *ccfg = client_cfg_new(&p, admin_crt, admin_key, NULL);
		struct tls_pair tp;
		tls_pair_run(&tp, scfg, ccfg);
		CHECK(tp.ok);
		CHECK_INT(pki_peer_identity(tp.srv, &user, &groups), 0);
		CHECK_STR(user, "kubernetes-admin");
		free(user);
		pki_strv_free(groups);
		tls_pair_close(&tp);
		tls_config_unref(ccfg);
		tls_config_unref(scfg);
	}
	/* the OpenSSL-made CA key signs new certificates */
	char *crt = NULL, *key = NULL;
	const char *const g[] = {"devs", NULL};
	CHECK_INT(pki_issue_client(&p, "carol", g, &crt, &key, &err), 0);
	x = crt ? cert_from_pem(crt) : NULL;
	CHECK(x && cert_verify(&p, x, EKU_CLIENT) == 1);
	cert_free(x);
	free(crt);
	free(key);
	free(text);
	free(kc);
	free(token);
	free(admin_crt);
	free(admin_key);
	free(err);
	pki_free(&p);
	dir_remove(dir);
	free(dir);
}

int main(void)
{
	TEST_RUN(test_first_start_creates_files);
	TEST_RUN(test_ca_extensions);
	TEST_RUN(test_second_load_reuses);
	TEST_RUN(test_server_cert_sans_and_chain);
	TEST_RUN(test_server_cert_reissued_for_new_san);
	TEST_RUN(test_damaged_files);
	TEST_RUN(test_server_cert_from_other_ca_reissued);
	TEST_RUN(test_client_cert);
	TEST_RUN(test_token);
	TEST_RUN(test_random_hex);
	TEST_RUN(test_kubeconfig);
	TEST_RUN(test_tls_admin_handshake);
	TEST_RUN(test_tls_foreign_client_cert);
	TEST_RUN(test_server_config_errors);
	TEST_RUN(test_keys_and_es256);
	TEST_RUN(test_csr_sign);
	TEST_RUN(test_legacy_data_dir_loads);
	return test_summary();
}
