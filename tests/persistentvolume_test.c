/* Unit tests for the PersistentVolume binder's matching rules and the
 * local-path volume shape (controllers/persistentvolume.h), the
 * DefaultStorageClass admission (apiserver/admission.h) and the agent's
 * reclaim guard (agent/localpath.h). */
#include <jansson.h>
#include <stdlib.h>

#include "agent/localpath.h"
#include "apiserver/admission.h"
#include "common/jsonutil.h"
#include "controllers/persistentvolume.h"
#include "tests/test.h"

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, 0, &e);
	if (!v)
		fprintf(stderr, "bad test JSON: %s: %s\n", e.text, text);
	return v;
}

static void merge(json_t *into, const char *text)
{
	json_t *v = J(text);
	json_object_update(into, v);
	json_decref(v);
}

/* A PV: name, class, size, modes (JSON array text), extra spec fields (JSON
 * object text, merged), phase. */
static json_t *pv(const char *name, const char *cls, const char *size, const char *modes,
		  const char *extra, const char *phase)
{
	char buf[2048];
	snprintf(buf, sizeof buf,
		 "{\"metadata\":{\"name\":\"%s\",\"labels\":{\"tier\":\"fast\"}},\"spec\":{"
		 "\"storageClassName\":\"%s\","
		 "\"capacity\":{\"storage\":\"%s\"},\"accessModes\":%s,\"hostPath\":{\"path\":\"/"
		 "srv/%s\"}},"
		 "\"status\":{\"phase\":\"%s\"}}",
		 name, cls, size, modes, name, phase);
	json_t *o = J(buf);
	if (extra)
		merge(json_object_get(o, "spec"), extra);
	return o;
}

static json_t *claim(const char *cls, const char *size, const char *modes, const char *extra)
{
	char buf[2048];
	snprintf(buf, sizeof buf,
		 "{\"metadata\":{\"name\":\"data\",\"namespace\":\"apps\",\"uid\":\"u-1\","
		 "\"resourceVersion\":\"7\"},"
		 "\"spec\":{%s%s%s\"accessModes\":%s,\"resources\":{\"requests\":{\"storage\":\"%"
		 "s\"}}}}",
		 cls ? "\"storageClassName\":\"" : "", cls ? cls : "", cls ? "\"," : "", modes,
		 size);
	json_t *o = J(buf);
	if (extra)
		merge(json_object_get(o, "spec"), extra);
	return o;
}

static void test_basic_fit(void)
{
	json_t *c = claim("", "1Gi", "[\"ReadWriteOnce\"]", NULL);
	json_t *ok = pv("a", "", "2Gi", "[\"ReadWriteOnce\",\"ReadOnlyMany\"]", NULL, "Available");
	CHECK(pv_matches_claim(ok, c, NULL));
	json_t *small = pv("b", "", "512Mi", "[\"ReadWriteOnce\"]", NULL, "Available");
	CHECK(!pv_matches_claim(small, c, NULL)); /* capacity below the request */
	json_t *modes = pv("c", "", "2Gi", "[\"ReadOnlyMany\"]", NULL, "Available");
	CHECK(!pv_matches_claim(modes, c, NULL)); /* not a superset of the claim's modes */
	json_t *cls = pv("d", "fast", "2Gi", "[\"ReadWriteOnce\"]", NULL, "Available");
	CHECK(!pv_matches_claim(cls, c, NULL)); /* "" claims only class-less volumes */
	json_t *released = pv("e", "", "2Gi", "[\"ReadWriteOnce\"]", NULL, "Released");
	CHECK(!pv_matches_claim(released, c, NULL));
	json_t *block =
	    pv("f", "", "2Gi", "[\"ReadWriteOnce\"]", "{\"volumeMode\":\"Block\"}", "Available");
	CHECK(!pv_matches_claim(block, c, NULL)); /* volumeMode must agree (Filesystem implied) */
	json_t *exact = pv("g", "", "1Gi", "[\"ReadWriteOnce\"]", NULL, "Available");
	CHECK(pv_matches_claim(exact, c, NULL)); /* equal size fits */
	json_t *bad = pv("h", "", "lots", "[\"ReadWriteOnce\"]", NULL, "Available");
	CHECK(!pv_matches_claim(bad, c, NULL)); /* an unparsable capacity never fits */
	CHECK(!pv_matches_claim(NULL, c, NULL));
	CHECK(!pv_matches_claim(ok, NULL, NULL));
	json_decref(c), json_decref(ok), json_decref(small), json_decref(modes), json_decref(cls);
	json_decref(released), json_decref(block), json_decref(exact), json_decref(bad);
}

