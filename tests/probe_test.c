/* Unit tests of the probe state machine (agent/probe_state.c): parsing with
 * the API defaults and named ports, when attempts are due (initial delay,
 * period, startup gating), thresholds, readiness flips, liveness and startup
 * kills, a new container instance starting over, and how ready/started
 * show in the status. Also the I/O of agent/probe.c against loopback
 * listeners: tcpSocket and httpGet success (the request's headers), an HTTP
 * 500, a refused connection, a timeout, HTTPS against a TLS server and
 * against a plain one; the grpc.health.v1 messages (encoder, decoder) and
 * grpc probes against an nghttp2 health server on the same loop (SERVING,
 * NOT_SERVING, Unimplemented, refused, silent); lifecycle hook parsing and
 * the sleep action. The end-to-end behaviour is in
 * conformance/agent_pods_test.sh. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <string.h>
#include <nghttp2/nghttp2.h>
#include <uv.h>

#include "agent/podsync.h"
#include "agent/probe.h"
#include "common/pki.h"
#include "common/tls.h"
#include "test.h"

static json_t *ctr(const char *probes_json)
{
	json_t *c = json_loads(probes_json, 0, NULL);
	if (!c)
		fprintf(stderr, "bad test json: %s\n", probes_json);
	return c;
}

static void test_parse_defaults(void)
{
	json_t *c = ctr("{\"name\":\"m\",\"ports\":[{\"name\":\"web\",\"containerPort\":8080}],"
			"\"readinessProbe\":{\"httpGet\":{\"port\":\"web\",\"path\":\"healthz\","
			"\"httpHeaders\":[{\"name\":\"X-A\",\"value\":\"b\"}]}}}");
	struct probe_spec s;
	char err[256] = "";
	CHECK_INT(probe_spec_parse(json_object_get(c, "readinessProbe"), c, &s, err, sizeof err),
		  0);
	CHECK_INT(s.handler, PROBE_HTTP);
	CHECK_INT(s.port, 8080);
	CHECK_STR(s.path, "/healthz");
	CHECK_STR(s.scheme, "HTTP");
	CHECK_STR(s.host, "");
	CHECK_STR(s.headers, "X-A: b\r\n");
	CHECK_INT(s.initial_delay_s, 0);
	CHECK_INT(s.period_s, 10);
	CHECK_INT(s.timeout_s, 1);
	CHECK_INT(s.success_threshold, 1);
	CHECK_INT(s.failure_threshold, 3);
	CHECK_INT(s.grace_s, -1);
	probe_spec_free(&s);
	json_decref(c);

	c = ctr("{\"livenessProbe\":{\"exec\":{\"command\":[\"test\",\"-f\",\"/tmp/ok\"]},"
		"\"periodSeconds\":0,\"failureThreshold\":-4,\"timeoutSeconds\":5,"
		"\"terminationGracePeriodSeconds\":2}}");
	CHECK_INT(probe_spec_parse(json_object_get(c, "livenessProbe"), c, &s, err, sizeof err), 0);
	CHECK_INT(s.handler, PROBE_EXEC);
	CHECK_STR(s.argv[0], "test");
	CHECK_STR(s.argv[2], "/tmp/ok");
	CHECK(s.argv[3] == NULL);
	CHECK_INT(s.period_s, 1); /* bounded below */
	CHECK_INT(s.failure_threshold, 1);
	CHECK_INT(s.timeout_s, 5);
	CHECK_INT(s.grace_s, 2);
	probe_spec_free(&s);
	json_decref(c);
}

static void test_parse_errors(void)
{
	struct probe_spec s;
	char err[256] = "";
	json_t *c =
	    ctr("{\"p\":{\"tcpSocket\":{\"port\":\"nope\"}},\"q\":{\"periodSeconds\":3},"
		"\"r\":{\"httpGet\":{\"port\":70000}},\"g\":{\"grpc\":{\"port\":9}},"
		"\"g2\":{\"grpc\":{\"port\":0}},\"g3\":{\"grpc\":{\"port\":9,\"service\":\"db\"}},"
		"\"h\":{\"httpGet\":{\"port\":80,\"httpHeaders\":[{\"name\":\"A\",\"value\":"
		"\"x\\r\\ny\"}]}},"
		"\"e\":{\"exec\":{\"command\":[]}},\"n\":{\"tcpSocket\":{\"port\":\"8081\"}}}");
	CHECK_INT(probe_spec_parse(json_object_get(c, "p"), c, &s, err, sizeof err), -EINVAL);
	CHECK(strstr(err, "couldn't find port: nope") != NULL);
	probe_spec_free(&s);
	CHECK_INT(probe_spec_parse(json_object_get(c, "q"), c, &s, err, sizeof err), -EINVAL);
	CHECK(strstr(err, "no handler") != NULL);
	probe_spec_free(&s);
	CHECK_INT(probe_spec_parse(json_object_get(c, "r"), c, &s, err, sizeof err), -EINVAL);
	probe_spec_free(&s);
	CHECK_INT(probe_spec_parse(json_object_get(c, "h"), c, &s, err, sizeof err), -EINVAL);
	probe_spec_free(&s);
	CHECK_INT(probe_spec_parse(json_object_get(c, "e"), c, &s, err, sizeof err), -EINVAL);
	probe_spec_free(&s);
	CHECK_INT(probe_spec_parse(json_object_get(c, "g"), c, &s, err, sizeof err), 0);
	CHECK_INT(s.handler, PROBE_GRPC);
	CHECK_INT(s.port, 9);
	CHECK_STR(s.service, "");
	probe_spec_free(&s);
	CHECK_INT(probe_spec_parse(json_object_get(c, "g2"), c, &s, err, sizeof err), -EINVAL);
	CHECK(strstr(err, "grpc port") != NULL);
	probe_spec_free(&s);
	CHECK_INT(probe_spec_parse(json_object_get(c, "g3"), c, &s, err, sizeof err), 0);
	CHECK_STR(s.service, "db");
	probe_spec_free(&s);
	CHECK_INT(probe_spec_parse(json_object_get(c, "n"), c, &s, err, sizeof err), 0);
	CHECK_INT(s.port, 8081);
	probe_spec_free(&s);
	json_decref(c);

	/* A probe that cannot be parsed is kept: it fails with its reason. */
	c = ctr("{\"livenessProbe\":{\"tcpSocket\":{\"port\":\"nope\"}}}");
	err[0] = 0;
	struct probe_ctr *pc = probe_ctr_new(c, err, sizeof err);
	CHECK(pc != NULL);
	CHECK(strstr(err, "Liveness probe") != NULL);
	CHECK(pc && pc->has[PROBE_LIVENESS] && pc->spec[PROBE_LIVENESS].handler == PROBE_NONE);
	CHECK(pc && strstr(pc->spec[PROBE_LIVENESS].invalid, "nope"));
	probe_ctr_free(pc);
	json_decref(c);
	c = ctr("{\"name\":\"plain\"}");
	err[0] = 0;
	CHECK(probe_ctr_new(c, err, sizeof err) == NULL);
	CHECK_STR(err, "");
	json_decref(c);
}

