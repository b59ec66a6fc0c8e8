/* The Deployment controller's arithmetic and bookkeeping: how maxSurge and
 * maxUnavailable round, the pod-template hash, revision annotations (what
 * `kubectl rollout history/undo` read), how far a new ReplicaSet may grow,
 * proportional scaling shares and the condition rules. */
#include <errno.h>
#include <jansson.h>

#include "common/jsonutil.h"
#include "controllers/deployment.h"
#include "tests/test.h"

static json_t *deployment(const char *json)
{
	json_t *d = json_loads(json, 0, NULL);
	CHECK(d != NULL);
	return d;
}

static long long scaled(const char *v, long long total, bool up)
{
	json_t *j = json_loads(v, JSON_DECODE_ANY, NULL);
	long long out = -1;
	CHECK_INT(deploy_int_or_percent(j, total, up, &out), 0);
	json_decref(j);
	return out;
}

static void test_int_or_percent(void)
{
	CHECK_INT(scaled("\"25%\"", 10, true), 3);
	CHECK_INT(scaled("\"25%\"", 10, false), 2);
	CHECK_INT(scaled("\"100%\"", 7, false), 7);
	CHECK_INT(scaled("4", 10, true), 4);
	long long out;
	CHECK_INT(deploy_int_or_percent(NULL, 10, true, &out), 0);
	CHECK_INT(out, 0);
	json_t *bad = json_string("abc");
	CHECK_INT(deploy_int_or_percent(bad, 10, true, &out), -EINVAL);
	json_decref(bad);
	bad = json_string("%");
	CHECK_INT(deploy_int_or_percent(bad, 10, true, &out), -EINVAL);
	json_decref(bad);
}

static void fenceposts(const char *json, long long surge, long long unavailable)
{
	json_t *d = deployment(json);
	long long s = -1, u = -1;
	deploy_fenceposts(d, &s, &u);
	CHECK_INT(s, surge);
	CHECK_INT(u, unavailable);
	json_decref(d);
}

static void test_fenceposts(void)
{
	/* The defaults on 3 replicas: surge rounds up, unavailable down. */
	fenceposts(
	    "{\"spec\":{\"replicas\":3,\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":"
	    "{\"maxSurge\":\"25%\",\"maxUnavailable\":\"25%\"}}}}",
	    1, 0);
	fenceposts(
	    "{\"spec\":{\"replicas\":10,\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":"
	    "{\"maxSurge\":\"25%\",\"maxUnavailable\":\"25%\"}}}}",
	    3, 2);
	/* Both round to zero: one pod may be unavailable. */
	fenceposts(
	    "{\"spec\":{\"replicas\":3,\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":"
	    "{\"maxSurge\":0,\"maxUnavailable\":\"10%\"}}}}",
	    0, 1);
	/* Never more unavailable than replicas; none when scaled to zero. */
	fenceposts("{\"spec\":{\"replicas\":3,\"strategy\":{\"rollingUpdate\":{\"maxSurge\":1,"
		   "\"maxUnavailable\":5}}}}",
		   1, 3);
	fenceposts("{\"spec\":{\"replicas\":0,\"strategy\":{\"rollingUpdate\":{\"maxSurge\":1,"
		   "\"maxUnavailable\":1}}}}",
		   1, 0);
	fenceposts("{\"spec\":{\"replicas\":3,\"strategy\":{\"type\":\"Recreate\"}}}", 0, 0);
}

static void test_template_hash(void)
{
	json_t *a =
	    json_loads("{\"metadata\":{\"labels\":{\"app\":\"web\",\"tier\":\"x\"}},"
		       "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox:1\"}]}}",
		       0, NULL);
	json_t *same =
	    json_loads("{\"spec\":{\"containers\":[{\"image\":\"busybox:1\",\"name\":\"c\"}]},"
		       "\"metadata\":{\"labels\":{\"tier\":\"x\",\"app\":\"web\"}}}",
		       0, NULL);
	json_t *other =
	    json_loads("{\"metadata\":{\"labels\":{\"app\":\"web\",\"tier\":\"x\"}},"
		       "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox:2\"}]}}",
		       0, NULL);
	char h1[16], h2[16], h3[16], h4[16], h5[16];
	deploy_template_hash(a, NULL, h1);
	deploy_template_hash(same, NULL, h2);
	deploy_template_hash(other, NULL, h3);
	json_t *one = json_integer(1);
	deploy_template_hash(a, one, h4);
	deploy_template_hash(a, one, h5);
	CHECK_STR(h1, h2); /* key order does not matter */
	CHECK(strcmp(h1, h3) != 0);
	CHECK(strcmp(h1, h4) != 0); /* a collision count moves the name */
	CHECK_STR(h4, h5);
	CHECK(strlen(h1) > 0 && strspn(h1, "bcdfghjklmnpqrstvwxz2456789") == strlen(h1));
	json_decref(one);
	json_decref(a);
	json_decref(same);
	json_decref(other);
}

static const char *ann(const json_t *rs, const char *key)
{
	return json_string_value(json_object_get(json_path(rs, "metadata.annotations"), key));
}

