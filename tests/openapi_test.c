/* Tests for apiserver/openapi.c and the generated documents it serves: the v3
 * index names every served group-version with the hash of its document, each
 * document is self-contained JSON, and each kind carries what kubectl looks for
 * (GVK-tagged schemas for explain, a patch op with fieldValidation for apply). */
#include "apiserver/openapi.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/embed.h"
#include "tests/test.h"

struct kind {
	const char *gv_path, *group, *version, *kind;
	bool patchable; /* Binding and Eviction are create-only subresources */
};

static const struct kind kinds[] = {
    {"api/v1", "", "v1", "Namespace", true},
    {"api/v1", "", "v1", "Pod", true},
    {"api/v1", "", "v1", "Node", true},
    {"api/v1", "", "v1", "Service", true},
    {"api/v1", "", "v1", "Endpoints", true},
    {"api/v1", "", "v1", "ConfigMap", true},
    {"api/v1", "", "v1", "Secret", true},
    {"api/v1", "", "v1", "ServiceAccount", true},
    {"api/v1", "", "v1", "Event", true},
    {"api/v1", "", "v1", "PersistentVolume", true},
    {"api/v1", "", "v1", "PersistentVolumeClaim", true},
    {"api/v1", "", "v1", "Binding", false},
    {"apis/apps/v1", "apps", "v1", "Deployment", true},
    {"apis/apps/v1", "apps", "v1", "ReplicaSet", true},
    {"apis/apps/v1", "apps", "v1", "DaemonSet", true},
    {"apis/apps/v1", "apps", "v1", "StatefulSet", true},
    {"apis/batch/v1", "batch", "v1", "Job", true},
    {"apis/batch/v1", "batch", "v1", "CronJob", true},
    {"apis/coordination.k8s.io/v1", "coordination.k8s.io", "v1", "Lease", true},
    {"apis/scheduling.k8s.io/v1", "scheduling.k8s.io", "v1", "PriorityClass", true},
    {"apis/storage.k8s.io/v1", "storage.k8s.io", "v1", "StorageClass", true},
    {"apis/discovery.k8s.io/v1", "discovery.k8s.io", "v1", "EndpointSlice", true},
    {"apis/events.k8s.io/v1", "events.k8s.io", "v1", "Event", true},
    {"apis/policy/v1", "policy", "v1", "PodDisruptionBudget", true},
    {"apis/policy/v1", "policy", "v1", "Eviction", false},
    {"apis/autoscaling/v1", "autoscaling", "v1", "Scale", true},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static json_t *load(const struct openapi_doc *d)
{
	json_error_t err;
	json_t *j = json_loadb(d->data, d->len, 0, &err);
	if (!j)
		fprintf(stderr, "parse error: %s at line %d\n", err.text, err.line);
	return j;
}

static json_t *load_gv(const char *gv_path)
{
	struct openapi_doc d;
	if (openapi_v3_group_version(gv_path, &d) != 0)
		return NULL;
	json_t *j = load(&d);
	openapi_doc_clear(&d);
	return j;
}

static bool gvk_equal(json_t *gvk, const struct kind *k)
{
	return json_is_object(gvk) && json_is_string(json_object_get(gvk, "group")) &&
	       !strcmp(json_string_value(json_object_get(gvk, "group")), k->group) &&
	       !strcmp(json_string_value(json_object_get(gvk, "version")), k->version) &&
	       !strcmp(json_string_value(json_object_get(gvk, "kind")), k->kind);
}

static void test_index_lists_every_gv_with_its_hash(void)
{
	struct openapi_doc idx;
	CHECK_INT(openapi_v3_index(&idx), 0);
	CHECK_STR(idx.content_type, "application/json");
	json_t *j = load(&idx);
	CHECK(j != NULL);
	json_t *paths = json_object_get(j, "paths");
	for (size_t i = 0; i < NKINDS; i++) {
		const char *url = json_string_value(
		    json_object_get(json_object_get(paths, kinds[i].gv_path), "serverRelativeURL"));
		struct openapi_doc d;
		CHECK_INT(openapi_v3_group_version(kinds[i].gv_path, &d), 0);
		char want[256];
		snprintf(want, sizeof want, "/openapi/v3/%s?hash=%s", kinds[i].gv_path, d.hash);
		CHECK_STR(url, want);
		openapi_doc_clear(&d);
	}
	json_decref(j);
	openapi_doc_clear(&idx);
}

static void test_etag_is_quoted_uppercase_hash(void)
{
	struct openapi_doc d;
	CHECK_INT(openapi_v3_group_version("apis/apps/v1", &d), 0);
	CHECK_INT(strlen(d.hash), OPENAPI_HASH_LEN);
	CHECK(strspn(d.hash, "0123456789ABCDEF") == OPENAPI_HASH_LEN);
	CHECK(d.etag == d.etag_buf);
	CHECK_INT(strlen(d.etag), OPENAPI_HASH_LEN + 2);
	CHECK(d.etag[0] == '"' && d.etag[OPENAPI_HASH_LEN + 1] == '"');
	CHECK(!strncmp(d.etag + 1, d.hash, OPENAPI_HASH_LEN));
	/* Stable across calls, different across documents. */
	struct openapi_doc again, core;
	CHECK_INT(openapi_v3_group_version("apis/apps/v1", &again), 0);
	CHECK_STR(again.etag, d.etag);
	CHECK_INT(openapi_v3_group_version("api/v1", &core), 0);
	CHECK(strcmp(core.etag, d.etag) != 0);
	openapi_doc_clear(&d);
	openapi_doc_clear(&again);
	openapi_doc_clear(&core);
	/* Known answer: sha256("abc") starts with ba7816bf8f01cfea414140de5dae2223. */
	char h[OPENAPI_HASH_LEN + 1];
	CHECK_INT(openapi_hash("abc", 3, h), 0);
	CHECK_STR(h, "BA7816BF8F01CFEA414140DE5DAE2223");
}

static void test_unknown_or_malformed_gv_is_enoent(void)
{
	static const char *bad[] = {
	    "",		  "api",	   "api/",	   "api/v2",	 "apis/apps",
	    "apis/apps/", "apis/apps/v2",  "apis//v1",	   "/api/v1",	 "api/v1/",
	    "apis/../v1", "api/../api/v1", "apis/APPS/v1", "api/v1?x=1", "apis/apps/v1/extra",
	};
	struct openapi_doc d;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = openapi_v3_group_version(bad[i], &d);
		if (rc != -ENOENT)
			fprintf(stderr, "gv %s: rc=%d\n", bad[i], rc);
		CHECK_INT(rc, -ENOENT);
	}
	CHECK_INT(openapi_v3_group_version(NULL, &d), -ENOENT);
	char longp[600];
	memset(longp, 'a', sizeof longp - 1);
	longp[sizeof longp - 1] = '\0';
	memcpy(longp, "apis/", 5);
	CHECK_INT(openapi_v3_group_version(longp, &d), -ENOENT);
}