static struct probe_ctr *new_ctr(const char *json)
{
	json_t *c = ctr(json);
	char err[256] = "";
	struct probe_ctr *pc = probe_ctr_new(c, err, sizeof err);
	CHECK_STR(err, "");
	json_decref(c);
	return pc;
}

/* One attempt of kind at now, with its result. */
static enum probe_action attempt(struct probe_ctr *pc, enum probe_kind k, uint64_t now, bool ok)
{
	CHECK(probe_ctr_due(pc, k, now));
	probe_ctr_begin(pc, k, now);
	CHECK(!probe_ctr_due(pc, k, now)); /* one at a time */
	return probe_ctr_record(pc, k, ok, ok ? NULL : "exit 1");
}

static void test_readiness(void)
{
	struct probe_ctr *pc = new_ctr(
	    "{\"readinessProbe\":{\"exec\":{\"command\":[\"true\"]},\"initialDelaySeconds\":5,"
	    "\"periodSeconds\":2,\"successThreshold\":2,\"failureThreshold\":2}}");
	CHECK(probe_ctr_instance(pc, "c-1", 1000));
	CHECK(!probe_ctr_instance(pc, "c-1", 2000)); /* same instance: no reset */
	CHECK(pc->started);
	CHECK(!pc->ready); /* not ready until the probe says so */
	CHECK(!probe_ctr_due(pc, PROBE_LIVENESS, 99999));
	CHECK(!probe_ctr_due(pc, PROBE_READINESS, 5999)); /* initialDelaySeconds */
	CHECK_INT(attempt(pc, PROBE_READINESS, 6000, true), PROBE_ACT_NONE);
	CHECK(!pc->ready); /* successThreshold 2 */
	CHECK(!probe_ctr_due(pc, PROBE_READINESS, 7999));
	CHECK_INT(attempt(pc, PROBE_READINESS, 8000, true), PROBE_ACT_CHANGED);
	CHECK(pc->ready);
	CHECK_INT(attempt(pc, PROBE_READINESS, 10000, false), PROBE_ACT_NONE);
	CHECK(pc->ready); /* failureThreshold 2 */
	CHECK_INT(attempt(pc, PROBE_READINESS, 12000, false), PROBE_ACT_CHANGED);
	CHECK(!pc->ready);
	CHECK(!pc->kill); /* readiness never kills */
	CHECK_STR(pc->message, "Readiness probe failed: exit 1");
	CHECK_INT(attempt(pc, PROBE_READINESS, 14000, false), PROBE_ACT_NONE);
	CHECK_INT(attempt(pc, PROBE_READINESS, 16000, true), PROBE_ACT_NONE);
	CHECK_INT(attempt(pc, PROBE_READINESS, 18000, true), PROBE_ACT_CHANGED);
	CHECK(pc->ready);
	/* A new instance starts over: not ready, delay from its start. */
	CHECK(probe_ctr_instance(pc, "c-2", 20000));
	CHECK(!pc->ready);
	CHECK(!probe_ctr_due(pc, PROBE_READINESS, 24999));
	CHECK(probe_ctr_due(pc, PROBE_READINESS, 25000));
	probe_ctr_free(pc);

	/* Without a readiness probe a running, started container is ready. */
	pc = new_ctr("{\"livenessProbe\":{\"tcpSocket\":{\"port\":80}}}");
	probe_ctr_instance(pc, "c-1", 0);
	CHECK(pc->started && pc->ready);
	probe_ctr_free(pc);
}

