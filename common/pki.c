/* The cluster's PKI: on first start it creates a self-signed ECDSA P-256 CA,
 * the API server's serving certificate (with every SAN a client may dial),
 * the admin client certificate and the node join secret under DATA_DIR/tls;
 * later starts load them and reissue only the serving certificate when it is
 * close to expiry, signed by another CA, or missing a SAN. Files are written
 * atomically (temporary file + rename) and keys are mode 0600. Also builds the
 * API server's TLS configuration, the admin kubeconfig, and the key, ES256
 * and CSR helpers (see pki.h). mbedTLS stays inside this file: 2.28 has no
 * writer for subjectAltName or extendedKeyUsage and collapses repeated
 * attributes when it parses a name string, so those are encoded here. */
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "common/crypto.h"
#include "common/tls.h"

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
#define PKI_KEY_PEM_MAX 8192 /* an RSA-4096 key is ~3.3 KB of PEM */

struct pki_key {
	mbedtls_pk_context pk;
};

struct pki_ca {
	mbedtls_x509_crt crt;
	struct pki_key *key;
};

/* ---- cleanup helpers ---- */

static inline void freep(void *p)
{
	free(*(void **)p);
}
static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
static inline void keyp_free(struct pki_key **k)
{
	pki_key_free(*k);
}
/* A malloc'd secret (key PEM): wiped before it is freed. */
static inline void secretp_free(char **s)
{
	if (*s)
		secure_zero(*s, strlen(*s));
	free(*s);
}
#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_fclose_ __attribute__((cleanup(fclosep)))
#define _cleanup_key_ __attribute__((cleanup(keyp_free)))
#define _cleanup_secret_ __attribute__((cleanup(secretp_free)))

/* ---- errors ---- */

/* Sets *err to the formatted message. Returns rc so callers can `return`. */
__attribute__((format(printf, 3, 4))) static int pki_fail(char **err, int rc, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (err) {
		free(*err);
		*err = strdup(msg);
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
	unsigned char b[64];
	size_t done = 0;
	while (done < nbytes) {
		size_t n = nbytes - done < sizeof b ? nbytes - done : sizeof b;
		random_bytes(b, n);
		hex_encode(b, n, out + 2 * done);
		done += n;
	}
	out[2 * nbytes] = '\0';
	secure_zero(b, sizeof b);
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

/* ---- keys ---- */

void pki_key_free(struct pki_key *k)
{
	if (!k)
		return;
	mbedtls_pk_free(&k->pk);
	free(k);
}

static struct pki_key *pki_key_alloc(void)
{
	struct pki_key *k = calloc(1, sizeof *k);
	if (k)
		mbedtls_pk_init(&k->pk);
	return k;
}

struct pki_key *pki_key_generate(void)
{
	struct pki_key *k = pki_key_alloc();
	if (!k)
		return NULL;
	if (mbedtls_pk_setup(&k->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
	    mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(k->pk), crypto_rng, NULL) !=
		0) {
		pki_key_free(k);
		return NULL;
	}
	return k;
}

struct pki_key *pki_key_from_pem(const char *pem)
{
	struct pki_key *k;
	if (!pem || !strstr(pem, "-----BEGIN"))
		return NULL;
	if (!(k = pki_key_alloc()))
		return NULL;
	/* PEM input: the length counts the terminating NUL. */
	if (mbedtls_pk_parse_key(&k->pk, (const unsigned char *)pem, strlen(pem) + 1, NULL, 0) !=
	    0) {
		pki_key_free(k);
		return NULL;
	}
	return k;
}

char *pki_key_to_pem(const struct pki_key *k)
{
	_cleanup_free_ unsigned char *buf = malloc(PKI_KEY_PEM_MAX);
	char *out;
	if (!buf ||
	    mbedtls_pk_write_key_pem((mbedtls_pk_context *)&k->pk, buf, PKI_KEY_PEM_MAX) != 0)
		return NULL;
	out = strdup((const char *)buf);
	secure_zero(buf, PKI_KEY_PEM_MAX);
	return out;
}

bool pki_key_is_p256(const struct pki_key *k)
{
	return k && mbedtls_pk_get_type(&k->pk) == MBEDTLS_PK_ECKEY &&
	       mbedtls_pk_ec(k->pk)->grp.id == MBEDTLS_ECP_DP_SECP256R1;
}

int pki_key_spki_sha256(const struct pki_key *k, unsigned char out[32])
{
	unsigned char buf[2048];
	int n = mbedtls_pk_write_pubkey_der((mbedtls_pk_context *)&k->pk, buf, sizeof buf);
	if (n <= 0)
		return -EINVAL;
	/* mbedTLS writes at the end of the buffer. */
	sha256(buf + sizeof buf - (size_t)n, (size_t)n, out);
	return 0;
}

int pki_es256_sign(const struct pki_key *k, const void *msg, size_t n, unsigned char sig[64])
{
	mbedtls_ecp_keypair *ec;
	unsigned char md[32];
	mbedtls_mpi r, s;
	int rc = -EIO;
	if (!pki_key_is_p256(k))
		return -EINVAL;
	ec = mbedtls_pk_ec(k->pk);
	sha256(msg, n, md);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if (mbedtls_ecdsa_sign(&ec->grp, &r, &s, &ec->d, md, sizeof md, crypto_rng, NULL) == 0 &&
	    mbedtls_mpi_write_binary(&r, sig, 32) == 0 &&
	    mbedtls_mpi_write_binary(&s, sig + 32, 32) == 0)
		rc = 0;
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	return rc;
}

bool pki_es256_verify(const struct pki_key *k, const void *msg, size_t n,
		      const unsigned char sig[64])
{
	mbedtls_ecp_keypair *ec;
	unsigned char md[32];
	mbedtls_mpi r, s;
	bool ok = false;
	if (!pki_key_is_p256(k))
		return false;
	ec = mbedtls_pk_ec(k->pk);
	sha256(msg, n, md);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if (mbedtls_mpi_read_binary(&r, sig, 32) == 0 &&
	    mbedtls_mpi_read_binary(&s, sig + 32, 32) == 0)
		ok = mbedtls_ecdsa_verify(&ec->grp, md, sizeof md, &ec->Q, &r, &s) == 0;
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	return ok;
}

/* ---- PEM files ---- */

/* A PEM certificate (or chain) parsed into crt (initialised by the caller);
 * every certificate in the text must parse. */
static int cert_parse_pem(mbedtls_x509_crt *crt, const char *pem)
{
	if (!strstr(pem, "-----BEGIN CERTIFICATE-----"))
		return -EBADMSG;
	return mbedtls_x509_crt_parse(crt, (const unsigned char *)pem, strlen(pem) + 1) == 0
		   ? 0
		   : -EBADMSG;
}

static int cert_load(const char *path, mbedtls_x509_crt *crt)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int rc = file_read_bounded(path, &buf, &len);
	if (rc < 0)
		return rc;
	if (strlen(buf) != len)
		return -EBADMSG;
	return cert_parse_pem(crt, buf);
}

static int key_load(const char *path, struct pki_key **out)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int rc = file_read_bounded(path, &buf, &len);
	if (rc < 0)
		return rc;
	*out = strlen(buf) == len ? pki_key_from_pem(buf) : NULL;
	secure_zero(buf, len);
	return *out ? 0 : -EBADMSG;
}

