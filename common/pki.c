/* The cluster's PKI: on first start it creates a self-signed ECDSA P-256 CA,
 * the API server's serving certificate (with every SAN a client may dial),
 * the admin client certificate and the node join secret under DATA_DIR/tls;
 * later starts load them and reissue only the serving certificate when it is
 * close to expiry, signed by another CA, or missing a SAN. Files are written
 * atomically (temporary file + rename) and keys are mode 0600. Also builds the
 * API server's SSL_CTX and the admin kubeconfig. See pki.h. */
#define _GNU_SOURCE /* asprintf, mkostemp */
#include "common/pki.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define PKI_CA_DAYS 3650
#define PKI_LEAF_DAYS 365
#define PKI_RENEW_DAYS 30
#define PKI_MAX_FILE (64 * 1024)
#define PKI_MAX_SANS 256
#define PKI_MAX_GROUPS 32
#define PKI_MAX_NAME 64 /* X.509 upper bound for CN and O */
#define PKI_SECRET_BYTES 16
#define PKI_ADMIN_USER "kubernetes-admin"
#define PKI_ADMIN_GROUP "system:masters"
#define PKI_CIPHERS                                                                                \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"                             \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:"                               \
	"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305"

/* ---- cleanup helpers ---- */

static inline void freep(void *p)
{
	free(*(void **)p);
}
static inline void x509_freep(X509 **p)
{
	X509_free(*p);
}
static inline void pkey_freep(EVP_PKEY **p)
{
	EVP_PKEY_free(*p);
}
static inline void bio_freep(BIO **p)
{
	BIO_free(*p);
}
static inline void gens_freep(GENERAL_NAMES **p)
{
	GENERAL_NAMES_free(*p);
}
static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_x509_ __attribute__((cleanup(x509_freep)))
#define _cleanup_pkey_ __attribute__((cleanup(pkey_freep)))
#define _cleanup_bio_ __attribute__((cleanup(bio_freep)))
#define _cleanup_gens_ __attribute__((cleanup(gens_freep)))
#define _cleanup_fclose_ __attribute__((cleanup(fclosep)))

/* ---- errors ---- */

/* Sets *err to the formatted message plus the first queued OpenSSL error (if
 * any), and clears the OpenSSL queue. Returns rc so callers can `return`. */
__attribute__((format(printf, 3, 4))) static int pki_fail(char **err, int rc, const char *fmt, ...)
{
	char msg[256], ossl[256] = "";
	unsigned long e = ERR_peek_error();
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (e)
		ERR_error_string_n(e, ossl, sizeof ossl);
	ERR_clear_error();
	if (err) {
		free(*err);
		if (asprintf(err, "%s%s%s", msg, *ossl ? ": " : "", ossl) < 0)
			*err = NULL;
	}
	return rc;
}

/* ---- small utilities ---- */

static char *path_join(const char *dir, const char *name)
{
	char *s;
	if (asprintf(&s, "%s/%s", dir, name) < 0)
		return NULL;
	return s;
}

void pki_random_hex(char *out, size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[64];
	size_t done = 0;
	while (done < nbytes) {
		size_t n = nbytes - done < sizeof b ? nbytes - done : sizeof b;
		if (RAND_bytes(b, (int)n) != 1 && getrandom(b, n, 0) != (ssize_t)n)
			abort(); /* no entropy: nothing safe to hand out */
		for (size_t i = 0; i < n; i++) {
			out[2 * (done + i)] = hex[b[i] >> 4];
			out[2 * (done + i) + 1] = hex[b[i] & 15];
		}
		done += n;
	}
	out[2 * nbytes] = '\0';
	OPENSSL_cleanse(b, sizeof b);
}

/* Reads a whole small file; -ENOENT when absent, -EFBIG above the bound. */
static int file_read_bounded(const char *path, char **out, size_t *len)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *buf = NULL;
	size_t n;
	if (!f)
		return -errno;
	buf = malloc(PKI_MAX_FILE + 1);
	if (!buf)
		return -ENOMEM;
	n = fread(buf, 1, PKI_MAX_FILE + 1, f);
	if (ferror(f))
		return -EIO;
	if (n > PKI_MAX_FILE)
		return -EFBIG;
	buf[n] = '\0';
	*len = n;
	*out = buf;
	buf = NULL;
	return 0;
}

static int fd_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Writes path atomically: a temporary file in the same directory with the
 * final mode from the start (a key is never world-readable, even briefly),
 * fsync, rename. */
static int file_write_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
	_cleanup_free_ char *tmp = NULL;
	int fd, rc;
	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = fchmod(fd, mode) < 0 ? -errno : 0;
	if (rc == 0)
		rc = fd_write_all(fd, data, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	return rc;
}