static void test_liveness_kill(void)
{
	struct probe_ctr *pc = new_ctr("{\"livenessProbe\":{\"exec\":{\"command\":[\"x\"]},"
				       "\"periodSeconds\":1,\"terminationGracePeriodSeconds\":3}}");
	probe_ctr_instance(pc, "c-1", 0);
	CHECK(pc->ready); /* liveness alone does not gate readiness */
	CHECK_INT(attempt(pc, PROBE_LIVENESS, 0, false), PROBE_ACT_NONE);
	CHECK_INT(attempt(pc, PROBE_LIVENESS, 1000, true), PROBE_ACT_NONE); /* the run restarts */
	CHECK_INT(attempt(pc, PROBE_LIVENESS, 2000, false), PROBE_ACT_NONE);
	CHECK_INT(attempt(pc, PROBE_LIVENESS, 3000, false), PROBE_ACT_NONE);
	CHECK_INT(attempt(pc, PROBE_LIVENESS, 4000, false), PROBE_ACT_KILL);
	CHECK(pc->kill);
	CHECK_STR(pc->message, "Liveness probe failed: exit 1");
	CHECK(!probe_ctr_due(pc, PROBE_LIVENESS, 100000)); /* on hold until restarted */
	CHECK_INT(probe_ctr_grace(pc, PROBE_LIVENESS, 30), 3);
	/* The restarted container is probed again. */
	CHECK(probe_ctr_instance(pc, "c-2", 200000));
	CHECK(!pc->kill);
	CHECK(probe_ctr_due(pc, PROBE_LIVENESS, 200000));
	probe_ctr_free(pc);

	pc = new_ctr("{\"livenessProbe\":{\"tcpSocket\":{\"port\":1}}}");
	CHECK_INT(probe_ctr_grace(pc, PROBE_LIVENESS, 30), 30); /* the pod's */
	CHECK_INT(probe_ctr_grace(pc, PROBE_LIVENESS, -1), 0);
	probe_ctr_free(pc);
}

static void test_startup_gates(void)
{
	struct probe_ctr *pc =
	    new_ctr("{\"startupProbe\":{\"exec\":{\"command\":[\"x\"]},\"periodSeconds\":1,"
		    "\"failureThreshold\":3},"
		    "\"livenessProbe\":{\"exec\":{\"command\":[\"x\"]},\"periodSeconds\":1},"
		    "\"readinessProbe\":{\"exec\":{\"command\":[\"x\"]},\"periodSeconds\":1}}");
	probe_ctr_instance(pc, "c-1", 0);
	CHECK(!pc->started && !pc->ready);
	CHECK(!probe_ctr_due(pc, PROBE_LIVENESS, 0));
	CHECK(!probe_ctr_due(pc, PROBE_READINESS, 0));
	CHECK_INT(attempt(pc, PROBE_STARTUP, 0, false), PROBE_ACT_NONE);
	CHECK_INT(attempt(pc, PROBE_STARTUP, 1000, true), PROBE_ACT_CHANGED);
	CHECK(pc->started);
	CHECK(!pc->ready);				/* now the readiness probe decides */
	CHECK(!probe_ctr_due(pc, PROBE_STARTUP, 5000)); /* done for this instance */
	CHECK_INT(attempt(pc, PROBE_READINESS, 2000, true), PROBE_ACT_CHANGED);
	CHECK(pc->ready);
	CHECK(probe_ctr_due(pc, PROBE_LIVENESS, 2000));

	/* A startup probe that never passes kills the container. */
	probe_ctr_instance(pc, "c-2", 10000);
	CHECK(!pc->started);
	CHECK_INT(attempt(pc, PROBE_STARTUP, 10000, false), PROBE_ACT_NONE);
	CHECK_INT(attempt(pc, PROBE_STARTUP, 11000, false), PROBE_ACT_NONE);
	CHECK_INT(attempt(pc, PROBE_STARTUP, 12000, false), PROBE_ACT_KILL);
	CHECK_STR(pc->message, "Startup probe failed: exit 1");
	CHECK(!pc->started && !pc->ready);
	probe_ctr_free(pc);
}

/* What the probes decided shows in the status (agent/podstatus.c). */
static void test_status_flags(void)
{
	struct ctr_view v = {
	    .name = "m", .state = CV_RUNNING, .not_ready = true, .not_started = true};
	json_t *c = podstatus_container(&v, false);
	CHECK(json_is_false(json_object_get(c, "ready")));
	CHECK(json_is_false(json_object_get(c, "started")));
	json_decref(c);
	json_t *conds =
	    podstatus_conditions("Running", NULL, 0, &v, 1, NULL, "2026-01-01T00:00:00Z");
	CHECK_STR(json_string_value(json_object_get(json_array_get(conds, 1), "type")), "Ready");
	CHECK_STR(json_string_value(json_object_get(json_array_get(conds, 1), "status")), "False");
	CHECK_STR(json_string_value(json_object_get(json_array_get(conds, 2), "status")), "False");
	json_decref(conds);
	v.not_ready = v.not_started = false;
	c = podstatus_container(&v, false);
	CHECK(json_is_true(json_object_get(c, "ready")) &&
	      json_is_true(json_object_get(c, "started")));
	json_decref(c);
	conds = podstatus_conditions("Running", NULL, 0, &v, 1, NULL, "2026-01-01T00:00:00Z");
	CHECK_STR(json_string_value(json_object_get(json_array_get(conds, 1), "status")), "True");
	json_decref(conds);
	/* A container that is not running is never ready, whatever the probes. */
	v.state = CV_WAITING;
	c = podstatus_container(&v, false);
	CHECK(json_is_false(json_object_get(c, "ready")) &&
	      json_is_false(json_object_get(c, "started")));
	json_decref(c);
}

