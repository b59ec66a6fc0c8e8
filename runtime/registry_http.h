/* runtime/registry_http.h — a small blocking HTTP/1.1 client for talking to
 * registries: HTTPS through common/tls.h (system CAs + an extra bundle, hostname
 * verified), plain HTTP only for loopback hosts, content-length, chunked and
 * read-to-close bodies, redirects (the Authorization header is dropped when a
 * redirect leaves the original scheme/host/port). One connection per request
 * ("Connection: close"): simple, and pulls are dominated by transfer time. */
#ifndef RUNTIME_REGISTRY_HTTP_H
#define RUNTIME_REGISTRY_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

struct tls_config;

struct rh_client {
	struct tls_config *tls;
	bool allow_http; /* plain http:// URLs to loopback hosts */
	int timeout_s;
};

/* ca_file (optional, PEM) is trusted besides the system store
 * (/etc/ssl/certs/ca-certificates.crt). */
int rh_client_init(struct rh_client *c, const char *ca_file, bool allow_http, char *err,
		   size_t errlen);
void rh_client_free(struct rh_client *c);

/* Receives a 2xx body in pieces; return <0 to abort the transfer. */
typedef int (*rh_sink_fn)(void *ud, const void *data, size_t n);

struct rh_request {
	const char *method; /* "GET" when NULL */
	const char *url;
	const char *const *headers; /* "Name: value", NULL-terminated; may be NULL */
	const char *authorization;  /* value of Authorization; not sent across hosts */
	const void *body;
	size_t body_len;
	size_t max_body; /* buffered bodies (no sink, or non-2xx); default 1 MiB */
	rh_sink_fn sink; /* streams a 2xx body instead of buffering it */
	void *sink_ud;
	int max_redirects; /* 0: default 5; <0: none */
};

#define RH_MAX_HEADERS 100

struct rh_response {
	int status;
	size_t nh;
	char *hname[RH_MAX_HEADERS], *hvalue[RH_MAX_HEADERS];
	struct buf body; /* when not streamed */
	char *url;	 /* final URL after redirects */
};

/* Performs the request; 0 when a response (any status) was read. */
int rh_do(struct rh_client *c, const struct rh_request *req, struct rh_response *resp, char *err,
	  size_t errlen);
/* Case-insensitive header lookup (borrowed), NULL when absent. */
const char *rh_header(const struct rh_response *r, const char *name);
void rh_response_free(struct rh_response *r);

/* True for localhost, 127.0.0.0/8 and ::1 (with or without a port). */
bool rh_host_is_loopback(const char *hostport);

struct rh_url {
	bool tls;
	char host[256]; /* without brackets */
	char port[8];
	char hostport[270]; /* as written, for Host: and comparisons */
	char path[4096];    /* path + query, starts with / */
};
int rh_url_parse(const char *url, struct rh_url *u, char *err, size_t errlen);

#endif
