/* Tests for common/pki: first-start creation (files, modes, timing), reuse on
 * restart, serving-certificate SANs and reissue, client certificates, the join
 * token, the kubeconfig, and real TLS handshakes against pki_server_ctx. */
#define _GNU_SOURCE /* nftw */
#include "common/pki.h"
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

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

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

static X509 *cert_from_pem(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	return x;
}

static EVP_PKEY *key_from_pem(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	return k;
}

static X509 *cert_from_file(const char *dir, const char *name)
{
	char *pem = file_slurp(dir, name);
	X509 *x = pem ? cert_from_pem(pem) : NULL;
	free(pem);
	return x;
}

/* X509_verify_cert against p's CA with the given purpose. */
static int cert_verify(const struct pki *p, X509 *x, int purpose)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok;
	X509_STORE_add_cert(st, p->ca_cert);
	X509_STORE_CTX_init(ctx, st, x, NULL);
	X509_STORE_CTX_set_purpose(ctx, purpose);
	ok = X509_verify_cert(ctx);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	return ok;
}

static void name_field(X509 *x, int nid, int nth, char *out, size_t outlen)
{
	X509_NAME *n = X509_get_subject_name(x);
	int idx = -1;
	out[0] = '\0';
	for (int i = 0; i <= nth; i++)
		idx = X509_NAME_get_index_by_NID(n, nid, idx);
	if (idx >= 0) {
		ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, idx));
		snprintf(out, outlen, "%.*s", ASN1_STRING_length(s),
			 (const char *)ASN1_STRING_get0_data(s));
	}
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
	char *dir = tmp_dir_new(), cn[128];
	struct pki p;
	char *err = NULL;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	name_field(p.ca_cert, NID_commonName, 0, cn, sizeof cn);
	CHECK(strncmp(cn, "minikube-ca@", 12) == 0 && atoll(cn + 12) > 1600000000);
	CHECK_INT(X509_check_ca(p.ca_cert), 1);
	CHECK(X509_get_key_usage(p.ca_cert) & KU_KEY_CERT_SIGN);
	CHECK(X509_get_key_usage(p.ca_cert) & KU_CRL_SIGN);
	CHECK(X509_get0_subject_key_id(p.ca_cert) != NULL);
	CHECK(X509_get_ext_by_NID(p.ca_cert, NID_basic_constraints, -1) >= 0);
	CHECK(X509_EXTENSION_get_critical(
	    X509_get_ext(p.ca_cert, X509_get_ext_by_NID(p.ca_cert, NID_basic_constraints, -1))));
	/* ten years, give or take the hour of skew allowance */
	int days = 0, secs = 0;
	ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(p.ca_cert), X509_get0_notAfter(p.ca_cert));
	CHECK_INT(days, 3650);
	CHECK_INT(EVP_PKEY_get_id(p.ca_key), EVP_PKEY_EC);
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
	X509 *x;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	snprintf(tls, sizeof tls, "%s/tls", dir);
	x = cert_from_file(tls, "server.crt");
	CHECK(x != NULL);
	if (!x)
		goto out;
	CHECK_INT(cert_verify(&p, x, X509_PURPOSE_SSL_SERVER), 1);
	/* serverAuth only: it must not pass as a client certificate */
	CHECK(cert_verify(&p, x, X509_PURPOSE_SSL_CLIENT) != 1);
	name_field(x, NID_commonName, 0, cn, sizeof cn);
	CHECK_STR(cn, "kube-apiserver");
	CHECK_INT(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
	CHECK_INT(X509_check_ip_asc(x, "::1", 0), 1);
	CHECK_INT(X509_check_ip_asc(x, "10.96.0.1", 0), 1);
	CHECK_INT(X509_check_ip_asc(x, "10.96.0.2", 0), 0);
	const char *dns[] = {"localhost", "kubernetes", "kubernetes.default",
			     "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"};
	for (size_t i = 0; i < sizeof dns / sizeof dns[0]; i++)
		CHECK_INT(X509_check_host(x, dns[i], 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL),
			  1);
	CHECK_INT(X509_check_host(x, "example.com", 0, 0, NULL), 0);
	char host[256];
	if (gethostname(host, sizeof host) == 0)
		CHECK_INT(X509_check_host(x, host, 0, 0, NULL), 1);
	CHECK(X509_get_extended_key_usage(x) & XKU_SSL_SERVER);
	CHECK(!(X509_get_extended_key_usage(x) & XKU_SSL_CLIENT));
	CHECK(X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE);
	CHECK(X509_get0_authority_key_id(x) != NULL);
	CHECK_INT(ASN1_STRING_length(X509_get0_authority_key_id(x)),
		  ASN1_STRING_length(X509_get0_subject_key_id(p.ca_cert)));
	CHECK_INT(X509_check_ca(x), 0);
	int days = 0, secs = 0;
	ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x));
	CHECK_INT(days, 365);
	/* 128-bit random serial, positive */
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	CHECK(BN_num_bits(bn) > 64 && BN_num_bits(bn) <= 128 && !BN_is_negative(bn));
	BN_free(bn);
	X509_free(x);
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
	X509 *x;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	pki_free(&p);
	snprintf(tls, sizeof tls, "%s/tls", dir);
	s1 = file_slurp(tls, "server.crt");
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", extra, &err), 0);
	pki_free(&p);
	s2 = file_slurp(tls, "server.crt");
	CHECK(s1 && s2 && strcmp(s1, s2) != 0);
	x = cert_from_file(tls, "server.crt");
	CHECK(x && X509_check_host(x, "api.example.test", 0, 0, NULL) == 1);
	CHECK(x && X509_check_ip_asc(x, "192.0.2.10", 0) == 1);
	X509_free(x);
	/* the same SANs again: kept */
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", extra, &err), 0);
	pki_free(&p);
	s3 = file_slurp(tls, "server.crt");
	CHECK_STR(s3, s2);
	/* a different service IP: reissued */
	CHECK_INT(pki_load_or_create(&p, dir, "10.43.0.1", extra, &err), 0);
	pki_free(&p);
	x = cert_from_file(tls, "server.crt");
	CHECK(x && X509_check_ip_asc(x, "10.43.0.1", 0) == 1);
	X509_free(x);
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
	X509 *x;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	pki_free(&p);
	snprintf(tls, sizeof tls, "%s/tls", dir);
	/* a garbage serving certificate is replaced */
	file_put(tls, "server.crt", "garbage");
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	x = cert_from_file(tls, "server.crt");
	CHECK(x && cert_verify(&p, x, X509_PURPOSE_SSL_SERVER) == 1);
	X509_free(x);
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
	CHECK(p.dir == NULL && p.ca_cert == NULL);
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
	X509 *x;
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
	CHECK(x && cert_verify(&p, x, X509_PURPOSE_SSL_SERVER) == 1);
	X509_free(x);
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
	X509 *x;
	EVP_PKEY *k;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	CHECK_INT(pki_issue_client(&p, "alice", groups, &crt, &key, &err), 0);
	x = crt ? cert_from_pem(crt) : NULL;
	k = key ? key_from_pem(key) : NULL;
	CHECK(x && k);
	if (x && k) {
		CHECK_INT(X509_check_private_key(x, k), 1);
		CHECK_INT(cert_verify(&p, x, X509_PURPOSE_SSL_CLIENT), 1);
		CHECK(cert_verify(&p, x, X509_PURPOSE_SSL_SERVER) != 1);
		name_field(x, NID_commonName, 0, buf, sizeof buf);
		CHECK_STR(buf, "alice");
		name_field(x, NID_organizationName, 0, buf, sizeof buf);
		CHECK_STR(buf, "system:masters");
		name_field(x, NID_organizationName, 1, buf, sizeof buf);
		CHECK_STR(buf, "devs");
		CHECK(X509_get_extended_key_usage(x) & XKU_SSL_CLIENT);
	}
	X509_free(x);
	EVP_PKEY_free(k);
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
	int n;
	snprintf(needle, sizeof needle, "%s: ", key);
	s = strstr(text, needle);
	if (!s)
		return NULL;
	s += strlen(needle);
	e = strchr(s, '\n');
	if (!e)
		return NULL;
	out = calloc(1, (size_t)(e - s));
	n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)(e - s));
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
	X509 *x;
	EVP_PKEY *k;
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
	CHECK(x && k && X509_check_private_key(x, k) == 1);
	if (x) {
		CHECK_INT(cert_verify(&p, x, X509_PURPOSE_SSL_CLIENT), 1);
		name_field(x, NID_commonName, 0, cn, sizeof cn);
		name_field(x, NID_organizationName, 0, o, sizeof o);
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
	X509_free(x);
	EVP_PKEY_free(k);
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

/* ---- TLS handshakes over a socketpair ---- */

struct tls_pair {
	SSL *srv, *cli;
	int fds[2];
	bool ok; /* both sides finished the handshake */
};

static void tls_pair_run(struct tls_pair *tp, SSL_CTX *sctx, SSL_CTX *cctx, SSL_SESSION *resume)
{
	bool sdone = false, cdone = false, failed = false;
	memset(tp, 0, sizeof *tp);
	socketpair(AF_UNIX, SOCK_STREAM, 0, tp->fds);
	fcntl(tp->fds[0], F_SETFL, O_NONBLOCK);
	fcntl(tp->fds[1], F_SETFL, O_NONBLOCK);
	tp->srv = SSL_new(sctx);
	tp->cli = SSL_new(cctx);
	SSL_set_fd(tp->srv, tp->fds[0]);
	SSL_set_fd(tp->cli, tp->fds[1]);
	SSL_set_accept_state(tp->srv);
	SSL_set_connect_state(tp->cli);
	SSL_set1_host(tp->cli, "localhost");
	if (resume)
		SSL_set_session(tp->cli, resume);
	for (int i = 0; i < 200 && !failed && !(sdone && cdone); i++) {
		if (!cdone) {
			int r = SSL_do_handshake(tp->cli);
			int e = SSL_get_error(tp->cli, r);
			cdone = r == 1;
			failed = r != 1 && e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE;
		}
		if (!sdone && !failed) {
			int r = SSL_do_handshake(tp->srv);
			int e = SSL_get_error(tp->srv, r);
			sdone = r == 1;
			failed = r != 1 && e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE;
		}
	}
	/* TLS 1.3: the client learns about a rejected certificate one round later */
	if (sdone && cdone && !failed) {
		char c;
		int r = SSL_read(tp->cli, &c, 1);
		int e = SSL_get_error(tp->cli, r);
		failed = e != SSL_ERROR_WANT_READ;
	}
	tp->ok = sdone && cdone && !failed;
	ERR_clear_error();
}

static void tls_pair_close(struct tls_pair *tp)
{
	/* a clean close_notify keeps the session resumable */
	if (tp->ok) {
		SSL_shutdown(tp->cli);
		SSL_shutdown(tp->srv);
	}
	SSL_free(tp->srv);
	SSL_free(tp->cli);
	close(tp->fds[0]);
	close(tp->fds[1]);
}

/* A client context trusting p's CA, presenting cert/key when given. */
static SSL_CTX *client_ctx_new(const struct pki *p, const char *crt, const char *key,
			       const unsigned char *alpn, unsigned alpn_len)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());
	X509_STORE_add_cert(SSL_CTX_get_cert_store(c), p->ca_cert);
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
	if (crt && key) {
		X509 *x = cert_from_pem(crt);
		EVP_PKEY *k = key_from_pem(key);
		SSL_CTX_use_certificate(c, x);
		SSL_CTX_use_PrivateKey(c, k);
		X509_free(x);
		EVP_PKEY_free(k);
	}
	if (alpn)
		SSL_CTX_set_alpn_protos(c, alpn, alpn_len);
	return c;
}

