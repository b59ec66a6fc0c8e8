/* TLS 1.2 engine on mbedTLS, driven by the caller: mbedTLS's bio callbacks
 * read ciphertext from an input buffer the caller feeds (tls_feed) and append
 * ciphertext to an output buffer the caller drains (tls_output), so TLS never
 * blocks and never owns a file descriptor. mbedTLS 2.28 does not check
 * iPAddress SANs; the verify callback does for IP literals. */
#define _GNU_SOURCE /* vasprintf */
#include "common/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mbedtls/error.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "common/crypto.h"

#define TLS_SYSTEM_CA_FILE "/etc/ssl/certs/ca-certificates.crt"
#define TLS_MAX_ALPN 8
#define TLS_MAX_PEM (1 << 20) /* a CA bundle is ~200 KB */

struct tls_config {
	int refs;
	mbedtls_ssl_config conf;
	mbedtls_x509_crt own_chain, ca;
	mbedtls_pk_context own_key;
	/* ca's last own certificate, linked to the shared system store while
	 * the config lives (unlinked before mbedtls_x509_crt_free). */
	mbedtls_x509_crt *ca_tail;
	bool verify;
	char *alpn_names[TLS_MAX_ALPN + 1];
	const char *alpn[TLS_MAX_ALPN + 1];
};

/* A growable byte queue: [off, len) is unread. */
struct tls_buf {
	unsigned char *data;
	size_t off, len, cap;
};

struct tls_conn {
	struct tls_config *cfg;
	mbedtls_ssl_context ssl;
	struct tls_buf in, out;
	bool done, failed, eof, verify_failed;
	bool peer_is_ip;
	unsigned char peer_ip[16];
	size_t peer_ip_len;
	char err[200];
};

/* ---- the system CA store: parsed once, on first use, kept for the process */

static pthread_once_t system_ca_once = PTHREAD_ONCE_INIT;
static mbedtls_x509_crt system_ca;
static bool system_ca_ok;

static void system_ca_load(void)
{
	mbedtls_x509_crt_init(&system_ca);
	/* > 0: some certificates in the bundle did not parse; the rest are fine */
	system_ca_ok = mbedtls_x509_crt_parse_file(&system_ca, TLS_SYSTEM_CA_FILE) >= 0 &&
		       system_ca.raw.p != NULL;
}

static mbedtls_x509_crt *system_ca_get(void)
{
	pthread_once(&system_ca_once, system_ca_load);
	return system_ca_ok ? &system_ca : NULL;
}

/* ---- errors ---- */

static void set_err(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(char **err, const char *fmt, ...)
{
	if (!err)
		return;
	va_list ap;
	va_start(ap, fmt);
	free(*err);
	if (vasprintf(err, fmt, ap) < 0)
		*err = NULL;
	va_end(ap);
}

static const char *mbed_str(int rc, char *buf, size_t cap)
{
	mbedtls_strerror(rc, buf, cap);
	return buf;
}

static void conn_fail(struct tls_conn *c, int rc)
{
	char why[120];
	uint32_t flags = mbedtls_ssl_get_verify_result(&c->ssl);
	c->failed = true;
	if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED && flags != 0 && flags != (uint32_t)-1) {
		c->verify_failed = true;
		char info[160];
		int n = mbedtls_x509_crt_verify_info(info, sizeof info, "", flags);
		while (n > 0 && (info[n - 1] == '\n' || info[n - 1] == ' '))
			info[--n] = '\0';
		char *nl; /* several reasons: one line */
		while ((nl = strchr(info, '\n')))
			*nl = ';';
		snprintf(c->err, sizeof c->err, "certificate verify failed: %s", info);
		return;
	}
	snprintf(c->err, sizeof c->err, "%s", mbed_str(rc, why, sizeof why));
}

/* ---- configuration ---- */

static struct tls_config *config_alloc(void)
{
	struct tls_config *cfg = calloc(1, sizeof *cfg);
	if (!cfg)
		return NULL;
	cfg->refs = 1;
	mbedtls_ssl_config_init(&cfg->conf);
	mbedtls_x509_crt_init(&cfg->own_chain);
	mbedtls_x509_crt_init(&cfg->ca);
	mbedtls_pk_init(&cfg->own_key);
	return cfg;
}

