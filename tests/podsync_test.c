/* Unit tests of the pod worker's pure parts (agent/podstatus.c, the naming
 * helpers of agent/sandbox.c): phase, container states, conditions,
 * back-off, runtime container ids and labels. The end-to-end behaviour is in
 * conformance/agent_pods_test.sh. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "agent/podsync.h"
#include "test.h"

static struct ctr_view running(const char *name)
{
	return (struct ctr_view){.name = name, .state = CV_RUNNING, .started_ns = 1700000000e9};
}

static struct ctr_view exited(const char *name, int code)
{
	return (struct ctr_view){.name = name,
				 .state = CV_TERMINATED,
				 .exit_code = code,
				 .reason = podstatus_term_reason(code, false),
				 .started_ns = 1700000000e9,
				 .finished_ns = 1700000005e9};
}

static struct ctr_view waiting(const char *name, const char *reason)
{
	return (struct ctr_view){.name = name, .state = CV_WAITING, .reason = reason};
}

static void test_restart_policy(void)
{
	json_t *pod = json_pack("{s:{s:s}}", "spec", "restartPolicy", "Never");
	CHECK_STR(podstatus_restart_policy(pod), "Never");
	json_object_set_new(json_object_get(pod, "spec"), "restartPolicy", json_integer(3));
	CHECK_STR(podstatus_restart_policy(pod), "Always");
	CHECK_STR(podstatus_restart_policy(NULL), "Always");
	CHECK(podstatus_should_restart("Always", 0));
	CHECK(!podstatus_should_restart("OnFailure", 0));
	CHECK(podstatus_should_restart("OnFailure", 2));
	CHECK(!podstatus_should_restart("Never", 2));
	json_decref(pod);
}

static void test_phase(void)
{
	struct ctr_view a[2] = {running("a"), waiting("b", "ContainerCreating")};
	CHECK_STR(podstatus_phase("Always", NULL, 0, a, 2), "Pending");
	a[1] = running("b");
	CHECK_STR(podstatus_phase("Always", NULL, 0, a, 2), "Running");
	a[0] = exited("a", 0);
	a[1] = exited("b", 3);
	CHECK_STR(podstatus_phase("Never", NULL, 0, a, 2), "Failed");
	CHECK_STR(podstatus_phase("OnFailure", NULL, 0, a, 2), "Running");
	CHECK_STR(podstatus_phase("Always", NULL, 0, a, 2), "Running");
	a[1] = exited("b", 0);
	CHECK_STR(podstatus_phase("Never", NULL, 0, a, 2), "Succeeded");
	CHECK_STR(podstatus_phase("OnFailure", NULL, 0, a, 2), "Succeeded");
	CHECK_STR(podstatus_phase("Never", NULL, 0, a, 0), "Pending");
}

static void test_phase_crashloop_is_running(void)
{
	json_t *last = json_pack("{s:{s:i}}", "terminated", "exitCode", 1);
	struct ctr_view a = waiting("a", "CrashLoopBackOff");
	a.last_state = last;
	a.restart_count = 2;
	CHECK_STR(podstatus_phase("Always", NULL, 0, &a, 1), "Running");
	json_decref(last);
}

static void test_phase_init(void)
{
	struct ctr_view init[2] = {exited("i1", 0), running("i2")};
	struct ctr_view app = waiting("a", "PodInitializing");
	CHECK(!podstatus_initialized(init, 2, &app, 1));
	CHECK_STR(podstatus_phase("Always", init, 2, &app, 1), "Pending");
	init[1] = exited("i2", 1);
	CHECK_STR(podstatus_phase("Never", init, 2, &app, 1), "Failed");
	CHECK_STR(podstatus_phase("OnFailure", init, 2, &app, 1), "Pending");
	init[1] = exited("i2", 0);
	CHECK(podstatus_initialized(init, 2, &app, 1));
	app = running("a");
	CHECK_STR(podstatus_phase("Never", init, 2, &app, 1), "Running");
}

static const char *cond(const json_t *conds, const char *type, const char *field)
{
	size_t i;
	json_t *c;
	json_array_foreach(conds, i, c)
	{
		if (!strcmp(json_string_value(json_object_get(c, "type")), type))
			return json_string_value(json_object_get(c, field));
	}
	return NULL;
}

static struct ctr_view sidecar(struct ctr_view v)
{
	v.sidecar = true;
	return v;
}

/* Init containers in order, sidecars let the next one start once started. */
static void test_init_next_sidecars(void)
{
	json_t *last = json_pack("{s:{s:i}}", "terminated", "exitCode", 1);
	struct ctr_view init[3] = {sidecar(waiting("s1", "PodInitializing")),
				   waiting("i2", "PodInitializing"),
				   sidecar(waiting("s3", "PodInitializing"))};
	struct ctr_view app = waiting("a", "PodInitializing");
	CHECK_INT(podstatus_init_next(init, 3, &app, 1), 0); /* nothing ran: the first */
	init[0] = sidecar(running("s1"));
	init[0].not_started = true; /* its startup probe has not passed */
	CHECK_INT(podstatus_init_next(init, 3, &app, 1), 0);
	init[0].not_started = false;
	CHECK_INT(podstatus_init_next(init, 3, &app, 1), 1); /* started: not waited for to exit */
	init[1] = running("i2");
	CHECK_INT(podstatus_init_next(init, 3, &app, 1), 1); /* a regular one runs to completion */
	init[1] = exited("i2", 1);
	CHECK_INT(podstatus_init_next(init, 3, &app, 1), 1);
	init[1] = exited("i2", 0);
	CHECK_INT(podstatus_init_next(init, 3, &app, 1), 2);
	init[2] = sidecar(running("s3"));
	CHECK_INT(podstatus_init_next(init, 3, &app, 1), 3); /* initialized */
	/* A sidecar that crashed after the next ones ran holds nothing back. */
	init[0] = sidecar(waiting("s1", "CrashLoopBackOff"));
	init[0].last_state = last;
	init[0].restart_count = 1;
	CHECK_INT(podstatus_init_next(init, 3, &app, 1), 3);
	/* The last one crashed before the apps ran: it is waited for again. */
	init[2] = init[0];
	CHECK_INT(podstatus_init_next(init, 3, &app, 1), 2);
	CHECK(!podstatus_initialized(init, 3, &app, 1));
	/* Once an app container ran, the pod stays initialized. */
	app = running("a");
	CHECK_INT(podstatus_init_next(init, 3, &app, 1), 3);
	CHECK(podstatus_initialized(init, 3, &app, 1));
	json_decref(last);
}

