/* apibench: load generator for `make bench`. Drives either minikube's
 * Kubernetes API (HTTPS, bearer token, keep-alive) or etcd's /v3 JSON gateway
 * (plain HTTP on loopback) with the same workload, and prints one line per
 * measurement: "name value unit".
 *
 *   apibench k8s  https://127.0.0.1:PORT TOKEN
 *   apibench etcd http://127.0.0.1:2379
 *
 * Workload: creates of 1 KB values at 1 and 32 concurrent clients (rate,
 * p50, p99), GET p50/p99, LIST of 10,000 objects, and write-to-event
 * latency with 100 watchers. A benchmark, not a test: it never fails on time.
 * APIBENCH_N sets the number of creates; APIBENCH_SAMPLES=PREFIX also writes
 * each phase's latencies to PREFIX-PHASE.txt for the report's plots. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "common/crypto.h"
#include "common/tls.h"

struct target {
	bool etcd;
	bool tls;
	char host[64];
	int port;
	char token[256];
	struct tls_config *tls_cfg; /* no verification: a benchmark on loopback */
	const char *ns; /* namespace (k8s) or key folder (etcd) of the objects */
	/* $APIBENCH_SAMPLES: prefix of the per-phase latency sample files */
	const char *samples;
};

struct conn {
	int fd;
	struct tls_conn *tls;
	char buf[1 << 16];
	size_t len; /* bytes buffered */
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int conn_open(const struct target *t, struct conn *c)
{
	memset(c, 0, sizeof *c);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)t->port)};
	inet_pton(AF_INET, t->host, &a.sin_addr);
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(c->fd, (struct sockaddr *)&a, sizeof a))
		return -1;
	if (t->tls) {
		c->tls = tls_conn_new(t->tls_cfg, NULL);
		if (!c->tls || tls_fd_handshake(c->tls, c->fd) < 0)
			return -1;
	}
	return 0;
}

static void conn_close(struct conn *c)
{
	tls_conn_free(c->tls);
	c->tls = NULL;
	close(c->fd);
}