/* Every "$ref" names a schema under prefix that exists in schemas. */
static int count_dangling(json_t *node, json_t *schemas, const char *prefix)
{
	int bad = 0;
	if (json_is_object(node)) {
		const char *k;
		json_t *v;
		json_object_foreach(node, k, v)
		{
			if (!strcmp(k, "$ref") && json_is_string(v)) {
				const char *r = json_string_value(v);
				size_t n = strlen(prefix);
				if (strncmp(r, prefix, n) != 0 ||
				    !json_object_get(schemas, r + n)) {
					fprintf(stderr, "dangling $ref %s\n", r);
					bad++;
				}
			} else {
				bad += count_dangling(v, schemas, prefix);
			}
		}
	} else if (json_is_array(node)) {
		size_t i;
		json_t *v;
		json_array_foreach(node, i, v) bad += count_dangling(v, schemas, prefix);
	}
	return bad;
}

static void test_gv_docs_parse_and_refs_resolve(void)
{
	for (size_t i = 0; i < NKINDS; i++) {
		if (i > 0 && !strcmp(kinds[i].gv_path, kinds[i - 1].gv_path))
			continue;
		json_t *j = load_gv(kinds[i].gv_path);
		CHECK(j != NULL);
		CHECK_STR(json_string_value(json_object_get(j, "openapi")), "3.0.0");
		json_t *schemas = json_object_get(json_object_get(j, "components"), "schemas");
		CHECK(json_object_size(schemas) > 0);
		CHECK_INT(count_dangling(j, schemas, "#/components/schemas/"), 0);
		json_decref(j);
	}
}

static json_t *schema_with_gvk(json_t *schemas, const struct kind *k)
{
	const char *name;
	json_t *s;
	json_object_foreach(schemas, name, s)
	{
		size_t i;
		json_t *gvk;
		json_array_foreach(json_object_get(s, "x-kubernetes-group-version-kind"), i,
				   gvk) if (gvk_equal(gvk, k)) return s;
	}
	return NULL;
}