static int dir_ensure(const char *dir, mode_t mode)
{
	struct stat st;
	if (mkdir(dir, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (stat(dir, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

static bool file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* ---- PEM <-> objects ---- */

static char *bio_to_string(BIO *b)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);
	if (n < 0)
		return NULL;
	return strndup(data, (size_t)n);
}

static char *cert_to_pem(X509 *x)
{
	_cleanup_bio_ BIO *b = BIO_new(BIO_s_mem());
	if (!b || !PEM_write_bio_X509(b, x))
		return NULL;
	return bio_to_string(b);
}

static char *key_to_pem(EVP_PKEY *k)
{
	_cleanup_bio_ BIO *b = BIO_new(BIO_s_mem());
	if (!b || !PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL))
		return NULL;
	return bio_to_string(b);
}

static int cert_load(const char *path, X509 **out)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_bio_ BIO *b = NULL;
	size_t len;
	int rc = file_read_bounded(path, &buf, &len);
	if (rc < 0)
		return rc;
	b = BIO_new_mem_buf(buf, (int)len);
	if (!b)
		return -ENOMEM;
	*out = PEM_read_bio_X509(b, NULL, NULL, NULL);
	return *out ? 0 : -EBADMSG;
}

static int key_load(const char *path, EVP_PKEY **out)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_bio_ BIO *b = NULL;
	size_t len;
	int rc = file_read_bounded(path, &buf, &len);
	if (rc < 0)
		return rc;
	b = BIO_new_mem_buf(buf, (int)len);
	if (!b)
		return -ENOMEM;
	*out = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	OPENSSL_cleanse(buf, len);
	return *out ? 0 : -EBADMSG;
}

static int pair_write(const char *dir, const char *base, X509 *cert, EVP_PKEY *key)
{
	_cleanup_free_ char *cpath = NULL, *kpath = NULL, *cpem = NULL, *kpem = NULL;
	int rc;
	if (asprintf(&cpath, "%s/%s.crt", dir, base) < 0 ||
	    asprintf(&kpath, "%s/%s.key", dir, base) < 0)
		return -ENOMEM;
	cpem = cert_to_pem(cert);
	kpem = key_to_pem(key);
	if (!cpem || !kpem)
		return -ENOMEM;
	/* Key first: a crt without its key is never left behind. */
	rc = file_write_atomic(kpath, kpem, strlen(kpem), 0600);
	if (rc == 0)
		rc = file_write_atomic(cpath, cpem, strlen(cpem), 0644);
	OPENSSL_cleanse(kpem, strlen(kpem));
	return rc;
}

/* ---- certificate building ---- */

static EVP_PKEY *key_generate(void)
{
	return EVP_EC_gen("P-256");
}

static int cert_set_serial(X509 *x)
{
	unsigned char b[16];
	BIGNUM *bn;
	ASN1_INTEGER *ai;
	if (RAND_bytes(b, sizeof b) != 1)
		return -EIO;
	b[0] &= 0x7f; /* positive, 128 bits at most */
	b[0] |= 0x40; /* never zero, never short */
	bn = BN_bin2bn(b, sizeof b, NULL);
	if (!bn)
		return -ENOMEM;
	ai = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	return ai ? 0 : -ENOMEM;
}

static int cert_add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok;
	if (!ext)
		return -EINVAL;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -ENOMEM;
}

/* A v3 certificate for key, valid from an hour ago (clock skew between
 * nodes) for days. Subject and extensions are the caller's. */
static X509 *cert_new(EVP_PKEY *key, long days)
{
	X509 *x = X509_new();
	if (!x)
		return NULL;
	if (!X509_set_version(x, X509_VERSION_3) || cert_set_serial(x) < 0 ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL) ||
	    !X509_set_pubkey(x, key)) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int name_add(X509_NAME *n, const char *field, const char *value)
{
	return X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8, (const unsigned char *)value, -1,
					  -1, 0)
		   ? 0
		   : -EINVAL;
}

static int pki_ca_create(X509 **cert_out, EVP_PKEY **key_out)
{
	_cleanup_pkey_ EVP_PKEY *key = key_generate();
	_cleanup_x509_ X509 *x = NULL;
	X509V3_CTX ctx;
	char cn[64];
	if (!key)
		return -EIO;
	x = cert_new(key, PKI_CA_DAYS);
	if (!x)
		return -ENOMEM;
	snprintf(cn, sizeof cn, "minikube-ca@%lld", (long long)time(NULL));
	if (name_add(X509_get_subject_name(x), "CN", cn) < 0 ||
	    !X509_set_issuer_name(x, X509_get_subject_name(x)))
		return -EINVAL;
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if (cert_add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
	    cert_add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign") <
		0 ||
	    cert_add_ext(x, &ctx, NID_subject_key_identifier, "hash") < 0)
		return -EINVAL;
	if (!X509_sign(x, key, EVP_sha256()))
		return -EIO;
	*cert_out = x;
	*key_out = key;
	x = NULL;
	key = NULL;
	return 0;
}