static void config_free(struct tls_config *cfg)
{
	if (cfg->ca_tail)
		cfg->ca_tail->next = NULL; /* the system store is not ours */
	mbedtls_ssl_config_free(&cfg->conf);
	mbedtls_x509_crt_free(&cfg->own_chain);
	mbedtls_x509_crt_free(&cfg->ca);
	mbedtls_pk_free(&cfg->own_key);
	for (int i = 0; cfg->alpn_names[i]; i++)
		free(cfg->alpn_names[i]);
	free(cfg);
}

struct tls_config *tls_config_ref(struct tls_config *cfg)
{
	if (cfg)
		__atomic_add_fetch(&cfg->refs, 1, __ATOMIC_RELAXED);
	return cfg;
}

void tls_config_unref(struct tls_config *cfg)
{
	if (cfg && __atomic_sub_fetch(&cfg->refs, 1, __ATOMIC_ACQ_REL) == 0)
		config_free(cfg);
}

/* PEM text into chain (appended). At least one certificate must parse. */
static int parse_certs(mbedtls_x509_crt *chain, const char *pem, const char *what, char **err)
{
	size_t n = strlen(pem);
	if (n > TLS_MAX_PEM) {
		set_err(err, "tls: %s: too large", what);
		return -EINVAL;
	}
	int rc = mbedtls_x509_crt_parse(chain, (const unsigned char *)pem, n + 1);
	if (rc < 0 || !chain->raw.p) {
		char why[120];
		set_err(err, "tls: %s: %s", what,
			rc < 0 ? mbed_str(rc, why, sizeof why) : "no certificate");
		return -EINVAL;
	}
	return 0;
}

static int set_identity(struct tls_config *cfg, const char *chain_pem, const char *key_pem,
			char **err)
{
	char why[120];
	int rc = parse_certs(&cfg->own_chain, chain_pem, "certificate", err);
	if (rc < 0)
		return rc;
	rc = mbedtls_pk_parse_key(&cfg->own_key, (const unsigned char *)key_pem,
				  strlen(key_pem) + 1, NULL, 0);
	if (rc != 0) {
		set_err(err, "tls: private key: %s", mbed_str(rc, why, sizeof why));
		return -EINVAL;
	}
	if (mbedtls_pk_check_pair(&cfg->own_chain.pk, &cfg->own_key) != 0) {
		set_err(err, "tls: private key does not match the certificate");
		return -EINVAL;
	}
	if ((rc = mbedtls_ssl_conf_own_cert(&cfg->conf, &cfg->own_chain, &cfg->own_key)) != 0) {
		set_err(err, "tls: %s", mbed_str(rc, why, sizeof why));
		return -ENOMEM;
	}
	return 0;
}

static int set_alpn(struct tls_config *cfg, const char *const *alpn, char **err)
{
	int n = 0;
	for (; alpn && alpn[n]; n++) {
		if (n == TLS_MAX_ALPN || !alpn[n][0] || strlen(alpn[n]) > 255) {
			set_err(err, "tls: bad ALPN list");
			return -EINVAL;
		}
		if (!(cfg->alpn_names[n] = strdup(alpn[n]))) {
			set_err(err, "tls: out of memory");
			return -ENOMEM;
		}
		cfg->alpn[n] = cfg->alpn_names[n];
	}
	if (n && mbedtls_ssl_conf_alpn_protocols(&cfg->conf, cfg->alpn) != 0) {
		set_err(err, "tls: bad ALPN list");
		return -EINVAL;
	}
	return 0;
}