static void test_smallest_fit(void)
{
	json_t *c = claim("", "1Gi", "[\"ReadWriteOnce\"]", NULL);
	json_t *pvs = json_array();
	json_array_append_new(pvs, pv("big", "", "10Gi", "[\"ReadWriteOnce\"]", NULL, "Available"));
	json_array_append_new(pvs, pv("mid", "", "2Gi", "[\"ReadWriteOnce\"]", NULL, "Available"));
	json_array_append_new(pvs,
			      pv("tiny", "", "100Mi", "[\"ReadWriteOnce\"]", NULL, "Available"));
	json_array_append_new(
	    pvs, pv("taken", "", "1Gi", "[\"ReadWriteOnce\"]",
		    "{\"claimRef\":{\"namespace\":\"apps\",\"name\":\"other\",\"uid\":\"u-9\"}}",
		    "Bound"));
	const json_t *best = pv_find_best(pvs, c, NULL);
	CHECK_STR(json_path_str(best, "metadata.name"), "mid");
	/* the same over an informer-style object keyed by store key */
	json_t *byname = json_object();
	size_t i;
	json_t *v;
	json_array_foreach(pvs, i, v) json_object_set(byname, json_path_str(v, "metadata.name"), v);
	CHECK_STR(json_path_str(pv_find_best(byname, c, NULL), "metadata.name"), "mid");
	json_t *huge = claim("", "100Gi", "[\"ReadWriteOnce\"]", NULL);
	CHECK(pv_find_best(pvs, huge, NULL) == NULL);
	json_decref(c), json_decref(pvs), json_decref(byname), json_decref(huge);
}

static void test_prebinding(void)
{
	json_t *c = claim("", "1Gi", "[\"ReadWriteOnce\"]", NULL);
	json_t *pvs = json_array();
	json_array_append_new(pvs,
			      pv("small-fit", "", "1Gi", "[\"ReadWriteOnce\"]", NULL, "Available"));
	/* claimRef to this claim (without uid: a pre-binding by the admin) wins over a smaller fit
	 */
	json_array_append_new(pvs, pv("promised", "", "5Gi", "[\"ReadWriteOnce\"]",
				      "{\"claimRef\":{\"namespace\":\"apps\",\"name\":\"data\"}}",
				      "Available"));
	CHECK_STR(json_path_str(pv_find_best(pvs, c, NULL), "metadata.name"), "promised");
	/* a claimRef whose uid is another claim's (an old claim of the same name) does not */
	json_t *stale =
	    pv("stale", "", "1Gi", "[\"ReadWriteOnce\"]",
	       "{\"claimRef\":{\"namespace\":\"apps\",\"name\":\"data\",\"uid\":\"old\"}}",
	       "Released");
	CHECK(!pv_matches_claim(stale, c, NULL));
	/* the claim's volumeName restricts it to that volume */
	json_t *named = claim("", "1Gi", "[\"ReadWriteOnce\"]", "{\"volumeName\":\"small-fit\"}");
	CHECK_STR(json_path_str(pv_find_best(pvs, named, NULL), "metadata.name"), "small-fit");
	json_t *named2 = claim("", "1Gi", "[\"ReadWriteOnce\"]", "{\"volumeName\":\"nope\"}");
	CHECK(pv_find_best(pvs, named2, NULL) == NULL);
	json_decref(c), json_decref(pvs), json_decref(stale), json_decref(named),
	    json_decref(named2);
}