/* ---- probe.c against a loopback listener ---- */

struct server {
	uv_tcp_t tcp;
	const char *reply; /* NULL: accept and say nothing */
	bool eager;	   /* reply to the first bytes, not to a whole request */
	uv_tcp_t peer;
	bool peer_open;
	char got[2048];
	size_t got_len;
};

struct result {
	int calls;
	bool ok;
	char msg[2048];
};

static void on_result(void *ud, bool ok, const char *msg)
{
	struct result *r = ud;
	r->calls++;
	r->ok = ok;
	snprintf(r->msg, sizeof r->msg, "%s", msg);
}

static void srv_alloc(uv_handle_t *h, size_t n, uv_buf_t *b)
{
	struct server *s = h->data;
	(void)n;
	*b = uv_buf_init(s->got + s->got_len, (unsigned)(sizeof s->got - 1 - s->got_len));
}

static void srv_written(uv_write_t *w, int status)
{
	(void)status;
	free(w);
}

static void srv_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
	struct server *s = st->data;
	(void)b;
	if (n <= 0)
		return;
	s->got_len += (size_t)n;
	s->got[s->got_len] = 0;
	if (s->reply && (s->eager || strstr(s->got, "\r\n\r\n"))) {
		s->eager = false;
		uv_write_t *w = calloc(1, sizeof *w);
		uv_buf_t out = uv_buf_init((char *)s->reply, (unsigned)strlen(s->reply));
		uv_write(w, st, &out, 1, srv_written);
	}
}

static void on_conn(uv_stream_t *l, int status)
{
	struct server *s = l->data;
	if (status < 0 || s->peer_open)
		return;
	uv_tcp_init(l->loop, &s->peer);
	s->peer.data = s;
	s->peer_open = true;
	if (uv_accept(l, (uv_stream_t *)&s->peer) == 0)
		uv_read_start((uv_stream_t *)&s->peer, srv_alloc, srv_read);
}

static int srv_start(uv_loop_t *loop, struct server *s)
{
	struct sockaddr_in sa;
	struct sockaddr_storage bound;
	int len = sizeof bound;
	uv_ip4_addr("127.0.0.1", 0, &sa);
	uv_tcp_init(loop, &s->tcp);
	s->tcp.data = s;
	uv_tcp_bind(&s->tcp, (struct sockaddr *)&sa, 0);
	uv_listen((uv_stream_t *)&s->tcp, 8, on_conn);
	uv_tcp_getsockname(&s->tcp, (struct sockaddr *)&bound, &len);
	return ntohs(((struct sockaddr_in *)&bound)->sin_port);
}

static void srv_stop(struct server *s)
{
	uv_close((uv_handle_t *)&s->tcp, NULL);
	if (s->peer_open)
		uv_close((uv_handle_t *)&s->peer, NULL);
}

/* Runs one attempt of spec to completion; the loop must end (every handle
 * of the attempt closed). */
static void run_one(uv_loop_t *loop, struct probe_spec *spec, struct result *r)
{
	struct probe_target t = {.pod_ip = "127.0.0.1"};
	memset(r, 0, sizeof *r);
	probe_run(loop, spec, &t, on_result, r);
	while (r->calls == 0 && uv_run(loop, UV_RUN_ONCE))
		;
	CHECK_INT(r->calls, 1);
}

static void test_net_probes(void)
{
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct server s = {.reply = "HTTP/1.1 204 No Content\r\n\r\n"};
	int port = srv_start(&loop, &s);
	struct probe_spec spec = {.handler = PROBE_TCP, .port = port, .timeout_s = 1};
	struct result r;
	run_one(&loop, &spec, &r);
	CHECK(r.ok);

	srv_stop(&s);
	uv_run(&loop, UV_RUN_DEFAULT);
	memset(&s, 0, sizeof s);
	s.reply = "HTTP/1.1 204 No Content\r\n\r\n";
	port = srv_start(&loop, &s);
	spec = (struct probe_spec){.handler = PROBE_HTTP,
				   .port = port,
				   .timeout_s = 1,
				   .path = "/healthz",
				   .scheme = "HTTP"};
	spec.headers = strdup("X-Custom: yes\r\n");
	run_one(&loop, &spec, &r);
	CHECK(r.ok);
	uv_run(&loop, UV_RUN_NOWAIT);
	CHECK(strstr(s.got, "GET /healthz HTTP/1.1\r\n") == s.got);
	CHECK(strstr(s.got, "\r\nUser-Agent: kube-probe/") != NULL);
	CHECK(strstr(s.got, "\r\nX-Custom: yes\r\n") != NULL);
	char host[64];
	snprintf(host, sizeof host, "\r\nHost: 127.0.0.1:%d\r\n", port);
	CHECK(strstr(s.got, host) != NULL);
	free(spec.headers);
	spec.headers = NULL;
	srv_stop(&s);
	uv_run(&loop, UV_RUN_DEFAULT);

	memset(&s, 0, sizeof s);
	s.reply = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
	spec.port = srv_start(&loop, &s);
	run_one(&loop, &spec, &r);
	CHECK(!r.ok);
	CHECK_STR(r.msg, "HTTP probe failed with statuscode: 500");
	srv_stop(&s);
	uv_run(&loop, UV_RUN_DEFAULT);

	/* HTTPS against a plain HTTP server: the TLS handshake fails. */
	memset(&s, 0, sizeof s);
	s.reply = "HTTP/1.1 200 OK\r\n\r\n";
	s.eager = true;
	spec.port = srv_start(&loop, &s);
	snprintf(spec.scheme, sizeof spec.scheme, "HTTPS");
	run_one(&loop, &spec, &r);
	CHECK(!r.ok);
	CHECK(strstr(r.msg, "Get \"https://127.0.0.1:") == r.msg);
	CHECK(strstr(r.msg, ": tls: ") != NULL);
	snprintf(spec.scheme, sizeof spec.scheme, "HTTP");
	srv_stop(&s);
	uv_run(&loop, UV_RUN_DEFAULT);

	/* Nothing listens there any more. */
	run_one(&loop, &spec, &r);
	CHECK(!r.ok);
	CHECK(strstr(r.msg, "connect: connection refused") != NULL);
	CHECK(strstr(r.msg, "Get \"http://127.0.0.1:") == r.msg);

	/* Accepts, never answers: the timeout. */
	memset(&s, 0, sizeof s);
	spec.port = srv_start(&loop, &s);
	uint64_t t0 = uv_now(&loop);
	run_one(&loop, &spec, &r);
	CHECK(!r.ok);
	CHECK(strstr(r.msg, "context deadline exceeded") != NULL);
	CHECK(uv_now(&loop) - t0 >= 900);
	srv_stop(&s);

	spec = (struct probe_spec){
	    .handler = PROBE_TCP, .port = 80, .timeout_s = 1, .host = "example.invalid"};
	run_one(&loop, &spec, &r);
	CHECK(!r.ok && strstr(r.msg, "must be an IP address"));

	CHECK_INT(uv_run(&loop, UV_RUN_DEFAULT), 0);
	CHECK_INT(uv_loop_close(&loop), 0);
}