static int conn_write(struct conn *c, const char *p, size_t n)
{
	while (n) {
		ssize_t w = c->tls ? tls_fd_write(c->tls, c->fd, p, n) : write(c->fd, p, n);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int conn_fill(struct conn *c)
{
	if (c->len == sizeof c->buf)
		return -1;
	ssize_t r = c->tls ? tls_fd_read(c->tls, c->fd, c->buf + c->len, sizeof c->buf - c->len)
			   : read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
	if (r <= 0)
		return -1;
	c->len += (size_t)r;
	return 0;
}

static void conn_consume(struct conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
}

/* Reads one response, discarding the body; returns the status or -1. */
static int conn_response(struct conn *c, size_t *body_bytes)
{
	char *end;
	while (!(end = memmem(c->buf, c->len, "\r\n\r\n", 4)))
		if (conn_fill(c))
			return -1;
	size_t hlen = (size_t)(end - c->buf) + 4;
	int status = atoi(c->buf + 9);
	char *cl = strcasestr(c->buf, "content-length:");
	bool chunked = strcasestr(c->buf, "transfer-encoding: chunked") && (!cl || cl > end);
	size_t total = 0;
	if (cl && cl < end) {
		size_t want = strtoul(cl + 15, NULL, 10);
		conn_consume(c, hlen);
		total = want;
		while (want) {
			if (!c->len && conn_fill(c))
				return -1;
			size_t take = c->len < want ? c->len : want;
			conn_consume(c, take);
			want -= take;
		}
	} else if (chunked) {
		conn_consume(c, hlen);
		for (;;) {
			char *nl;
			while (!(nl = memmem(c->buf, c->len, "\r\n", 2)))
				if (conn_fill(c))
					return -1;
			size_t sz = strtoul(c->buf, NULL, 16);
			conn_consume(c, (size_t)(nl - c->buf) + 2);
			size_t want = sz + 2;
			total += sz;
			while (want) {
				if (!c->len && conn_fill(c))
					return -1;
				size_t take = c->len < want ? c->len : want;
				conn_consume(c, take);
				want -= take;
			}
			if (sz == 0)
				break;
		}
	} else {
		conn_consume(c, hlen);
	}
	if (body_bytes)
		*body_bytes = total;
	return status;
}

static int request(const struct target *t, struct conn *c, const char *method, const char *path, const char *body)
{
	char head[1024];
	size_t blen = body ? strlen(body) : 0;
	int n = snprintf(head, sizeof head,
			 "%s %s HTTP/1.1\r\nHost: %s\r\n%s%s%sContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
			 method, path, t->host, t->token[0] ? "Authorization: Bearer " : "", t->token,
			 t->token[0] ? "\r\n" : "", blen);
	if (conn_write(c, head, (size_t)n) || (blen && conn_write(c, body, blen)))
		return -1;
	return conn_response(c, NULL);
}

static const char *b64(const char *s, char *out)
{
	base64_encode(s, strlen(s), out);
	return out;
}

/* The create request for object i of run `run` (1 KB value). */
static void create_req(const struct target *t, const char *run, int i, const char **method, char *path,
		       size_t plen, char *body, size_t blen)
{
	char pad[1025];
	memset(pad, 'x', 1000);
	pad[1000] = 0;
	if (t->etcd) {
		char key[128], kb[256], vb[2000], val[1100];
		snprintf(key, sizeof key, "/registry/configmaps/%s/%s-%d", t->ns, run, i);
		snprintf(val, sizeof val, "{\"data\":\"%s\"}", pad);
		*method = "POST";
		snprintf(path, plen, "/v3/kv/put");
		snprintf(body, blen, "{\"key\":\"%s\",\"value\":\"%s\"}", b64(key, kb), b64(val, vb));
	} else {
		*method = "POST";
		snprintf(path, plen, "/api/v1/namespaces/%s/configmaps", t->ns);
		snprintf(body, blen,
			 "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"%s-%d\"},"
			 "\"data\":{\"v\":\"%s\"}}",
			 run, i, pad);
	}
}

static void get_req(const struct target *t, const char *run, int i, const char **method, char *path, size_t plen,
		    char *body, size_t blen)
{
	if (t->etcd) {
		char key[128], kb[256];
		snprintf(key, sizeof key, "/registry/configmaps/%s/%s-%d", t->ns, run, i);
		*method = "POST";
		snprintf(path, plen, "/v3/kv/range");
		snprintf(body, blen, "{\"key\":\"%s\"}", b64(key, kb));
	} else {
		*method = "GET";
		snprintf(path, plen, "/api/v1/namespaces/%s/configmaps/%s-%d", t->ns, run, i);
		body[0] = 0;
	}
}

struct worker {
	const struct target *t;
	const char *run;
	int first, count;
	bool get;
	double *lat;
	int errors;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct conn *c = malloc(sizeof *c);
	if (conn_open(w->t, c)) {
		w->errors = w->count;
		free(c);
		return NULL;
	}
	char path[256], body[4096];
	const char *method;
	for (int k = 0; k < w->count; k++) {
		int i = w->first + k;
		if (w->get)
			get_req(w->t, w->run, i, &method, path, sizeof path, body, sizeof body);
		else
			create_req(w->t, w->run, i, &method, path, sizeof path, body, sizeof body);
		double t0 = now_ms();
		int st = request(w->t, c, method, path, body[0] ? body : NULL);
		w->lat[k] = now_ms() - t0;
		if (st < 200 || st >= 300)
			w->errors++;
	}
	conn_close(c);
	free(c);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* With $APIBENCH_SAMPLES=PREFIX, writes the sorted latencies of a phase to
 * PREFIX-LABEL.txt, one ms value a line, for the report's distribution plots. */
static void dump_samples(const struct target *t, const char *label, const double *lat, int n)
{
	char path[512];
	if (!t->samples || snprintf(path, sizeof path, "%s-%s.txt", t->samples, label) >= (int)sizeof path)
		return;
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	for (int i = 0; i < n; i++)
		fprintf(f, "%.3f\n", lat[i]);
	fclose(f);
}

/* Runs total requests over `clients` connections; prints rate and percentiles. */
static void run_phase(const struct target *t, const char *label, const char *run, int total, int clients, bool get)
{
	struct worker *w = calloc((size_t)clients, sizeof *w);
	pthread_t *th = calloc((size_t)clients, sizeof *th);
	double *lat = calloc((size_t)total, sizeof *lat);
	int per = total / clients;
	double t0 = now_ms();
	for (int i = 0; i < clients; i++) {
		w[i] = (struct worker){t, run, i * per, per, get, lat + i * per, 0};
		pthread_create(&th[i], NULL, worker_main, &w[i]);
	}
	int errors = 0;
	for (int i = 0; i < clients; i++) {
		pthread_join(th[i], NULL);
		errors += w[i].errors;
	}
	double secs = (now_ms() - t0) / 1e3;
	int n = per * clients;
	qsort(lat, (size_t)n, sizeof *lat, cmp_double);
	printf("%s_rate %.0f req/s\n", label, n / secs);
	printf("%s_p50 %.3f ms\n", label, lat[n / 2]);
	printf("%s_p99 %.3f ms\n", label, lat[(int)(n * 0.99)]);
	dump_samples(t, label, lat, n);
	if (errors)
		printf("%s_errors %d count\n", label, errors);
	free(w);
	free(th);
	free(lat);
}

static void run_list(struct target *t, int n)
{
	/* Fill a namespace of its own with n objects, then time full LISTs. */
	t->ns = "bench-list";
	if (!t->etcd) {
		struct conn c0;
		if (conn_open(t, &c0) == 0) {
			request(t, &c0, "POST", "/api/v1/namespaces",
				"{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"bench-list\"}}");
			conn_close(&c0);
		}
	}
	run_phase(t, "fill", "list", n, 32, false);
	struct conn c;
	if (conn_open(t, &c))
		return;
	double best = 1e9;
	size_t bytes = 0;
	for (int i = 0; i < 5; i++) {
		double t0 = now_ms();
		int st;
		if (t->etcd) {
			char k[64], e[64], body[256];
			st = 0;
			snprintf(body, sizeof body, "{\"key\":\"%s\",\"range_end\":\"%s\"}",
				 b64("/registry/configmaps/bench-list/list-", k), b64("/registry/configmaps/bench-list/list.", e));
			char head[512];
			int hn = snprintf(head, sizeof head,
					  "POST /v3/kv/range HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
					  strlen(body));
			conn_write(&c, head, (size_t)hn);
			conn_write(&c, body, strlen(body));
			st = conn_response(&c, &bytes);
		} else {
			char head[512];
			int hn = snprintf(head, sizeof head,
					  "GET /api/v1/namespaces/bench-list/configmaps HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n",
					  t->token);
			conn_write(&c, head, (size_t)hn);
			st = conn_response(&c, &bytes);
		}
		double ms = now_ms() - t0;
		if (st == 200 && ms < best)
			best = ms;
	}
	printf("list_%dk %.1f ms\n", n / 1000, best);
	printf("list_bytes %zu bytes\n", bytes);
	conn_close(&c);
}

/* Watch latency: W watch streams, then N writes; for each write the time until
 * every watcher has seen it, averaged into p50/p99 over (write, watcher). */
static void run_watch(const struct target *t, int watchers, int writes)
{
	struct conn *ws = calloc((size_t)watchers, sizeof *ws);
	for (int i = 0; i < watchers; i++) {
		if (conn_open(t, &ws[i])) {
			printf("watch_errors %d count\n", watchers);
			return;
		}
		char head[1024];
		int n;
		if (t->etcd) {
			char k[128], e[128], body[512];
			snprintf(body, sizeof body, "{\"create_request\":{\"key\":\"%s\",\"range_end\":\"%s\"}}",
				 b64("/registry/leases/", k), b64("/registry/leases0", e));
			n = snprintf(head, sizeof head,
				     "POST /v3/watch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
				     strlen(body), body);
		} else {
			n = snprintf(head, sizeof head,
				     "GET /apis/coordination.k8s.io/v1/namespaces/default/leases?watch=1&resourceVersion=1000000000 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n",
				     t->token);
			/* a future resourceVersion would be refused; use the current one below */
			char *p = strstr(head, "&resourceVersion=1000000000");
			memmove(p, p + 27, strlen(p + 27) + 1);
			n = (int)strlen(head);
		}
		conn_write(&ws[i], head, (size_t)n);
	}
	usleep(300000);
	for (int i = 0; i < watchers; i++)
		ws[i].len = 0; /* headers and initial events */
	struct pollfd *pfd = calloc((size_t)watchers, sizeof *pfd);
	double *lat = calloc((size_t)(writes * watchers), sizeof *lat);
	int nlat = 0;
	struct conn wc;
	conn_open(t, &wc);
	for (int k = 0; k < writes; k++) {
		char path[256], body[2048], name[64];
		snprintf(name, sizeof name, "w%d", k);
		if (t->etcd) {
			char key[128], kb[256], vb[256];
			snprintf(key, sizeof key, "/registry/leases/%s", name);
			snprintf(path, sizeof path, "/v3/kv/put");
			snprintf(body, sizeof body, "{\"key\":\"%s\",\"value\":\"%s\"}", b64(key, kb), b64(name, vb));
		} else {
			snprintf(path, sizeof path, "/apis/coordination.k8s.io/v1/namespaces/default/leases");
			snprintf(body, sizeof body,
				 "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"%s\"}}",
				 name);
		}
		for (int i = 0; i < watchers; i++)
			ws[i].len = 0;
		double t0 = now_ms();
		request(t, &wc, "POST", path, body);
		int seen = 0;
		bool *got = calloc((size_t)watchers, 1);
		while (seen < watchers && now_ms() - t0 < 2000) {
			for (int i = 0; i < watchers; i++)
				pfd[i] = (struct pollfd){.fd = ws[i].fd, .events = POLLIN};
			/* TLS may hold received bytes already: read those first */
			int ready = 0;
			for (int i = 0; i < watchers; i++)
				if (ws[i].tls && tls_input_pending(ws[i].tls))
					ready = 1;
			if (!ready && poll(pfd, (nfds_t)watchers, 100) <= 0)
				continue;
			for (int i = 0; i < watchers; i++) {
				if (got[i] || !((pfd[i].revents & POLLIN) || (ws[i].tls && tls_input_pending(ws[i].tls))))
					continue;
				if (conn_fill(&ws[i]))
					continue;
				if (memmem(ws[i].buf, ws[i].len, t->etcd ? "\"events\"" : name, strlen(t->etcd ? "\"events\"" : name))) {
					got[i] = true;
					seen++;
					lat[nlat++] = now_ms() - t0;
					ws[i].len = 0;
				}
			}
		}
		free(got);
	}
	qsort(lat, (size_t)nlat, sizeof *lat, cmp_double);
	dump_samples(t, "watch", lat, nlat);
	if (nlat) {
		printf("watch%d_p50 %.3f ms\n", watchers, lat[nlat / 2]);
		printf("watch%d_p99 %.3f ms\n", watchers, lat[(int)(nlat * 0.99)]);
	}
	printf("watch%d_delivered %d count\n", watchers, nlat);
	for (int i = 0; i < watchers; i++)
		conn_close(&ws[i]);
	conn_close(&wc);
	free(ws);
	free(pfd);
	free(lat);
}

/* apibench ready PORT CMD...: starts CMD and prints the milliseconds until
 * https://127.0.0.1:PORT/readyz answers 200, then the child's pid. */
static int run_ready(int argc, char **argv)
{
	struct target t = {.tls = true, .port = atoi(argv[2])};
	snprintf(t.host, sizeof t.host, "127.0.0.1");
	t.tls_cfg = tls_client_config(&(struct tls_client_opts){.insecure = true}, NULL);
	double t0 = now_ms();
	pid_t pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1); /* our stdout carries only the result */
		execv(argv[3], argv + 3);
		_exit(127);
	}
	(void)argc;
	for (;;) {
		struct conn c;
		if (conn_open(&t, &c) == 0) {
			int st = request(&t, &c, "GET", "/readyz", NULL);
			conn_close(&c);
			if (st == 200)
				break;
		} else {
			conn_close(&c);
		}
		usleep(500);
		if (now_ms() - t0 > 30000)
			return 1;
	}
	printf("%.1f %d\n", now_ms() - t0, (int)pid);
	tls_config_unref(t.tls_cfg);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 3 && !strcmp(argv[1], "ready"))
		return run_ready(argc, argv);
	if (argc < 3) {
		fprintf(stderr, "usage: apibench k8s https://127.0.0.1:PORT TOKEN | apibench etcd http://127.0.0.1:2379\n");
		return 2;
	}
	struct target t = {0};
	t.etcd = !strcmp(argv[1], "etcd");
	t.tls = !strncmp(argv[2], "https://", 8);
	if (sscanf(strstr(argv[2], "://") + 3, "%63[^:]:%d", t.host, &t.port) != 2)
		return 2;
	if (argc > 3)
		snprintf(t.token, sizeof t.token, "%s", argv[3]);
	if (t.tls &&
	    !(t.tls_cfg = tls_client_config(&(struct tls_client_opts){.insecure = true}, NULL)))
		return 1;
	t.ns = "default";
	t.samples = getenv("APIBENCH_SAMPLES");
	int n = getenv("APIBENCH_N") ? atoi(getenv("APIBENCH_N")) : 4096;
	run_phase(&t, "create_c1", "c1", n / 4, 1, false);
	run_phase(&t, "create_c32", "c32", n, 32, false);
	run_phase(&t, "get_c1", "c32", n / 2, 1, true);
	run_list(&t, 10000);
	run_watch(&t, 100, 50);
	tls_config_unref(t.tls_cfg);
	return 0;
}