static int config_defaults(struct tls_config *cfg, int endpoint, char **err)
{
	int rc = mbedtls_ssl_config_defaults(&cfg->conf, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM,
					     MBEDTLS_SSL_PRESET_DEFAULT);
	if (rc != 0) {
		char why[120];
		set_err(err, "tls: %s", mbed_str(rc, why, sizeof why));
		return -EINVAL;
	}
	mbedtls_ssl_conf_rng(&cfg->conf, crypto_rng, NULL);
	mbedtls_ssl_conf_min_version(&cfg->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_renegotiation(&cfg->conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
	/* Key exchange groups, fastest first: mbedTLS's default order puts
	 * secp521r1 first, and a server picks by its own order, so every curl
	 * or Go handshake cost ~10 ms of server CPU instead of ~2. X25519 (what
	 * Go and curl offer first) is ~15% cheaper than P-256 here. */
	static const mbedtls_ecp_group_id curves[] = {
	    MBEDTLS_ECP_DP_CURVE25519, MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_SECP384R1,
	    MBEDTLS_ECP_DP_SECP521R1, MBEDTLS_ECP_DP_NONE};
	mbedtls_ssl_conf_curves(&cfg->conf, curves);
	return 0;
}

/* Appends the CA that issued the served chain's last certificate, when that
 * one is not self-signed and the CA is among cfg->ca. */
static int complete_chain(struct tls_config *cfg, char **err)
{
	mbedtls_x509_crt *last = &cfg->own_chain;
	while (last->next && last->next->raw.p)
		last = last->next;
	if (last->issuer_raw.len == last->subject_raw.len &&
	    !memcmp(last->issuer_raw.p, last->subject_raw.p, last->subject_raw.len))
		return 0;
	for (const mbedtls_x509_crt *ca = &cfg->ca; ca && ca->raw.p; ca = ca->next) {
		if (ca->subject_raw.len != last->issuer_raw.len ||
		    memcmp(ca->subject_raw.p, last->issuer_raw.p, ca->subject_raw.len))
			continue;
		if (mbedtls_x509_crt_parse_der(&cfg->own_chain, ca->raw.p, ca->raw.len) != 0) {
			set_err(err, "tls: out of memory");
			return -ENOMEM;
		}
		return 0;
	}
	return 0;
}

/* The server picks the cipher by its own order: ChaCha20-Poly1305 first.
 * mbedTLS 2.28's AES-GCM runs at about half its speed even on AES-NI
 * (108 vs 209 MB/s here), and a Pi 4 has no AES instructions at all. */
static void server_ciphersuites(struct tls_config *cfg)
{
	static const int suites[] = {
	    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	    0};
	mbedtls_ssl_conf_ciphersuites(&cfg->conf, suites);
}

struct tls_config *tls_server_config(const char *chain_pem, const char *key_pem,
				     const char *client_ca_pem, const char *const *alpn, char **err)
{
	struct tls_config *cfg = config_alloc();
	if (!cfg) {
		set_err(err, "tls: out of memory");
		return NULL;
	}
	if (config_defaults(cfg, MBEDTLS_SSL_IS_SERVER, err) < 0 ||
	    set_identity(cfg, chain_pem, key_pem, err) < 0 || set_alpn(cfg, alpn, err) < 0)
		goto fail;
	server_ciphersuites(cfg);
	if (client_ca_pem) {
		if (parse_certs(&cfg->ca, client_ca_pem, "client CA", err) < 0)
			goto fail;
		cfg->verify = true;
		if (complete_chain(cfg, err) < 0)
			goto fail;
		mbedtls_ssl_conf_ca_chain(&cfg->conf, &cfg->ca, NULL);
		/* requested and checked, but the handshake goes on without one
		 * (bearer tokens): tls_peer_cert reports the outcome */
		mbedtls_ssl_conf_authmode(&cfg->conf, MBEDTLS_SSL_VERIFY_OPTIONAL);
	} else {
		mbedtls_ssl_conf_authmode(&cfg->conf, MBEDTLS_SSL_VERIFY_NONE);
	}
	return cfg;
fail:
	config_free(cfg);
	return NULL;
}

struct tls_config *tls_client_config(const struct tls_client_opts *o, char **err)
{
	struct tls_config *cfg = config_alloc();
	if (!cfg) {
		set_err(err, "tls: out of memory");
		return NULL;
	}
	if (config_defaults(cfg, MBEDTLS_SSL_IS_CLIENT, err) < 0 || set_alpn(cfg, o->alpn, err) < 0)
		goto fail;
	if (o->cert_pem && o->key_pem && set_identity(cfg, o->cert_pem, o->key_pem, err) < 0)
		goto fail;
	if (o->insecure) {
		mbedtls_ssl_conf_authmode(&cfg->conf, MBEDTLS_SSL_VERIFY_NONE);
		return cfg;
	}
	mbedtls_x509_crt *system = NULL;
	if (!o->ca_pem || o->with_system_ca) {
		if (!(system = system_ca_get())) {
			set_err(err, "tls: no usable CA certificates in %s", TLS_SYSTEM_CA_FILE);
			goto fail;
		}
	}
	mbedtls_x509_crt *trust = system;
	if (o->ca_pem) {
		if (parse_certs(&cfg->ca, o->ca_pem, "CA", err) < 0)
			goto fail;
		if (system) { /* ours first, then the shared store (read-only) */
			for (cfg->ca_tail = &cfg->ca; cfg->ca_tail->next;
			     cfg->ca_tail = cfg->ca_tail->next)
				;
			cfg->ca_tail->next = system;
		}
		trust = &cfg->ca;
	}
	cfg->verify = true;
	mbedtls_ssl_conf_ca_chain(&cfg->conf, trust, NULL);
	mbedtls_ssl_conf_authmode(&cfg->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	return cfg;
fail:
	config_free(cfg);
	return NULL;
}

/* ---- buffers and bio callbacks ---- */

static int buf_append(struct tls_buf *b, const void *data, size_t n)
{
	if (b->off == b->len)
		b->off = b->len = 0;
	if (b->len + n > b->cap && b->off > 0) { /* compact first */
		memmove(b->data, b->data + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 17 * 1024; /* a whole record */
		while (cap < b->len + n)
			cap *= 2;
		unsigned char *p = realloc(b->data, cap);
		if (!p)
			return -ENOMEM;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, n);
	b->len += n;
	return 0;
}

static void buf_release(struct tls_buf *b)
{
	free(b->data);
	*b = (struct tls_buf){0};
}

static int bio_send(void *ctx, const unsigned char *data, size_t n)
{
	struct tls_conn *c = ctx;
	if (buf_append(&c->out, data, n) < 0)
		return MBEDTLS_ERR_SSL_ALLOC_FAILED;
	return (int)n;
}

static int bio_recv(void *ctx, unsigned char *data, size_t n)
{
	struct tls_conn *c = ctx;
	size_t have = c->in.len - c->in.off;
	if (have == 0)
		return MBEDTLS_ERR_SSL_WANT_READ;
	if (n > have)
		n = have;
	memcpy(data, c->in.data + c->in.off, n);
	c->in.off += n;
	if (c->in.off == c->in.len)
		c->in.off = c->in.len = 0;
	return (int)n;
}

/* ---- IP address SANs (mbedTLS 2.28 checks only DNS names and the CN) ---- */

static bool crt_has_ip(const mbedtls_x509_crt *crt, const unsigned char *ip, size_t len)
{
	for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s && s->buf.p; s = s->next)
		if (s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_X509_SAN_IP_ADDRESS) &&
		    s->buf.len == len && !memcmp(s->buf.p, ip, len))
			return true;
	return false;
}

static int verify_ip(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	struct tls_conn *c = ctx;
	if (depth == 0 && !crt_has_ip(crt, c->peer_ip, c->peer_ip_len))
		*flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
	return 0;
}

/* ---- connections ---- */

struct tls_conn *tls_conn_new(struct tls_config *cfg, const char *peer_name)
{
	struct tls_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	mbedtls_ssl_init(&c->ssl);
	if (mbedtls_ssl_setup(&c->ssl, &cfg->conf) != 0) {
		mbedtls_ssl_free(&c->ssl);
		free(c);
		return NULL;
	}
	c->cfg = tls_config_ref(cfg);
	mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
	snprintf(c->err, sizeof c->err, "no error");
	if (peer_name && *peer_name) {
		const char *name = peer_name;
		char bare[64]; /* "[::1]" as well as "::1" */
		size_t n = strlen(name);
		if (name[0] == '[' && n > 2 && n < sizeof bare && name[n - 1] == ']') {
			memcpy(bare, name + 1, n - 2);
			bare[n - 2] = '\0';
			name = bare;
		}
		if (inet_pton(AF_INET, name, c->peer_ip) == 1)
			c->peer_is_ip = true, c->peer_ip_len = 4;
		else if (inet_pton(AF_INET6, name, c->peer_ip) == 1)
			c->peer_is_ip = true, c->peer_ip_len = 16;
		int rc = 0;
		if (c->peer_is_ip) {
			if (cfg->verify)
				mbedtls_ssl_set_verify(&c->ssl, verify_ip, c);
		} else {
			/* SNI, and the name the certificate must carry */
			rc = mbedtls_ssl_set_hostname(&c->ssl, peer_name);
		}
		if (rc != 0) {
			tls_conn_free(c);
			return NULL;
		}
	}
	return c;
}

void tls_conn_free(struct tls_conn *c)
{
	if (!c)
		return;
	mbedtls_ssl_free(&c->ssl);
	buf_release(&c->in);
	buf_release(&c->out);
	tls_config_unref(c->cfg);
	free(c);
}

int tls_feed(struct tls_conn *c, const void *data, size_t n)
{
	return buf_append(&c->in, data, n);
}

int tls_handshake(struct tls_conn *c)
{
	if (c->failed) /* also after a failure past the handshake */
		return -EPROTO;
	if (c->done)
		return 1;
	int rc = mbedtls_ssl_handshake(&c->ssl);
	if (rc == 0) {
		c->done = true;
		return 1;
	}
	if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE)
		return 0;
	conn_fail(c, rc);
	return rc == MBEDTLS_ERR_SSL_ALLOC_FAILED ? -ENOMEM : -EPROTO;
}

ssize_t tls_read(struct tls_conn *c, void *buf, size_t cap)
{
	if (c->eof)
		return TLS_EOF;
	int h = tls_handshake(c);
	if (h <= 0)
		return h;
	for (;;) {
		int rc = mbedtls_ssl_read(&c->ssl, buf, cap > INT32_MAX ? INT32_MAX : cap);
		if (rc > 0)
			return rc;
		if (rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
			c->eof = true;
			return TLS_EOF;
		}
		if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE)
			return 0;
		if (rc == 0) { /* an empty record: look at the next one */
			if (c->in.len == c->in.off)
				return 0;
			continue;
		}
		conn_fail(c, rc);
		return -EPROTO;
	}
}