static int pair_write(const char *dir, const char *base, const char *cpem, const char *kpem)
{
	_cleanup_free_ char *cpath = NULL, *kpath = NULL;
	int rc;
	if (asprintf(&cpath, "%s/%s.crt", dir, base) < 0 ||
	    asprintf(&kpath, "%s/%s.key", dir, base) < 0)
		return -ENOMEM;
	/* Key first: a crt without its key is never left behind. */
	rc = file_write_atomic(kpath, kpem, strlen(kpem), 0600);
	if (rc == 0)
		rc = file_write_atomic(cpath, cpem, strlen(cpem), 0644);
	return rc;
}

/* The first certificate of a PEM text into crt (initialised by the caller),
 * and the SHA-256 of its DER into md when md is set. */
static int cert_parse_first(mbedtls_x509_crt *crt, const char *pem, unsigned char md[32])
{
	mbedtls_pem_context ctx;
	size_t used = 0;
	int rc = -EINVAL;
	mbedtls_pem_init(&ctx);
	if (mbedtls_pem_read_buffer(&ctx, "-----BEGIN CERTIFICATE-----",
				    "-----END CERTIFICATE-----", (const unsigned char *)pem, NULL,
				    0, &used) == 0 &&
	    mbedtls_x509_crt_parse_der(crt, ctx.buf, ctx.buflen) == 0) {
		if (md)
			sha256(ctx.buf, ctx.buflen, md);
		rc = 0;
	}
	mbedtls_pem_free(&ctx);
	return rc;
}

/* ---- names ---- */

/* Appends an attribute to a name list being built for mbedTLS's writer. The
 * writer emits the list back to front, so pushing at the head keeps the
 * order of the calls. Repeated attributes (several O) are kept, unlike
 * mbedtls_x509_string_to_names. */
static int name_push(mbedtls_asn1_named_data **head, const char *oid, size_t oidlen, int tag,
		     const void *val, size_t vlen)
{
	mbedtls_asn1_named_data *d = calloc(1, sizeof *d);
	if (!d)
		return -ENOMEM;
	d->oid.tag = MBEDTLS_ASN1_OID;
	d->oid.len = oidlen;
	d->oid.p = malloc(oidlen);
	d->val.tag = tag;
	d->val.len = vlen;
	d->val.p = malloc(vlen ? vlen : 1);
	if (!d->oid.p || !d->val.p) {
		free(d->oid.p);
		free(d->val.p);
		free(d);
		return -ENOMEM;
	}
	memcpy(d->oid.p, oid, oidlen);
	memcpy(d->val.p, val, vlen);
	d->next = *head;
	*head = d;
	return 0;
}

/* Subject O = orgs..., CN = cn, as UTF8String (what OpenSSL wrote). */
static int name_build(mbedtls_asn1_named_data **head, const char *cn, const char *const *orgs)
{
	int rc;
	for (size_t i = 0; orgs && orgs[i]; i++)
		if ((rc = name_push(head, MBEDTLS_OID_AT_ORGANIZATION,
				    MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_ORGANIZATION),
				    MBEDTLS_ASN1_UTF8_STRING, orgs[i], strlen(orgs[i]))) < 0)
			return rc;
	return name_push(head, MBEDTLS_OID_AT_CN, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_CN),
			 MBEDTLS_ASN1_UTF8_STRING, cn, strlen(cn));
}