/* A TLS server (the cluster's serving certificate, which the probe does not
 * verify) answering one request on its own thread. */
struct tls_srv {
	struct tls_config *cfg;
	int fd, port;
	char got[2048];
};

static void *tls_serve(void *arg)
{
	struct tls_srv *t = arg;
	int c = accept(t->fd, NULL, NULL);
	struct tls_conn *tls = c >= 0 ? tls_conn_new(t->cfg, NULL) : NULL;
	size_t len = 0;
	if (tls && tls_fd_handshake(tls, c) == 0) {
		ssize_t n;
		while (!strstr(t->got, "\r\n\r\n") &&
		       (n = tls_fd_read(tls, c, t->got + len, sizeof t->got - 1 - len)) > 0)
			t->got[len += (size_t)n] = 0;
		const char *reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
		tls_fd_write(tls, c, reply, strlen(reply));
		tls_fd_close(tls, c);
	}
	tls_conn_free(tls);
	if (c >= 0)
		close(c);
	return NULL;
}

static void test_https_probe(void)
{
	char dir[] = "/tmp/probe_test.XXXXXX", *err = NULL;
	struct pki pki = {0};
	struct tls_srv t = {.fd = -1};
	CHECK(mkdtemp(dir) != NULL);
	CHECK_INT(pki_load_or_create(&pki, dir, "10.96.0.1", NULL, &err), 0);
	CHECK((t.cfg = pki_server_config(&pki, &err)) != NULL);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof sa;
	t.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(bind(t.fd, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(t.fd, 4) == 0 &&
	      getsockname(t.fd, (struct sockaddr *)&sa, &sl) == 0);
	pthread_t th;
	CHECK(pthread_create(&th, NULL, tls_serve, &t) == 0);
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct probe_spec spec = {.handler = PROBE_HTTP,
				  .port = ntohs(sa.sin_port),
				  .timeout_s = 5,
				  .path = "/readyz",
				  .scheme = "HTTPS"};
	struct result r;
	run_one(&loop, &spec, &r);
	CHECK(r.ok);
	if (!r.ok) {
		fprintf(stderr, "https probe: %s\n", r.msg);
		shutdown(t.fd, SHUT_RDWR); /* unblocks accept */
	}
	pthread_join(th, NULL);
	CHECK(strstr(t.got, "GET /readyz HTTP/1.1\r\n") == t.got);
	CHECK_INT(uv_run(&loop, UV_RUN_DEFAULT), 0);
	CHECK_INT(uv_loop_close(&loop), 0);
	close(t.fd);
	tls_config_unref(t.cfg);
	pki_free(&pki);
	free(err);
	char cmd[64];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

/* ---- grpc ---- */

static void test_grpc_messages(void)
{
	uint8_t b[300];
	/* An empty service: proto3 leaves the field out, an empty message. */
	CHECK_INT(probe_grpc_request("", b, sizeof b), 5);
	CHECK(!memcmp(b, "\0\0\0\0\0", 5));
	CHECK_INT(probe_grpc_request("db", b, sizeof b), 9);
	CHECK(!memcmp(b, "\0\0\0\0\4\x0a\2db", 9));
	char big[200];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	CHECK_INT(probe_grpc_request(big, b, sizeof b), 5 + 1 + 2 + 199); /* two-byte length */
	CHECK(b[4] == 202 && b[6] == (0x80 | (199 & 0x7f)) && b[7] == 1);
	CHECK_INT(probe_grpc_request(big, b, 100), 0);

	int st = -1;
	CHECK_INT(probe_grpc_response((const uint8_t *)"\0\0\0\0\2\x08\x01", 7, &st), 0);
	CHECK_INT(st, PROBE_GRPC_SERVING);
	CHECK_INT(probe_grpc_response((const uint8_t *)"\0\0\0\0\2\x08\x02", 7, &st), 0);
	CHECK_INT(st, PROBE_GRPC_NOT_SERVING);
	/* The default (UNKNOWN) is left out on the wire. */
	CHECK_INT(probe_grpc_response((const uint8_t *)"\0\0\0\0\0", 5, &st), 0);
	CHECK_INT(st, PROBE_GRPC_UNKNOWN);
	/* Unknown fields of every wire type are skipped. */
	CHECK_INT(probe_grpc_response((const uint8_t *)"\0\0\0\0\x14\x12\2hi\x19\1\2\3\4\5\6\7\x08"
						       "\x25\1\2\3\4\x08\x03",
				      25, &st),
		  0);
	CHECK_INT(st, PROBE_GRPC_SERVICE_UNKNOWN);
	CHECK_INT(probe_grpc_response((const uint8_t *)"\0\0\0\0\2\x08", 6, &st), -EINVAL);
	CHECK_INT(probe_grpc_response((const uint8_t *)"\0\0\0\0\1\x08", 6, &st), -EINVAL);
	CHECK_INT(probe_grpc_response((const uint8_t *)"\0\0\0\0\2\x0a\x05", 7, &st), -EINVAL);
	CHECK_INT(probe_grpc_response((const uint8_t *)"\1\0\0\0\2\x08\x01", 7, &st), -ENOTSUP);
	CHECK_INT(probe_grpc_response((const uint8_t *)"\0\0\0", 3, &st), -EINVAL);
	CHECK_INT(probe_grpc_response(
		      (const uint8_t *)"\0\0\0\0\x0b\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
		      16, &st),
		  -EINVAL); /* an 11-byte varint */
	char nb[16];
	CHECK_STR(probe_grpc_status_name(2, nb, sizeof nb), "NOT_SERVING");
	CHECK_STR(probe_grpc_status_name(7, nb, sizeof nb), "7");
}

/* A grpc.health.v1 server on the test's loop: nghttp2 in server mode. */
struct h2srv {
	uv_tcp_t tcp, peer;
	bool peer_open, silent; /* silent: HTTP/2 up, the RPC never answered */
	nghttp2_session *h2;
	int status;	 /* HealthCheckResponse.status to send */
	int grpc_status; /* != 0: a trailers-only error */
	char path[128], authority[64], service[64], te[32], timeout[16];
	uint8_t body[64];
	size_t body_len, sent;
	char in[8192];
	uint8_t out[16];
	size_t out_len;
};

static int h2s_flush(struct h2srv *s)
{
	const uint8_t *data;
	ssize_t n;
	while ((n = nghttp2_session_mem_send(s->h2, &data)) > 0) {
		uv_write_t *w = malloc(sizeof *w + (size_t)n);
		memcpy(w + 1, data, (size_t)n);
		uv_buf_t b = uv_buf_init((char *)(w + 1), (unsigned)n);
		uv_write(w, (uv_stream_t *)&s->peer, &b, 1, srv_written);
	}
	return (int)n;
}

static int h2s_header(nghttp2_session *h, const nghttp2_frame *f, const uint8_t *name, size_t nl,
		      const uint8_t *value, size_t vl, uint8_t flags, void *ud)
{
	struct h2srv *s = ud;
	(void)h, (void)f, (void)flags;
	char *to = nl == 5 && !memcmp(name, ":path", 5)		   ? s->path
		   : nl == 10 && !memcmp(name, ":authority", 10)   ? s->authority
		   : nl == 2 && !memcmp(name, "te", 2)		   ? s->te
		   : nl == 12 && !memcmp(name, "grpc-timeout", 12) ? s->timeout
								   : NULL;
	if (to)
		snprintf(to, 32, "%.*s", (int)(vl < 31 ? vl : 31), (const char *)value);
	return 0;
}

static int h2s_data(nghttp2_session *h, uint8_t flags, int32_t id, const uint8_t *data, size_t len,
		    void *ud)
{
	struct h2srv *s = ud;
	(void)h, (void)flags, (void)id;
	if (s->body_len + len <= sizeof s->body) {
		memcpy(s->body + s->body_len, data, len);
		s->body_len += len;
	}
	return 0;
}

static ssize_t h2s_read(nghttp2_session *h, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
			nghttp2_data_source *src, void *ud)
{
	struct h2srv *s = ud;
	(void)src;
	size_t n = s->out_len - s->sent < len ? s->out_len - s->sent : len;
	memcpy(buf, s->out + s->sent, n);
	s->sent += n;
	if (s->sent == s->out_len) {
		*flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
		nghttp2_nv tr[] = {{(uint8_t *)"grpc-status", (uint8_t *)"0", 11, 1, 0}};
		nghttp2_submit_trailer(h, id, tr, 1);
	}
	return (ssize_t)n;
}

/* The request is complete: answer it. */
static int h2s_frame(nghttp2_session *h, const nghttp2_frame *f, void *ud)
{
	struct h2srv *s = ud;
	if (!(f->hd.flags & NGHTTP2_FLAG_END_STREAM) || s->silent ||
	    (f->hd.type != NGHTTP2_DATA && f->hd.type != NGHTTP2_HEADERS))
		return 0;
	/* The request's message is HealthCheckRequest{service}: field 1. */
	if (s->body_len >= 8 && s->body[5] == 0x0a)
		snprintf(s->service, sizeof s->service, "%.*s", s->body[6],
			 (const char *)s->body + 7);
	if (s->grpc_status) {
		char code[8];
		snprintf(code, sizeof code, "%d", s->grpc_status);
		nghttp2_nv hdrs[] = {
		    {(uint8_t *)":status", (uint8_t *)"200", 7, 3, 0},
		    {(uint8_t *)"content-type", (uint8_t *)"application/grpc", 12, 16, 0},
		    {(uint8_t *)"grpc-status", (uint8_t *)code, 11, strlen(code), 0},
		    {(uint8_t *)"grpc-message", (uint8_t *)"unknown%20service", 12, 17, 0}};
		return nghttp2_submit_response(h, f->hd.stream_id, hdrs, 4, NULL);
	}
	memcpy(s->out, "\0\0\0\0\2\x08", 6);
	s->out[6] = (uint8_t)s->status;
	s->out_len = 7;
	nghttp2_nv hdrs[] = {{(uint8_t *)":status", (uint8_t *)"200", 7, 3, 0},
			     {(uint8_t *)"content-type", (uint8_t *)"application/grpc", 12, 16, 0}};
	nghttp2_data_provider prov = {.read_callback = h2s_read};
	return nghttp2_submit_response(h, f->hd.stream_id, hdrs, 2, &prov);
}

static void h2s_alloc(uv_handle_t *h, size_t n, uv_buf_t *b)
{
	struct h2srv *s = h->data;
	(void)n;
	*b = uv_buf_init(s->in, sizeof s->in);
}

static void h2s_on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
	struct h2srv *s = st->data;
	(void)b;
	if (n <= 0)
		return;
	if (nghttp2_session_mem_recv(s->h2, (uint8_t *)s->in, (size_t)n) < 0)
		return;
	h2s_flush(s);
}

static void h2s_conn(uv_stream_t *l, int status)
{
	struct h2srv *s = l->data;
	if (status < 0 || s->peer_open)
		return;
	uv_tcp_init(l->loop, &s->peer);
	s->peer.data = s;
	s->peer_open = true;
	if (uv_accept(l, (uv_stream_t *)&s->peer))
		return;
	nghttp2_session_callbacks *cbs;
	nghttp2_session_callbacks_new(&cbs);
	nghttp2_session_callbacks_set_on_header_callback(cbs, h2s_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, h2s_data);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, h2s_frame);
	nghttp2_session_server_new(&s->h2, cbs, s);
	nghttp2_session_callbacks_del(cbs);
	nghttp2_submit_settings(s->h2, NGHTTP2_FLAG_NONE, NULL, 0);
	uv_read_start((uv_stream_t *)&s->peer, h2s_alloc, h2s_on_read);
}

