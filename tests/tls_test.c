/* Tests for common/tls: a server and a client config talking through the
 * engine's buffers (no sockets): handshake, data both ways, ALPN, client
 * certificates verified / unverified / absent, host name and IP SAN checks,
 * close_notify, and errors for bad input. Certificates come from common/pki
 * (a cluster CA, its serving certificate, and a second, unrelated CA). */
#define _GNU_SOURCE /* nftw */
#include "common/tls.h"
#include "common/pki.h"
#include "tests/test.h"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const h11[] = {"http/1.1", NULL};
static const char *const h2_h11[] = {"h2", "http/1.1", NULL};
static const char *const only_h2[] = {"h2", NULL};

/* Two clusters' PKI: `a` serves, `b` is a stranger. */
static struct fixture {
	char dir_a[64], dir_b[64];
	struct pki a, b;
	char *serve_crt, *serve_key;
	char *client_crt, *client_key;	   /* signed by a */
	char *stranger_crt, *stranger_key; /* signed by b */
} fx;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static char *slurp(const char *dir, const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "%s/tls/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = calloc(1, 65536);
	size_t n = buf ? fread(buf, 1, 65535, f) : 0;
	fclose(f);
	if (buf && n == 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static bool fixture_setup(void)
{
	char *err = NULL;
	const char *const groups[] = {"system:masters", NULL};
	snprintf(fx.dir_a, sizeof fx.dir_a, "/tmp/tls_test.XXXXXX");
	snprintf(fx.dir_b, sizeof fx.dir_b, "/tmp/tls_test.XXXXXX");
	if (!mkdtemp(fx.dir_a) || !mkdtemp(fx.dir_b))
		return false;
	if (pki_load_or_create(&fx.a, fx.dir_a, "10.96.0.1", NULL, &err) < 0 ||
	    pki_load_or_create(&fx.b, fx.dir_b, "10.96.0.1", NULL, &err) < 0 ||
	    pki_issue_client(&fx.a, "alice", groups, &fx.client_crt, &fx.client_key, &err) < 0 ||
	    pki_issue_client(&fx.b, "mallory", groups, &fx.stranger_crt, &fx.stranger_key, &err) <
		0) {
		fprintf(stderr, "fixture: %s\n", err ? err : "?");
		free(err);
		return false;
	}
	fx.serve_crt = slurp(fx.dir_a, "server.crt");
	fx.serve_key = slurp(fx.dir_a, "server.key");
	return fx.serve_crt && fx.serve_key;
}

static void fixture_teardown(void)
{
	pki_free(&fx.a);
	pki_free(&fx.b);
	free(fx.serve_crt);
	free(fx.serve_key);
	free(fx.client_crt);
	free(fx.client_key);
	free(fx.stranger_crt);
	free(fx.stranger_key);
	nftw(fx.dir_a, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	nftw(fx.dir_b, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Moves what `from` queued into `to`; returns the bytes moved. */
static size_t shuttle(struct tls_conn *from, struct tls_conn *to)
{
	const void *data;
	size_t n = tls_output(from, &data);
	if (n) {
		CHECK_INT(tls_feed(to, data, n), 0);
		tls_output_done(from, n);
	}
	return n;
}

/* Runs both handshakes to the end: 1 both done, <0 one side failed. The
 * failing side's alert still reaches the other. */
static int handshake_pair(struct tls_conn *cli, struct tls_conn *srv, int *cli_rc, int *srv_rc)
{
	*cli_rc = *srv_rc = 0;
	for (int round = 0; round < 20; round++) {
		if (*cli_rc == 0)
			*cli_rc = tls_handshake(cli);
		size_t moved = shuttle(cli, srv);
		if (*srv_rc == 0)
			*srv_rc = tls_handshake(srv);
		moved += shuttle(srv, cli);
		if (*cli_rc < 0 || *srv_rc < 0) {
			if (*cli_rc == 0)
				*cli_rc = tls_handshake(cli);
			if (*srv_rc == 0)
				*srv_rc = tls_handshake(srv);
			return -1;
		}
		if (*cli_rc == 1 && *srv_rc == 1)
			return 1;
		if (!moved && round > 2)
			break;
	}
	return 0;
}

static struct tls_config *server_cfg(bool client_ca, const char *const *alpn)
{
	char *err = NULL;
	struct tls_config *cfg = tls_server_config(fx.serve_crt, fx.serve_key,
						   client_ca ? fx.a.ca_pem : NULL, alpn, &err);
	if (!cfg)
		fprintf(stderr, "server config: %s\n", err ? err : "?");
	free(err);
	return cfg;
}

static struct tls_config *client_cfg(const struct tls_client_opts *o)
{
	char *err = NULL;
	struct tls_config *cfg = tls_client_config(o, &err);
	if (!cfg)
		fprintf(stderr, "client config: %s\n", err ? err : "?");
	free(err);
	return cfg;
}

/* Reads until n bytes arrived (or nothing more comes). */
static size_t read_all(struct tls_conn *c, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;
	while (got < n && (r = tls_read(c, buf + got, n - got)) > 0)
		got += (size_t)r;
	return got;
}

static void test_handshake_and_data(void)
{
	struct tls_config *scfg = server_cfg(true, h11);
	struct tls_config *ccfg =
	    client_cfg(&(struct tls_client_opts){.ca_pem = fx.a.ca_pem, .alpn = h2_h11});
	CHECK(scfg && ccfg);
	if (!scfg || !ccfg)
		goto out;
	struct tls_conn *srv = tls_conn_new(scfg, NULL), *cli = tls_conn_new(ccfg, "localhost");
	int crc, src;
	CHECK(!tls_handshake_done(cli));
	CHECK_INT(handshake_pair(cli, srv, &crc, &src), 1);
	CHECK(tls_handshake_done(cli) && tls_handshake_done(srv));
	CHECK_STR(tls_alpn(cli), "http/1.1"); /* the server's only choice */
	CHECK_STR(tls_alpn(srv), "http/1.1");

	/* the server saw no client certificate */
	size_t len = 1;
	bool verified = true;
	CHECK(tls_peer_cert(srv, &len, &verified) == NULL);
	CHECK_INT(len, 0);
	CHECK(!verified);
	/* the client saw the serving certificate, verified */
	CHECK(tls_peer_cert(cli, &len, &verified) != NULL);
	CHECK(len > 100 && verified);
	/* the served chain ends with the CA (tls_server_config completed it
	 * from the client CA): how a joining node learns it */
	char *chain = tls_peer_chain_pem(cli);
	const char *second = chain ? strstr(chain + 1, "-----BEGIN CERTIFICATE-----") : NULL;
	char hash[65] = "";
	CHECK(second && pki_cert_pem_hash(second, hash) == 0);
	CHECK_STR(hash, fx.a.ca_hash);
	CHECK(second && !strstr(second + 1, "-----BEGIN CERTIFICATE-----"));
	free(chain);

	/* client -> server, then a body bigger than a record server -> client */
	CHECK_INT(tls_write(cli, "GET / HTTP/1.1\r\n\r\n", 18), 18);
	shuttle(cli, srv);
	char buf[100000];
	CHECK_INT(read_all(srv, buf, 18), 18);
	CHECK(!memcmp(buf, "GET / HTTP/1.1\r\n\r\n", 18));
	CHECK_INT(tls_read(srv, buf, sizeof buf), 0); /* nothing more yet */

	static char big[70000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	CHECK_INT(tls_write(srv, big, sizeof big), (ssize_t)sizeof big);
	const void *out;
	CHECK(tls_output(srv, &out) > sizeof big); /* records, MACs */
	/* delivered in small pieces, as a socket would */
	size_t got = 0;
	for (int i = 0; i < 1000 && got < sizeof big; i++) {
		size_t n = tls_output(srv, &out);
		if (n > 1000)
			n = 1000;
		if (n) {
			tls_feed(cli, out, n);
			tls_output_done(srv, n);
		}
		CHECK(tls_input_pending(cli) > 0 || n == 0);
		ssize_t r;
		while ((r = tls_read(cli, buf + got, sizeof buf - got)) > 0)
			got += (size_t)r;
		CHECK(r == 0);
	}
	CHECK_INT(got, sizeof big);
	CHECK(!memcmp(buf, big, sizeof big));
	CHECK_INT(tls_input_pending(cli), 0);

	/* idle, then used again */
	tls_idle(cli);
	tls_idle(srv);
	CHECK_INT(tls_write(cli, "again", 5), 5);
	shuttle(cli, srv);
	CHECK_INT(read_all(srv, buf, 5), 5);
	CHECK(!memcmp(buf, "again", 5));

	/* close_notify -> TLS_EOF, and it stays so */
	tls_close(cli);
	CHECK(shuttle(cli, srv) > 0);
	CHECK_INT(tls_read(srv, buf, sizeof buf), TLS_EOF);
	CHECK_INT(tls_read(srv, buf, sizeof buf), TLS_EOF);
	tls_conn_free(cli);
	tls_conn_free(srv);
out:
	tls_config_unref(scfg);
	tls_config_unref(ccfg);
}

/* The connection holds the config: dropping the caller's reference early is fine. */
static void test_config_refcount(void)
{
	struct tls_config *scfg = server_cfg(false, NULL);
	struct tls_config *ccfg = client_cfg(&(struct tls_client_opts){.insecure = true});
	CHECK(scfg && ccfg);
	if (!scfg || !ccfg)
		return;
	struct tls_conn *srv = tls_conn_new(scfg, NULL), *cli = tls_conn_new(ccfg, NULL);
	CHECK(tls_config_ref(scfg) == scfg);
	tls_config_unref(scfg);
	tls_config_unref(scfg);
	tls_config_unref(ccfg);
	int crc, src;
	CHECK_INT(handshake_pair(cli, srv, &crc, &src), 1);
	CHECK(tls_alpn(cli) == NULL); /* none offered, none chosen */
	size_t len;
	bool verified = true;
	CHECK(tls_peer_cert(cli, &len, &verified) != NULL);
	CHECK(!verified); /* insecure: not checked, so not "verified" */
	tls_conn_free(cli);
	tls_conn_free(srv);
}

/* Client certificates: verified against the CA, from a stranger CA
 * unverified (but the handshake succeeds: bearer tokens), absent. */
static void client_cert_case(const char *crt, const char *key, bool want_verified)
{
	struct tls_config *scfg = server_cfg(true, h11);
	struct tls_config *ccfg = client_cfg(&(struct tls_client_opts){
	    .ca_pem = fx.a.ca_pem, .cert_pem = crt, .key_pem = key, .alpn = h11});
	CHECK(scfg && ccfg);
	if (!scfg || !ccfg)
		goto out;
	struct tls_conn *srv = tls_conn_new(scfg, NULL), *cli = tls_conn_new(ccfg, "127.0.0.1");
	int crc, src;
	CHECK_INT(handshake_pair(cli, srv, &crc, &src), 1);
	size_t len = 0;
	bool verified = !want_verified;
	const unsigned char *der = tls_peer_cert(srv, &len, &verified);
	CHECK(der != NULL && len > 100);
	CHECK(verified == want_verified);
	/* the chain as PEM carries the same certificate */
	char *pem = tls_peer_chain_pem(srv);
	CHECK(pem && !strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28));
	char h1[65], h2[65];
	CHECK(pem && pki_cert_pem_hash(pem, h1) == 0 && pki_cert_pem_hash(crt, h2) == 0 &&
	      !strcmp(h1, h2));
	free(pem);
	tls_conn_free(cli);
	tls_conn_free(srv);
out:
	tls_config_unref(scfg);
	tls_config_unref(ccfg);
}

static void test_client_cert_verified(void)
{
	client_cert_case(fx.client_crt, fx.client_key, true);
}

static void test_client_cert_unverified(void)
{
	client_cert_case(fx.stranger_crt, fx.stranger_key, false);
}

/* Without a client CA the server asks for nothing: no certificate. */
static void test_client_cert_not_requested(void)
{
	struct tls_config *scfg = server_cfg(false, h11);
	struct tls_config *ccfg = client_cfg(&(struct tls_client_opts){
	    .ca_pem = fx.a.ca_pem, .cert_pem = fx.client_crt, .key_pem = fx.client_key});
	CHECK(scfg && ccfg);
	if (!scfg || !ccfg)
		goto out;
	struct tls_conn *srv = tls_conn_new(scfg, NULL), *cli = tls_conn_new(ccfg, "localhost");
	int crc, src;
	CHECK_INT(handshake_pair(cli, srv, &crc, &src), 1);
	bool verified = true;
	CHECK(tls_peer_cert(srv, NULL, &verified) == NULL && !verified);
	CHECK(tls_peer_chain_pem(srv) == NULL);
	tls_conn_free(cli);
	tls_conn_free(srv);
out:
	tls_config_unref(scfg);
	tls_config_unref(ccfg);
}

/* peer_name against the serving certificate: 1 handshake done, -1 refused. */
static int name_case(const char *peer_name, const char *ca_pem, char *why, size_t whylen)
{
	struct tls_config *scfg = server_cfg(false, NULL);
	struct tls_config *ccfg = client_cfg(&(struct tls_client_opts){.ca_pem = ca_pem});
	int rc = -2;
	if (scfg && ccfg) {
		struct tls_conn *srv = tls_conn_new(scfg, NULL),
				*cli = tls_conn_new(ccfg, peer_name);
		int crc, src;
		rc = handshake_pair(cli, srv, &crc, &src);
		if (rc < 0) {
			CHECK(crc < 0); /* the client refused */
			CHECK(src < 0); /* and told the server */
			snprintf(why, whylen, "%s", tls_error(cli));
			CHECK(tls_read(cli, why + whylen - 1, 1) < 0); /* stays failed */
		}
		tls_conn_free(cli);
		tls_conn_free(srv);
	}
	tls_config_unref(scfg);
	tls_config_unref(ccfg);
	return rc;
}

static void test_peer_names(void)
{
	char why[200] = "";
	char host[256] = "";
	gethostname(host, sizeof host - 1);
	CHECK_INT(name_case("localhost", fx.a.ca_pem, why, sizeof why), 1);
	CHECK_INT(name_case("kubernetes.default.svc", fx.a.ca_pem, why, sizeof why), 1);
	CHECK_INT(name_case(host, fx.a.ca_pem, why, sizeof why), 1);
	CHECK_INT(name_case("127.0.0.1", fx.a.ca_pem, why, sizeof why), 1); /* IP SAN */
	CHECK_INT(name_case("::1", fx.a.ca_pem, why, sizeof why), 1);	    /* IPv6 SAN */
	CHECK_INT(name_case("[::1]", fx.a.ca_pem, why, sizeof why), 1);	    /* as in a URL */
	CHECK_INT(name_case("10.96.0.1", fx.a.ca_pem, why, sizeof why), 1); /* service IP */

	why[0] = '\0';
	CHECK_INT(name_case("wrong.example", fx.a.ca_pem, why, sizeof why), -1);
	CHECK(strstr(why, "certificate verify failed") != NULL);
	why[0] = '\0';
	CHECK_INT(name_case("192.0.2.1", fx.a.ca_pem, why, sizeof why), -1); /* IP not in SANs */
	CHECK(strstr(why, "certificate verify failed") != NULL);
	why[0] = '\0';
	CHECK_INT(name_case("localhost", fx.b.ca_pem, why, sizeof why), -1); /* another CA */
	CHECK(strstr(why, "certificate verify failed") != NULL);
	/* the system store does not know the cluster CA either */
	CHECK_INT(name_case("localhost", NULL, why, sizeof why), -1);
}

/* with_system_ca: the cluster CA still works beside the system store. */
static void test_ca_plus_system(void)
{
	struct tls_config *scfg = server_cfg(false, NULL);
	struct tls_config *ccfg =
	    client_cfg(&(struct tls_client_opts){.ca_pem = fx.a.ca_pem, .with_system_ca = true});
	struct tls_config *ccfg2 =
	    client_cfg(&(struct tls_client_opts){.ca_pem = fx.b.ca_pem, .with_system_ca = true});
	CHECK(scfg && ccfg && ccfg2);
	if (scfg && ccfg && ccfg2) {
		struct tls_conn *srv = tls_conn_new(scfg, NULL),
				*cli = tls_conn_new(ccfg, "localhost");
		int crc, src;
		CHECK_INT(handshake_pair(cli, srv, &crc, &src), 1);
		tls_conn_free(cli);
		tls_conn_free(srv);
	}
	/* two configs share the store; freeing one leaves it intact */
	tls_config_unref(ccfg);
	if (scfg && ccfg2) {
		struct tls_conn *srv = tls_conn_new(scfg, NULL),
				*cli = tls_conn_new(ccfg2, "localhost");
		int crc, src;
		CHECK_INT(handshake_pair(cli, srv, &crc, &src), -1);
		tls_conn_free(cli);
		tls_conn_free(srv);
	}
	tls_config_unref(ccfg2);
	tls_config_unref(scfg);
}

/* A client that offers only protocols the server does not speak. */
static void test_alpn_mismatch(void)
{
	struct tls_config *scfg = server_cfg(false, h11);
	struct tls_config *ccfg =
	    client_cfg(&(struct tls_client_opts){.insecure = true, .alpn = only_h2});
	CHECK(scfg && ccfg);
	if (scfg && ccfg) {
		struct tls_conn *srv = tls_conn_new(scfg, NULL), *cli = tls_conn_new(ccfg, NULL);
		int crc, src;
		CHECK_INT(handshake_pair(cli, srv, &crc, &src), -1);
		CHECK(src < 0);
		tls_conn_free(cli);
		tls_conn_free(srv);
	}
	tls_config_unref(scfg);
	tls_config_unref(ccfg);
}

static void test_bad_config(void)
{
	char *err = NULL;
	CHECK(tls_server_config("not a certificate", fx.serve_key, NULL, NULL, &err) == NULL);
	CHECK(err && strstr(err, "certificate"));
	free(err);
	err = NULL;
	/* a key that is not the certificate's */
	CHECK(tls_server_config(fx.serve_crt, fx.client_key, NULL, NULL, &err) == NULL);
	CHECK(err && strstr(err, "does not match"));
	free(err);
	err = NULL;
	CHECK(tls_client_config(&(struct tls_client_opts){.ca_pem = "garbage"}, &err) == NULL);
	CHECK(err != NULL);
	free(err);
	err = NULL;
	CHECK(tls_server_config(
		  fx.serve_crt,
		  "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", NULL,
		  NULL, &err) == NULL);
	CHECK(err && strstr(err, "private key"));
	free(err);
}

/* Garbage from the peer fails the handshake with a message, never crashes. */
static void test_garbage_input(void)
{
	struct tls_config *scfg = server_cfg(true, h11);
	CHECK(scfg != NULL);
	if (!scfg)
		return;
	struct tls_conn *srv = tls_conn_new(scfg, NULL);
	const char junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	CHECK_INT(tls_feed(srv, junk, sizeof junk - 1), 0);
	CHECK(tls_handshake(srv) < 0);
	CHECK(strcmp(tls_error(srv), "no error") != 0);
	char buf[16];
	CHECK(tls_read(srv, buf, sizeof buf) < 0);
	CHECK(tls_write(srv, "x", 1) < 0);
	tls_conn_free(srv);

	/* a corrupted record on an established connection: failed for good */
	struct tls_config *ccfg = client_cfg(&(struct tls_client_opts){.insecure = true});
	srv = tls_conn_new(scfg, NULL);
	struct tls_conn *cli = ccfg ? tls_conn_new(ccfg, NULL) : NULL;
	int crc, src;
	CHECK(cli && handshake_pair(cli, srv, &crc, &src) == 1);
	if (cli) {
		CHECK_INT(tls_write(cli, "hello", 5), 5);
		const void *out;
		size_t n = tls_output(cli, &out);
		unsigned char rec[64];
		CHECK(n > 10 && n <= sizeof rec);
		memcpy(rec, out, n);
		rec[n - 1] ^= 0x55; /* the GCM tag */
		tls_output_done(cli, n);
		CHECK_INT(tls_feed(srv, rec, n), 0);
		CHECK(tls_read(srv, buf, sizeof buf) < 0);
		CHECK(tls_read(srv, buf, sizeof buf) < 0);
		CHECK(tls_write(srv, "x", 1) < 0);
	}
	tls_conn_free(cli);
	tls_conn_free(srv);
	tls_config_unref(ccfg);
	tls_config_unref(scfg);
}

int main(void)
{
	if (!fixture_setup()) {
		fprintf(stderr, "cannot create the PKI fixture\n");
		fixture_teardown();
		return 1;
	}
	TEST_RUN(test_handshake_and_data);
	TEST_RUN(test_config_refcount);
	TEST_RUN(test_client_cert_verified);
	TEST_RUN(test_client_cert_unverified);
	TEST_RUN(test_client_cert_not_requested);
	TEST_RUN(test_peer_names);
	TEST_RUN(test_ca_plus_system);
	TEST_RUN(test_alpn_mismatch);
	TEST_RUN(test_bad_config);
	TEST_RUN(test_garbage_input);
	fixture_teardown();
	return test_summary();
}