/* A copy of a parsed name (issuer = the CA's subject, byte for byte). */
static int name_copy(mbedtls_asn1_named_data **head, const mbedtls_x509_name *n)
{
	int rc;
	for (; n; n = n->next)
		if (n->oid.p && (rc = name_push(head, (const char *)n->oid.p, n->oid.len,
						n->val.tag, n->val.p, n->val.len)) < 0)
			return rc;
	return 0;
}

/* A directory string attribute as a C string (malloc'd); NULL for types we
 * do not read or text with a NUL. */
static char *name_value_dup(const mbedtls_x509_name *n)
{
	if (n->val.tag != MBEDTLS_ASN1_UTF8_STRING && n->val.tag != MBEDTLS_ASN1_PRINTABLE_STRING &&
	    n->val.tag != MBEDTLS_ASN1_IA5_STRING && n->val.tag != MBEDTLS_ASN1_T61_STRING)
		return NULL;
	if (memchr(n->val.p, 0, n->val.len))
		return NULL;
	return strndup((const char *)n->val.p, n->val.len);
}

static const mbedtls_x509_name *name_find(const mbedtls_x509_name *n, const char *oid,
					  size_t oidlen)
{
	for (; n; n = n->next)
		if (n->oid.len == oidlen && memcmp(n->oid.p, oid, oidlen) == 0)
			return n;
	return NULL;
}

static int name_common_name(const mbedtls_x509_name *n, char *cn, size_t cnlen)
{
	const mbedtls_x509_name *e =
	    name_find(n, MBEDTLS_OID_AT_CN, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_CN));
	_cleanup_free_ char *s = e ? name_value_dup(e) : NULL;
	if (!s || !*s || strlen(s) >= cnlen)
		return -EINVAL;
	memcpy(cn, s, strlen(s) + 1);
	return 0;
}

int pki_cert_pem_common_name(const char *pem, char *cn, size_t cnlen)
{
	mbedtls_x509_crt crt;
	int rc;
	mbedtls_x509_crt_init(&crt);
	rc = pem ? cert_parse_first(&crt, pem, NULL) : -EINVAL;
	if (rc == 0)
		rc = name_common_name(&crt.subject, cn, cnlen);
	mbedtls_x509_crt_free(&crt);
	return rc;
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

/* ---- certificate building ---- */

/* What a certificate says besides its key: subject, CA or leaf, key usage,
 * extended key usage (leaf), SANs (serving certificate), lifetime. */
struct cert_spec {
	const char *cn;
	const char *const *orgs;
	bool ca;
	unsigned key_usage;	     /* MBEDTLS_X509_KU_* */
	const char *eku;	     /* DER OID body of the one extended key usage, leaf only */
	const struct san_list *sans; /* may be NULL */
	long days;
};

/* id-kp-serverAuth / id-kp-clientAuth (RFC 5280 §4.2.1.12). */
#define EKU_SERVER_AUTH MBEDTLS_OID_SERVER_AUTH
#define EKU_CLIENT_AUTH MBEDTLS_OID_CLIENT_AUTH

static int cert_set_serial(mbedtls_x509write_cert *w)
{
	unsigned char b[16];
	mbedtls_mpi serial;
	int rc;
	random_bytes(b, sizeof b);
	b[0] &= 0x7f; /* positive, 128 bits at most */
	b[0] |= 0x40; /* never zero, never short */
	mbedtls_mpi_init(&serial);
	rc = mbedtls_mpi_read_binary(&serial, b, sizeof b) == 0 &&
		     mbedtls_x509write_crt_set_serial(w, &serial) == 0
		 ? 0
		 : -ENOMEM;
	mbedtls_mpi_free(&serial);
	return rc;
}

static void time_format(time_t t, char out[16])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y%m%d%H%M%S", &tm);
}

/* Valid from an hour ago (clock skew between nodes) for days. */
static int cert_set_validity(mbedtls_x509write_cert *w, long days)
{
	char from[16], to[16];
	time_t now = time(NULL);
	time_format(now - 3600, from);
	time_format(now + days * 86400L, to);
	return mbedtls_x509write_crt_set_validity(w, from, to) == 0 ? 0 : -EINVAL;
}

static int cert_set_basic_constraints(mbedtls_x509write_cert *w, bool ca)
{
	/* critical; CA:TRUE without a path length, or an empty SEQUENCE (CA:FALSE). */
	static const unsigned char is_ca[] = {0x30, 0x03, 0x01, 0x01, 0xff}, leaf[] = {0x30, 0x00};
	return mbedtls_x509write_crt_set_extension(w, MBEDTLS_OID_BASIC_CONSTRAINTS,
						   MBEDTLS_OID_SIZE(MBEDTLS_OID_BASIC_CONSTRAINTS),
						   1, ca ? is_ca : leaf,
						   ca ? sizeof is_ca : sizeof leaf) == 0
		   ? 0
		   : -ENOMEM;
}

