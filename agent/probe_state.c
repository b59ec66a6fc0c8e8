/* agent/probe_state.c — the probe state machine of agent/probe.h: parsing a
 * probe from the container spec, when attempts are due, and what their
 * results mean for the container (started, ready, killed), with the
 * kubelet's rules (pkg/kubelet/prober/worker.go). Pure: no I/O, no clock;
 * tests/probe_test.c covers it. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent_internal.h"
#include "agent/probe.h"

#define PROBE_SECONDS_MAX 86400 /* a bound on every timing field */

static const char *const kind_names[PROBE__COUNT] = {"Startup", "Liveness", "Readiness"};
static const char *const kind_keys[PROBE__COUNT] = {"startupProbe", "livenessProbe",
						    "readinessProbe"};

const char *probe_kind_name(enum probe_kind kind)
{
	return kind < PROBE__COUNT ? kind_names[kind] : "Unknown";
}

const char *probe_kind_key(enum probe_kind kind)
{
	return kind < PROBE__COUNT ? kind_keys[kind] : "";
}

static int int_field(const json_t *o, const char *k, int def, int min)
{
	const json_t *v = json_object_get(o, k);
	if (!json_is_integer(v))
		return def;
	json_int_t n = json_integer_value(v);
	return n < min ? min : n > PROBE_SECONDS_MAX ? PROBE_SECONDS_MAX : (int)n;
}

/* A port by number, or by the name of one of the container's ports. */
static int port_resolve(const json_t *port, const json_t *container, int *out, char *err,
			size_t errlen)
{
	if (json_is_integer(port)) {
		json_int_t n = json_integer_value(port);
		if (n < 1 || n > 65535)
			return agent_err(err, errlen, EINVAL, "port %lld is out of range",
					 (long long)n);
		*out = (int)n;
		return 0;
	}
	const char *name = json_string_value(port);
	if (!name || !*name)
		return agent_err(err, errlen, EINVAL, "the probe has no port");
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(container, "ports"), i, p)
	{
		const char *pn = json_string_value(json_object_get(p, "name"));
		json_t *cp = json_object_get(p, "containerPort");
		if (pn && !strcmp(pn, name) && json_is_integer(cp) && json_integer_value(cp) > 0 &&
		    json_integer_value(cp) <= 65535) {
			*out = (int)json_integer_value(cp);
			return 0;
		}
	}
	/* The kubelet also takes a number written as a string. */
	char *end;
	long n = strtol(name, &end, 10);
	if (!*end && n >= 1 && n <= 65535) {
		*out = (int)n;
		return 0;
	}
	return agent_err(err, errlen, EINVAL, "couldn't find port: %s in container", name);
}

static bool header_text_ok(const char *s)
{
	return s && !strpbrk(s, "\r\n");
}

static int parse_exec(const json_t *ex, struct probe_spec *out, char *err, size_t errlen)
{
	const json_t *cmd = json_object_get(ex, "command");
	size_t n = json_array_size(cmd);
	if (n == 0 || n > PROBE_ARGS_MAX)
		return agent_err(err, errlen, EINVAL, "exec probe needs a command (1 to %d words)",
				 PROBE_ARGS_MAX);
	out->argv = calloc(n + 1, sizeof *out->argv);
	if (!out->argv)
		return agent_err(err, errlen, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *a = json_string_value(json_array_get(cmd, i));
		if (!a || !(out->argv[i] = strdup(a)))
			return agent_err(err, errlen, EINVAL,
					 "exec probe command word %zu is not a string", i);
	}
	out->handler = PROBE_EXEC;
	return 0;
}

static int parse_http(const json_t *hg, const json_t *container, struct probe_spec *out, char *err,
		      size_t errlen)
{
	const char *path = json_string_value(json_object_get(hg, "path"));
	const char *host = json_string_value(json_object_get(hg, "host"));
	const char *scheme = json_string_value(json_object_get(hg, "scheme"));
	if (!path || !*path)
		path = "/";
	if (strlen(path) >= sizeof out->path || !header_text_ok(path) || strchr(path, ' '))
		return agent_err(err, errlen, EINVAL, "httpGet path is not usable");
	if (host && (strlen(host) >= sizeof out->host || !header_text_ok(host)))
		return agent_err(err, errlen, EINVAL, "httpGet host is not usable");
	if (scheme && strcmp(scheme, "HTTP") && strcmp(scheme, "HTTPS"))
		return agent_err(err, errlen, EINVAL, "httpGet scheme %s is not HTTP or HTTPS",
				 scheme);
	snprintf(out->path, sizeof out->path, "%s%s", path[0] == '/' ? "" : "/", path);
	snprintf(out->host, sizeof out->host, "%s", host ? host : "");
	snprintf(out->scheme, sizeof out->scheme, "%s", scheme ? scheme : "HTTP");
	const json_t *hdrs = json_object_get(hg, "httpHeaders");
	if (json_array_size(hdrs) > PROBE_HEADERS_MAX)
		return agent_err(err, errlen, EINVAL, "more than %d httpHeaders",
				 PROBE_HEADERS_MAX);
	size_t i, len = 0;
	json_t *h;
	json_array_foreach(hdrs, i, h)
	{
		const char *name = json_string_value(json_object_get(h, "name"));
		const char *value = json_string_value(json_object_get(h, "value"));
		if (!name || !*name || !header_text_ok(name) || strchr(name, ':') ||
		    !header_text_ok(value) || strlen(name) + strlen(value) > 4096)
			return agent_err(err, errlen, EINVAL,
					 "httpHeaders[%zu] is not a usable header", i);
		char *more = realloc(out->headers, len + strlen(name) + strlen(value) + 5);
		if (!more)
			return agent_err(err, errlen, ENOMEM, "out of memory");
		out->headers = more;
		len += (size_t)sprintf(out->headers + len, "%s: %s\r\n", name, value);
	}
	out->handler = PROBE_HTTP;
	return port_resolve(json_object_get(hg, "port"), container, &out->port, err, errlen);
}