/* Signs a leaf: subject already set; adds CA:FALSE, key usage, EKU, key ids. */
static int pki_leaf_sign(const struct pki *p, X509 *x, const char *eku)
{
	X509V3_CTX ctx;
	if (!X509_set_issuer_name(x, X509_get_subject_name(p->ca_cert)))
		return -EINVAL;
	X509V3_set_ctx(&ctx, p->ca_cert, x, NULL, NULL, 0);
	if (cert_add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    cert_add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment") < 0 ||
	    cert_add_ext(x, &ctx, NID_ext_key_usage, eku) < 0 ||
	    cert_add_ext(x, &ctx, NID_subject_key_identifier, "hash") < 0 ||
	    cert_add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always") < 0)
		return -EINVAL;
	return X509_sign(x, p->ca_key, EVP_sha256()) ? 0 : -EIO;
}

/* ---- subject alternative names ---- */

/* SANs are kept as "DNS:name" / "IP:canonical-address" strings so the wanted
 * set and a certificate's set compare with strcmp. */
struct san_list {
	char *v[PKI_MAX_SANS];
	size_t n;
};

static void san_list_free(struct san_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

static bool san_list_has(const struct san_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

static int san_list_add(struct san_list *l, const char *kind, const char *value)
{
	char *s;
	if (asprintf(&s, "%s:%s", kind, value) < 0)
		return -ENOMEM;
	if (san_list_has(l, s)) {
		free(s);
		return 0;
	}
	if (l->n == PKI_MAX_SANS) {
		free(s);
		return -E2BIG;
	}
	l->v[l->n++] = s;
	return 0;
}

/* Canonical text of an IP address (so "::0001" and "::1" compare equal). */
static bool ip_canonical(const char *in, char *out, size_t outlen)
{
	unsigned char buf[sizeof(struct in6_addr)];
	if (inet_pton(AF_INET, in, buf) == 1)
		return inet_ntop(AF_INET, buf, out, (socklen_t)outlen) != NULL;
	if (inet_pton(AF_INET6, in, buf) == 1)
		return inet_ntop(AF_INET6, buf, out, (socklen_t)outlen) != NULL;
	return false;
}

static bool dns_name_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '*'))
			return false;
	}
	return true;
}

/* IP or DNS name given by the operator or the system. */
static int san_list_add_any(struct san_list *l, const char *value)
{
	char ip[INET6_ADDRSTRLEN];
	if (ip_canonical(value, ip, sizeof ip))
		return san_list_add(l, "IP", ip);
	if (!dns_name_valid(value))
		return -EINVAL;
	return san_list_add(l, "DNS", value);
}

static int san_add_local_ips(struct san_list *l)
{
	struct ifaddrs *ifa, *i;
	char ip[INET6_ADDRSTRLEN];
	int rc = 0;
	if (getifaddrs(&ifa) < 0)
		return 0; /* loopback addresses are still listed */
	for (i = ifa; i && rc == 0; i = i->ifa_next) {
		const void *addr;
		if (!i->ifa_addr || !(i->ifa_flags & IFF_UP))
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			addr = &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			const struct in6_addr *a6 =
			    &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
			if (IN6_IS_ADDR_LINKLOCAL(a6))
				continue; /* needs a zone: no client dials it by URL */
			addr = a6;
		} else {
			continue;
		}
		if (inet_ntop(i->ifa_addr->sa_family, addr, ip, sizeof ip))
			rc = san_list_add(l, "IP", ip);
	}
	freeifaddrs(ifa);
	return rc == -E2BIG ? 0 : rc; /* a host with hundreds of addresses keeps the first */
}

static int san_list_wanted(struct san_list *l, const char *service_ip,
			   const char *const *extra_sans, char **err)
{
	static const char *const fixed[] = {"localhost",
					    "kubernetes",
					    "kubernetes.default",
					    "kubernetes.default.svc",
					    "kubernetes.default.svc.cluster.local",
					    "127.0.0.1",
					    "::1"};
	char host[256];
	int rc;
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if ((rc = san_list_add_any(l, fixed[i])) < 0)
			return pki_fail(err, rc, "pki: adding SAN %s failed", fixed[i]);
	if (service_ip && *service_ip && (rc = san_list_add_any(l, service_ip)) < 0)
		return pki_fail(err, rc, "pki: invalid service IP \"%.64s\"", service_ip);
	for (size_t i = 0; extra_sans && extra_sans[i]; i++)
		if ((rc = san_list_add_any(l, extra_sans[i])) < 0)
			return pki_fail(err, rc, "pki: invalid extra SAN \"%.64s\"", extra_sans[i]);
	if (gethostname(host, sizeof host) == 0) {
		host[sizeof host - 1] = '\0';
		for (char *c = host; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		if (dns_name_valid(host))
			(void)san_list_add(l, "DNS", host); /* best effort */
	}
	return san_add_local_ips(l);
}

static GENERAL_NAME *general_name_new(const char *san)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	if (!g)
		return NULL;
	if (strncmp(san, "IP:", 3) == 0) {
		ASN1_OCTET_STRING *ip = a2i_IPADDRESS(san + 3);
		if (!ip)
			goto fail;
		GENERAL_NAME_set0_value(g, GEN_IPADD, ip);
	} else {
		ASN1_IA5STRING *dns = ASN1_IA5STRING_new();
		if (!dns || !ASN1_STRING_set(dns, san + 4, -1)) {
			ASN1_IA5STRING_free(dns);
			goto fail;
		}
		GENERAL_NAME_set0_value(g, GEN_DNS, dns);
	}
	return g;
fail:
	GENERAL_NAME_free(g);
	return NULL;
}

static int cert_add_sans(X509 *x, const struct san_list *l)
{
	_cleanup_gens_ GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	if (!gens)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		GENERAL_NAME *g = general_name_new(l->v[i]);
		if (!g || !sk_GENERAL_NAME_push(gens, g)) {
			GENERAL_NAME_free(g);
			return -ENOMEM;
		}
	}
	return X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, 0) == 1 ? 0 : -ENOMEM;
}