static int cert_set_eku(mbedtls_x509write_cert *w, const char *oid)
{
	unsigned char buf[32], *p = buf + sizeof buf;
	size_t olen = strlen(oid);
	int len = 0, r;
	if ((r = mbedtls_asn1_write_oid(&p, buf, oid, olen)) < 0)
		return -EINVAL;
	len += r;
	if ((r = mbedtls_asn1_write_len(&p, buf, (size_t)len)) < 0)
		return -EINVAL;
	len += r;
	if ((r = mbedtls_asn1_write_tag(&p, buf,
					MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) < 0)
		return -EINVAL;
	len += r;
	return mbedtls_x509write_crt_set_extension(w, MBEDTLS_OID_EXTENDED_KEY_USAGE,
						   MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE),
						   0, p, (size_t)len) == 0
		   ? 0
		   : -ENOMEM;
}

/* One GeneralName of a san_list entry: [2] dNSName or [7] iPAddress. */
static int san_encode_one(const char *san, unsigned char *raw, size_t *rawlen, int *tag)
{
	if (strncmp(san, "IP:", 3) == 0) {
		*tag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7;
		if (inet_pton(AF_INET, san + 3, raw) == 1)
			*rawlen = 4;
		else if (inet_pton(AF_INET6, san + 3, raw) == 1)
			*rawlen = 16;
		else
			return -EINVAL;
		return 0;
	}
	*tag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2;
	*rawlen = strlen(san + 4);
	memcpy(raw, san + 4, *rawlen);
	return 0;
}

static int cert_set_sans(mbedtls_x509write_cert *w, const struct san_list *l)
{
	size_t cap = 16;
	_cleanup_free_ unsigned char *buf = NULL;
	unsigned char *p;
	int len = 0, r, rc;
	for (size_t i = 0; i < l->n; i++)
		cap += strlen(l->v[i]) + 8;
	if (!(buf = malloc(cap)))
		return -ENOMEM;
	p = buf + cap;
	/* Written back to front: the last name first. */
	for (size_t i = l->n; i-- > 0;) {
		unsigned char raw[256];
		size_t rawlen;
		int tag;
		if ((rc = san_encode_one(l->v[i], raw, &rawlen, &tag)) < 0)
			return rc;
		if ((r = mbedtls_asn1_write_raw_buffer(&p, buf, raw, rawlen)) < 0)
			return -E2BIG;
		len += r;
		if ((r = mbedtls_asn1_write_len(&p, buf, rawlen)) < 0)
			return -E2BIG;
		len += r;
		if ((r = mbedtls_asn1_write_tag(&p, buf, (unsigned char)tag)) < 0)
			return -E2BIG;
		len += r;
	}
	if ((r = mbedtls_asn1_write_len(&p, buf, (size_t)len)) < 0)
		return -E2BIG;
	len += r;
	if ((r = mbedtls_asn1_write_tag(&p, buf,
					MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) < 0)
		return -E2BIG;
	len += r;
	return mbedtls_x509write_crt_set_extension(w, MBEDTLS_OID_SUBJECT_ALT_NAME,
						   MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME),
						   0, p, (size_t)len) == 0
		   ? 0
		   : -ENOMEM;
}

/* A v3 certificate for subject_pk with spec, signed SHA-256 by issuer_key;
 * issuer is the issuing certificate (NULL: self-signed, issuer name =
 * subject). PEM into *pem_out (malloc'd). */
static int cert_issue(const mbedtls_x509_crt *issuer, const struct pki_key *issuer_key,
		      const mbedtls_pk_context *subject_pk, const struct cert_spec *s,
		      char **pem_out)
{
	mbedtls_x509write_cert w;
	size_t cap = 8192;
	_cleanup_free_ unsigned char *buf = NULL;
	int rc;
	*pem_out = NULL;
	for (size_t i = 0; s->sans && i < s->sans->n; i++)
		cap += 2 * strlen(s->sans->v[i]) + 16; /* base64 of the SAN bytes */
	if (!(buf = malloc(cap)))
		return -ENOMEM;
	mbedtls_x509write_crt_init(&w);
	mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&w, (mbedtls_pk_context *)subject_pk);
	mbedtls_x509write_crt_set_issuer_key(&w, (mbedtls_pk_context *)&issuer_key->pk);
	if ((rc = cert_set_serial(&w)) < 0 || (rc = cert_set_validity(&w, s->days)) < 0 ||
	    (rc = name_build(&w.subject, s->cn, s->orgs)) < 0)
		goto out;
	rc =
	    issuer ? name_copy(&w.issuer, &issuer->subject) : name_build(&w.issuer, s->cn, s->orgs);
	if (rc < 0 || (rc = cert_set_basic_constraints(&w, s->ca)) < 0)
		goto out;
	rc = -EINVAL;
	if (mbedtls_x509write_crt_set_key_usage(&w, s->key_usage) != 0 ||
	    mbedtls_x509write_crt_set_subject_key_identifier(&w) != 0 ||
	    (issuer && mbedtls_x509write_crt_set_authority_key_identifier(&w) != 0))
		goto out;
	if ((s->eku && (rc = cert_set_eku(&w, s->eku)) < 0) ||
	    (s->sans && s->sans->n && (rc = cert_set_sans(&w, s->sans)) < 0))
		goto out;
	rc = -EIO;
	if (mbedtls_x509write_crt_pem(&w, buf, cap, crypto_rng, NULL) != 0)
		goto out;
	rc = (*pem_out = strdup((const char *)buf)) ? 0 : -ENOMEM;
