/* CronJob controller: creates a Job (named NAME-<minutes since the epoch>, as
 * upstream does) at each scheduled time in spec.timeZone, honouring
 * concurrencyPolicy (Allow, Forbid, Replace), startingDeadlineSeconds and
 * suspend; keeps successfulJobsHistoryLimit/failedJobsHistoryLimit finished
 * Jobs; status.active, lastScheduleTime, lastSuccessfulTime. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/jsonutil.h"
#include "controllers/cron.h"
#include "controllers/ctl.h"

#define MAX_MISSED 100 /* like upstream: too many missed starts is reported */

struct cj_ctl {
	struct ctl_env *env;
	struct informer *cronjobs, *jobs;
	struct ctl_queue *queue;
};

static void on_cronjob(void *ud, enum store_event_type type, const json_t *cj, const json_t *old)
{
	struct cj_ctl *c = ud;
	if (type != STORE_EVENT_DELETE)
		ctl_queue_add_obj(c->queue, cj);
}

static void on_job(void *ud, enum store_event_type type, const json_t *job, const json_t *old)
{
	struct cj_ctl *c = ud;
	const json_t *ref = ctl_controller_ref(job);
	if (ref && !strcmp(json_string_value(json_object_get(ref, "kind")) ?: "", "CronJob"))
		ctl_queue_add(c->queue, ctl_ns(job), json_string_value(json_object_get(ref, "name")) ?: "");
}

static const char *finished_as(const json_t *job)
{
	size_t i;
	json_t *cond;
	json_array_foreach(json_path(job, "status.conditions"), i, cond) {
		const char *type = json_string_value(json_object_get(cond, "type")) ?: "";
		if ((!strcmp(type, "Complete") || !strcmp(type, "Failed")) &&
		    !strcmp(json_string_value(json_object_get(cond, "status")) ?: "", "True"))
			return type;
	}
	return NULL;
}