/* The certificate's SANs in the san_list form. */
static int cert_sans(X509 *x, struct san_list *l)
{
	_cleanup_gens_ GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	char ip[INET6_ADDRSTRLEN];
	int n = gens ? sk_GENERAL_NAME_num(gens) : 0;
	for (int i = 0; i < n; i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		int type;
		ASN1_STRING *s = GENERAL_NAME_get0_value(g, &type);
		int len = ASN1_STRING_length(s);
		const unsigned char *d = ASN1_STRING_get0_data(s);
		if (type == GEN_DNS && len > 0 && len < 254 && !memchr(d, 0, (size_t)len)) {
			char name[256];
			memcpy(name, d, (size_t)len);
			name[len] = '\0';
			(void)san_list_add(l, "DNS", name);
		} else if (type == GEN_IPADD && (len == 4 || len == 16) &&
			   inet_ntop(len == 4 ? AF_INET : AF_INET6, d, ip, sizeof ip)) {
			(void)san_list_add(l, "IP", ip);
		}
	}
	return 0;
}

/* ---- CA ---- */

static int pki_ca_hash(struct pki *p)
{
	unsigned char *der = NULL, md[32];
	unsigned int mdlen = 0;
	int len = i2d_X509(p->ca_cert, &der);
	int ok;
	if (len <= 0)
		return -ENOMEM;
	ok = EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL);
	OPENSSL_free(der);
	if (!ok || mdlen != sizeof md)
		return -EIO;
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(p->ca_hash + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static bool cert_expires_within(X509 *x, int days)
{
	return X509_cmp_time(X509_get0_notAfter(x), &(time_t){time(NULL) + days * 86400L}) <= 0;
}

static int pki_ca_load_or_create(struct pki *p, char **err)
{
	_cleanup_free_ char *cpath = path_join(p->dir, "ca.crt");
	_cleanup_free_ char *kpath = path_join(p->dir, "ca.key");
	bool have_crt, have_key;
	int rc;
	if (!cpath || !kpath)
		return pki_fail(err, -ENOMEM, "pki: out of memory");
	have_crt = file_exists(cpath);
	have_key = file_exists(kpath);
	if (!have_crt && !have_key) {
		if ((rc = pki_ca_create(&p->ca_cert, &p->ca_key)) < 0)
			return pki_fail(err, rc, "pki: creating the CA failed");
		if ((rc = pair_write(p->dir, "ca", p->ca_cert, p->ca_key)) < 0)
			return pki_fail(err, rc, "pki: writing %s: %s", cpath, strerror(-rc));
		return 0;
	}
	/* Half a CA is never replaced silently: every issued credential hangs on it. */
	if (!have_crt || !have_key)
		return pki_fail(err, -ENOENT,
				"pki: %s exists but %s does not; restore it or remove both",
				have_crt ? cpath : kpath, have_crt ? kpath : cpath);
	if ((rc = cert_load(cpath, &p->ca_cert)) < 0)
		return pki_fail(err, rc, "pki: reading %s: %s", cpath, strerror(-rc));
	if ((rc = key_load(kpath, &p->ca_key)) < 0)
		return pki_fail(err, rc, "pki: reading %s: %s", kpath, strerror(-rc));
	if (X509_check_private_key(p->ca_cert, p->ca_key) != 1)
		return pki_fail(err, -EINVAL, "pki: %s does not match %s", kpath, cpath);
	if (cert_expires_within(p->ca_cert, 0))
		return pki_fail(err, -EKEYEXPIRED, "pki: the CA in %s has expired", cpath);
	return 0;
}

/* ---- leaf certificates ---- */

/* A pair is reusable when both files parse, the key matches, the CA signed
 * it and it has more than PKI_RENEW_DAYS left. */
static bool pki_pair_usable(const struct pki *p, X509 *x, EVP_PKEY *k)
{
	_cleanup_pkey_ EVP_PKEY *ca_pub = X509_get_pubkey(p->ca_cert);
	bool ok = ca_pub && X509_check_private_key(x, k) == 1 && X509_verify(x, ca_pub) == 1 &&
		  X509_check_issued(p->ca_cert, x) == X509_V_OK &&
		  !cert_expires_within(x, PKI_RENEW_DAYS);
	ERR_clear_error();
	return ok;
}

static int pki_pair_load(const struct pki *p, const char *base, X509 **x, EVP_PKEY **k)
{
	_cleanup_free_ char *cpath = NULL, *kpath = NULL;
	if (asprintf(&cpath, "%s/%s.crt", p->dir, base) < 0 ||
	    asprintf(&kpath, "%s/%s.key", p->dir, base) < 0)
		return -ENOMEM;
	if (cert_load(cpath, x) < 0 || key_load(kpath, k) < 0 || !pki_pair_usable(p, *x, *k)) {
		X509_free(*x);
		EVP_PKEY_free(*k);
		*x = NULL;
		*k = NULL;
		ERR_clear_error();
		return -ENOENT;
	}
	return 0;
}

static bool cert_has_sans(X509 *x, const struct san_list *want)
{
	struct san_list have = {.n = 0};
	bool ok = true;
	cert_sans(x, &have);
	for (size_t i = 0; i < want->n && ok; i++)
		ok = san_list_has(&have, want->v[i]);
	san_list_free(&have);
	return ok;
}

static int pki_server_issue(const struct pki *p, const struct san_list *sans, X509 **xo,
			    EVP_PKEY **ko)
{
	_cleanup_pkey_ EVP_PKEY *key = key_generate();
	_cleanup_x509_ X509 *x = NULL;
	int rc;
	if (!key)
		return -EIO;
	x = cert_new(key, PKI_LEAF_DAYS);
	if (!x)
		return -ENOMEM;
	if ((rc = name_add(X509_get_subject_name(x), "CN", "kube-apiserver")) < 0 ||
	    (rc = cert_add_sans(x, sans)) < 0 || (rc = pki_leaf_sign(p, x, "serverAuth")) < 0)
		return rc;
	*xo = x;
	*ko = key;
	x = NULL;
	key = NULL;
	return 0;
}

static int pki_server_ensure(const struct pki *p, const char *service_ip,
			     const char *const *extra_sans, char **err)
{
	struct san_list want = {.n = 0};
	_cleanup_x509_ X509 *x = NULL;
	_cleanup_pkey_ EVP_PKEY *k = NULL;
	int rc = san_list_wanted(&want, service_ip, extra_sans, err);
	if (rc < 0)
		goto out;
	if (pki_pair_load(p, "server", &x, &k) == 0 && cert_has_sans(x, &want))
		goto out;
	X509_free(x);
	EVP_PKEY_free(k);
	x = NULL;
	k = NULL;
	if ((rc = pki_server_issue(p, &want, &x, &k)) < 0) {
		pki_fail(err, rc, "pki: issuing the serving certificate failed");
		goto out;
	}
	if ((rc = pair_write(p->dir, "server", x, k)) < 0)
		pki_fail(err, rc, "pki: writing %s/server.crt: %s", p->dir, strerror(-rc));
out:
	san_list_free(&want);
	return rc;
}

static bool client_name_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > 0 && n <= PKI_MAX_NAME;
}