/* The phase and conditions with sidecars (the kubelet's getPhase). */
static void test_phase_sidecars(void)
{
	json_t *last = json_pack("{s:{s:i}}", "terminated", "exitCode", 137);
	struct ctr_view init[2] = {exited("setup", 0), sidecar(running("proxy"))};
	struct ctr_view app = waiting("a", "PodInitializing");
	CHECK(podstatus_initialized(init, 2, &app, 1)); /* the sidecar started */
	CHECK_STR(podstatus_phase("Never", init, 2, &app, 1), "Pending");
	app = running("a");
	CHECK_STR(podstatus_phase("Never", init, 2, &app, 1), "Running");
	json_t *c = podstatus_conditions("Running", init, 2, &app, 1, NULL, "T");
	CHECK_STR(cond(c, "Initialized", "status"), "True");
	CHECK_STR(cond(c, "Ready", "status"), "True");
	json_decref(c);
	/* The pod is Ready only with its sidecars ready. */
	init[1].not_ready = true;
	c = podstatus_conditions("Running", init, 2, &app, 1, NULL, "T");
	CHECK_STR(cond(c, "Ready", "status"), "False");
	CHECK_STR(cond(c, "ContainersReady", "status"), "False");
	CHECK_STR(cond(c, "Initialized", "status"), "True");
	json_decref(c);
	json_t *s = podstatus_container(&init[1], true);
	CHECK(json_is_false(json_object_get(s, "ready")));
	CHECK(json_is_true(json_object_get(s, "started")));
	json_decref(s);
	init[1].not_ready = false;
	s = podstatus_container(&init[1], true);
	CHECK(json_is_true(json_object_get(s, "ready"))); /* running, no readiness probe */
	json_decref(s);
	/* The app completed while the sidecar runs: Running, then Succeeded
	 * (or Failed) once the sidecar was stopped, whatever its exit code. */
	app = exited("a", 0);
	CHECK_STR(podstatus_phase("Never", init, 2, &app, 1), "Running");
	init[1] = sidecar(exited("proxy", 143));
	CHECK_STR(podstatus_phase("Never", init, 2, &app, 1), "Succeeded");
	CHECK_STR(podstatus_phase("OnFailure", init, 2, &app, 1), "Succeeded");
	app = exited("a", 2);
	CHECK_STR(podstatus_phase("Never", init, 2, &app, 1), "Failed");
	/* A sidecar restarting beside a running app: still Running, initialized. */
	app = running("a");
	init[1] = sidecar(waiting("proxy", "CrashLoopBackOff"));
	init[1].last_state = last;
	init[1].restart_count = 1;
	CHECK_STR(podstatus_phase("Always", init, 2, &app, 1), "Running");
	CHECK(podstatus_initialized(init, 2, &app, 1));
	c = podstatus_conditions("Running", init, 2, &app, 1, NULL, "T");
	CHECK_STR(cond(c, "Ready", "status"), "False");
	json_decref(c);
	/* A sidecar not started yet keeps the pod Pending and not initialized. */
	app = waiting("a", "PodInitializing");
	init[1] = sidecar(running("proxy"));
	init[1].not_started = true;
	CHECK_STR(podstatus_phase("Always", init, 2, &app, 1), "Pending");
	CHECK(!podstatus_initialized(init, 2, &app, 1));
	/* An init container failed for good: Failed, and not Initialized (so
	 * kubectl shows Init:Error, not the app's PodInitializing). */
	init[0] = exited("setup", 4);
	init[1] = sidecar(exited("proxy", 0));
	CHECK_STR(podstatus_phase("Never", init, 2, &app, 1), "Failed");
	c = podstatus_conditions("Failed", init, 2, &app, 1, NULL, "T");
	CHECK_STR(cond(c, "Initialized", "status"), "False");
	json_decref(c);
	json_decref(last);
}

