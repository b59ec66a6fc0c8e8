/* Joining: the token's CA hash is checked against the chain the server
 * presents before anything is sent; then a locally generated ECDSA P-256 key
 * (never leaves the node) gets a certificate through
 * POST /minikube/v1/node-certificate, authenticated by the token's secret.
 * The results land in DATA_DIR/agent and are reused on restart. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"
#include "common/crypto.h"
#include "common/pki.h"

#define CRED_MAX (64 * 1024)

struct join_ctx {
	struct node *n;
	char hash[65];
	char secret[300];
};

int node_token_parse(const char *token, char hash[65], char *secret, size_t slen, char *err,
		     size_t errlen)
{
	const char *sep = token ? strstr(token, "::") : NULL;
	if (!token || strncmp(token, "K10", 3) || !sep || sep - token != 3 + 64) {
		snprintf(err, errlen,
			 "the join token must look like K10<sha256 of the CA>::server:<secret> "
			 "or K10<sha256>::<id>.<secret> (see `minikube token create`)");
		return -EINVAL;
	}
	for (int i = 0; i < 64; i++) {
		char c = token[3 + i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
			snprintf(err, errlen, "the join token's CA hash is not 64 hex digits");
			return -EINVAL;
		}
		hash[i] = (char)(c | 0x20);
	}
	hash[64] = 0;
	if (!sep[2] || strlen(sep + 2) >= slen || strpbrk(sep + 2, " \t\r\n")) {
		snprintf(err, errlen, "the join token has no usable secret after \"::\"");
		return -EINVAL;
	}
	snprintf(secret, slen, "%s", sep + 2);
	return 0;
}

/* ---- files ---- */

static int file_read(const char *path, char **out)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	char *buf = malloc(CRED_MAX + 1);
	size_t len = buf ? fread(buf, 1, CRED_MAX, f) : 0;
	fclose(f);
	if (!buf)
		return -ENOMEM;
	buf[len] = 0;
	*out = buf;
	return 0;
}

static int file_write(const char *path, const char *data, mode_t mode)
{
	char tmp[1100];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	size_t len = strlen(data), off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = -errno;
			close(fd);
			unlink(tmp);
			return e;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return -errno;
	}
	return 0;
}

static void cred_path(const struct node *n, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", n->dir, name);
}

int node_credentials_load(struct node *n)
{
	char p[1100], cn[128], want[300];
	int rc;
	cred_path(n, "node.key", p, sizeof p);
	if ((rc = file_read(p, &n->key_pem)))
		return rc;
	cred_path(n, "node.crt", p, sizeof p);
	if ((rc = file_read(p, &n->cert_pem)))
		return rc;
	cred_path(n, "ca.crt", p, sizeof p);
	if ((rc = file_read(p, &n->ca_pem)))
		return rc;
	snprintf(want, sizeof want, "system:node:%s", n->cfg.node_name);
	cn[0] = '\0';
	if (pki_cert_pem_common_name(n->cert_pem, cn, sizeof cn) || strcmp(cn, want)) {
		log_error(&n->log, "join",
			  "%s/node.crt is for \"%s\", not \"%s\": remove %s to join again", n->dir,
			  cn, want, n->dir);
		return -EINVAL;
	}
	return 0;
}

/* ---- key and CSR ---- */

/* The node key from DATA_DIR/agent/node.key (a PKCS#8 one from the OpenSSL
 * build too), or a new P-256 key written there. */
static int node_key_ensure(struct node *n, struct pki_key **out)
{
	char p[1100];
	cred_path(n, "node.key", p, sizeof p);
	if (file_read(p, &n->key_pem) == 0) {
		if ((*out = pki_key_from_pem(n->key_pem)))
			return 0;
		secure_zero(n->key_pem, strlen(n->key_pem));
		free(n->key_pem);
		n->key_pem = NULL;
	}
	struct pki_key *k = pki_key_generate();
	if (!k || !(n->key_pem = pki_key_to_pem(k))) {
		pki_key_free(k);
		return -EIO;
	}
	int rc = file_write(p, n->key_pem, 0600);
	if (rc) {
		pki_key_free(k);
		return rc;
	}
	*out = k;
	return 0;
}

/* A PEM CSR for CN system:node:<name>, O system:nodes (malloc'd). */
static char *csr_build(const struct pki_key *key, const char *node_name)
{
	static const char *const orgs[] = {"system:nodes", NULL};
	char cn[300];
	snprintf(cn, sizeof cn, "system:node:%s", node_name);
	return pki_csr_new(key, cn, orgs);
}

/* ---- the exchange ---- */

static void join_done(struct join_ctx *j)
{
	struct node *n = j->n;
	httpc_free(n->join);
	n->join = NULL;
	free(j);
}