static int pki_client_build(const struct pki *p, const char *user, const char *const *groups,
			    X509 **xo, EVP_PKEY **ko)
{
	_cleanup_pkey_ EVP_PKEY *key = key_generate();
	_cleanup_x509_ X509 *x = NULL;
	X509_NAME *name;
	int rc;
	if (!key)
		return -EIO;
	x = cert_new(key, PKI_LEAF_DAYS);
	if (!x)
		return -ENOMEM;
	name = X509_get_subject_name(x);
	for (size_t i = 0; groups && groups[i]; i++)
		if ((rc = name_add(name, "O", groups[i])) < 0)
			return rc;
	if ((rc = name_add(name, "CN", user)) < 0 || (rc = pki_leaf_sign(p, x, "clientAuth")) < 0)
		return rc;
	*xo = x;
	*ko = key;
	x = NULL;
	key = NULL;
	return 0;
}

int pki_issue_client(const struct pki *p, const char *user, const char *const *groups,
		     char **cert_pem, char **key_pem, char **err)
{
	_cleanup_x509_ X509 *x = NULL;
	_cleanup_pkey_ EVP_PKEY *k = NULL;
	size_t ngroups = 0;
	int rc;
	*cert_pem = NULL;
	*key_pem = NULL;
	if (!client_name_valid(user))
		return pki_fail(err, -EINVAL, "pki: user name must be 1-%d bytes", PKI_MAX_NAME);
	for (; groups && groups[ngroups]; ngroups++)
		if (!client_name_valid(groups[ngroups]) || ngroups >= PKI_MAX_GROUPS)
			return pki_fail(err, -EINVAL, "pki: at most %d groups of 1-%d bytes",
					PKI_MAX_GROUPS, PKI_MAX_NAME);
	if ((rc = pki_client_build(p, user, groups, &x, &k)) < 0)
		return pki_fail(err, rc, "pki: issuing a certificate for %s failed", user);
	*cert_pem = cert_to_pem(x);
	*key_pem = key_to_pem(k);
	if (!*cert_pem || !*key_pem) {
		free(*cert_pem);
		free(*key_pem);
		*cert_pem = *key_pem = NULL;
		return pki_fail(err, -ENOMEM, "pki: out of memory");
	}
	return 0;
}

/* ---- load or create ---- */

static int pki_dirs_ensure(struct pki *p, const char *data_dir, char **err)
{
	int rc;
	if ((rc = dir_ensure(data_dir, 0700)) < 0)
		return pki_fail(err, rc, "pki: creating %s: %s", data_dir, strerror(-rc));
	p->dir = path_join(data_dir, "tls");
	if (!p->dir)
		return pki_fail(err, -ENOMEM, "pki: out of memory");
	if ((rc = dir_ensure(p->dir, 0700)) < 0)
		return pki_fail(err, rc, "pki: creating %s: %s", p->dir, strerror(-rc));
	return 0;
}

int pki_load_or_create(struct pki *p, const char *data_dir, const char *service_ip,
		       const char *const *extra_sans, char **err)
{
	int rc;
	memset(p, 0, sizeof *p);
	if (!data_dir || !*data_dir)
		return pki_fail(err, -EINVAL, "pki: no data directory");
	if ((rc = pki_dirs_ensure(p, data_dir, err)) < 0 ||
	    (rc = pki_ca_load_or_create(p, err)) < 0)
		goto fail;
	p->ca_pem = cert_to_pem(p->ca_cert);
	if (!p->ca_pem || pki_ca_hash(p) < 0) {
		rc = pki_fail(err, -ENOMEM, "pki: out of memory");
		goto fail;
	}
	if ((rc = pki_server_ensure(p, service_ip, extra_sans, err)) < 0)
		goto fail;
	return 0;
fail:
	pki_free(p);
	return rc;
}

