/* Informers over a real SQLite store: what each view keeps of an object
 * (and which objects an ownership view keeps at all),
 * name filters (objects of other names never reach the cache or the
 * handlers), and that updates and deletes reach the handlers. */
#include "storage/informer.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/jsonutil.h"
#include "tests/test.h"

static char test_dir[] = "/tmp/informer_test.XXXXXX";
static struct store *store;

static void put(const char *ns, const char *name, const char *extra_meta)
{
	char key[256], value[1024];
	snprintf(key, sizeof key, "/registry/core/configmaps/%s/%s", ns, name);
	snprintf(value, sizeof value,
		 "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"%s\","
		 "\"namespace\":\"%s\",\"uid\":\"uid-%s\",\"resourceVersion\":\"1\","
		 "\"labels\":{\"a\":\"b\"},\"annotations\":{\"big\":\"%0200d\"}%s},"
		 "\"data\":{\"payload\":\"%0400d\"}}",
		 name, ns, name, 0, extra_meta, 0);
	struct store_kv cur = {0};
	if (store_get(store, key, &cur) == 0)
		CHECK_INT(store_update(store, key, value, strlen(value), 0, NULL), 0);
	else
		CHECK_INT(store_create(store, key, value, strlen(value), NULL), 0);
	store_kv_clear(&cur);
}

struct seen {
	int creates, updates, deletes;
	char last[64];
};

static void on_change(void *ud, enum store_event_type type, const json_t *obj, const json_t *old)
{
	struct seen *s = ud;
	if (type == STORE_EVENT_CREATE)
		s->creates++;
	else if (type == STORE_EVENT_UPDATE) {
		s->updates++;
		CHECK(old != NULL);
	} else
		s->deletes++;
	snprintf(s->last, sizeof s->last, "%s", json_path_str(obj, "metadata.name") ?: "");
}

static void test_ownership_view_keeps_identity_only(void)
{
	put("default", "owned",
	    ",\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\","
	    "\"name\":\"rs\",\"uid\":\"u1\"}],\"finalizers\":[\"orphan\"]");
	struct informer_opts o = {INFORMER_OWNERSHIP, NULL};
	struct informer *inf = NULL;
	CHECK_INT(informer_new_opts(store, "/registry/core/configmaps/", &o, &inf), 0);
	const json_t *obj = informer_get(inf, "default", "owned");
	CHECK(obj != NULL);
	CHECK_STR(json_path_str(obj, "kind"), "ConfigMap");
	CHECK_STR(json_path_str(obj, "metadata.uid"), "uid-owned");
	CHECK_STR(json_path_str(obj, "metadata.resourceVersion"), "1");
	CHECK_INT(json_array_size(json_path(obj, "metadata.ownerReferences")), 1);
	CHECK_INT(json_array_size(json_path(obj, "metadata.finalizers")), 1);
	CHECK(json_path(obj, "data") == NULL);
	CHECK(json_path(obj, "metadata.annotations") == NULL);
	CHECK(json_path(obj, "metadata.labels") == NULL);

	/* Live updates are slimmed the same way. */
	struct seen s = {0};
	CHECK_INT(informer_add_handler(inf, on_change, &s), 0);
	int replayed = s.creates;
	put("default", "owned", ",\"deletionTimestamp\":\"2026-12-07T00:00:00Z\"");
	CHECK_INT(s.updates, 1);
	obj = informer_get(inf, "default", "owned");
	CHECK_STR(json_path_str(obj, "metadata.deletionTimestamp"), "2026-12-07T00:00:00Z");
	CHECK(json_path(obj, "data") == NULL);
	CHECK(replayed >= 1);

	/* Plain objects (no owners, finalizers or deletion) are heard, not kept. */
	int creates = s.creates;
	put("default", "plain", "");
	CHECK_INT(s.creates, creates + 1);
	CHECK_STR(s.last, "plain");
	CHECK(informer_get(inf, "default", "plain") == NULL);
	CHECK(informer_get(inf, "default", "owned") != NULL);
	informer_free(inf);
}

static void test_name_filter(void)
{
	put("ns1", "kube-root-ca.crt", "");
	put("ns2", "kube-root-ca.crt", "");
	put("ns1", "other", "");
	struct informer_opts o = {INFORMER_FULL, "kube-root-ca.crt"};
	struct informer *inf = NULL;
	CHECK_INT(informer_new_opts(store, "/registry/core/configmaps/", &o, &inf), 0);
	CHECK(informer_get(inf, "ns1", "kube-root-ca.crt") != NULL);
	CHECK(informer_get(inf, "ns2", "kube-root-ca.crt") != NULL);
	CHECK(informer_get(inf, "ns1", "other") == NULL);
	CHECK_INT(informer_count(inf), 2);
	/* A full view keeps the data. */
	CHECK(json_path(informer_get(inf, "ns1", "kube-root-ca.crt"), "data.payload") != NULL);

	struct seen s = {0};
	CHECK_INT(informer_add_handler(inf, on_change, &s), 0);
	CHECK_INT(s.creates, 2);
	put("ns3", "not-this-one", "");
	CHECK_INT(s.creates, 2);
	put("ns3", "kube-root-ca.crt", "");
	CHECK_INT(s.creates, 3);
	CHECK_STR(s.last, "kube-root-ca.crt");
	/* The name is matched whole, not as a suffix. */
	put("ns3", "x-kube-root-ca.crt", "");
	CHECK_INT(s.creates, 3);
	CHECK_INT(store_delete(store, "/registry/core/configmaps/ns3/kube-root-ca.crt", 0, NULL, NULL),
		  0);
	CHECK_INT(s.deletes, 1);
	CHECK(informer_get(inf, "ns3", "kube-root-ca.crt") == NULL);
	CHECK_STR(informer_name(inf), "kube-root-ca.crt");
	informer_free(inf);
}

static int rm_tree(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", test_dir);
	return system(cmd);
}

int main(void)
{
	if (!mkdtemp(test_dir)) {
		perror("mkdtemp");
		return 1;
	}
	char path[256], *err = NULL;
	snprintf(path, sizeof path, "%s/state.db", test_dir);
	if (store_open_sqlite(path, &store, &err)) {
		fprintf(stderr, "store: %s\n", err ? err : "?");
		free(err);
		rm_tree();
		return 1;
	}
	TEST_RUN(test_ownership_view_keeps_identity_only);
	TEST_RUN(test_name_filter);
	store_close(store);
	rm_tree();
	return test_summary();
}