static void test_container_status(void)
{
	struct ctr_view v = exited("main", 3);
	v.image = "busybox:test";
	v.container_id = "minikube://x";
	json_t *c = podstatus_container(&v, false);
	json_t *t = json_object_get(json_object_get(c, "state"), "terminated");
	CHECK_INT(json_integer_value(json_object_get(t, "exitCode")), 3);
	CHECK_STR(json_string_value(json_object_get(t, "reason")), "Error");
	CHECK_STR(json_string_value(json_object_get(t, "startedAt")), "2023-11-14T22:13:20Z");
	CHECK_STR(json_string_value(json_object_get(t, "finishedAt")), "2023-11-14T22:13:25Z");
	CHECK(json_is_false(json_object_get(c, "ready")));
	CHECK(json_is_false(json_object_get(c, "started")));
	CHECK_STR(json_string_value(json_object_get(c, "containerID")), "minikube://x");
	CHECK(json_object_size(json_object_get(c, "lastState")) == 0);
	json_decref(c);

	v = running("main");
	c = podstatus_container(&v, false);
	CHECK(json_is_true(json_object_get(c, "ready")));
	CHECK(json_object_get(json_object_get(c, "state"), "running") != NULL);
	CHECK_STR(json_string_value(json_object_get(c, "image")), "");
	json_decref(c);

	v = waiting("main", "CrashLoopBackOff");
	v.message = "back-off 10s";
	v.restart_count = 4;
	c = podstatus_container(&v, false);
	json_t *w = json_object_get(json_object_get(c, "state"), "waiting");
	CHECK_STR(json_string_value(json_object_get(w, "reason")), "CrashLoopBackOff");
	CHECK_STR(json_string_value(json_object_get(w, "message")), "back-off 10s");
	CHECK_INT(json_integer_value(json_object_get(c, "restartCount")), 4);
	json_decref(c);

	CHECK_STR(podstatus_term_reason(137, true), "OOMKilled");
	CHECK_STR(podstatus_term_reason(0, false), "Completed");
	v = exited("init", 0);
	c = podstatus_container(&v, true);
	CHECK(json_is_true(json_object_get(c, "ready"))); /* a completed init container */
	json_decref(c);
}