void pki_free(struct pki *p)
{
	if (!p)
		return;
	free(p->dir);
	EVP_PKEY_free(p->ca_key);
	X509_free(p->ca_cert);
	free(p->ca_pem);
	memset(p, 0, sizeof *p);
}

/* ---- server SSL_CTX ---- */

/* Selects http/1.1 when offered; otherwise no ALPN at all, so a client that
 * offers only h2 fails instead of speaking a protocol we do not implement. */
static int pki_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
			   const unsigned char *in, unsigned int inlen, void *arg)
{
	static const unsigned char h1[] = "http/1.1";
	unsigned int i = 0;
	while (i < inlen) {
		unsigned int n = in[i];
		if (n > inlen - i - 1)
			break;
		if (n == sizeof h1 - 1 && memcmp(in + i + 1, h1, n) == 0) {
			*out = in + i + 1;
			*outlen = (unsigned char)n;
			return SSL_TLSEXT_ERR_OK;
		}
		i += n + 1;
	}
	return SSL_TLSEXT_ERR_NOACK;
}

/* Keep the handshake going when the client certificate does not verify: a
 * token may still authenticate the request. The result stays in
 * SSL_get_verify_result, which pki_peer_identity checks. */
static int pki_verify_accept(int preverify_ok, X509_STORE_CTX *ctx)
{
	return 1;
}

static int pki_ctx_trust_ca(const struct pki *p, SSL_CTX *ctx)
{
	STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();
	X509_NAME *n = X509_NAME_dup(X509_get_subject_name(p->ca_cert));
	if (!names || !n || !sk_X509_NAME_push(names, n)) {
		X509_NAME_free(n);
		sk_X509_NAME_pop_free(names, X509_NAME_free);
		return -ENOMEM;
	}
	SSL_CTX_set_client_CA_list(ctx, names);
	return X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), p->ca_cert) == 1 ? 0 : -ENOMEM;
}

static int pki_ctx_configure(const struct pki *p, SSL_CTX *ctx, char **err)
{
	static const unsigned char sid[] = "minikube-apiserver";
	_cleanup_free_ char *crt = path_join(p->dir, "server.crt");
	_cleanup_free_ char *key = path_join(p->dir, "server.key");
	if (!crt || !key)
		return pki_fail(err, -ENOMEM, "pki: out of memory");
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, PKI_CIPHERS))
		return pki_fail(err, -EINVAL, "pki: configuring TLS versions/ciphers failed");
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
				     SSL_OP_NO_RENEGOTIATION);
	if (SSL_CTX_use_certificate_chain_file(ctx, crt) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		return pki_fail(err, -EINVAL, "pki: loading %s failed", crt);
	if (pki_ctx_trust_ca(p, ctx) < 0)
		return pki_fail(err, -ENOMEM, "pki: loading the client CA failed");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, pki_verify_accept);
	SSL_CTX_set_verify_depth(ctx, 2);
	SSL_CTX_set_alpn_select_cb(ctx, pki_alpn_select, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	/* Required for resumption once peer verification is on. */
	if (!SSL_CTX_set_session_id_context(ctx, sid, sizeof sid - 1))
		return pki_fail(err, -EINVAL, "pki: setting the session id context failed");
	return 0;
}