static int h2s_start(uv_loop_t *loop, struct h2srv *s)
{
	struct sockaddr_in sa;
	struct sockaddr_storage bound;
	int len = sizeof bound;
	uv_ip4_addr("127.0.0.1", 0, &sa);
	uv_tcp_init(loop, &s->tcp);
	s->tcp.data = s;
	uv_tcp_bind(&s->tcp, (struct sockaddr *)&sa, 0);
	uv_listen((uv_stream_t *)&s->tcp, 8, h2s_conn);
	uv_tcp_getsockname(&s->tcp, (struct sockaddr *)&bound, &len);
	return ntohs(((struct sockaddr_in *)&bound)->sin_port);
}

static void h2s_stop(uv_loop_t *loop, struct h2srv *s)
{
	uv_close((uv_handle_t *)&s->tcp, NULL);
	if (s->peer_open)
		uv_close((uv_handle_t *)&s->peer, NULL);
	uv_run(loop, UV_RUN_DEFAULT);
	if (s->h2)
		nghttp2_session_del(s->h2);
	memset(s, 0, sizeof *s);
}

static void test_grpc_probe(void)
{
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct h2srv s = {.status = PROBE_GRPC_SERVING};
	struct probe_spec spec = {.handler = PROBE_GRPC, .timeout_s = 2, .service = "db"};
	struct result r;
	char want[200];

	spec.port = h2s_start(&loop, &s);
	run_one(&loop, &spec, &r);
	CHECK(r.ok);
	if (!r.ok)
		fprintf(stderr, "grpc SERVING: %s\n", r.msg);
	CHECK_STR(s.path, "/grpc.health.v1.Health/Check");
	snprintf(want, sizeof want, "127.0.0.1:%d", spec.port);
	CHECK_STR(s.authority, want);
	CHECK_STR(s.te, "trailers");
	CHECK_STR(s.service, "db");
	CHECK(s.timeout[0] && s.timeout[strlen(s.timeout) - 1] == 'm' && atoi(s.timeout) > 1000 &&
	      atoi(s.timeout) <= 2000);
	h2s_stop(&loop, &s);

	s.status = PROBE_GRPC_NOT_SERVING;
	spec.port = h2s_start(&loop, &s);
	run_one(&loop, &spec, &r);
	CHECK(!r.ok);
	CHECK_STR(r.msg, "service unhealthy (responded with \"NOT_SERVING\")");
	h2s_stop(&loop, &s);

	s.status = PROBE_GRPC_SERVICE_UNKNOWN;
	spec.port = h2s_start(&loop, &s);
	run_one(&loop, &spec, &r);
	CHECK_STR(r.msg, "service unhealthy (responded with \"SERVICE_UNKNOWN\")");
	h2s_stop(&loop, &s);

	s.grpc_status = 12; /* Unimplemented: no health service */
	spec.port = h2s_start(&loop, &s);
	run_one(&loop, &spec, &r);
	CHECK(!r.ok);
	CHECK_STR(r.msg, "error: this server does not implement the grpc health protocol "
			 "(grpc.health.v1.Health): unknown service");
	h2s_stop(&loop, &s);

	s.grpc_status = 5; /* NotFound, grpc-message percent-decoded */
	spec.port = h2s_start(&loop, &s);
	run_one(&loop, &spec, &r);
	CHECK_STR(
	    r.msg,
	    "error: health rpc probe failed: rpc error: code = NotFound desc = unknown service");
	h2s_stop(&loop, &s);

	/* Nothing listens: like grpc-go's blocking dial, a timeout at the deadline. */
	int port = spec.port;
	spec.timeout_s = 1;
	uint64_t t0 = uv_now(&loop);
	run_one(&loop, &spec, &r);
	CHECK(!r.ok);
	snprintf(want, sizeof want,
		 "timeout: failed to connect service \"127.0.0.1:%d\" within 1s: context deadline "
		 "exceeded",
		 port);
	CHECK_STR(r.msg, want);
	CHECK(uv_now(&loop) - t0 >= 900);

	/* An HTTP/1 server: no HTTP/2 handshake, the same timeout. */
	struct server hs = {.reply = "HTTP/1.1 400 Bad Request\r\n\r\n", .eager = true};
	spec.port = srv_start(&loop, &hs);
	run_one(&loop, &spec, &r);
	CHECK(!r.ok && strstr(r.msg, "timeout: failed to connect service") == r.msg);
	srv_stop(&hs);
	uv_run(&loop, UV_RUN_DEFAULT);

	/* Connected, the RPC never answered. */
	s.silent = true;
	spec.port = h2s_start(&loop, &s);
	run_one(&loop, &spec, &r);
	CHECK_STR(r.msg, "timeout: health rpc did not complete within 1s");
	h2s_stop(&loop, &s);

	CHECK_INT(uv_run(&loop, UV_RUN_DEFAULT), 0);
	CHECK_INT(uv_loop_close(&loop), 0);
}

