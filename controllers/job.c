/* Job controller: runs pods until `completions` succeed (or, without
 * completions, until one does and the rest finish), at most `parallelism` at
 * a time; Indexed mode gives each pod its completion index; failed pods are
 * replaced after an exponential back-off (10 s doubling to 6 min) until
 * backoffLimit; activeDeadlineSeconds; Complete/Failed conditions;
 * ttlSecondsAfterFinished deletes the finished Job. Counts come from the
 * Job's pods (succeeded and failed pods are kept until the Job goes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/jsonutil.h"
#include "controllers/ctl.h"

#define BACKOFF_BASE_S 10
#define BACKOFF_MAX_S 360
#define MAX_INDEXES 100000
#define INDEX_KEY "batch.kubernetes.io/job-completion-index"

struct job_ctl {
	struct ctl_env *env;
	struct informer *jobs, *pods;
	struct ctl_queue *queue;
};

static void on_job(void *ud, enum store_event_type type, const json_t *job, const json_t *old)
{
	struct job_ctl *c = ud;
	if (type != STORE_EVENT_DELETE)
		ctl_queue_add_obj(c->queue, job);
}

static void on_pod(void *ud, enum store_event_type type, const json_t *pod, const json_t *old)
{
	struct job_ctl *c = ud;
	const json_t *ref = ctl_controller_ref(pod);
	if (ref && !strcmp(json_string_value(json_object_get(ref, "kind")) ?: "", "Job"))
		ctl_queue_add(c->queue, ctl_ns(pod), json_string_value(json_object_get(ref, "name")) ?: "");
}

static const json_t *job_condition(const json_t *job, const char *type)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_path(job, "status.conditions"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "type")) ?: "", type) &&
		    !strcmp(json_string_value(json_object_get(c, "status")) ?: "", "True"))
			return c;
	return NULL;
}

struct job_pods {
	json_t *active; /* array of pods */
	long long succeeded, failed, ready;
	long long last_failure; /* unix seconds */
	unsigned char *done;	/* Indexed: index -> succeeded */
	long long completions;
};

static long long pod_index(const json_t *pod)
{
	const char *v = json_string_value(json_object_get(json_path(pod, "metadata.annotations"), INDEX_KEY));
	return v ? atoll(v) : -1;
}

static long long finished_at(const json_t *pod)
{
	long long t = -1;
	size_t i;
	json_t *cs;
	json_array_foreach(json_path(pod, "status.containerStatuses"), i, cs) {
		long long f = time_parse_rfc3339(json_path_str(cs, "state.terminated.finishedAt"));
		if (f > t)
			t = f;
	}
	return t;
}

static void collect(struct job_ctl *c, const json_t *job, struct job_pods *p)
{
	p->active = json_array();
	char prefix[400];
	snprintf(prefix, sizeof prefix, "%s%s/", informer_prefix(c->pods), ctl_ns(job));
	const char *key;
	json_t *pod;
	json_object_foreach((json_t *)informer_items(c->pods), key, pod) {
		const json_t *ref = ctl_controller_ref(pod);
		if (strncmp(key, prefix, strlen(prefix)) || !ref ||
		    strcmp(json_string_value(json_object_get(ref, "uid")) ?: "", ctl_uid(job)))
			continue;
		const char *phase = json_path_str(pod, "status.phase") ?: "";
		if (!strcmp(phase, "Succeeded")) {
			long long idx = pod_index(pod);
			if (p->done && idx >= 0 && idx < p->completions) {
				p->succeeded += !p->done[idx];
				p->done[idx] = 1;
			} else if (!p->done) {
				p->succeeded++;
			}
		} else if (!strcmp(phase, "Failed")) {
			p->failed++;
			long long f = finished_at(pod);
			if (f > p->last_failure)
				p->last_failure = f;
		} else if (!ctl_terminating(pod)) {
			json_array_append(p->active, pod);
			p->ready += ctl_pod_ready(pod);
		}
	}
}