static void test_selector_and_node(void)
{
	json_t *sel = claim("", "1Gi", "[\"ReadWriteOnce\"]",
			    "{\"selector\":{\"matchLabels\":{\"tier\":\"slow\"}}}");
	json_t *v = pv("a", "", "2Gi", "[\"ReadWriteOnce\"]", NULL, "Available");
	CHECK(!pv_matches_claim(v, sel, NULL)); /* labels tier=fast */
	json_t *sel2 =
	    claim("", "1Gi", "[\"ReadWriteOnce\"]",
		  "{\"selector\":{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"In\","
		  "\"values\":[\"fast\"]}]}}");
	CHECK(pv_matches_claim(v, sel2, NULL));
	json_t *pinned =
	    pv("p", "local", "2Gi", "[\"ReadWriteOnce\"]",
	       "{\"nodeAffinity\":{\"required\":{\"nodeSelectorTerms\":[{\"matchExpressions\":[{"
	       "\"key\":"
	       "\"kubernetes.io/hostname\",\"operator\":\"In\",\"values\":[\"n1\"]}]}]}}}",
	       "Available");
	json_t *c = claim("local", "1Gi", "[\"ReadWriteOnce\"]", NULL);
	json_t *n1 =
	    J("{\"metadata\":{\"name\":\"n1\",\"labels\":{\"kubernetes.io/hostname\":\"n1\"}}}");
	json_t *n2 =
	    J("{\"metadata\":{\"name\":\"n2\",\"labels\":{\"kubernetes.io/hostname\":\"n2\"}}}");
	CHECK(pv_matches_claim(pinned, c, n1));
	CHECK(!pv_matches_claim(pinned, c, n2));  /* WaitForFirstConsumer on another node */
	CHECK(pv_matches_claim(pinned, c, NULL)); /* Immediate: no node to check */
	json_decref(sel), json_decref(v), json_decref(sel2), json_decref(pinned), json_decref(c);
	json_decref(n1), json_decref(n2);
}

static void test_classes(void)
{
	json_t *beta = J(
	    "{\"metadata\":{\"annotations\":{\"volume.beta.kubernetes.io/storage-class\":\"old\"}},"
	    "\"spec\":{}}");
	CHECK_STR(pv_claim_class(beta), "old");
	json_t *none = J("{\"spec\":{}}");
	CHECK_STR(pv_claim_class(none), "");
	json_decref(beta), json_decref(none);
}

static void test_local_path_volume(void)
{
	json_t *c = claim("local-path", "64Mi", "[\"ReadWriteOnce\"]", NULL);
	json_t *sc =
	    J("{\"metadata\":{\"name\":\"local-path\"},\"provisioner\":\"rancher.io/local-path\","
	      "\"reclaimPolicy\":\"Retain\"}");
	json_t *v = pv_local_path_volume(c, sc, "n1", "n1-host", "/var/lib/minikube/storage");
	CHECK_STR(json_path_str(v, "metadata.name"), "pvc-u-1");
	CHECK_STR(json_path_str(v, "spec.hostPath.path"),
		  "/var/lib/minikube/storage/pvc-u-1_apps_data");
	CHECK_STR(json_path_str(v, "spec.hostPath.type"), "DirectoryOrCreate");
	CHECK_STR(json_path_str(v, "spec.capacity.storage"), "64Mi");
	CHECK_STR(json_path_str(v, "spec.persistentVolumeReclaimPolicy"), "Retain");
	CHECK_STR(json_path_str(v, "spec.storageClassName"), "local-path");
	CHECK_STR(json_path_str(v, "spec.claimRef.uid"), "u-1");
	CHECK_STR(json_string_value(
		      json_object_get(json_path(v, "metadata.annotations"), PV_ANN_PROVISIONED_BY)),
		  "rancher.io/local-path");
	json_t *term =
	    json_array_get(json_path(v, "spec.nodeAffinity.required.nodeSelectorTerms"), 0);
	json_t *ex = json_array_get(json_object_get(term, "matchExpressions"), 0);
	CHECK_STR(json_string_value(json_array_get(json_object_get(ex, "values"), 0)), "n1-host");
	/* the volume it makes fits the claim it was made for, on that node */
	json_t *node = J(
	    "{\"metadata\":{\"name\":\"n1\",\"labels\":{\"kubernetes.io/hostname\":\"n1-host\"}}}");
	CHECK(pv_matches_claim(v, c, node));
	json_t *nouid = J("{\"metadata\":{\"name\":\"x\"},\"spec\":{\"resources\":{\"requests\":{"
			  "\"storage\":\"1\"}}}}");
	CHECK(pv_local_path_volume(nouid, sc, "n1", NULL, "/s") == NULL);
	json_decref(c), json_decref(sc), json_decref(v), json_decref(node), json_decref(nouid);
}