/* grpc: a port number (no names, like the API) and an optional service. */
static int parse_grpc(const json_t *g, struct probe_spec *out, char *err, size_t errlen)
{
	const json_t *port = json_object_get(g, "port");
	const json_t *svc = json_object_get(g, "service");
	if (!json_is_integer(port) || json_integer_value(port) < 1 ||
	    json_integer_value(port) > 65535)
		return agent_err(err, errlen, EINVAL, "grpc port must be between 1 and 65535");
	if (svc && !json_is_null(svc) &&
	    (!json_is_string(svc) || json_string_length(svc) >= sizeof out->service))
		return agent_err(err, errlen, EINVAL, "grpc service is not usable");
	out->port = (int)json_integer_value(port);
	snprintf(out->service, sizeof out->service, "%s", svc ? json_string_value(svc) ?: "" : "");
	out->handler = PROBE_GRPC;
	return 0;
}

int probe_spec_parse(const json_t *probe, const json_t *container, struct probe_spec *out,
		     char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->initial_delay_s = int_field(probe, "initialDelaySeconds", 0, 0);
	out->period_s = int_field(probe, "periodSeconds", 10, 1);
	out->timeout_s = int_field(probe, "timeoutSeconds", 1, 1);
	out->success_threshold = int_field(probe, "successThreshold", 1, 1);
	out->failure_threshold = int_field(probe, "failureThreshold", 3, 1);
	const json_t *g = json_object_get(probe, "terminationGracePeriodSeconds");
	out->grace_s =
	    json_is_integer(g) ? int_field(probe, "terminationGracePeriodSeconds", 0, 0) : -1;
	const json_t *h;
	if ((h = json_object_get(probe, "exec")))
		return parse_exec(h, out, err, errlen);
	if ((h = json_object_get(probe, "httpGet")))
		return parse_http(h, container, out, err, errlen);
	if ((h = json_object_get(probe, "tcpSocket"))) {
		const char *host = json_string_value(json_object_get(h, "host"));
		if (host && strlen(host) >= sizeof out->host)
			return agent_err(err, errlen, EINVAL, "tcpSocket host is too long");
		snprintf(out->host, sizeof out->host, "%s", host ? host : "");
		out->handler = PROBE_TCP;
		return port_resolve(json_object_get(h, "port"), container, &out->port, err, errlen);
	}
	if ((h = json_object_get(probe, "grpc")))
		return parse_grpc(h, out, err, errlen);
	return agent_err(err, errlen, EINVAL,
			 "the probe has no handler (exec, httpGet, tcpSocket, grpc)");
}

int probe_hook_parse(const json_t *hook, const json_t *container, struct probe_spec *out, char *err,
		     size_t errlen)
{
	const json_t *sl = json_object_get(hook, "sleep");
	if (!sl) {
		int rc = probe_spec_parse(hook, container, out, err, errlen);
		if (rc == 0 && (out->handler == PROBE_TCP || out->handler == PROBE_GRPC))
			return agent_err(
			    err, errlen, EINVAL,
			    "a %s lifecycle hook is not supported (exec, httpGet, sleep)",
			    out->handler == PROBE_TCP ? "tcpSocket" : "grpc");
		return rc;
	}
	memset(out, 0, sizeof *out);
	const json_t *secs = json_object_get(sl, "seconds");
	if (!json_is_integer(secs) || json_integer_value(secs) < 0 ||
	    json_integer_value(secs) > PROBE_SECONDS_MAX)
		return agent_err(err, errlen, EINVAL, "sleep.seconds must be 0 to %d",
				 PROBE_SECONDS_MAX);
	out->sleep_s = (int)json_integer_value(secs);
	out->handler = PROBE_SLEEP;
	return 0;
}

void probe_spec_free(struct probe_spec *spec)
{
	agent_strv_free(spec->argv);
	free(spec->headers);
	spec->argv = NULL;
	spec->headers = NULL;
}