static void create_pod(struct job_ctl *c, const json_t *job, long long index)
{
	char path[600], gen[300];
	json_t *ref = ctl_owner_ref(job, "batch/v1", "Job");
	snprintf(gen, sizeof gen, index >= 0 ? "%s-%lld-" : "%s-", ctl_name(job), index);
	json_t *pod = ctl_pod_from_template(json_path(job, "spec.template"), ref, ctl_ns(job), gen);
	json_decref(ref);
	if (index >= 0) {
		char idx[24];
		snprintf(idx, sizeof idx, "%lld", index);
		json_t *meta = json_object_get(pod, "metadata");
		json_object_set_new(json_object_ensure(meta, "annotations"), INDEX_KEY, json_string(idx));
		json_object_set_new(json_object_ensure(meta, "labels"), INDEX_KEY, json_string(idx));
		json_t *spec = json_object_get(pod, "spec");
		char host[300];
		snprintf(host, sizeof host, "%s-%lld", ctl_name(job), index);
		if (!json_object_get(spec, "hostname"))
			json_object_set_new(spec, "hostname", json_string(host));
		size_t i;
		json_t *ctr;
		json_array_foreach(json_object_get(spec, "containers"), i, ctr) {
			json_t *env = json_object_get(ctr, "env");
			if (!json_is_array(env))
				json_object_set_new(ctr, "env", env = json_array());
			json_array_append_new(env, json_pack("{s:s,s:s}", "name", "JOB_COMPLETION_INDEX", "value", idx));
		}
	}
	json_t *ans = NULL;
	int code = api_create(&c->env->api, api_path(path, sizeof path, "", "v1", "pods", ctl_ns(job), NULL, NULL), pod,
			      &ans);
	if (code == 201)
		ctl_event(c->env, job, "batch/v1", "Job", "Normal", "SuccessfulCreate", "Created pod: %s", ctl_name(ans));
	else
		ctl_event(c->env, job, "batch/v1", "Job", "Warning", "FailedCreate", "Error creating: %s",
			  api_status_message(ans));
	json_decref(ans);
	json_decref(pod);
}

static void delete_pods(struct job_ctl *c, const json_t *job, json_t *pods, size_t from)
{
	char path[600];
	for (size_t i = from; i < json_array_size(pods); i++) {
		const json_t *pod = json_array_get(pods, i);
		api_delete(&c->env->api, api_path(path, sizeof path, "", "v1", "pods", ctl_ns(pod), ctl_name(pod), NULL),
			   NULL, NULL);
		ctl_event(c->env, job, "batch/v1", "Job", "Normal", "SuccessfulDelete", "Deleted pod: %s", ctl_name(pod));
	}
}

/* "0-2,4" from the done bitmap. */
static json_t *completed_indexes(const struct job_pods *p)
{
	char buf[4096] = "";
	size_t n = 0;
	for (long long i = 0; i < p->completions && n < sizeof buf - 48; i++) {
		if (!p->done[i])
			continue;
		long long j = i;
		while (j + 1 < p->completions && p->done[j + 1])
			j++;
		n += (size_t)snprintf(buf + n, sizeof buf - n, j > i ? "%s%lld-%lld" : "%s%lld", n ? "," : "", i, j);
		i = j;
	}
	return n ? json_string(buf) : NULL;
}

static json_t *condition_new(const char *type, const char *reason, const char *message)
{
	char now[32];
	time_rfc3339(now);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "type", type, "status", "True", "lastProbeTime", now,
			 "lastTransitionTime", now, "reason", reason, "message", message);
}