ssize_t tls_write(struct tls_conn *c, const void *buf, size_t n)
{
	int h = tls_handshake(c);
	if (h < 0)
		return h;
	if (h == 0) {
		snprintf(c->err, sizeof c->err, "write before the handshake finished");
		return -EAGAIN;
	}
	const unsigned char *p = buf;
	size_t left = n;
	while (left > 0) {
		int rc = mbedtls_ssl_write(&c->ssl, p, left > INT32_MAX ? INT32_MAX : left);
		if (rc < 0) {
			/* the send callback never blocks: anything else is fatal */
			conn_fail(c, rc);
			return rc == MBEDTLS_ERR_SSL_ALLOC_FAILED ? -ENOMEM : -EPROTO;
		}
		p += rc;
		left -= (size_t)rc;
	}
	return (ssize_t)n;
}

size_t tls_output(struct tls_conn *c, const void **data)
{
	size_t n = c->out.len - c->out.off;
	*data = n ? c->out.data + c->out.off : NULL; /* no buffer yet: data is NULL */
	return n;
}

void tls_output_done(struct tls_conn *c, size_t k)
{
	size_t have = c->out.len - c->out.off;
	c->out.off += k < have ? k : have;
	if (c->out.off == c->out.len)
		c->out.off = c->out.len = 0;
}

