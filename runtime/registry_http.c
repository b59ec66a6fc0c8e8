/* runtime/registry_http.c — the blocking HTTP/1.1 client of registry_http.h.
 * Bounded everywhere: header lines, header count, buffered bodies, chunk
 * sizes, redirects. Writes use MSG_NOSIGNAL (common/tls.h does too). */
#define _GNU_SOURCE
#include "runtime/registry_http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/tls.h"

#define MAX_LINE 8192
#define MAX_CA_FILE (1u << 20) /* as tls_client_config accepts */
#define DEFAULT_MAX_BODY (1u << 20)
#define DEFAULT_REDIRECTS 5

static int herr(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int herr(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

int rh_client_init(struct rh_client *c, const char *ca_file, bool allow_http, char *err,
		   size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->allow_http = allow_http;
	c->timeout_s = 60;
	char *ca_pem = NULL, *why = NULL;
	if (ca_file) {
		FILE *f = fopen(ca_file, "re");
		ca_pem = f ? calloc(1, MAX_CA_FILE + 1) : NULL;
		size_t n = ca_pem ? fread(ca_pem, 1, MAX_CA_FILE + 1, f) : 0;
		if (f)
			fclose(f);
		if (!ca_pem || n == 0 || n > MAX_CA_FILE) {
			free(ca_pem);
			return herr(err, errlen, -EINVAL, "cannot load CA file %s", ca_file);
		}
	}
	/* the system store (read once per process) plus the extra bundle */
	struct tls_client_opts o = {.ca_pem = ca_pem, .with_system_ca = true};
	c->tls = tls_client_config(&o, &why);
	free(ca_pem);
	if (!c->tls) {
		int rc = herr(err, errlen, -EINVAL, "cannot load CA file %s: %s",
			      ca_file ? ca_file : "(system)", why ? why : "?");
		free(why);
		return rc;
	}
	return 0;
}

void rh_client_free(struct rh_client *c)
{
	tls_config_unref(c->tls);
	c->tls = NULL;
}

bool rh_host_is_loopback(const char *hp)
{
	char h[300];
	snprintf(h, sizeof h, "%s", hp);
	if (h[0] == '[') {
		char *e = strchr(h, ']');
		if (e)
			*e = 0;
		return !strcmp(h + 1, "::1");
	}
	char *colon = strchr(h, ':');
	if (colon && !strchr(colon + 1, ':'))
		*colon = 0; /* host:port */
	if (!strcasecmp(h, "localhost") || !strcmp(h, "::1"))
		return true;
	struct in_addr a;
	return inet_pton(AF_INET, h, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

int rh_url_parse(const char *url, struct rh_url *u, char *err, size_t errlen)
{
	memset(u, 0, sizeof *u);
	const char *p;
	if (!strncasecmp(url, "https://", 8))
		u->tls = true, p = url + 8;
	else if (!strncasecmp(url, "http://", 7))
		p = url + 7;
	else
		return herr(err, errlen, -EINVAL, "unsupported URL \"%.100s\"", url);
	size_t n = strcspn(p, "/?#");
	if (!n || n >= sizeof u->hostport)
		return herr(err, errlen, -EINVAL, "bad host in URL \"%.100s\"", url);
	memcpy(u->hostport, p, n);
	const char *port = NULL;
	if (u->hostport[0] == '[') {
		char *e = strchr(u->hostport, ']');
		if (!e)
			return herr(err, errlen, -EINVAL, "bad IPv6 host in \"%.100s\"", url);
		snprintf(u->host, sizeof u->host, "%.*s", (int)(e - u->hostport - 1),
			 u->hostport + 1);
		port = e[1] == ':' ? e + 2 : NULL;
	} else {
		char *c = strchr(u->hostport, ':');
		snprintf(u->host, sizeof u->host, "%.*s", (int)(c ? (size_t)(c - u->hostport) : n),
			 u->hostport);
		port = c ? c + 1 : NULL;
	}
	if (port && (!*port || strlen(port) > 5 || strspn(port, "0123456789") != strlen(port)))
		return herr(err, errlen, -EINVAL, "bad port in \"%.100s\"", url);
	snprintf(u->port, sizeof u->port, "%s", port ? port : u->tls ? "443" : "80");
	const char *rest = p + n;
	if (strlen(rest) >= sizeof u->path - 1)
		return herr(err, errlen, -EINVAL, "URL too long");
	snprintf(u->path, sizeof u->path, "%s%s", *rest == '/' ? "" : "/", rest);
	char *hash = strchr(u->path, '#');
	if (hash)
		*hash = 0;
	return 0;
}

/* ---- connections ---- */

struct conn {
	int fd;
	struct tls_conn *tls;
	size_t off, len;
	char buf[16384];
};

static void conn_close(struct conn *k)
{
	if (k->tls) {
		if (k->fd >= 0)
			tls_fd_close(k->tls, k->fd);
		tls_conn_free(k->tls);
	}
	if (k->fd >= 0)
		close(k->fd);
	k->tls = NULL;
	k->fd = -1;
}

static int tcp_connect(const struct rh_url *u, int timeout_s, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res, *ai;
	int g = getaddrinfo(u->host, u->port, &hints, &res);
	if (g)
		return herr(err, errlen, -EHOSTUNREACH, "resolve %s: %s", u->host, gai_strerror(g));
	int fd = -1, e = ECONNREFUSED;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		struct timeval tv = {.tv_sec = timeout_s};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return herr(err, errlen, -e, "connect %s: %s", u->hostport, strerror(e));
	return fd;
}

static int tls_start(struct rh_client *c, const struct rh_url *u, struct conn *k, char *err,
		     size_t errlen)
{
	/* u->host: a DNS name (also SNI) or an IP address SAN */
	k->tls = tls_conn_new(c->tls, u->host);
	if (!k->tls)
		return herr(err, errlen, -ENOMEM, "out of memory");
	int rc = tls_fd_handshake(k->tls, k->fd);
	if (rc < 0)
		return herr(err, errlen, -ECONNABORTED, "TLS handshake with %s failed: %s",
			    u->hostport,
			    rc == -EPROTO || rc == -ECONNRESET ? tls_error(k->tls) : strerror(-rc));
	return 0;
}

static int conn_open(struct rh_client *c, const struct rh_url *u, struct conn *k, char *err,
		     size_t errlen)
{
	k->fd = -1;
	k->tls = NULL;
	k->off = k->len = 0;
	if (!u->tls && !(c->allow_http && rh_host_is_loopback(u->hostport)))
		return herr(err, errlen, -EPERM,
			    "refusing plain http to %s (only loopback registries with --insecure)",
			    u->hostport);
	k->fd = tcp_connect(u, c->timeout_s, err, errlen);
	if (k->fd < 0)
		return k->fd;
	return u->tls ? tls_start(c, u, k, err, errlen) : 0;
}

static ssize_t conn_raw_read(struct conn *k, void *b, size_t n)
{
	if (k->tls) {
		ssize_t r = tls_fd_read(k->tls, k->fd, b, n);
		return r >= 0 ? r : -1;
	}
	ssize_t r;
	do
		r = recv(k->fd, b, n, 0);
	while (r < 0 && errno == EINTR);
	return r;
}

static int conn_write(struct conn *k, const void *data, size_t n)
{
	const char *p = data;
	while (n) {
		ssize_t w;
		if (k->tls)
			w = tls_fd_write(k->tls, k->fd, p, n);
		else
			w = send(k->fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && !k->tls && errno == EINTR)
			continue;
		if (w <= 0)
			return -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static ssize_t conn_read(struct conn *k, void *b, size_t n)
{
	if (k->off < k->len) {
		size_t m = k->len - k->off < n ? k->len - k->off : n;
		memcpy(b, k->buf + k->off, m);
		k->off += m;
		return (ssize_t)m;
	}
	return conn_raw_read(k, b, n);
}

static int conn_fill(struct conn *k)
{
	ssize_t r = conn_raw_read(k, k->buf, sizeof k->buf);
	if (r <= 0)
		return -EIO;
	k->off = 0;
	k->len = (size_t)r;
	return 0;
}

/* One line without CRLF; -EIO on EOF, -E2BIG when longer than max. */
static int conn_line(struct conn *k, char *line, size_t max)
{
	size_t n = 0;
	for (;;) {
		if (k->off == k->len && conn_fill(k))
			return -EIO;
		char ch = k->buf[k->off++];
		if (ch == '\n')
			break;
		if (n + 1 >= max)
			return -E2BIG;
		line[n++] = ch;
	}
	if (n && line[n - 1] == '\r')
		n--;
	line[n] = 0;
	return 0;
}

/* ---- request / response ---- */

static int send_request(struct conn *k, const struct rh_request *req, const struct rh_url *u,
			bool with_auth, const char *method)
{
	struct buf b = {0};
	buf_printf(&b,
		   "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: minikube/0.1\r\n"
		   "Connection: close\r\nAccept-Encoding: identity\r\n",
		   method, u->path, u->hostport);
	for (size_t i = 0; req->headers && req->headers[i]; i++)
		buf_printf(&b, "%s\r\n", req->headers[i]);
	if (with_auth && req->authorization)
		buf_printf(&b, "Authorization: %s\r\n", req->authorization);
	if (req->body || !strcmp(method, "POST") || !strcmp(method, "PUT"))
		buf_printf(&b, "Content-Length: %zu\r\n", req->body ? req->body_len : 0);
	buf_puts(&b, "\r\n");
	int rc = conn_write(k, b.data, b.len);
	buf_free(&b);
	if (!rc && req->body && req->body_len)
		rc = conn_write(k, req->body, req->body_len);
	return rc;
}

static void resp_reset(struct rh_response *r)
{
	for (size_t i = 0; i < r->nh; i++) {
		free(r->hname[i]);
		free(r->hvalue[i]);
	}
	r->nh = 0;
	buf_free(&r->body);
	r->status = 0;
}

void rh_response_free(struct rh_response *r)
{
	resp_reset(r);
	free(r->url);
	r->url = NULL;
}

const char *rh_header(const struct rh_response *r, const char *name)
{
	for (size_t i = 0; i < r->nh; i++)
		if (!strcasecmp(r->hname[i], name))
			return r->hvalue[i];
	return NULL;
}

static int read_head(struct conn *k, struct rh_response *r, char *err, size_t errlen)
{
	char line[MAX_LINE];
	do {
		resp_reset(r);
		if (conn_line(k, line, sizeof line))
			return herr(err, errlen, -EIO, "no HTTP response");
		if (strncmp(line, "HTTP/1.", 7) || strlen(line) < 12 ||
		    !isdigit((unsigned char)line[9]))
			return herr(err, errlen, -EPROTO, "bad status line \"%.60s\"", line);
		r->status = atoi(line + 9);
		for (;;) {
			if (conn_line(k, line, sizeof line))
				return herr(err, errlen, -EPROTO, "bad or too long header");
			if (!line[0])
				break;
			char *colon = strchr(line, ':');
			if (!colon)
				continue;
			if (r->nh == RH_MAX_HEADERS)
				return herr(err, errlen, -E2BIG, "too many response headers");
			*colon = 0;
			char *v = colon + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			r->hname[r->nh] = strdup(line);
			r->hvalue[r->nh++] = strdup(v);
		}
	} while (r->status >= 100 && r->status < 200);
	return 0;
}

struct body_out {
	struct rh_response *r;
	rh_sink_fn sink;
	void *ud;
	size_t max;
};

static int body_put(struct body_out *o, const char *data, size_t n, char *err, size_t errlen)
{
	if (o->sink)
		return o->sink(o->ud, data, n) < 0
			   ? herr(err, errlen, -ECANCELED, "transfer aborted")
			   : 0;
	if (o->r->body.len + n > o->max)
		return herr(err, errlen, -EFBIG, "response body larger than %zu bytes", o->max);
	buf_append(&o->r->body, data, n);
	return 0;
}

/* Copies exactly n bytes (n == SIZE_MAX: until EOF). */
static int body_copy(struct conn *k, struct body_out *o, uint64_t n, bool to_eof, char *err,
		     size_t errlen)
{
	char b[16384];
	while (to_eof || n) {
		size_t want = !to_eof && n < sizeof b ? (size_t)n : sizeof b;
		ssize_t r = conn_read(k, b, want);
		if (r == 0 && to_eof)
			return 0;
		if (r <= 0)
			return herr(err, errlen, -EIO,
				    "connection closed in the middle of the body");
		int rc = body_put(o, b, (size_t)r, err, errlen);
		if (rc)
			return rc;
		if (!to_eof)
			n -= (uint64_t)r;
	}
	return 0;
}

static int body_chunked(struct conn *k, struct body_out *o, char *err, size_t errlen)
{
	char line[MAX_LINE];
	for (;;) {
		if (conn_line(k, line, sizeof line))
			return herr(err, errlen, -EPROTO, "bad chunk header");
		char *end;
		errno = 0;
		unsigned long long n = strtoull(line, &end, 16);
		if (end == line || errno || n > (1ull << 40))
			return herr(err, errlen, -EPROTO, "bad chunk size \"%.20s\"", line);
		if (!n)
			break;
		int rc = body_copy(k, o, n, false, err, errlen);
		if (rc)
			return rc;
		if (conn_line(k, line, sizeof line) || line[0])
			return herr(err, errlen, -EPROTO, "missing CRLF after chunk");
	}
	for (int i = 0; i < RH_MAX_HEADERS; i++) /* trailers */
		if (conn_line(k, line, sizeof line) || !line[0])
			return 0;
	return herr(err, errlen, -EPROTO, "too many trailers");
}

static int read_body(struct conn *k, const struct rh_request *req, const char *method,
		     struct rh_response *r, char *err, size_t errlen)
{
	struct body_out o = {.r = r, .max = req->max_body ? req->max_body : DEFAULT_MAX_BODY};
	if (r->status / 100 == 2 && req->sink) {
		o.sink = req->sink;
		o.ud = req->sink_ud;
	} else if (r->status / 100 != 2 && o.max > DEFAULT_MAX_BODY) {
		o.max = DEFAULT_MAX_BODY; /* error bodies only need to be read for messages */
	}
	if (!strcmp(method, "HEAD") || r->status == 204 || r->status == 304)
		return 0;
	const char *te = rh_header(r, "Transfer-Encoding"), *cl = rh_header(r, "Content-Length");
	if (te && strcasestr(te, "chunked"))
		return body_chunked(k, &o, err, errlen);
	if (cl) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(cl, &end, 10);
		if (end == cl || errno)
			return herr(err, errlen, -EPROTO, "bad Content-Length");
		return body_copy(k, &o, n, false, err, errlen);
	}
	return body_copy(k, &o, 0, true, err, errlen);
}

static bool is_redirect(int s)
{
	return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
}

/* Resolves Location against the current URL into next. */
static int next_url(const struct rh_url *cur, const char *loc, char *next, size_t n, char *err,
		    size_t errlen)
{
	if (!strncasecmp(loc, "http://", 7) || !strncasecmp(loc, "https://", 8))
		snprintf(next, n, "%s", loc);
	else if (loc[0] == '/' && loc[1] == '/')
		snprintf(next, n, "%s:%s", cur->tls ? "https" : "http", loc);
	else if (loc[0] == '/')
		snprintf(next, n, "%s://%s%s", cur->tls ? "https" : "http", cur->hostport, loc);
	else
		return herr(err, errlen, -EPROTO, "unsupported redirect \"%.100s\"", loc);
	return 0;
}

static bool same_origin(const struct rh_url *a, const struct rh_url *b)
{
	return a->tls == b->tls && !strcasecmp(a->host, b->host) && !strcmp(a->port, b->port);
}

static int do_once(struct rh_client *c, const struct rh_request *req, const struct rh_url *u,
		   const char *method, bool auth, struct rh_response *resp, char *err,
		   size_t errlen)
{
	struct conn *k = malloc(sizeof *k);
	if (!k)
		return herr(err, errlen, -ENOMEM, "out of memory");
	int rc = conn_open(c, u, k, err, errlen);
	if (!rc && send_request(k, req, u, auth, method))
		rc = herr(err, errlen, -EIO, "sending request to %s failed", u->hostport);
	if (!rc)
		rc = read_head(k, resp, err, errlen);
	if (!rc && !(is_redirect(resp->status) && rh_header(resp, "Location")))
		rc = read_body(k, req, method, resp, err, errlen);
	conn_close(k);
	free(k);
	return rc;
}

int rh_do(struct rh_client *c, const struct rh_request *req, struct rh_response *resp, char *err,
	  size_t errlen)
{
	struct rh_url first, u;
	char url[8192];
	const char *method = req->method ? req->method : "GET";
	int hops = req->max_redirects < 0 ? 0
		   : req->max_redirects	  ? req->max_redirects
					  : DEFAULT_REDIRECTS;
	memset(resp, 0, sizeof *resp);
	snprintf(url, sizeof url, "%s", req->url);
	int rc = rh_url_parse(url, &first, err, errlen);
	u = first;
	for (int i = 0; !rc; i++) {
		/* Authorization only goes where the caller meant it to go. */
		rc = do_once(c, req, &u, method, same_origin(&first, &u), resp, err, errlen);
		if (rc || !is_redirect(resp->status) || !rh_header(resp, "Location"))
			break;
		if (i >= hops)
			return herr(err, errlen, -ELOOP, "too many redirects");
		char next[8192];
		rc = next_url(&u, rh_header(resp, "Location"), next, sizeof next, err, errlen);
		if (!rc && u.tls && !strncasecmp(next, "http://", 7))
			rc = herr(err, errlen, -EPERM, "refusing redirect from https to http");
		if (!rc)
			rc = rh_url_parse(next, &u, err, errlen);
		if (!rc)
			snprintf(url, sizeof url, "%s", next);
		if (resp->status == 303)
			method = "GET";
	}
	if (!rc) {
		free(resp->url);
		resp->url = strdup(url);
	}
	return rc;
}