out:
	mbedtls_x509write_crt_free(&w);
	return rc;
}

/* The SANs of a parsed certificate in the san_list form. mbedTLS keeps every
 * GeneralName raw: [2] dNSName and [7] iPAddress are read here. */
static void cert_sans(const mbedtls_x509_crt *x, struct san_list *l)
{
	char ip[INET6_ADDRSTRLEN];
	for (const mbedtls_x509_sequence *s = &x->subject_alt_names; s && s->buf.p; s = s->next) {
		const unsigned char *d = s->buf.p;
		size_t len = s->buf.len;
		if (s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2) && len > 0 && len < 254 &&
		    !memchr(d, 0, len)) {
			char name[256];
			memcpy(name, d, len);
			name[len] = '\0';
			(void)san_list_add(l, "DNS", name);
		} else if (s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) &&
			   (len == 4 || len == 16) &&
			   inet_ntop(len == 4 ? AF_INET : AF_INET6, d, ip, sizeof ip)) {
			(void)san_list_add(l, "IP", ip);
		}
	}
}

static time_t x509_time_to_unix(const mbedtls_x509_time *t)
{
	struct tm tm = {.tm_year = t->year - 1900,
			.tm_mon = t->mon - 1,
			.tm_mday = t->day,
			.tm_hour = t->hour,
			.tm_min = t->min,
			.tm_sec = t->sec};
	return timegm(&tm);
}

static bool cert_expires_within(const mbedtls_x509_crt *x, int days)
{
	return x509_time_to_unix(&x->valid_to) <= time(NULL) + days * 86400L;
}

/* ---- CA ---- */

static void pki_ca_free(struct pki_ca *ca)
{
	if (!ca)
		return;
	mbedtls_x509_crt_free(&ca->crt);
	pki_key_free(ca->key);
	free(ca);
}

static struct pki_ca *pki_ca_alloc(void)
{
	struct pki_ca *ca = calloc(1, sizeof *ca);
	if (ca)
		mbedtls_x509_crt_init(&ca->crt);
	return ca;
}

static int pki_ca_create(struct pki_ca *ca, char **cert_pem)
{
	char cn[64];
	struct cert_spec s = {.cn = cn,
			      .ca = true,
			      .key_usage = MBEDTLS_X509_KU_DIGITAL_SIGNATURE |
					   MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN,
			      .days = PKI_CA_DAYS};
	int rc;
	if (!(ca->key = pki_key_generate()))
		return -EIO;
	snprintf(cn, sizeof cn, "minikube-ca@%lld", (long long)time(NULL));
	if ((rc = cert_issue(NULL, ca->key, &ca->key->pk, &s, cert_pem)) < 0)
		return rc;
	return cert_parse_pem(&ca->crt, *cert_pem);
}

static int pki_ca_load_or_create(struct pki *p, char **err)
{
	_cleanup_free_ char *cpath = path_join(p->dir, "ca.crt");
	_cleanup_free_ char *kpath = path_join(p->dir, "ca.key");
	bool have_crt, have_key;
	int rc;
	if (!cpath || !kpath || !(p->ca = pki_ca_alloc()))
		return pki_fail(err, -ENOMEM, "pki: out of memory");
	have_crt = file_exists(cpath);
	have_key = file_exists(kpath);
	if (!have_crt && !have_key) {
		_cleanup_free_ char *cpem = NULL;
		_cleanup_secret_ char *kpem = NULL;
		if ((rc = pki_ca_create(p->ca, &cpem)) < 0)
			return pki_fail(err, rc, "pki: creating the CA failed");
		if (!(kpem = pki_key_to_pem(p->ca->key)))
			return pki_fail(err, -ENOMEM, "pki: out of memory");
		if ((rc = pair_write(p->dir, "ca", cpem, kpem)) < 0)
			return pki_fail(err, rc, "pki: writing %s: %s", cpath, strerror(-rc));
		return 0;
	}
	/* Half a CA is never replaced silently: every issued credential hangs on it. */
	if (!have_crt || !have_key)
		return pki_fail(err, -ENOENT,
				"pki: %s exists but %s does not; restore it or remove both",
				have_crt ? cpath : kpath, have_crt ? kpath : cpath);
	if ((rc = cert_load(cpath, &p->ca->crt)) < 0)
		return pki_fail(err, rc, "pki: reading %s: %s", cpath, strerror(-rc));
	if ((rc = key_load(kpath, &p->ca->key)) < 0)
		return pki_fail(err, rc, "pki: reading %s: %s", kpath, strerror(-rc));
	if (mbedtls_pk_check_pair(&p->ca->crt.pk, &p->ca->key->pk) != 0)
		return pki_fail(err, -EINVAL, "pki: %s does not match %s", kpath, cpath);
	if (cert_expires_within(&p->ca->crt, 0))
		return pki_fail(err, -EKEYEXPIRED, "pki: the CA in %s has expired", cpath);
	return 0;
}