size_t tls_input_pending(const struct tls_conn *c)
{
	return c->in.len - c->in.off + mbedtls_ssl_get_bytes_avail(&c->ssl);
}

void tls_close(struct tls_conn *c)
{
	if (c->done && !c->failed)
		(void)mbedtls_ssl_close_notify(&c->ssl);
}

void tls_idle(struct tls_conn *c)
{
	/* mbedTLS's own record buffers are fixed for the connection's life
	 * (Debian builds without MBEDTLS_SSL_VARIABLE_BUFFER_LENGTH); ours go. */
	if (c->in.off == c->in.len)
		buf_release(&c->in);
	if (c->out.off == c->out.len)
		buf_release(&c->out);
}

bool tls_handshake_done(const struct tls_conn *c)
{
	return c->done;
}

bool tls_verify_failed(const struct tls_conn *c)
{
	return c->verify_failed;
}

const char *tls_alpn(const struct tls_conn *c)
{
	return c->done ? mbedtls_ssl_get_alpn_protocol(&c->ssl) : NULL;
}

const char *tls_error(const struct tls_conn *c)
{
	return c->err;
}

const unsigned char *tls_peer_cert(const struct tls_conn *c, size_t *len, bool *verified)
{
	const mbedtls_x509_crt *crt = c->done ? mbedtls_ssl_get_peer_cert(&c->ssl) : NULL;
	if (verified)
		*verified = crt && c->cfg->verify && mbedtls_ssl_get_verify_result(&c->ssl) == 0;
	if (!crt || !crt->raw.p) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = crt->raw.len;
	return crt->raw.p;
}

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----\n"
#define PEM_END "-----END CERTIFICATE-----\n"

