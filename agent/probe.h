/* agent/probe.h — container probes (startupProbe, livenessProbe,
 * readinessProbe) the way the kubelet runs them.
 *
 * Two halves. The state machine (probe_spec_parse, struct probe_ctr and its
 * functions) is pure: it parses a probe from the container's spec, says when
 * a probe is due and turns results into the container's started/ready flags
 * and a kill decision, with the kubelet's rules (initialDelaySeconds,
 * periodSeconds, success/failureThreshold; startup gates the others; a
 * readiness probe starts as not ready, a liveness probe as healthy).
 * tests/probe_test.c covers it.
 *
 * The I/O (probe_run) runs one attempt without blocking the loop: httpGet and
 * tcpSocket connect with libuv TCP from the node's network namespace to the
 * pod IP (the node's address for hostNetwork pods); exec starts the command
 * through the runtime's exec and watches its exit through a pidfd. Each has
 * timeoutSeconds; an exec that overruns it is killed. grpc calls
 * grpc.health.v1.Health/Check over plaintext HTTP/2 (h2c with prior
 * knowledge, like the kubelet) through nghttp2 on the same loop.
 *
 * Lifecycle hooks (postStart, preStop) use the same runner: probe_hook_parse
 * reads a LifecycleHandler (exec, httpGet, sleep) into a probe_spec. */
#ifndef AGENT_PROBE_H
#define AGENT_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <uv.h>

struct rt;

enum probe_kind { PROBE_STARTUP, PROBE_LIVENESS, PROBE_READINESS, PROBE__COUNT };
enum probe_handler { PROBE_NONE, PROBE_EXEC, PROBE_HTTP, PROBE_TCP, PROBE_GRPC, PROBE_SLEEP };
enum probe_result { PROBE_UNKNOWN, PROBE_SUCCESS, PROBE_FAILURE };

#define PROBE_ARGS_MAX 64
#define PROBE_HEADERS_MAX 32
#define PROBE_OUTPUT_MAX 10240 /* bytes of exec output or HTTP body kept, like the kubelet */

struct probe_spec {
	enum probe_handler handler;
	int initial_delay_s, period_s, timeout_s, success_threshold, failure_threshold;
	long long grace_s; /* terminationGracePeriodSeconds of the probe, -1: the pod's */
	char **argv;	   /* exec: NULL-terminated, owned */
	char host[256];	   /* httpGet: "" means the pod IP */
	char scheme[8];	   /* "HTTP" or "HTTPS" */
	char path[1024];
	/* httpGet, tcpSocket (a named port resolved against the container's
	 * ports), grpc (a number) */
	int port;
	char service[256]; /* grpc: HealthCheckRequest.service, "" for the server as a whole */
	int sleep_s;	   /* sleep (lifecycle hooks only): seconds, cut at timeout_s */
	char *headers;	   /* httpGet: "Name: value\r\n" lines, owned; NULL: none */
	char invalid[200]; /* handler PROBE_NONE: why the probe cannot run */
};

/* The kubelet's name of a probe kind: "Startup", "Liveness", "Readiness". */
const char *probe_kind_name(enum probe_kind kind);
/* The container spec's key: "startupProbe", ... */
const char *probe_kind_key(enum probe_kind kind);

/* Parses probe (an element of the container at key probe_kind_key) into out,
 * with the API defaults for missing fields. container resolves named ports.
 * 0, or -EINVAL with a message (no handler, a port name the container does
 * not have, a port out of range). out is always safe to probe_spec_free. */
int probe_spec_parse(const json_t *probe, const json_t *container, struct probe_spec *out,
		     char *err, size_t errlen);
void probe_spec_free(struct probe_spec *spec);

/* Parses a lifecycle hook (a LifecycleHandler: exec, httpGet, sleep; a
 * tcpSocket, which the kubelet does not run, fails every attempt) into out.
 * The caller sets out->timeout_s. 0 or -EINVAL with a message. */
int probe_hook_parse(const json_t *hook, const json_t *container, struct probe_spec *out, char *err,
		     size_t errlen);

/* One probe of one container instance. */
struct probe_state {
	enum probe_result result;
	enum probe_result last; /* result of the last attempt */
	int run;		/* attempts in a row that gave `last` */
	uint64_t next_ms;	/* when the next attempt is due */
	bool running;		/* an attempt is under way */
	bool on_hold;		/* liveness/startup failed: no more attempts on this instance */
};