struct probe_ctr *probe_ctr_new(const json_t *container, char *err, size_t errlen)
{
	struct probe_ctr *pc = NULL;
	for (int k = 0; k < PROBE__COUNT; k++) {
		const json_t *probe = json_object_get(container, kind_keys[k]);
		if (!json_is_object(probe))
			continue;
		if (!pc && !(pc = calloc(1, sizeof *pc))) {
			agent_err(err, errlen, ENOMEM, "out of memory");
			return NULL;
		}
		pc->has[k] = true;
		char why[256];
		if (probe_spec_parse(probe, container, &pc->spec[k], why, sizeof why)) {
			/* Kept with no handler: every attempt fails with the reason. */
			probe_spec_free(&pc->spec[k]);
			pc->spec[k].handler = PROBE_NONE;
			snprintf(pc->spec[k].invalid, sizeof pc->spec[k].invalid, "%s", why);
			agent_err(err, errlen, EINVAL, "%s probe: %s", kind_names[k], why);
		}
	}
	return pc;
}

void probe_ctr_free(struct probe_ctr *pc)
{
	if (!pc)
		return;
	for (int k = 0; k < PROBE__COUNT; k++)
		probe_spec_free(&pc->spec[k]);
	free(pc);
}

static void ready_update(struct probe_ctr *pc)
{
	pc->ready = pc->started &&
		    (!pc->has[PROBE_READINESS] || pc->st[PROBE_READINESS].result == PROBE_SUCCESS);
}

bool probe_ctr_instance(struct probe_ctr *pc, const char *instance, uint64_t started_ms)
{
	if (!strcmp(pc->instance, instance))
		return false;
	snprintf(pc->instance, sizeof pc->instance, "%s", instance);
	/* Like the kubelet's initial values: liveness healthy, readiness not
	 * ready, startup unknown. */
	static const enum probe_result initial[PROBE__COUNT] = {PROBE_UNKNOWN, PROBE_SUCCESS,
								PROBE_FAILURE};
	for (int k = 0; k < PROBE__COUNT; k++) {
		memset(&pc->st[k], 0, sizeof pc->st[k]);
		pc->st[k].result = initial[k];
		pc->st[k].next_ms = started_ms + (uint64_t)pc->spec[k].initial_delay_s * 1000;
	}
	pc->started = !pc->has[PROBE_STARTUP];
	pc->kill = false;
	pc->kill_at_ms = 0;
	ready_update(pc);
	return true;
}

bool probe_ctr_due(const struct probe_ctr *pc, enum probe_kind kind, uint64_t now_ms)
{
	const struct probe_state *s = &pc->st[kind];
	if (!pc->has[kind] || s->running || s->on_hold || pc->kill || !pc->instance[0])
		return false;
	if ((kind == PROBE_STARTUP) == pc->started)
		return false; /* startup runs until started; the others after */
	return now_ms >= s->next_ms;
}

void probe_ctr_begin(struct probe_ctr *pc, enum probe_kind kind, uint64_t now_ms)
{
	pc->st[kind].running = true;
	pc->st[kind].next_ms = now_ms + (uint64_t)pc->spec[kind].period_s * 1000;
}

enum probe_action probe_ctr_record(struct probe_ctr *pc, enum probe_kind kind, bool ok,
				   const char *msg)
{
	struct probe_state *s = &pc->st[kind];
	const struct probe_spec *sp = &pc->spec[kind];
	enum probe_result r = ok ? PROBE_SUCCESS : PROBE_FAILURE;
	bool was_started = pc->started, was_ready = pc->ready;
	s->running = false;
	if (!ok)
		snprintf(pc->message, sizeof pc->message, "%s probe failed: %s", kind_names[kind],
			 msg && *msg ? msg : "unknown error");
	if (s->last == r)
		s->run++;
	else {
		s->last = r;
		s->run = 1;
	}
	/* Fewer results in a row than the threshold keep the current result. */
	if ((!ok && s->run < sp->failure_threshold) || (ok && s->run < sp->success_threshold))
		return PROBE_ACT_NONE;
	s->result = r;
	if (kind == PROBE_STARTUP && ok)
		pc->started = true;
	ready_update(pc);
	if (!ok && kind != PROBE_READINESS) {
		/* The container is restarted; nothing runs on it until then. */
		s->on_hold = true;
		s->run = 0;
		pc->kill = true;
		return PROBE_ACT_KILL;
	}
	return pc->started != was_started || pc->ready != was_ready ? PROBE_ACT_CHANGED
								    : PROBE_ACT_NONE;
}

long long probe_ctr_grace(const struct probe_ctr *pc, enum probe_kind kind, long long pod_grace_s)
{
	long long g = pc->spec[kind].grace_s >= 0 ? pc->spec[kind].grace_s : pod_grace_s;
	return g < 0 ? 0 : g;
}