/* Writes status (when changed) from the counts and an optional new condition. */
static void update_status(struct job_ctl *c, const json_t *job, const struct job_pods *p, json_t *cond,
			  bool complete)
{
	json_t *st = json_deep_copy(json_object_get(job, "status") ?: json_object());
	char now[32];
	time_rfc3339(now);
	static const char *const counts[] = {"active", "succeeded", "failed", "ready"};
	long long values[] = {(long long)json_array_size(p->active), p->succeeded, p->failed, p->ready};
	for (size_t i = 0; i < 4; i++)
		if (values[i] || !strcmp(counts[i], "ready"))
			json_object_set_new(st, counts[i], json_integer(values[i]));
		else
			json_object_del(st, counts[i]);
	json_object_set_new(st, "terminating", json_integer(0));
	if (!json_object_get(st, "startTime") && !json_is_true(json_path(job, "spec.suspend")))
		json_object_set_new(st, "startTime", json_string(now));
	if (p->done) {
		json_t *ci = completed_indexes(p);
		if (ci)
			json_object_set_new(st, "completedIndexes", ci);
	}
	if (cond) {
		json_t *conds = json_object_get(st, "conditions");
		if (!json_is_array(conds))
			json_object_set_new(st, "conditions", conds = json_array());
		if (complete) { /* upstream records SuccessCriteriaMet before Complete */
			json_t *met = json_deep_copy(cond);
			json_object_set_new(met, "type", json_string("SuccessCriteriaMet"));
			json_array_append_new(conds, met);
			json_object_set_new(st, "completionTime", json_string(now));
		}
		json_array_append_new(conds, cond);
	}
	if (!json_equal(st, json_object_get(job, "status"))) {
		json_t *obj = json_deep_copy(job);
		json_object_set(obj, "status", st);
		char path[600];
		api_update(&c->env->api,
			   api_path(path, sizeof path, "batch", "v1", "jobs", ctl_ns(job), ctl_name(job), "status"), obj,
			   NULL);
		json_decref(obj);
	}
	json_decref(st);
}

/* Deletes a finished Job whose ttlSecondsAfterFinished passed; otherwise
 * returns the milliseconds until it does (0: never). */
static int ttl_check(struct job_ctl *c, const json_t *job, const json_t *finished)
{
	const json_t *ttl = json_path(job, "spec.ttlSecondsAfterFinished");
	if (!json_is_integer(ttl))
		return 0;
	long long at = time_parse_rfc3339(json_string_value(json_object_get(finished, "lastTransitionTime")));
	long long left = at + json_integer_value(ttl) - (long long)time(NULL);
	if (left > 0)
		return (int)(left > 3600 ? 3600000 : left * 1000);
	char path[600];
	json_t *opts = json_pack("{s:s,s:s,s:s}", "kind", "DeleteOptions", "apiVersion", "v1", "propagationPolicy",
				 "Background");
	api_delete(&c->env->api, api_path(path, sizeof path, "batch", "v1", "jobs", ctl_ns(job), ctl_name(job), NULL),
		   opts, NULL);
	json_decref(opts);
	return 0;
}

/* Pods to start now and the indexes they get (-1 for NonIndexed). */
static int start_pods(struct job_ctl *c, const json_t *job, struct job_pods *p, long long parallelism,
		      long long completions, bool has_completions)
{
	long long active = (long long)json_array_size(p->active);
	long long want = parallelism;
	if (has_completions && completions - p->succeeded < want)
		want = completions - p->succeeded;
	if (!has_completions && p->succeeded > 0)
		want = 0; /* one success: let the others finish, start none */
	if (active > want) {
		delete_pods(c, job, p->active, (size_t)(want > 0 ? want : 0));
		return 0;
	}
	if (active == want)
		return 0;
	if (p->failed > 0 && p->last_failure > 0) { /* back-off after failures */
		long long delay = BACKOFF_BASE_S;
		for (long long i = 1; i < p->failed && delay < BACKOFF_MAX_S; i++)
			delay *= 2;
		if (delay > BACKOFF_MAX_S)
			delay = BACKOFF_MAX_S;
		long long wait = p->last_failure + delay - (long long)time(NULL);
		if (wait > 0)
			return (int)(wait * 1000);
	}
	if (!p->done) {
		for (long long i = active; i < want; i++)
			create_pod(c, job, -1);
		return 0;
	}
	/* Indexed: the lowest indexes neither done nor running. */
	unsigned char *busy = calloc((size_t)completions, 1);
	size_t i;
	json_t *pod;
	json_array_foreach(p->active, i, pod) {
		long long idx = pod_index(pod);
		if (idx >= 0 && idx < completions)
			busy[idx] = 1;
	}
	for (long long idx = 0; idx < completions && active < want; idx++)
		if (!p->done[idx] && !busy[idx]) {
			create_pod(c, job, idx);
			active++;
		}
	free(busy);
	return 0;
}

