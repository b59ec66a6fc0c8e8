/* agent/podstatus.c — the Pod status the kubelet would report, computed from
 * what the agent knows about each container (struct ctr_view): container
 * states, the phase (the kubelet's getPhase), the conditions, the next init
 * container to run (sidecars included) and the restart back-off; readiness
 * and started as the probes (agent/probe.h) decided. Pure functions, no I/O:
 * tests/podsync_test.c covers them. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent/podsync.h"

const char *podstatus_restart_policy(const json_t *pod)
{
	const char *p =
	    json_string_value(json_object_get(json_object_get(pod, "spec"), "restartPolicy"));
	if (p && !strcmp(p, "Never"))
		return "Never";
	if (p && !strcmp(p, "OnFailure"))
		return "OnFailure";
	return "Always";
}

bool podstatus_should_restart(const char *policy, int exit_code)
{
	if (!strcmp(policy, "Always"))
		return true;
	return !strcmp(policy, "OnFailure") && exit_code != 0;
}

const char *podstatus_term_reason(int exit_code, bool oom)
{
	if (oom)
		return "OOMKilled";
	return exit_code == 0 ? "Completed" : "Error";
}

uint64_t podstatus_backoff_next(uint64_t cur)
{
	if (cur == 0)
		return PODSYNC_BACKOFF_START_MS;
	return cur * 2 > PODSYNC_BACKOFF_MAX_MS ? PODSYNC_BACKOFF_MAX_MS : cur * 2;
}

void podstatus_time(int64_t ns, char out[32])
{
	time_t s = (time_t)(ns / 1000000000);
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *time_or_null(int64_t ns)
{
	char t[32];
	if (ns <= 0)
		return json_null();
	podstatus_time(ns, t);
	return json_string(t);
}

static json_t *state_json(const struct ctr_view *v)
{
	json_t *s = json_object();
	if (v->state == CV_RUNNING) {
		json_object_set_new(s, "running",
				    json_pack("{s:o}", "startedAt", time_or_null(v->started_ns)));
	} else if (v->state == CV_TERMINATED) {
		json_t *t = json_pack("{s:i, s:s, s:o, s:o}", "exitCode", v->exit_code, "reason",
				      v->reason ? v->reason : "Error", "startedAt",
				      time_or_null(v->started_ns), "finishedAt",
				      time_or_null(v->finished_ns));
		if (v->signal)
			json_object_set_new(t, "signal", json_integer(v->signal));
		if (v->message && *v->message)
			json_object_set_new(t, "message", json_string(v->message));
		if (v->container_id)
			json_object_set_new(t, "containerID", json_string(v->container_id));
		json_object_set_new(s, "terminated", t);
	} else {
		json_t *w =
		    json_pack("{s:s}", "reason", v->reason ? v->reason : "ContainerCreating");
		if (v->message && *v->message)
			json_object_set_new(w, "message", json_string(v->message));
		json_object_set_new(s, "waiting", w);
	}
	return s;
}

json_t *podstatus_container(const struct ctr_view *v, bool init)
{
	bool running = v->state == CV_RUNNING;
	bool ready = init && !v->sidecar ? v->state == CV_TERMINATED && v->exit_code == 0
					 : running && !v->not_ready;
	json_t *c = json_pack(
	    "{s:s, s:o, s:o, s:b, s:i, s:s, s:s, s:b}", "name", v->name, "state", state_json(v),
	    "lastState", v->last_state ? json_deep_copy(v->last_state) : json_object(), "ready",
	    ready, "restartCount", v->restart_count, "image", v->image ? v->image : "", "imageID",
	    v->image_id ? v->image_id : "", "started", running && !v->not_started);
	if (c && v->container_id)
		json_object_set_new(c, "containerID", json_string(v->container_id));
	return c;
}

/* It ran at least once: running, exited, or waiting to restart. */
static bool has_run(const struct ctr_view *v)
{
	return v->state != CV_WAITING || v->restart_count > 0 ||
	       (v->last_state && json_object_size(v->last_state));
}

/* The kubelet's HasAnyRegularContainerStarted (and one waiting to restart,
 * which ran too). */
static bool apps_started(const struct ctr_view *app, size_t n_app)
{
	for (size_t i = 0; i < n_app; i++)
		if (has_run(&app[i]))
			return true;
	return false;
}

static bool sidecar_started(const struct ctr_view *v)
{
	return v->state == CV_RUNNING && !v->not_started;
}

static bool init_done(const struct ctr_view *v)
{
	if (v->sidecar)
		return sidecar_started(v);
	return v->state == CV_TERMINATED && v->exit_code == 0 &&
	       !(v->reason && !strcmp(v->reason, "StartError"));
}

bool podstatus_initialized(const struct ctr_view *init, size_t n_init, const struct ctr_view *app,
			   size_t n_app)
{
	if (apps_started(app, n_app))
		return true;
	for (size_t i = 0; i < n_init; i++)
		if (!init_done(&init[i]))
			return false;
	return true;
}