/* Lifecycle hooks: exec, httpGet, sleep; tcpSocket is refused. The sleep
 * action ends after its seconds, or at the bound (timeout_s). */
static void test_hooks(void)
{
	json_t *c = ctr("{\"s\":{\"sleep\":{\"seconds\":1}},\"z\":{\"sleep\":{\"seconds\":0}},"
			"\"bad\":{\"sleep\":{\"seconds\":-1}},\"t\":{\"tcpSocket\":{\"port\":80}},"
			"\"e\":{\"exec\":{\"command\":[\"true\"]}},\"none\":{}}");
	struct probe_spec s;
	char err[256];
	CHECK_INT(probe_hook_parse(json_object_get(c, "s"), c, &s, err, sizeof err), 0);
	CHECK_INT(s.handler, PROBE_SLEEP);
	CHECK_INT(s.sleep_s, 1);
	CHECK_INT(probe_hook_parse(json_object_get(c, "bad"), c, &s, err, sizeof err), -EINVAL);
	CHECK_INT(probe_hook_parse(json_object_get(c, "t"), c, &s, err, sizeof err), -EINVAL);
	CHECK(strstr(err, "tcpSocket lifecycle hook is not supported") != NULL);
	probe_spec_free(&s);
	CHECK_INT(probe_hook_parse(json_object_get(c, "none"), c, &s, err, sizeof err), -EINVAL);
	probe_spec_free(&s);
	CHECK_INT(probe_hook_parse(json_object_get(c, "e"), c, &s, err, sizeof err), 0);
	CHECK_INT(s.handler, PROBE_EXEC);
	probe_spec_free(&s);

	uv_loop_t loop;
	uv_loop_init(&loop);
	struct result r;
	struct probe_spec sl = {.handler = PROBE_SLEEP, .sleep_s = 1, .timeout_s = 30};
	uint64_t t0 = uv_now(&loop);
	run_one(&loop, &sl, &r);
	CHECK(r.ok);
	CHECK(uv_now(&loop) - t0 >= 990 && uv_now(&loop) - t0 < 1500);
	sl.sleep_s = 30;
	sl.timeout_s = 1; /* a preStop sleep longer than the grace period */
	t0 = uv_now(&loop);
	run_one(&loop, &sl, &r);
	CHECK(r.ok);
	CHECK(uv_now(&loop) - t0 < 1500);
	CHECK_INT(probe_hook_parse(json_object_get(c, "z"), c, &s, err, sizeof err), 0);
	s.timeout_s = 5;
	run_one(&loop, &s, &r); /* zero seconds: done on the next loop turn */
	CHECK(r.ok);
	CHECK_INT(uv_run(&loop, UV_RUN_DEFAULT), 0);
	CHECK_INT(uv_loop_close(&loop), 0);
	json_decref(c);
}

int main(void)
{
	TEST_RUN(test_parse_defaults);
	TEST_RUN(test_parse_errors);
	TEST_RUN(test_readiness);
	TEST_RUN(test_liveness_kill);
	TEST_RUN(test_startup_gates);
	TEST_RUN(test_status_flags);
	TEST_RUN(test_net_probes);
	TEST_RUN(test_https_probe);
	TEST_RUN(test_grpc_messages);
	TEST_RUN(test_grpc_probe);
	TEST_RUN(test_hooks);
	return test_summary();
}