static int sync_job_locked(struct job_ctl *c, const json_t *job)
{
	const json_t *finished = job_condition(job, "Complete") ?: job_condition(job, "Failed");
	if (finished)
		return ttl_check(c, job, finished);
	bool indexed = !strcmp(json_path_str(job, "spec.completionMode") ?: "", "Indexed");
	const json_t *jc = json_path(job, "spec.completions");
	bool has_completions = json_is_integer(jc);
	long long completions = has_completions ? json_integer_value(jc) : 1;
	long long parallelism = json_is_integer(json_path(job, "spec.parallelism"))
					? json_integer_value(json_path(job, "spec.parallelism"))
					: 1;
	long long backoff_limit = json_is_integer(json_path(job, "spec.backoffLimit"))
					  ? json_integer_value(json_path(job, "spec.backoffLimit"))
					  : 6;
	struct job_pods p = {.completions = completions};
	if (indexed && has_completions && completions <= MAX_INDEXES)
		p.done = calloc((size_t)(completions > 0 ? completions : 1), 1);
	collect(c, job, &p);
	json_t *cond = NULL;
	bool complete = false;
	int again = 0;
	long long deadline = json_integer_value(json_path(job, "spec.activeDeadlineSeconds"));
	long long started = time_parse_rfc3339(json_path_str(job, "status.startTime"));
	if (p.failed > backoff_limit) {
		cond = condition_new("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
	} else if (deadline > 0 && started > 0 && (long long)time(NULL) >= started + deadline) {
		cond = condition_new("Failed", "DeadlineExceeded", "Job was active longer than specified deadline");
	} else if ((has_completions && p.succeeded >= completions) ||
		   (!has_completions && p.succeeded > 0 && json_array_size(p.active) == 0)) {
		cond = condition_new("Complete", "CompletionsReached", "Reached expected number of succeeded pods");
		complete = true;
	}
	if (cond) {
		delete_pods(c, job, p.active, 0);
		json_array_clear(p.active);
		ctl_event(c->env, job, "batch/v1", "Job", complete ? "Normal" : "Warning",
			  complete ? "Completed" : json_string_value(json_object_get(cond, "reason")), "%s",
			  complete ? "Job completed" : json_string_value(json_object_get(cond, "message")));
	} else if (json_is_true(json_path(job, "spec.suspend"))) {
		delete_pods(c, job, p.active, 0);
	} else {
		again = start_pods(c, job, &p, parallelism, completions, has_completions);
		if (deadline > 0 && started > 0 && (!again || again > 1000))
			again = 1000; /* look at the deadline again */
	}
	update_status(c, job, &p, cond, complete);
	free(p.done);
	json_decref(p.active);
	return again;
}

static int sync_job(void *ud, const char *ns, const char *name)
{
	struct job_ctl *c = ud;
	const json_t *job = informer_get(c->jobs, ns, name);
	if (!job || ctl_terminating(job))
		return 0;
	json_incref((json_t *)job);
	int rc = sync_job_locked(c, job);
	json_decref((json_t *)job);
	return rc;
}

int job_controller_start(struct ctl_env *e)
{
	struct job_ctl *c = ctl_alloc(e, sizeof *c);
	if (!c)
		return -1;
	c->env = e;
	c->jobs = ctl_informer(e, "batch", "jobs");
	c->pods = ctl_informer(e, "", "pods");
	c->queue = ctl_queue_new(e, "job", sync_job, c);
	if (!c->jobs || !c->pods || !c->queue)
		return -1;
	informer_add_handler(c->jobs, on_job, c);
	informer_add_handler(c->pods, on_pod, c);
	return 0;
}