static void test_default_storage_class(void)
{
	json_t *classes =
	    J("[{\"metadata\":{\"name\":\"plain\",\"creationTimestamp\":\"2026-01-03T00:00:00Z\"}},"
	      "{\"metadata\":{\"name\":\"old-default\",\"creationTimestamp\":\"2026-01-01T00:00:"
	      "00Z\","
	      "\"annotations\":{\"storageclass.kubernetes.io/is-default-class\":\"true\"}}},"
	      "{\"metadata\":{\"name\":\"new-default\",\"creationTimestamp\":\"2026-01-02T00:00:"
	      "00Z\","
	      "\"annotations\":{\"storageclass.beta.kubernetes.io/is-default-class\":\"true\"}}},"
	      "{\"metadata\":{\"name\":\"not\",\"creationTimestamp\":\"2026-01-04T00:00:00Z\","
	      "\"annotations\":{\"storageclass.kubernetes.io/is-default-class\":\"false\"}}}]");
	json_t *c = claim(NULL, "1Gi", "[\"ReadWriteOnce\"]", NULL);
	CHECK_STR(admission_default_storage_class(c, classes),
		  "new-default"); /* the newest default */
	CHECK_STR(json_path_str(c, "spec.storageClassName"), "new-default");
	json_t *empty = claim("", "1Gi", "[\"ReadWriteOnce\"]", NULL);
	CHECK(admission_default_storage_class(empty, classes) == NULL); /* "" means no class */
	CHECK_STR(json_path_str(empty, "spec.storageClassName"), "");
	json_t *set = claim("plain", "1Gi", "[\"ReadWriteOnce\"]", NULL);
	CHECK(admission_default_storage_class(set, classes) == NULL);
	CHECK_STR(json_path_str(set, "spec.storageClassName"), "plain");
	json_t *nodef = J("[{\"metadata\":{\"name\":\"plain\"}}]");
	json_t *c2 = claim(NULL, "1Gi", "[\"ReadWriteOnce\"]", NULL);
	CHECK(admission_default_storage_class(c2, nodef) == NULL);
	CHECK(json_path(c2, "spec.storageClassName") == NULL);
	json_decref(classes), json_decref(c), json_decref(empty), json_decref(set),
	    json_decref(nodef);
	json_decref(c2);
}

static json_t *released(const char *name, const char *path, const char *node)
{
	char buf[2048];
	snprintf(
	    buf, sizeof buf,
	    "{\"metadata\":{\"name\":\"%s\",\"annotations\":{\"pv.kubernetes.io/provisioned-by\":"
	    "\"rancher.io/"
	    "local-path\"}},\"spec\":{\"persistentVolumeReclaimPolicy\":\"Delete\",\"hostPath\":"
	    "{\"path\":\"%s\"},\"nodeAffinity\":{\"required\":{\"nodeSelectorTerms\":[{"
	    "\"matchExpressions\":"
	    "[{\"key\":\"kubernetes.io/hostname\",\"operator\":\"In\",\"values\":[\"%s\"]}]}]}}},"
	    "\"status\":{\"phase\":\"Released\"}}",
	    name, path, node);
	return J(buf);
}

static void test_reclaim_guard(void)
{
	char path[256];
	json_t *v = released("pvc-1", "/var/lib/minikube/storage/pvc-1_ns_data", "n1");
	CHECK(localpath_reclaimable(v, "n1", path, sizeof path));
	CHECK_STR(path, "/var/lib/minikube/storage/pvc-1_ns_data");
	CHECK(!localpath_reclaimable(v, "n2", path, sizeof path)); /* another node's */
	json_object_set_new(json_object_get(v, "status"), "phase", json_string("Bound"));
	CHECK(!localpath_reclaimable(v, "n1", path, sizeof path)); /* still in use */
	json_decref(v);
	static const char *const unsafe[] = {
	    "/", "/var/lib", "/srv/pvc-2_x", "relative/pvc-1", "/a/../pvc-1", "/a/pvc-10"};
	for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
		v = released("pvc-1", unsafe[i], "n1");
		CHECK(!localpath_reclaimable(v, "n1", path, sizeof path));
		json_decref(v);
	}
	v = released("pvc-1", "/srv/pvc-1", "n1");
	CHECK(localpath_reclaimable(v, "n1", path, sizeof path));
	json_object_set_new(json_object_get(v, "spec"), "persistentVolumeReclaimPolicy",
			    json_string("Retain"));
	CHECK(!localpath_reclaimable(v, "n1", path, sizeof path));
	json_decref(v);
	v = released("static", "/srv/static", "n1");
	CHECK(!localpath_reclaimable(v, "n1", path, sizeof path)); /* not a provisioned name */
	json_decref(v);
}

int main(void)
{
	TEST_RUN(test_basic_fit);
	TEST_RUN(test_smallest_fit);
	TEST_RUN(test_prebinding);
	TEST_RUN(test_selector_and_node);
	TEST_RUN(test_classes);
	TEST_RUN(test_local_path_volume);
	TEST_RUN(test_default_storage_class);
	TEST_RUN(test_reclaim_guard);
	return test_summary();
}