static int credentials_save(struct node *n, const char *cert, const char *ca)
{
	char p[1100];
	int rc;
	cred_path(n, "ca.crt", p, sizeof p);
	if ((rc = file_write(p, ca, 0644)))
		return rc;
	cred_path(n, "node.crt", p, sizeof p);
	return file_write(p, cert, 0644);
}

static void on_certificate(void *ud, int status, const struct httpc_resp *resp, const char *body,
			   size_t len)
{
	struct join_ctx *j = ud;
	struct node *n = j->n;
	json_t *doc = status > 0 ? json_loadb(body, len, 0, NULL) : NULL;
	const char *cert = json_string_value(json_object_get(doc, "certificate"));
	const char *msg = json_string_value(json_object_get(doc, "message"));
	if (status < 0)
		node_fail(n, 1, "cannot reach %s: %s", n->cfg.server_url,
			  httpc_last_error(n->join));
	else if (status == 401)
		node_fail(n, 1, "the server refused the join token (401 Unauthorized: %s)",
			  msg ? msg : "");
	else if (status != 200 || !cert)
		node_fail(n, 1, "the server did not issue a certificate (HTTP %d: %s)", status,
			  msg ? msg : "");
	else if (credentials_save(n, cert, n->ca_pem))
		node_fail(n, 1, "cannot write the node certificate to %s", n->dir);
	else {
		n->cert_pem = strdup(cert);
		log_info(&n->log, "join", "joined node=%s server=%s certificate=%s/node.crt",
			 n->cfg.node_name, n->cfg.server_url, n->dir);
	}
	json_decref(doc);
	join_done(j);
	if (n->cert_pem && !n->stopping)
		node_run(n);
}

static void join_send_csr(struct join_ctx *j)
{
	struct node *n = j->n;
	struct pki_key *key = NULL;
	char *csr = NULL, *err = NULL;
	if (node_key_ensure(n, &key)) {
		node_fail(n, 1, "cannot create the node key in %s", n->dir);
		return join_done(j);
	}
	csr = csr_build(key, n->cfg.node_name);
	pki_key_free(key);
	struct httpc_config hc = {
	    .url = n->cfg.server_url, .ca_pem = n->ca_pem, .bearer_token = j->secret};
	if (!csr || httpc_new(n->loop, &hc, &n->join, &err) ||
	    httpc_request(n->join, "POST", "/minikube/v1/node-certificate",
			  "application/x-pem-file", csr, strlen(csr), on_certificate, j)) {
		node_fail(n, 1, "cannot send the certificate request: %s",
			  err ? err : "out of memory");
		free(err);
		free(csr);
		return join_done(j);
	}
	free(csr);
}

/* The sha256 of the last (top-most) certificate of a PEM chain, for the
 * mismatch message. */
static void chain_top_hash(const char *chain, char out[65])
{
	const char *last = NULL, *p = chain;
	while (p && (p = strstr(p, "-----BEGIN CERTIFICATE-----")))
		last = p++;
	if (!last || pki_cert_pem_hash(last, out))
		snprintf(out, 65, "(no certificate)");
}

static void on_chain(void *ud, int status, const char *chain_pem)
{
	struct join_ctx *j = ud;
	struct node *n = j->n;
	char got[65];
	if (n->stopping) {
		free(j);
		return;
	}
	if (status < 0) {
		node_fail(n, 1, "cannot reach %s: %s", n->cfg.server_url, strerror(-status));
		free(j);
		return;
	}
	if (httpc_chain_find_ca(chain_pem, j->hash, &n->ca_pem)) {
		chain_top_hash(chain_pem, got);
		node_fail(
		    n, 1,
		    "the server's CA does not match the join token: expected sha256 %s, got %s",
		    j->hash, got);
		free(j);
		return;
	}
	log_info(&n->log, "join", "server CA matches the token sha256=%.16s...", j->hash);
	join_send_csr(j);
}

int node_join_start(struct node *n)
{
	char err[256];
	struct join_ctx *j = calloc(1, sizeof *j);
	if (!j)
		return -ENOMEM;
	j->n = n;
	if (node_token_parse(n->cfg.token, j->hash, j->secret, sizeof j->secret, err, sizeof err)) {
		free(j);
		node_fail(n, 2, "%s", err);
		return -EINVAL;
	}
	int rc = httpc_fetch_peer_cert_chain(n->loop, n->cfg.server_url, 10000, on_chain, j);
	if (rc) {
		free(j);
		node_fail(n, 2, "cannot connect to %s: %s", n->cfg.server_url, strerror(-rc));
	}
	return rc;
}