/* PEM of the CA certificate as loaded (the first in ca.crt) and its hash. */
static int pki_ca_export(struct pki *p)
{
	const mbedtls_x509_crt *c = &p->ca->crt;
	unsigned char md[32], pem[8192];
	size_t olen = 0;
	if (mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n",
				     c->raw.p, c->raw.len, pem, sizeof pem, &olen) != 0)
		return -ENOMEM;
	if (!(p->ca_pem = strdup((const char *)pem)))
		return -ENOMEM;
	sha256(c->raw.p, c->raw.len, md);
	hex_encode(md, sizeof md, p->ca_hash);
	return 0;
}

/* ---- leaf certificates ---- */

/* A pair is reusable when both files parse, the key matches, the CA signed
 * it (and it is valid now) and it has more than PKI_RENEW_DAYS left. */
static bool pki_pair_usable(const struct pki *p, mbedtls_x509_crt *x, const struct pki_key *k)
{
	uint32_t flags = 0;
	return mbedtls_pk_check_pair(&x->pk, &k->pk) == 0 &&
	       mbedtls_x509_crt_verify(x, &p->ca->crt, NULL, NULL, &flags, NULL, NULL) == 0 &&
	       flags == 0 && !cert_expires_within(x, PKI_RENEW_DAYS);
}

/* Loads DIR/base.{crt,key} into x (initialised by the caller) and *k when
 * the pair is usable; -ENOENT (and *k NULL) otherwise. */
static int pki_pair_load(const struct pki *p, const char *base, mbedtls_x509_crt *x,
			 struct pki_key **k)
{
	_cleanup_free_ char *cpath = NULL, *kpath = NULL;
	if (asprintf(&cpath, "%s/%s.crt", p->dir, base) < 0 ||
	    asprintf(&kpath, "%s/%s.key", p->dir, base) < 0)
		return -ENOMEM;
	if (cert_load(cpath, x) < 0 || key_load(kpath, k) < 0 || !pki_pair_usable(p, x, *k)) {
		pki_key_free(*k);
		*k = NULL;
		return -ENOENT;
	}
	return 0;
}

static bool cert_has_sans(const mbedtls_x509_crt *x, const struct san_list *want)
{
	struct san_list have = {.n = 0};
	bool ok = true;
	cert_sans(x, &have);
	for (size_t i = 0; i < want->n && ok; i++)
		ok = san_list_has(&have, want->v[i]);
	san_list_free(&have);
	return ok;
}