static bool has_query_param(json_t *op, const char *name)
{
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(op, "parameters"), i, p)
	{
		const char *n = json_string_value(json_object_get(p, "name"));
		const char *in = json_string_value(json_object_get(p, "in"));
		if (n && in && !strcmp(n, name) && !strcmp(in, "query"))
			return true;
	}
	return false;
}

/* The operation kubectl's validation probe looks for: any path whose `method`
 * op names this GVK and takes fieldValidation. */
static json_t *find_op(json_t *paths, const struct kind *k, const char *method)
{
	const char *p;
	json_t *item;
	json_object_foreach(paths, p, item)
	{
		json_t *op = json_object_get(item, method);
		if (op && gvk_equal(json_object_get(op, "x-kubernetes-group-version-kind"), k) &&
		    has_query_param(op, "fieldValidation"))
			return op;
	}
	return NULL;
}

static void test_each_kind_has_gvk_schema_and_write_op(void)
{
	for (size_t i = 0; i < NKINDS; i++) {
		const struct kind *k = &kinds[i];
		json_t *j = load_gv(k->gv_path);
		json_t *schemas = json_object_get(json_object_get(j, "components"), "schemas");
		json_t *s = schema_with_gvk(schemas, k);
		if (!s)
			fprintf(stderr, "no schema for %s/%s\n", k->gv_path, k->kind);
		CHECK(s != NULL);
		CHECK(json_object_get(json_object_get(s, "properties"), "apiVersion") != NULL);
		json_t *paths = json_object_get(j, "paths");
		json_t *op = find_op(paths, k, k->patchable ? "patch" : "post");
		if (!op)
			fprintf(stderr, "no write op for %s/%s\n", k->gv_path, k->kind);
		CHECK(op != NULL);
		if (op && k->patchable) {
			CHECK_STR(json_string_value(json_object_get(op, "x-kubernetes-action")),
				  "patch");
			json_t *content =
			    json_object_get(json_object_get(op, "requestBody"), "content");
			CHECK(json_object_get(content, "application/strategic-merge-patch+json") !=
			      NULL);
			CHECK(json_object_get(content, "application/apply-patch+yaml") != NULL);
			CHECK(has_query_param(op, "dryRun") &&
			      has_query_param(op, "fieldManager") && has_query_param(op, "force"));
		}
		json_decref(j);
	}
}

static json_t *prop(json_t *schemas, const char *schema, const char *field)
{
	return json_object_get(json_object_get(json_object_get(schemas, schema), "properties"),
			       field);
}