static const unsigned char alpn_h2_h1[] = "\x02h2\x08http/1.1";
static const unsigned char alpn_h2[] = "\x02h2";

static void test_tls_admin_handshake(void)
{
	char *dir = tmp_dir_new(), tls[512];
	struct pki p;
	char *err = NULL, *path = NULL, *crt, *key, *user = NULL, **groups = NULL;
	SSL_CTX *sctx, *cctx;
	struct tls_pair tp;
	const unsigned char *proto = NULL;
	unsigned proto_len = 0;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	CHECK_INT(pki_write_admin_kubeconfig(&p, dir, "https://127.0.0.1:6443", &path, &err), 0);
	sctx = pki_server_ctx(&p, &err);
	CHECK(sctx != NULL);
	snprintf(tls, sizeof tls, "%s/tls", dir);
	crt = file_slurp(tls, "admin.crt");
	key = file_slurp(tls, "admin.key");
	cctx = client_ctx_new(&p, crt, key, alpn_h2_h1, sizeof alpn_h2_h1 - 1);
	tls_pair_run(&tp, sctx, cctx, NULL);
	CHECK(tp.ok);
	CHECK_INT(SSL_get_verify_result(tp.cli), X509_V_OK);
	CHECK_INT(SSL_get_verify_result(tp.srv), X509_V_OK);
	CHECK(SSL_version(tp.srv) >= TLS1_2_VERSION);
	SSL_get0_alpn_selected(tp.srv, &proto, &proto_len);
	CHECK(proto_len == 8 && memcmp(proto, "http/1.1", 8) == 0);
	CHECK_INT(pki_peer_identity(tp.srv, &user, &groups), 0);
	CHECK_STR(user, "kubernetes-admin");
	CHECK(groups && groups[0] && !groups[1]);
	if (groups && groups[0])
		CHECK_STR(groups[0], "system:masters");
	free(user);
	pki_strv_free(groups);
	tls_pair_close(&tp);
	SSL_CTX_free(cctx);

	/* h2 only: the server never agrees to h2 */
	cctx = client_ctx_new(&p, crt, key, alpn_h2, sizeof alpn_h2 - 1);
	tls_pair_run(&tp, sctx, cctx, NULL);
	CHECK(tp.ok);
	proto_len = 0;
	SSL_get0_alpn_selected(tp.srv, &proto, &proto_len);
	CHECK_INT(proto_len, 0);
	tls_pair_close(&tp);
	SSL_CTX_free(cctx);

	/* no client certificate (token users): handshake fine, no identity */
	cctx = client_ctx_new(&p, NULL, NULL, NULL, 0);
	tls_pair_run(&tp, sctx, cctx, NULL);
	CHECK(tp.ok);
	CHECK_INT(pki_peer_identity(tp.srv, &user, &groups), -ENOENT);
	CHECK(user == NULL && groups == NULL);
	tls_pair_close(&tp);
	SSL_CTX_free(cctx);

	/* TLS 1.1 is refused */
	cctx = client_ctx_new(&p, NULL, NULL, NULL, 0);
	SSL_CTX_set_min_proto_version(cctx, TLS1_VERSION);
	SSL_CTX_set_max_proto_version(cctx, TLS1_1_VERSION);
	SSL_CTX_set_security_level(cctx, 0);
	tls_pair_run(&tp, sctx, cctx, NULL);
	CHECK(!tp.ok);
	tls_pair_close(&tp);
	SSL_CTX_free(cctx);

	free(crt);
	free(key);
	free(path);
	SSL_CTX_free(sctx);
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
	SSL_CTX *sctx, *cctx;
	struct tls_pair tp;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	CHECK_INT(pki_load_or_create(&other, dir2, "10.96.0.1", NULL, &err), 0);
	CHECK_INT(pki_issue_client(&other, "mallory", groups, &crt, &key, &err), 0);
	sctx = pki_server_ctx(&p, &err);
	cctx = client_ctx_new(&p, crt, key, alpn_h2_h1, sizeof alpn_h2_h1 - 1);
	tls_pair_run(&tp, sctx, cctx, NULL);
	CHECK(SSL_get0_peer_certificate(tp.srv) != NULL);
	CHECK(SSL_get_verify_result(tp.srv) != X509_V_OK);
	CHECK_INT(pki_peer_identity(tp.srv, &user, &g), -EACCES);
	CHECK(user == NULL && g == NULL);
	tls_pair_close(&tp);
	SSL_CTX_free(cctx);
	free(crt);
	free(key);

	/* the serving certificate is not a client certificate */
	char tls[512];
	snprintf(tls, sizeof tls, "%s/tls", dir);
	crt = file_slurp(tls, "server.crt");
	key = file_slurp(tls, "server.key");
	cctx = client_ctx_new(&p, crt, key, NULL, 0);
	tls_pair_run(&tp, sctx, cctx, NULL);
	CHECK_INT(pki_peer_identity(tp.srv, &user, &g), -EACCES);
	tls_pair_close(&tp);
	SSL_CTX_free(cctx);
	free(crt);
	free(key);

	SSL_CTX_free(sctx);
	pki_free(&p);
	pki_free(&other);
	dir_remove(dir);
	dir_remove(dir2);
	free(dir);
	free(dir2);
}