static void time_str(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void delete_job(struct cj_ctl *c, const json_t *job)
{
	char path[600];
	json_t *opts = json_pack("{s:s,s:s,s:s}", "kind", "DeleteOptions", "apiVersion", "v1", "propagationPolicy",
				 "Background");
	api_delete(&c->env->api, api_path(path, sizeof path, "batch", "v1", "jobs", ctl_ns(job), ctl_name(job), NULL),
		   opts, NULL);
	json_decref(opts);
}

static int compare_creation(const void *a, const void *b)
{
	return strcmp(json_path_str(*(json_t *const *)a, "metadata.creationTimestamp") ?: "",
		      json_path_str(*(json_t *const *)b, "metadata.creationTimestamp") ?: "");
}

/* Deletes the oldest finished Jobs of one kind beyond limit. */
static void trim_history(struct cj_ctl *c, json_t *jobs, long long limit)
{
	size_t n = json_array_size(jobs);
	if ((long long)n <= limit)
		return;
	json_t **v = malloc(n * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(jobs, i);
	qsort(v, n, sizeof *v, compare_creation);
	for (size_t i = 0; i < n - (size_t)(limit > 0 ? limit : 0); i++)
		delete_job(c, v[i]);
	free(v);
}

static json_t *job_from_template(const json_t *cj, long long scheduled)
{
	char name[300], when[32];
	snprintf(name, sizeof name, "%s-%lld", ctl_name(cj), scheduled / 60);
	time_str(scheduled, when);
	const json_t *tmpl = json_path(cj, "spec.jobTemplate");
	json_t *meta = json_deep_copy(json_object_get(tmpl, "metadata") ?: json_object());
	json_object_set_new(meta, "name", json_string(name));
	json_object_set_new(meta, "namespace", json_string(ctl_ns(cj)));
	json_object_set_new(json_object_ensure(meta, "annotations"), "batch.kubernetes.io/cronjob-scheduled-timestamp",
			    json_string(when));
	json_object_set_new(meta, "ownerReferences", json_pack("[o]", ctl_owner_ref(cj, "batch/v1", "CronJob")));
	return json_pack("{s:s,s:s,s:o,s:O}", "apiVersion", "batch/v1", "kind", "Job", "metadata", meta, "spec",
			 json_object_get(tmpl, "spec") ?: json_object());
}

struct cj_jobs {
	json_t *active, *succeeded, *failed; /* arrays of Jobs */
	long long last_success;
};

static void collect(struct cj_ctl *c, const json_t *cj, struct cj_jobs *j)
{
	j->active = json_array();
	j->succeeded = json_array();
	j->failed = json_array();
	const char *key;
	json_t *job;
	json_object_foreach((json_t *)informer_items(c->jobs), key, job) {
		const json_t *ref = ctl_controller_ref(job);
		if (!ref || strcmp(json_string_value(json_object_get(ref, "uid")) ?: "", ctl_uid(cj)))
			continue;
		const char *done = finished_as(job);
		if (!done) {
			if (!ctl_terminating(job))
				json_array_append(j->active, job);
		} else if (!strcmp(done, "Complete")) {
			json_array_append(j->succeeded, job);
			long long t = time_parse_rfc3339(json_path_str(job, "status.completionTime"));
			if (t > j->last_success)
				j->last_success = t;
		} else {
			json_array_append(j->failed, job);
		}
	}
}

/* The latest scheduled time in (since, now], or -1; *next gets the first
 * one after now. */
static long long due_time(const struct cron_schedule *s, const char *tz, long long since, long long now,
			  long long *next, int *missed)
{
	long long t = since, last = -1;
	*missed = 0;
	while ((t = cron_next(s, tz, t)) >= 0 && t <= now) {
		last = t;
		if (++*missed > MAX_MISSED) { /* jump close to now */
			t = now - 60;
			*missed = MAX_MISSED;
		}
	}
	*next = t;
	return last;
}

static void write_status(struct cj_ctl *c, const json_t *cj, const struct cj_jobs *j, long long scheduled)
{
	json_t *st = json_deep_copy(json_object_get(cj, "status") ?: json_object());
	json_t *refs = json_array();
	size_t i;
	json_t *job;
	json_array_foreach(j->active, i, job)
		json_array_append_new(refs, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "apiVersion", "batch/v1", "kind", "Job",
						      "name", ctl_name(job), "namespace", ctl_ns(job), "uid", ctl_uid(job),
						      "resourceVersion",
						      json_path_str(job, "metadata.resourceVersion") ?: ""));
	if (json_array_size(refs))
		json_object_set(st, "active", refs);
	else
		json_object_del(st, "active");
	json_decref(refs);
	char when[32];
	if (scheduled > 0) {
		time_str(scheduled, when);
		json_object_set_new(st, "lastScheduleTime", json_string(when));
	}
	if (j->last_success > 0) {
		time_str(j->last_success, when);
		json_object_set_new(st, "lastSuccessfulTime", json_string(when));
	}
	if (!json_equal(st, json_object_get(cj, "status"))) {
		json_t *obj = json_deep_copy(cj);
		json_object_set(obj, "status", st);
		char path[600];
		api_update(&c->env->api,
			   api_path(path, sizeof path, "batch", "v1", "cronjobs", ctl_ns(cj), ctl_name(cj), "status"), obj,
			   NULL);
		json_decref(obj);
	}
	json_decref(st);
}

/* Starts the Job for `scheduled` under the concurrency policy; returns the
 * time recorded as lastScheduleTime (0: nothing started). */
static long long run_due(struct cj_ctl *c, const json_t *cj, struct cj_jobs *j, long long scheduled)
{
	const char *policy = json_path_str(cj, "spec.concurrencyPolicy") ?: "Allow";
	if (json_array_size(j->active) && !strcmp(policy, "Forbid"))
		return 0;
	if (!strcmp(policy, "Replace")) {
		size_t i;
		json_t *job;
		json_array_foreach(j->active, i, job) {
			ctl_event(c->env, cj, "batch/v1", "CronJob", "Normal", "SuccessfulDelete", "Deleted job %s",
				  ctl_name(job));
			delete_job(c, job);
		}
		json_array_clear(j->active);
	}
	char path[600];
	json_t *job = job_from_template(cj, scheduled), *ans = NULL;
	int code = api_create(&c->env->api, api_path(path, sizeof path, "batch", "v1", "jobs", ctl_ns(cj), NULL, NULL),
			      job, &ans);
	if (code == 201) {
		ctl_event(c->env, cj, "batch/v1", "CronJob", "Normal", "SuccessfulCreate", "Created job %s", ctl_name(ans));
		json_array_append(j->active, ans);
	} else if (code != 409) { /* 409: this run exists already */
		ctl_event(c->env, cj, "batch/v1", "CronJob", "Warning", "FailedCreate", "Error creating job: %s",
			  api_status_message(ans));
	}
	json_decref(ans);
	json_decref(job);
	return scheduled;
}

static int sync_cronjob_locked(struct cj_ctl *c, const json_t *cj)
{
	struct cron_schedule s;
	char err[256];
	if (cron_parse(json_path_str(cj, "spec.schedule") ?: "", &s, err, sizeof err)) {
		ctl_event(c->env, cj, "batch/v1", "CronJob", "Warning", "UnparseableSchedule", "unparseable schedule: %s",
			  err);
		return 0;
	}
	const char *tz = json_path_str(cj, "spec.timeZone");
	struct cj_jobs j = {0};
	collect(c, cj, &j);
	long long now = (long long)time(NULL);
	long long since = time_parse_rfc3339(json_path_str(cj, "status.lastScheduleTime"));
	if (since < 0)
		since = time_parse_rfc3339(json_path_str(cj, "metadata.creationTimestamp"));
	long long next = -1, scheduled = 0;
	int missed = 0;
	long long due = due_time(&s, tz, since, now, &next, &missed);
	const json_t *deadline = json_path(cj, "spec.startingDeadlineSeconds");
	bool too_late = due > 0 && json_is_integer(deadline) && now - due > json_integer_value(deadline);
	if (due > 0 && !json_is_true(json_path(cj, "spec.suspend")) && !too_late)
		scheduled = run_due(c, cj, &j, due);
	if (missed >= MAX_MISSED)
		ctl_event(c->env, cj, "batch/v1", "CronJob", "Warning", "TooManyMissedTimes",
			  "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
	trim_history(c, j.succeeded, json_integer_value(json_path(cj, "spec.successfulJobsHistoryLimit")));
	trim_history(c, j.failed, json_integer_value(json_path(cj, "spec.failedJobsHistoryLimit")));
	write_status(c, cj, &j, scheduled);
	json_decref(j.active);
	json_decref(j.succeeded);
	json_decref(j.failed);
	if (next < 0)
		return 0;
	long long wait_ms = (next - now) * 1000 + 100;
	return (int)(wait_ms > 3600000 ? 3600000 : wait_ms < 100 ? 100 : wait_ms);
}

static int sync_cronjob(void *ud, const char *ns, const char *name)
{
	struct cj_ctl *c = ud;
	const json_t *cj = informer_get(c->cronjobs, ns, name);
	if (!cj || ctl_terminating(cj))
		return 0;
	json_incref((json_t *)cj);
	int rc = sync_cronjob_locked(c, cj);
	json_decref((json_t *)cj);
	return rc;
}

int cronjob_controller_start(struct ctl_env *e)
{
	struct cj_ctl *c = ctl_alloc(e, sizeof *c);
	if (!c)
		return -1;
	c->env = e;
	c->cronjobs = ctl_informer(e, "batch", "cronjobs");
	c->jobs = ctl_informer(e, "batch", "jobs");
	c->queue = ctl_queue_new(e, "cronjob", sync_cronjob, c);
	if (!c->cronjobs || !c->jobs || !c->queue)
		return -1;
	informer_add_handler(c->cronjobs, on_cronjob, c);
	informer_add_handler(c->jobs, on_job, c);
	return 0;
}