/* A new key and a leaf certificate for it: PEM texts (malloc'd). */
static int pki_leaf_issue(const struct pki *p, const struct cert_spec *s, char **cpem, char **kpem)
{
	_cleanup_key_ struct pki_key *key = pki_key_generate();
	int rc;
	*cpem = *kpem = NULL;
	if (!key)
		return -EIO;
	if ((rc = cert_issue(&p->ca->crt, p->ca->key, &key->pk, s, cpem)) < 0)
		return rc;
	if (!(*kpem = pki_key_to_pem(key))) {
		free(*cpem);
		*cpem = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int pki_server_ensure(const struct pki *p, const char *service_ip,
			     const char *const *extra_sans, char **err)
{
	struct san_list want = {.n = 0};
	struct cert_spec s = {.cn = "kube-apiserver",
			      .key_usage = MBEDTLS_X509_KU_DIGITAL_SIGNATURE |
					   MBEDTLS_X509_KU_KEY_ENCIPHERMENT,
			      .eku = EKU_SERVER_AUTH,
			      .sans = &want,
			      .days = PKI_LEAF_DAYS};
	mbedtls_x509_crt x;
	_cleanup_key_ struct pki_key *k = NULL;
	_cleanup_free_ char *cpem = NULL;
	_cleanup_secret_ char *kpem = NULL;
	int rc = san_list_wanted(&want, service_ip, extra_sans, err);
	mbedtls_x509_crt_init(&x);
	if (rc < 0)
		goto out;
	if (pki_pair_load(p, "server", &x, &k) == 0 && cert_has_sans(&x, &want))
		goto out;
	if ((rc = pki_leaf_issue(p, &s, &cpem, &kpem)) < 0) {
		pki_fail(err, rc, "pki: issuing the serving certificate failed");
		goto out;
	}
	if ((rc = pair_write(p->dir, "server", cpem, kpem)) < 0)
		pki_fail(err, rc, "pki: writing %s/server.crt: %s", p->dir, strerror(-rc));
out:
	mbedtls_x509_crt_free(&x);
	san_list_free(&want);
	return rc;
}

static bool client_name_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > 0 && n <= PKI_MAX_NAME;
}

static int pki_client_build(const struct pki *p, const char *user, const char *const *groups,
			    char **cpem, char **kpem)
{
	struct cert_spec s = {.cn = user,
			      .orgs = groups,
			      .key_usage = MBEDTLS_X509_KU_DIGITAL_SIGNATURE |
					   MBEDTLS_X509_KU_KEY_ENCIPHERMENT,
			      .eku = EKU_CLIENT_AUTH,
			      .days = PKI_LEAF_DAYS};
	return pki_leaf_issue(p, &s, cpem, kpem);
}

int pki_issue_client(const struct pki *p, const char *user, const char *const *groups,
		     char **cert_pem, char **key_pem, char **err)
{
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
	if ((rc = pki_client_build(p, user, groups, cert_pem, key_pem)) < 0)
		return pki_fail(err, rc, "pki: issuing a certificate for %s failed", user);
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
	if (pki_ca_export(p) < 0) {
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
	pki_ca_free(p->ca);
	free(p->ca_pem);
	memset(p, 0, sizeof *p);
}

/* ---- the API server's TLS configuration ---- */

struct tls_config *pki_server_config(const struct pki *p, char **err)
{
	static const char *const alpn[] = {"http/1.1", NULL};
	_cleanup_free_ char *crt_path = NULL, *key_path = NULL, *crt = NULL;
	_cleanup_secret_ char *key = NULL;
	size_t clen, klen;
	int rc;
	if (!p || !p->dir || !p->ca || !p->ca_pem) {
		pki_fail(err, -EINVAL, "pki: not loaded");
		return NULL;
	}
	crt_path = path_join(p->dir, "server.crt");
	key_path = path_join(p->dir, "server.key");
	if (!crt_path || !key_path) {
		pki_fail(err, -ENOMEM, "pki: out of memory");
		return NULL;
	}
	if ((rc = file_read_bounded(crt_path, &crt, &clen)) < 0 ||
	    (rc = file_read_bounded(key_path, &key, &klen)) < 0) {
		pki_fail(err, rc, "pki: loading %s failed: %s", crt ? key_path : crt_path,
			 strerror(-rc));
		return NULL;
	}
	return tls_server_config(crt, key, p->ca_pem, alpn, err);
}

/* ---- peer identity ---- */

void pki_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int name_groups(const mbedtls_x509_name *name, char ***groups_out)
{
	char **g = calloc(PKI_MAX_GROUPS + 1, sizeof *g);
	size_t n = 0;
	if (!g)
		return -ENOMEM;
	for (; name && n < PKI_MAX_GROUPS; name = name->next) {
		if (name->oid.len != MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_ORGANIZATION) ||
		    memcmp(name->oid.p, MBEDTLS_OID_AT_ORGANIZATION, name->oid.len) != 0)
			continue;
		if (!(g[n] = name_value_dup(name))) {
			pki_strv_free(g);
			return -EBADMSG;
		}
		n++;
	}
	*groups_out = g;
	return 0;
}

int pki_peer_identity(const struct tls_conn *c, char **user_out, char ***groups_out)
{
	mbedtls_x509_crt x;
	const unsigned char *der;
	const mbedtls_x509_name *cn;
	size_t len = 0;
	bool verified = false;
	int rc = -EACCES;
	*user_out = NULL;
	*groups_out = NULL;
	if (!(der = tls_peer_cert(c, &len, &verified)))
		return -ENOENT;
	if (!verified)
		return -EACCES;
	mbedtls_x509_crt_init(&x);
	if (mbedtls_x509_crt_parse_der(&x, der, len) != 0)
		goto out;
	cn = name_find(&x.subject, MBEDTLS_OID_AT_CN, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_CN));
	if (!cn || !(*user_out = name_value_dup(cn)) || !**user_out ||
	    name_groups(&x.subject, groups_out) < 0) {
		free(*user_out);
		*user_out = NULL;
		goto out;
	}
	rc = 0;
out:
	mbedtls_x509_crt_free(&x);
	return rc;
}

/* ---- kubeconfig ---- */