SSL_CTX *pki_server_ctx(const struct pki *p, char **err)
{
	SSL_CTX *ctx;
	if (!p || !p->dir || !p->ca_cert) {
		pki_fail(err, -EINVAL, "pki: not loaded");
		return NULL;
	}
	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx) {
		pki_fail(err, -ENOMEM, "pki: SSL_CTX_new failed");
		return NULL;
	}
	if (pki_ctx_configure(p, ctx, err) < 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* ---- peer identity ---- */

static char *name_entry_dup(const X509_NAME_ENTRY *e)
{
	const ASN1_STRING *s = X509_NAME_ENTRY_get_data(e);
	unsigned char *utf8 = NULL;
	int n = ASN1_STRING_to_UTF8(&utf8, s);
	char *out;
	if (n < 0)
		return NULL;
	out = memchr(utf8, 0, (size_t)n) ? NULL : strndup((const char *)utf8, (size_t)n);
	OPENSSL_free(utf8);
	return out;
}

void pki_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int name_groups(const X509_NAME *name, char ***groups_out)
{
	char **g = calloc(PKI_MAX_GROUPS + 1, sizeof *g);
	size_t n = 0;
	int idx = -1;
	if (!g)
		return -ENOMEM;
	while (n < PKI_MAX_GROUPS &&
	       (idx = X509_NAME_get_index_by_NID(name, NID_organizationName, idx)) >= 0) {
		g[n] = name_entry_dup(X509_NAME_get_entry(name, idx));
		if (!g[n]) {
			pki_strv_free(g);
			return -EBADMSG;
		}
		n++;
	}
	*groups_out = g;
	return 0;
}

int pki_peer_identity(SSL *ssl, char **user_out, char ***groups_out)
{
	X509 *peer = SSL_get0_peer_certificate(ssl);
	const X509_NAME *name;
	int idx, rc;
	*user_out = NULL;
	*groups_out = NULL;
	if (!peer)
		return -ENOENT;
	if (SSL_get_verify_result(ssl) != X509_V_OK)
		return -EACCES;
	name = X509_get_subject_name(peer);
	idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	if (idx < 0)
		return -EACCES;
	*user_out = name_entry_dup(X509_NAME_get_entry(name, idx));
	if (!*user_out || !**user_out)
		goto bad;
	if ((rc = name_groups(name, groups_out)) < 0)
		goto bad;
	return 0;
bad:
	free(*user_out);
	*user_out = NULL;
	return -EACCES;
}

/* ---- kubeconfig ---- */

static char *base64_dup(const char *s)
{
	size_t n = strlen(s);
	size_t cap = 4 * ((n + 2) / 3) + 1;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
	return out;
}

/* Double-quoted YAML scalar; only printable ASCII URLs are accepted. */
static bool url_valid(const char *u)
{
	size_t n = strlen(u);
	if (n == 0 || n > 2048)
		return false;
	for (size_t i = 0; i < n; i++)
		if (u[i] <= ' ' || u[i] > '~' || u[i] == '"' || u[i] == '\\')
			return false;
	return true;
}

static char *kubeconfig_render(const char *ca_b64, const char *crt_b64, const char *key_b64,
			       const char *server_url)
{
	char *s;
	if (asprintf(&s,
		     "apiVersion: v1\n"
		     "kind: Config\n"
		     "clusters:\n"
		     "- cluster:\n"
		     "    certificate-authority-data: %s\n"
		     "    server: \"%s\"\n"
		     "  name: minikube\n"
		     "contexts:\n"
		     "- context:\n"
		     "    cluster: minikube\n"
		     "    user: minikube\n"
		     "  name: minikube\n"
		     "current-context: minikube\n"
		     "preferences: {}\n"
		     "users:\n"
		     "- name: minikube\n"
		     "  user:\n"
		     "    client-certificate-data: %s\n"
		     "    client-key-data: %s\n",
		     ca_b64, server_url, crt_b64, key_b64) < 0)
		return NULL;
	return s;
}

/* The admin pair from DATA_DIR/tls, issued (and saved) when missing or stale. */
static int pki_admin_pair(const struct pki *p, char **crt_pem, char **key_pem, char **err)
{
	static const char *const groups[] = {PKI_ADMIN_GROUP, NULL};
	_cleanup_x509_ X509 *x = NULL;
	_cleanup_pkey_ EVP_PKEY *k = NULL;
	int rc;
	if (pki_pair_load(p, "admin", &x, &k) < 0) {
		if ((rc = pki_client_build(p, PKI_ADMIN_USER, groups, &x, &k)) < 0)
			return pki_fail(err, rc, "pki: issuing the admin certificate failed");
		if ((rc = pair_write(p->dir, "admin", x, k)) < 0)
			return pki_fail(err, rc, "pki: writing %s/admin.crt: %s", p->dir,
					strerror(-rc));
	}
	*crt_pem = cert_to_pem(x);
	*key_pem = key_to_pem(k);
	if (!*crt_pem || !*key_pem) {
		free(*crt_pem);
		free(*key_pem);
		return pki_fail(err, -ENOMEM, "pki: out of memory");
	}
	return 0;
}

int pki_write_admin_kubeconfig(const struct pki *p, const char *data_dir, const char *server_url,
			       char **path_out, char **err)
{
	_cleanup_free_ char *crt = NULL, *key = NULL, *ca_b64 = NULL, *crt_b64 = NULL;
	_cleanup_free_ char *key_b64 = NULL, *text = NULL, *path = NULL;
	int rc;
	*path_out = NULL;
	if (!server_url || !url_valid(server_url))
		return pki_fail(err, -EINVAL, "pki: invalid server URL");
	if ((rc = pki_admin_pair(p, &crt, &key, err)) < 0)
		return rc;
	ca_b64 = base64_dup(p->ca_pem);
	crt_b64 = base64_dup(crt);
	key_b64 = base64_dup(key);
	OPENSSL_cleanse(key, strlen(key));
	path = path_join(data_dir, "kubeconfig.yaml");
	if (!ca_b64 || !crt_b64 || !key_b64 || !path)
		return pki_fail(err, -ENOMEM, "pki: out of memory");
	text = kubeconfig_render(ca_b64, crt_b64, key_b64, server_url);
	OPENSSL_cleanse(key_b64, strlen(key_b64));
	if (!text)
		return pki_fail(err, -ENOMEM, "pki: out of memory");
	rc = file_write_atomic(path, text, strlen(text), 0600);
	OPENSSL_cleanse(text, strlen(text));
	if (rc < 0)
		return pki_fail(err, rc, "pki: writing %s: %s", path, strerror(-rc));
	*path_out = path;
	path = NULL;
	return 0;
}

/* ---- join token ---- */

static bool secret_valid(const char *s, size_t len)
{
	if (len != 2 * PKI_SECRET_BYTES)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int secret_load_or_create(const char *path, char secret[2 * PKI_SECRET_BYTES + 1],
				 char **err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int rc = file_read_bounded(path, &buf, &len);
	if (rc == -ENOENT) {
		pki_random_hex(secret, PKI_SECRET_BYTES);
		rc = file_write_atomic(path, secret, strlen(secret), 0600);
		return rc < 0 ? pki_fail(err, rc, "pki: writing %s: %s", path, strerror(-rc)) : 0;
	}
	if (rc < 0)
		return pki_fail(err, rc, "pki: reading %s: %s", path, strerror(-rc));
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' '))
		len--;
	/* A damaged secret is not replaced: joined nodes would silently lose access. */
	if (!secret_valid(buf, len))
		return pki_fail(err, -EBADMSG, "pki: %s is not %d hex digits", path,
				2 * PKI_SECRET_BYTES);
	memcpy(secret, buf, len);
	secret[len] = '\0';
	return 0;
}