/* The probes of one container and what they decided. */
struct probe_ctr {
	bool has[PROBE__COUNT];
	struct probe_spec spec[PROBE__COUNT];
	struct probe_state st[PROBE__COUNT];
	char instance[80];   /* the container instance the states belong to */
	bool started;	     /* startup probe succeeded, or there is none */
	bool ready;	     /* started and (readiness succeeded, or there is none) */
	bool kill;	     /* liveness or startup failed: restart the container */
	uint64_t kill_at_ms; /* when the kill escalates to SIGKILL */
	char message[512];   /* the last failure, "Liveness probe failed: ..." */
};

/* Builds the probes of container (NULL when it has none, or on error with a
 * message: a probe that cannot be parsed fails every attempt). Caller frees
 * with probe_ctr_free. */
struct probe_ctr *probe_ctr_new(const json_t *container, char *err, size_t errlen);
void probe_ctr_free(struct probe_ctr *pc);

/* Resets every probe for a new container instance (id) that started running
 * at started_ms: results unknown, not ready, started only without a startup
 * probe, first attempts after initialDelaySeconds. A no-op when instance is
 * the current one. Returns true when it reset. */
bool probe_ctr_instance(struct probe_ctr *pc, const char *instance, uint64_t started_ms);

/* Whether an attempt of kind should start now: it exists, none is running,
 * it is not on hold, startup runs only until started, liveness and
 * readiness only after, and its time has come. */
bool probe_ctr_due(const struct probe_ctr *pc, enum probe_kind kind, uint64_t now_ms);
/* Marks an attempt of kind as started (the caller runs it); the next one is
 * due periodSeconds later. */
void probe_ctr_begin(struct probe_ctr *pc, enum probe_kind kind, uint64_t now_ms);

enum probe_action {
	PROBE_ACT_NONE,
	PROBE_ACT_CHANGED, /* started or ready changed: write the status */
	PROBE_ACT_KILL,	   /* liveness/startup failed failureThreshold times */
};
/* Records the result of the attempt of kind under way and applies the
 * thresholds; msg (may be NULL) is the failure's text. */
enum probe_action probe_ctr_record(struct probe_ctr *pc, enum probe_kind kind, bool ok,
				   const char *msg);
/* The grace period for a kill by kind: the probe's terminationGracePeriodSeconds,
 * else pod_grace_s. */
long long probe_ctr_grace(const struct probe_ctr *pc, enum probe_kind kind, long long pod_grace_s);

/* ---- probe.c: one attempt ---- */

/* ok, and a message on failure (the kubelet's text, output included). */
typedef void (*probe_done_fn)(void *ud, bool ok, const char *msg);

struct probe_target {
	const char *pod_ip; /* httpGet/tcpSocket: where to connect when no host is set */
	struct rt *rt;	    /* exec */
	const char *ctr_id; /* exec: the runtime container */
};

/* Starts one attempt of spec; cb is called exactly once from the loop (also
 * when it cannot start: then before this returns). The attempt keeps no
 * pointer into spec or target. */
void probe_run(uv_loop_t *loop, const struct probe_spec *spec, const struct probe_target *target,
	       probe_done_fn cb, void *ud);

/* ---- grpc.health.v1 messages (hand-encoded protobuf in gRPC framing) ---- */

enum { PROBE_GRPC_UNKNOWN, PROBE_GRPC_SERVING, PROBE_GRPC_NOT_SERVING, PROBE_GRPC_SERVICE_UNKNOWN };

/* Writes the length-prefixed gRPC message HealthCheckRequest{service} into
 * out: its length, or 0 when it does not fit in cap. */
size_t probe_grpc_request(const char *service, uint8_t *out, size_t cap);
/* Reads one length-prefixed HealthCheckResponse (exactly len bytes): 0 and
 * its status (UNKNOWN when the field is absent), -EINVAL when malformed,
 * -ENOTSUP when compressed. */
int probe_grpc_response(const uint8_t *body, size_t len, int *status);
/* The enum's name ("SERVING"), or the number in buf like Go's String(). */
const char *probe_grpc_status_name(int status, char *buf, size_t n);

#endif