static char *base64_dup(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(BASE64_LEN(n) + 1);
	if (!out)
		return NULL;
	base64_encode(s, n, out);
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
	_cleanup_free_ char *cpath = NULL, *kpath = NULL;
	mbedtls_x509_crt x;
	_cleanup_key_ struct pki_key *k = NULL;
	size_t len;
	int rc;
	*crt_pem = *key_pem = NULL;
	mbedtls_x509_crt_init(&x);
	rc = pki_pair_load(p, "admin", &x, &k);
	mbedtls_x509_crt_free(&x);
	if (rc == 0) {
		/* Handed out as written (PKCS#8 from the OpenSSL build stays PKCS#8). */
		if (asprintf(&cpath, "%s/admin.crt", p->dir) < 0 ||
		    asprintf(&kpath, "%s/admin.key", p->dir) < 0)
			return pki_fail(err, -ENOMEM, "pki: out of memory");
		if (file_read_bounded(cpath, crt_pem, &len) == 0 &&
		    file_read_bounded(kpath, key_pem, &len) == 0)
			return 0;
		free(*crt_pem);
		secretp_free(key_pem);
		*crt_pem = *key_pem = NULL;
	}
	if ((rc = pki_client_build(p, PKI_ADMIN_USER, groups, crt_pem, key_pem)) < 0)
		return pki_fail(err, rc, "pki: issuing the admin certificate failed");
	if ((rc = pair_write(p->dir, "admin", *crt_pem, *key_pem)) < 0) {
		free(*crt_pem);
		secretp_free(key_pem);
		*crt_pem = *key_pem = NULL;
		return pki_fail(err, rc, "pki: writing %s/admin.crt: %s", p->dir, strerror(-rc));
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
	secure_zero(key, strlen(key));
	path = path_join(data_dir, "kubeconfig.yaml");
	if (!ca_b64 || !crt_b64 || !key_b64 || !path)
		return pki_fail(err, -ENOMEM, "pki: out of memory");
	text = kubeconfig_render(ca_b64, crt_b64, key_b64, server_url);
	secure_zero(key_b64, strlen(key_b64));
	if (!text)
		return pki_fail(err, -ENOMEM, "pki: out of memory");
	rc = file_write_atomic(path, text, strlen(text), 0600);
	secure_zero(text, strlen(text));
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
	secure_zero(secret, sizeof secret);
	return rc;
}

/* ---- certificate signing requests ---- */

/* Parses a PEM CSR into csr (initialised by the caller) and checks its own
 * signature: the requester holds the key it asks a certificate for. */
static int csr_parse(mbedtls_x509_csr *csr, const char *csr_pem, size_t len, char **err)
{
	_cleanup_free_ char *buf = NULL;
	const mbedtls_md_info_t *md;
	unsigned char hash[MBEDTLS_MD_MAX_SIZE];
	if (!csr_pem || len == 0 || len > PKI_MAX_CSR)
		return pki_fail(err, -EINVAL, "pki: a CSR must be 1-%d bytes of PEM", PKI_MAX_CSR);
	if (!(buf = strndup(csr_pem, len)))
		return pki_fail(err, -ENOMEM, "pki: out of memory");
	if (strlen(buf) != len || !strstr(buf, "-----BEGIN") ||
	    mbedtls_x509_csr_parse(csr, (const unsigned char *)buf, len + 1) != 0)
		return pki_fail(err, -EINVAL, "pki: not a PEM certificate signing request");
	md = mbedtls_md_info_from_type(csr->sig_md);
	if (!md || mbedtls_md(md, csr->cri.p, csr->cri.len, hash) != 0 ||
	    mbedtls_pk_verify_ext(csr->sig_pk, csr->sig_opts, &csr->pk, csr->sig_md, hash,
				  mbedtls_md_get_size(md), csr->sig.p, csr->sig.len) != 0)
		return pki_fail(err, -EINVAL, "pki: the CSR's signature does not verify");
	return 0;
}

int pki_csr_common_name(const char *csr_pem, size_t len, char *cn, size_t cnlen, char **err)
{
	mbedtls_x509_csr csr;
	int rc;
	mbedtls_x509_csr_init(&csr);
	if ((rc = csr_parse(&csr, csr_pem, len, err)) == 0 &&
	    name_common_name(&csr.subject, cn, cnlen) < 0)
		rc = pki_fail(err, -EINVAL, "pki: the CSR has no usable common name");
	mbedtls_x509_csr_free(&csr);
	return rc;
}

int pki_sign_csr(const struct pki *p, const char *csr_pem, size_t len, const char *const *groups,
		 char **cert_pem, char **err)
{
	char cn[PKI_MAX_NAME + 1];
	struct cert_spec s = {.cn = cn,
			      .orgs = groups,
			      .key_usage = MBEDTLS_X509_KU_DIGITAL_SIGNATURE |
					   MBEDTLS_X509_KU_KEY_ENCIPHERMENT,
			      .eku = EKU_CLIENT_AUTH,
			      .days = PKI_LEAF_DAYS};
	mbedtls_x509_csr csr;
	size_t ngroups = 0;
	int rc;
	*cert_pem = NULL;
	while (groups && groups[ngroups])
		if (!client_name_valid(groups[ngroups++]) || ngroups > PKI_MAX_GROUPS)
			return pki_fail(err, -EINVAL, "pki: at most %d groups of 1-%d bytes",
					PKI_MAX_GROUPS, PKI_MAX_NAME);
	mbedtls_x509_csr_init(&csr);
	if ((rc = csr_parse(&csr, csr_pem, len, err)) < 0)
		goto out;
	if (name_common_name(&csr.subject, cn, sizeof cn) < 0) {
		rc = pki_fail(err, -EINVAL, "pki: the CSR has no usable common name");
		goto out;
	}
	/* The CSR's own O entries are ignored: the CA decides the groups. */
	if ((rc = cert_issue(&p->ca->crt, p->ca->key, &csr.pk, &s, cert_pem)) < 0)
		pki_fail(err, rc, "pki: signing the CSR for %s failed", cn);
out:
	mbedtls_x509_csr_free(&csr);
	return rc;
}

char *pki_csr_new(const struct pki_key *k, const char *cn, const char *const *orgs)
{
	mbedtls_x509write_csr w;
	unsigned char buf[4096];
	char *out = NULL;
	mbedtls_x509write_csr_init(&w);
	mbedtls_x509write_csr_set_key(&w, (mbedtls_pk_context *)&k->pk);
	mbedtls_x509write_csr_set_md_alg(&w, MBEDTLS_MD_SHA256);
	if (cn && name_build(&w.subject, cn, orgs) == 0 &&
	    mbedtls_x509write_csr_pem(&w, buf, sizeof buf, crypto_rng, NULL) == 0)
		out = strdup((const char *)buf);
	mbedtls_x509write_csr_free(&w);
	return out;
}

int pki_cert_pem_hash(const char *pem, char out[65])
{
	mbedtls_x509_crt crt;
	unsigned char md[32];
	int rc;
	mbedtls_x509_crt_init(&crt);
	rc = pem ? cert_parse_first(&crt, pem, md) : -EINVAL;
	mbedtls_x509_crt_free(&crt);
	if (rc < 0)
		return -EINVAL;
	hex_encode(md, sizeof md, out);
	return 0;
}