static void test_conditions(void)
{
	struct ctr_view a = running("a");
	json_t *c1 = podstatus_conditions("Running", NULL, 0, &a, 1, NULL, "T1");
	CHECK_STR(cond(c1, "Ready", "status"), "True");
	CHECK_STR(cond(c1, "ContainersReady", "status"), "True");
	CHECK_STR(cond(c1, "Initialized", "status"), "True");
	CHECK_STR(cond(c1, "PodScheduled", "status"), "True");
	CHECK_STR(cond(c1, "Ready", "lastTransitionTime"), "T1");
	/* Same status: the time is kept; a change takes the new time. */
	a = exited("a", 0);
	json_t *c2 = podstatus_conditions("Succeeded", NULL, 0, &a, 1, c1, "T2");
	CHECK_STR(cond(c2, "Ready", "status"), "False");
	CHECK_STR(cond(c2, "Ready", "reason"), "PodCompleted");
	CHECK_STR(cond(c2, "Ready", "lastTransitionTime"), "T2");
	CHECK_STR(cond(c2, "PodScheduled", "lastTransitionTime"), "T1");
	json_decref(c1);
	json_decref(c2);
}

static void test_backoff(void)
{
	uint64_t b = 0;
	b = podstatus_backoff_next(b);
	CHECK_INT(b, 10000);
	b = podstatus_backoff_next(b);
	CHECK_INT(b, 20000);
	for (int i = 0; i < 10; i++)
		b = podstatus_backoff_next(b);
	CHECK_INT(b, 300000);
}

static void test_ids_and_labels(void)
{
	const char *uid = "fd61abdc-636e-4f0c-8300-f2a8849d9c8b";
	char id[RT_ID_MAX + 1], id2[RT_ID_MAX + 1], label[256], u[64], kind[16], name[64];
	int attempt = -1;
	CHECK_INT(sandbox_container_id(uid, "sandbox", "", 0, id, sizeof id), 0);
	CHECK_STR(id, "fd61abdc-636e-4f0c-8300-f2a8849d9c8b-s0");
	CHECK_INT(sandbox_container_id(uid, "app",
				       "a-very-long-container-name-of-sixty-three-"
				       "characters-xxxxxxxxxxxxxxx",
				       12345, id, sizeof id),
		  0);
	CHECK(strlen(id) <= RT_ID_MAX);
	CHECK_INT(sandbox_container_id(uid, "app", "main", 1, id, sizeof id), 0);
	CHECK_INT(sandbox_container_id(uid, "init", "main", 1, id2, sizeof id2), 0);
	CHECK(strcmp(id, id2) != 0); /* init and app containers may share a name */
	CHECK_INT(sandbox_container_id("../etc", "app", "x", 0, id, sizeof id), -EINVAL);
	CHECK_INT(sandbox_container_id("", "app", "x", 0, id, sizeof id), -EINVAL);
	CHECK_INT(sandbox_container_id(NULL, "app", "x", 0, id, sizeof id), -EINVAL);

	sandbox_label(uid, "init", "setup", 7, label, sizeof label);
	CHECK_INT(sandbox_label_parse(label, u, kind, name, &attempt), 0);
	CHECK_STR(u, uid);
	CHECK_STR(kind, "init");
	CHECK_STR(name, "setup");
	CHECK_INT(attempt, 7);
	CHECK_INT(sandbox_label_parse("busybox", u, kind, name, &attempt), -EINVAL);
	CHECK_INT(sandbox_label_parse(PODSYNC_LABEL " x y", u, kind, name, &attempt), -EINVAL);
	CHECK_INT(sandbox_label_parse(PODSYNC_LABEL " x y -1 z", u, kind, name, &attempt), -EINVAL);
}

int main(void)
{
	TEST_RUN(test_restart_policy);
	TEST_RUN(test_phase);
	TEST_RUN(test_phase_crashloop_is_running);
	TEST_RUN(test_phase_init);
	TEST_RUN(test_init_next_sidecars);
	TEST_RUN(test_phase_sidecars);
	TEST_RUN(test_container_status);
	TEST_RUN(test_conditions);
	TEST_RUN(test_backoff);
	TEST_RUN(test_ids_and_labels);
	return test_summary();
}