static void test_revision_annotations(void)
{
	json_t *d = deployment(
	    "{\"metadata\":{\"annotations\":{\"kubernetes.io/change-cause\":\"v2\","
	    "\"kubectl.kubernetes.io/last-applied-configuration\":\"{}\","
	    "\"deployment.kubernetes.io/revision\":\"7\"}},"
	    "\"spec\":{\"replicas\":4,\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":"
	    "{\"maxSurge\":\"50%\",\"maxUnavailable\":1}}}}");
	json_t *rs = json_loads("{\"metadata\":{\"name\":\"web-abc\"}}", 0, NULL);
	CHECK(deploy_set_new_rs_annotations(d, rs, 1, false));
	CHECK_STR(ann(rs, DEPLOY_REVISION), "1");
	CHECK_STR(ann(rs, DEPLOY_DESIRED_REPLICAS), "4");
	CHECK_STR(ann(rs, DEPLOY_MAX_REPLICAS), "6");
	CHECK_STR(ann(rs, "kubernetes.io/change-cause"), "v2");
	CHECK(ann(rs, "kubectl.kubernetes.io/last-applied-configuration") == NULL);
	CHECK(ann(rs, DEPLOY_REVISION_HISTORY) == NULL);
	/* Nothing new: no write. */
	CHECK(!deploy_set_new_rs_annotations(d, rs, 1, true));
	CHECK_INT(deploy_revision(rs), 1);
	/* Rolled back to (rev 3), then again (rev 5): history keeps the old ones. */
	CHECK(deploy_set_new_rs_annotations(d, rs, 3, true));
	CHECK_STR(ann(rs, DEPLOY_REVISION), "3");
	CHECK_STR(ann(rs, DEPLOY_REVISION_HISTORY), "1");
	CHECK(deploy_set_new_rs_annotations(d, rs, 5, true));
	CHECK_STR(ann(rs, DEPLOY_REVISION_HISTORY), "1,3");
	CHECK_INT(deploy_revision(rs), 5);
	/* A lower revision never replaces a higher one. */
	CHECK(!deploy_set_new_rs_annotations(d, rs, 2, true));
	CHECK_INT(deploy_revision(rs), 5);
	json_decref(rs);
	json_decref(d);
}

static void test_new_rs_replicas(void)
{
	json_t *d =
	    deployment("{\"spec\":{\"replicas\":10,\"strategy\":{\"type\":\"RollingUpdate\","
		       "\"rollingUpdate\":{\"maxSurge\":3,\"maxUnavailable\":2}}}}");
	CHECK_INT(deploy_new_rs_replicas(d, 10, 0), 3);	 /* up to the surge */
	CHECK_INT(deploy_new_rs_replicas(d, 13, 3), 3);	 /* at the ceiling: wait */
	CHECK_INT(deploy_new_rs_replicas(d, 11, 8), 10); /* never past replicas */
	CHECK_INT(deploy_new_rs_replicas(d, 12, 9), 10);
	json_decref(d);
	d = deployment("{\"spec\":{\"replicas\":4,\"strategy\":{\"type\":\"Recreate\"}}}");
	CHECK_INT(deploy_new_rs_replicas(d, 4, 0), 4);
	json_decref(d);
}

static void test_proportion(void)
{
	/* rs of 5 made for a deployment of 10 (max 10), now 20: doubles. */
	CHECK_INT(deploy_proportion(5, 10, 20, 0, 10, 10, 0), 5);
	/* Bounded by what is left to add. */
	CHECK_INT(deploy_proportion(5, 10, 20, 0, 10, 10, 7), 3);
	/* Scaling to zero takes the whole ReplicaSet, bounded by the total. */
	CHECK_INT(deploy_proportion(5, 10, 0, 0, 10, -10, 0), -5);
	CHECK_INT(deploy_proportion(5, 10, 0, 0, 10, -3, 0), -3);
	/* No max-replicas annotation: the deployment's current size. */
	CHECK_INT(deploy_proportion(3, 0, 3, 0, 6, -3, 0), -1);
	/* Rounds half away from zero like math.Round. */
	CHECK_INT(deploy_proportion(1, 4, 6, 0, 4, 5, 0), 1);
	CHECK_INT(deploy_proportion(0, 4, 6, 0, 4, 5, 0), 0);
}

static void test_conditions(void)
{
	json_t *st = json_object();
	CHECK(deploy_condition_set(st, "Progressing", "True", "NewReplicaSetCreated", "Created",
				   "2026-01-01T00:00:00Z"));
	CHECK(!deploy_condition_set(st, "Progressing", "True", "NewReplicaSetCreated", "x",
				    "2026-01-01T00:00:05Z"));
	CHECK(deploy_condition_set(st, "Available", "False", "MinimumReplicasUnavailable", "no",
				   "2026-01-01T00:00:06Z"));
	CHECK(deploy_condition_set(st, "Progressing", "True", "NewReplicaSetAvailable", "done",
				   "2026-01-01T00:01:00Z"));
	json_t *p = deploy_condition_get(st, "Progressing");
	/* Same status, new reason: the transition time stays, the update moves. */
	CHECK_STR(json_string_value(json_object_get(p, "lastTransitionTime")),
		  "2026-01-01T00:00:00Z");
	CHECK_STR(json_string_value(json_object_get(p, "lastUpdateTime")), "2026-01-01T00:01:00Z");
	CHECK_STR(json_string_value(json_object_get(p, "message")), "done");
	/* Updated conditions go last, as upstream lists them. */
	CHECK_STR(json_string_value(json_object_get(
		      json_array_get(json_object_get(st, "conditions"), 1), "type")),
		  "Progressing");
	deploy_condition_remove(st, "Progressing");
	deploy_condition_remove(st, "Available");
	CHECK(json_object_get(st, "conditions") == NULL);
	json_decref(st);
}

int main(void)
{
	TEST_RUN(test_int_or_percent);
	TEST_RUN(test_fenceposts);
	TEST_RUN(test_template_hash);
	TEST_RUN(test_revision_annotations);
	TEST_RUN(test_new_rs_replicas);
	TEST_RUN(test_proportion);
	TEST_RUN(test_conditions);
	return test_summary();
}