static const char *str_at(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void test_strategic_merge_metadata(void)
{
	json_t *j = load_gv("apis/apps/v1");
	json_t *s = json_object_get(json_object_get(j, "components"), "schemas");
	json_t *containers = prop(s, "io.k8s.api.core.v1.PodSpec", "containers");
	CHECK_STR(str_at(containers, "x-kubernetes-patch-merge-key"), "name");
	CHECK_STR(str_at(containers, "x-kubernetes-patch-strategy"), "merge");
	CHECK_STR(
	    str_at(prop(s, "io.k8s.api.core.v1.PodSpec", "volumes"), "x-kubernetes-patch-strategy"),
	    "merge,retainKeys");
	CHECK(!json_object_get(prop(s, "io.k8s.api.core.v1.PodSpec", "tolerations"),
			       "x-kubernetes-patch-strategy"));
	CHECK_STR(str_at(prop(s, "io.k8s.api.core.v1.Container", "ports"),
			 "x-kubernetes-patch-merge-key"),
		  "containerPort");
	CHECK_STR(
	    str_at(prop(s, "io.k8s.api.core.v1.Container", "env"), "x-kubernetes-patch-merge-key"),
	    "name");
	CHECK_STR(
	    str_at(prop(s, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "ownerReferences"),
		   "x-kubernetes-patch-merge-key"),
	    "uid");
	CHECK_STR(str_at(prop(s, "io.k8s.api.apps.v1.DeploymentSpec", "strategy"),
			 "x-kubernetes-patch-strategy"),
		  "retainKeys");
	/* required comes from the python model setters */
	json_t *req = json_object_get(json_object_get(s, "io.k8s.api.core.v1.PodSpec"), "required");
	CHECK(json_is_array(req) && json_array_size(req) == 1 &&
	      !strcmp(json_string_value(json_array_get(req, 0)), "containers"));
	json_decref(j);
}

static void test_scalar_types_and_newer_fields(void)
{
	json_t *j = load_gv("apis/apps/v1");
	json_t *s = json_object_get(json_object_get(j, "components"), "schemas");
	json_t *ios = json_object_get(s, "io.k8s.apimachinery.pkg.util.intstr.IntOrString");
	CHECK_STR(str_at(ios, "type"), "string");
	CHECK_STR(str_at(ios, "format"), "int-or-string");
	CHECK_STR(
	    str_at(json_object_get(s, "io.k8s.apimachinery.pkg.api.resource.Quantity"), "type"),
	    "string");
	CHECK_STR(str_at(json_object_get(s, "io.k8s.apimachinery.pkg.apis.meta.v1.Time"), "format"),
		  "date-time");
	/* 1.23+ fields a 1.32 manifest may carry */
	CHECK(prop(s, "io.k8s.api.core.v1.PodSpec", "hostUsers") != NULL);
	CHECK(prop(s, "io.k8s.api.core.v1.PodSpec", "schedulingGates") != NULL);
	CHECK(prop(s, "io.k8s.api.core.v1.Container", "restartPolicy") != NULL);
	CHECK(prop(s, "io.k8s.api.apps.v1.StatefulSetSpec",
		   "persistentVolumeClaimRetentionPolicy") != NULL);
	/* explain needs descriptions */
	CHECK(str_at(prop(s, "io.k8s.api.apps.v1.DeploymentSpec", "strategy"), "description") !=
	      NULL);
	json_decref(j);
}

static void test_v2_is_swagger_with_definitions(void)
{
	struct openapi_doc d;
	CHECK_INT(openapi_v2(1, &d), -ENOENT);
	CHECK_INT(openapi_v2(0, &d), 0);
	CHECK_STR(d.content_type, "application/json");
	json_t *j = load(&d);
	CHECK(j != NULL);
	CHECK_STR(str_at(j, "swagger"), "2.0");
	json_t *defs = json_object_get(j, "definitions");
	CHECK_INT(count_dangling(j, defs, "#/definitions/"), 0);
	for (size_t i = 0; i < NKINDS; i++)
		CHECK(schema_with_gvk(defs, &kinds[i]) != NULL);
	json_decref(j);
	openapi_doc_clear(&d);
}

/* The documents are stored compressed: each inflates to the length recorded
 * at build time, NUL-terminated, and a corrupt stream is refused. */
static void test_embedded_files_inflate(void)
{
	size_t n = 0;
	for (const struct embedded_file *f = embedded_files; f->name; f++, n++) {
		char *buf = NULL;
		size_t len = 0;
		CHECK_INT(embed_read(f, &buf, &len), 0);
		CHECK(len == f->len && buf && buf[len] == '\0');
		CHECK(f->gz_len < f->len);
		free(buf);
	}
	CHECK(n >= 11);
	const struct embedded_file *v2 = embed_find("openapi_v2.json");
	CHECK(v2 != NULL);
	unsigned char *bad = malloc(v2->gz_len);
	memcpy(bad, v2->gz, v2->gz_len);
	bad[v2->gz_len / 2] ^= 0x55;
	struct embedded_file corrupt = {v2->name, bad, v2->gz_len, v2->len};
	char *buf = NULL;
	size_t len = 0;
	CHECK_INT(embed_read(&corrupt, &buf, &len), -EIO);
	CHECK(buf == NULL);
	corrupt.gz_len = v2->gz_len / 2; /* truncated */
	CHECK_INT(embed_read(&corrupt, &buf, &len), -EIO);
	free(bad);
}

int main(void)
{
	TEST_RUN(test_index_lists_every_gv_with_its_hash);
	TEST_RUN(test_etag_is_quoted_uppercase_hash);
	TEST_RUN(test_unknown_or_malformed_gv_is_enoent);
	TEST_RUN(test_gv_docs_parse_and_refs_resolve);
	TEST_RUN(test_each_kind_has_gvk_schema_and_write_op);
	TEST_RUN(test_strategic_merge_metadata);
	TEST_RUN(test_scalar_types_and_newer_fields);
	TEST_RUN(test_v2_is_swagger_with_definitions);
	TEST_RUN(test_embedded_files_inflate);
	return test_summary();
}