size_t podstatus_init_next(const struct ctr_view *init, size_t n_init, const struct ctr_view *app,
			   size_t n_app)
{
	/* From the last one back, like the kubelet: everything before the last
	 * container that ran has done its part. */
	size_t passed = apps_started(app, n_app) ? n_init : 0;
	for (size_t i = n_init; i-- > 0 && !passed;)
		if (has_run(&init[i]))
			passed = init_done(&init[i]) ? i + 1 : i;
	return passed;
}

/* The exit code of lastState.terminated, 0 when there is none. */
static int last_exit(const struct ctr_view *v)
{
	json_t *t = json_object_get(v->last_state, "terminated");
	return (int)json_integer_value(json_object_get(t, "exitCode"));
}

const char *podstatus_phase(const char *policy, const struct ctr_view *init, size_t n_init,
			    const struct ctr_view *app, size_t n_app)
{
	size_t pending_init = 0, failed_init = 0;
	size_t running = 0, waiting = 0, stopped = 0, succeeded = 0;
	for (size_t i = 0; i < n_init; i++) {
		const struct ctr_view *v = &init[i];
		bool restarting =
		    v->state == CV_WAITING && v->last_state && json_object_size(v->last_state);
		if (v->sidecar) { /* a stopped sidecar does not count */
			if (v->state == CV_RUNNING) {
				pending_init += v->not_started;
				running++;
			} else if (v->state == CV_WAITING && !restarting) {
				pending_init++;
				waiting++;
			}
		} else if (v->state == CV_TERMINATED)
			failed_init += v->exit_code != 0;
		else if (restarting)
			failed_init += last_exit(v) != 0;
		else
			pending_init++;
	}
	for (size_t i = 0; i < n_app; i++) {
		const struct ctr_view *v = &app[i];
		if (v->state == CV_RUNNING)
			running++;
		else if (v->state == CV_TERMINATED) {
			stopped++;
			succeeded += v->exit_code == 0;
		} else if (v->last_state && json_object_size(v->last_state))
			stopped++; /* waiting to restart after a crash */
		else
			waiting++;
	}
	if (failed_init > 0 && !strcmp(policy, "Never"))
		return "Failed";
	if ((pending_init > 0 && !apps_started(app, n_app)) || waiting > 0 || n_app == 0)
		return "Pending";
	if (running > 0)
		return "Running";
	if (stopped == 0)
		return "Pending";
	if (!strcmp(policy, "Always"))
		return "Running";
	if (stopped == succeeded)
		return "Succeeded";
	if (!strcmp(policy, "OnFailure"))
		return "Running";
	return "Failed";
}

/* lastTransitionTime of type in prev when its status is the same. */
static const char *prev_time(const json_t *prev, const char *type, const char *status)
{
	size_t i;
	json_t *c;
	json_array_foreach(prev, i, c)
	{
		const char *t = json_string_value(json_object_get(c, "type"));
		const char *s = json_string_value(json_object_get(c, "status"));
		if (t && s && !strcmp(t, type) && !strcmp(s, status))
			return json_string_value(json_object_get(c, "lastTransitionTime"));
	}
	return NULL;
}

static void cond_add(json_t *arr, const char *type, bool ok, const char *reason, const json_t *prev,
		     const char *now)
{
	const char *status = ok ? "True" : "False";
	const char *t = prev_time(prev, type, status);
	json_t *c = json_pack("{s:s, s:s, s:n, s:s}", "type", type, "status", status,
			      "lastProbeTime", "lastTransitionTime", t ? t : now);
	if (c && !ok && reason)
		json_object_set_new(c, "reason", json_string(reason));
	json_array_append_new(arr, c);
}

json_t *podstatus_conditions(const char *phase, const struct ctr_view *init, size_t n_init,
			     const struct ctr_view *app, size_t n_app, const json_t *prev,
			     const char *now)
{
	bool terminal = !strcmp(phase, "Succeeded") || !strcmp(phase, "Failed");
	bool initialized = podstatus_initialized(init, n_init, app, n_app);
	bool ready = n_app > 0 && initialized && !terminal;
	for (size_t i = 0; i < n_app; i++)
		ready = ready && app[i].state == CV_RUNNING && !app[i].not_ready;
	for (size_t i = 0; i < n_init; i++) /* ready sidecars too */
		ready = ready &&
			(!init[i].sidecar || (init[i].state == CV_RUNNING && !init[i].not_ready));
	const char *why = terminal ? "PodCompleted" : "ContainersNotReady";
	json_t *arr = json_array();
	/* A pod that failed in its init containers is not initialized. */
	cond_add(arr, "Initialized", initialized || !strcmp(phase, "Succeeded"),
		 "ContainersNotInitialized", prev, now);
	cond_add(arr, "Ready", ready, why, prev, now);
	cond_add(arr, "ContainersReady", ready, why, prev, now);
	cond_add(arr, "PodScheduled", true, NULL, prev, now);
	return arr;
}