char *tls_peer_chain_pem(const struct tls_conn *c)
{
	const mbedtls_x509_crt *chain = c->done ? mbedtls_ssl_get_peer_cert(&c->ssl) : NULL;
	size_t cap = 0;
	for (const mbedtls_x509_crt *x = chain; x && x->raw.p; x = x->next) /* base64 + lines */
		cap += sizeof PEM_BEGIN + sizeof PEM_END + x->raw.len * 4 / 3 + x->raw.len / 48 + 8;
	if (!cap)
		return NULL;
	char *pem = malloc(cap + 1);
	if (!pem)
		return NULL;
	size_t used = 0;
	for (const mbedtls_x509_crt *x = chain; x && x->raw.p; x = x->next) {
		size_t olen = 0;
		if (mbedtls_pem_write_buffer(PEM_BEGIN, PEM_END, x->raw.p, x->raw.len,
					     (unsigned char *)pem + used, cap + 1 - used,
					     &olen) != 0) {
			free(pem);
			return NULL;
		}
		used += olen - 1; /* olen counts the NUL */
	}
	pem[used] = '\0';
	return pem;
}

/* ---- blocking file descriptors ---- */

static int fd_flush(struct tls_conn *c, int fd)
{
	const void *data;
	size_t n;
	while ((n = tls_output(c, &data)) > 0) {
		ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, data, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		tls_output_done(c, (size_t)w);
	}
	return 0;
}

/* Reads what the socket has into the engine: 1, 0 at end of stream, <0. */
static int fd_fill(struct tls_conn *c, int fd)
{
	unsigned char buf[16384];
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
		if (r == 0)
			return 0;
		return tls_feed(c, buf, (size_t)r) < 0 ? -ENOMEM : 1;
	}
}

int tls_fd_handshake(struct tls_conn *c, int fd)
{
	for (;;) {
		int rc = tls_handshake(c);
		int f = fd_flush(c, fd);
		if (rc < 0)
			return rc;
		if (f < 0)
			return f;
		if (rc == 1)
			return 0;
		if ((f = fd_fill(c, fd)) <= 0) {
			if (f == 0)
				snprintf(c->err, sizeof c->err, "the peer closed the connection");
			return f == 0 ? -ECONNRESET : f;
		}
	}
}

ssize_t tls_fd_read(struct tls_conn *c, int fd, void *buf, size_t cap)
{
	for (;;) {
		ssize_t n = tls_read(c, buf, cap);
		int f = fd_flush(c, fd); /* handshake messages, alerts */
		if (n > 0)
			return n;
		if (n == TLS_EOF)
			return 0;
		if (n < 0)
			return n;
		if (f < 0)
			return f;
		if ((f = fd_fill(c, fd)) <= 0)
			return f;
	}
}

ssize_t tls_fd_write(struct tls_conn *c, int fd, const void *buf, size_t n)
{
	if (!c->done) {
		int rc = tls_fd_handshake(c, fd);
		if (rc < 0)
			return rc;
	}
	const unsigned char *p = buf;
	size_t left = n;
	while (left > 0) { /* in slices: the output never holds a whole body */
		size_t k = left > 65536 ? 65536 : left;
		ssize_t w = tls_write(c, p, k);
		if (w < 0)
			return w;
		int f = fd_flush(c, fd);
		if (f < 0)
			return f;
		p += k;
		left -= k;
	}
	return (ssize_t)n;
}

void tls_fd_close(struct tls_conn *c, int fd)
{
	tls_close(c);
	(void)fd_flush(c, fd);
}