static void test_tls_session_resumption(void)
{
	char *dir = tmp_dir_new();
	const char *groups[] = {"devs", NULL};
	struct pki p;
	char *err = NULL, *crt = NULL, *key = NULL, *user = NULL, **g = NULL;
	SSL_CTX *sctx, *cctx;
	SSL_SESSION *sess;
	struct tls_pair tp;
	CHECK_INT(pki_load_or_create(&p, dir, "10.96.0.1", NULL, &err), 0);
	CHECK_INT(pki_issue_client(&p, "bob", groups, &crt, &key, &err), 0);
	sctx = pki_server_ctx(&p, &err);
	cctx = client_ctx_new(&p, crt, key, NULL, 0);
	SSL_CTX_set_max_proto_version(cctx, TLS1_2_VERSION);
	tls_pair_run(&tp, sctx, cctx, NULL);
	CHECK(tp.ok);
	sess = SSL_get1_session(tp.cli);
	tls_pair_close(&tp);
	tls_pair_run(&tp, sctx, cctx, sess);
	CHECK(tp.ok);
	CHECK_INT(SSL_session_reused(tp.srv), 1);
	/* the identity survives resumption */
	CHECK_INT(pki_peer_identity(tp.srv, &user, &g), 0);
	CHECK_STR(user, "bob");
	free(user);
	pki_strv_free(g);
	tls_pair_close(&tp);
	SSL_SESSION_free(sess);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	free(crt);
	free(key);
	pki_free(&p);
	dir_remove(dir);
	free(dir);
}

static void test_server_ctx_errors(void)
{
	struct pki p;
	char *err = NULL;
	memset(&p, 0, sizeof p);
	CHECK(pki_server_ctx(&p, &err) == NULL);
	CHECK(err != NULL);
	free(err);
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
	TEST_RUN(test_tls_session_resumption);
	TEST_RUN(test_server_ctx_errors);
	return test_summary();
}