int pki_server_token(const struct pki *p, const char *data_dir, char **token_out, char **err)
{
	_cleanup_free_ char *path = NULL;
	char secret[2 * PKI_SECRET_BYTES + 1];
	int rc;
	*token_out = NULL;
	if (asprintf(&path, "%s/tls/server-token", data_dir) < 0)
		return pki_fail(err, -ENOMEM, "pki: out of memory");
	if ((rc = secret_load_or_create(path, secret, err)) < 0)
		return rc;
	if (asprintf(token_out, "K10%s::server:%s", p->ca_hash, secret) < 0) {
		*token_out = NULL;
		rc = pki_fail(err, -ENOMEM, "pki: out of memory");
	}
	OPENSSL_cleanse(secret, sizeof secret);
	return rc;
}

/* ---- certificate signing requests ---- */

static X509_REQ *csr_parse(const char *csr_pem, size_t len, char **err)
{
	_cleanup_bio_ BIO *b = NULL;
	X509_REQ *req;
	EVP_PKEY *pub;
	if (!csr_pem || len == 0 || len > PKI_MAX_CSR) {
		pki_fail(err, -EINVAL, "pki: a CSR must be 1-%d bytes of PEM", PKI_MAX_CSR);
		return NULL;
	}
	b = BIO_new_mem_buf(csr_pem, (int)len);
	req = b ? PEM_read_bio_X509_REQ(b, NULL, NULL, NULL) : NULL;
	if (!req) {
		pki_fail(err, -EINVAL, "pki: not a PEM certificate signing request");
		return NULL;
	}
	pub = X509_REQ_get0_pubkey(req);
	if (!pub || X509_REQ_verify(req, pub) != 1) {
		X509_REQ_free(req);
		pki_fail(err, -EINVAL, "pki: the CSR's signature does not verify");
		return NULL;
	}
	return req;
}

int pki_csr_common_name(const char *csr_pem, size_t len, char *cn, size_t cnlen, char **err)
{
	X509_REQ *req = csr_parse(csr_pem, len, err);
	int n;
	if (!req)
		return -EINVAL;
	n = X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req), NID_commonName, cn,
				      (int)cnlen);
	X509_REQ_free(req);
	if (n <= 0 || (size_t)n >= cnlen || strlen(cn) != (size_t)n)
		return pki_fail(err, -EINVAL, "pki: the CSR has no usable common name");
	return 0;
}

static int csr_cert_build(const struct pki *p, X509_REQ *req, const char *cn,
			  const char *const *groups, X509 **xo)
{
	_cleanup_x509_ X509 *x = cert_new(X509_REQ_get0_pubkey(req), PKI_LEAF_DAYS);
	X509_NAME *name;
	int rc;
	if (!x)
		return -ENOMEM;
	name = X509_get_subject_name(x);
	for (size_t i = 0; groups && groups[i]; i++)
		if (i >= PKI_MAX_GROUPS || (rc = name_add(name, "O", groups[i])) < 0)
			return -EINVAL;
	if ((rc = name_add(name, "CN", cn)) < 0 || (rc = pki_leaf_sign(p, x, "clientAuth")) < 0)
		return rc;
	*xo = x;
	x = NULL;
	return 0;
}

int pki_sign_csr(const struct pki *p, const char *csr_pem, size_t len, const char *const *groups,
		 char **cert_pem, char **err)
{
	char cn[PKI_MAX_NAME + 1];
	_cleanup_x509_ X509 *x = NULL;
	X509_REQ *req;
	int rc;
	*cert_pem = NULL;
	if ((rc = pki_csr_common_name(csr_pem, len, cn, sizeof cn, err)) < 0)
		return rc;
	if (!(req = csr_parse(csr_pem, len, err)))
		return -EINVAL;
	rc = csr_cert_build(p, req, cn, groups, &x);
	X509_REQ_free(req);
	if (rc < 0)
		return pki_fail(err, rc, "pki: signing the CSR for %s failed", cn);
	if (!(*cert_pem = cert_to_pem(x)))
		return pki_fail(err, -ENOMEM, "pki: out of memory");
	return 0;
}

int pki_cert_pem_hash(const char *pem, char out[65])
{
	_cleanup_bio_ BIO *b = BIO_new_mem_buf(pem, -1);
	_cleanup_x509_ X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int len;
	if (!x)
		return -EINVAL;
	len = i2d_X509(x, &der);
	if (len <= 0)
		return -EINVAL;
	if (!EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL)) {
		OPENSSL_free(der);
		return -EIO;
	}
	OPENSSL_free(der);
	for (unsigned int i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}
