/* Tests for apiserver/patch.c: JSON patch, merge patch and strategic merge
 * patch, including the bodies kubectl apply/edit send and vectors ported
 * from upstream's strategicpatch tests (three-way patch applied to the live
 * object). */
#include "apiserver/patch.h"
#include "tests/test.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Parses a fixture; NULL (and a failed check) when the fixture is broken. */
static json_t *J(const char *s)
{
	json_error_t e;
	json_t *v = json_loads(s, JSON_DECODE_ANY, &e);
	if (!v)
		fprintf(stderr, "bad fixture: %s: %s\n", e.text, s);
	CHECK(v != NULL);
	return v;
}

/* Whether got equals the JSON text want (object key order ignored, list
 * order significant); prints both when not. */
static bool json_matches(const json_t *got, const char *want)
{
	json_t *w = J(want);
	bool ok = got && w && json_equal(got, w);
	if (!ok) {
		char *g = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		fprintf(stderr, "  got:  %s\n  want: %s\n", g ? g : "(null)", want);
		free(g);
	}
	json_decref(w);
	return ok;
}

/* No key anywhere in v starts with '$' (directives never reach the output). */
static bool no_directives(const json_t *v)
{
	const char *k;
	json_t *m;
	size_t i;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, m)
		{
			if (k[0] == '$' || !no_directives(m))
				return false;
		}
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, m)
		{
			if (!no_directives(m))
				return false;
		}
	}
	return true;
}

/* Applies a strategic patch given as text; NULL on error (err filled). */
static json_t *smp(const char *group, const char *kind, const char *doc, const char *patch,
		   char *err, size_t errlen)
{
	json_t *d = J(doc), *p = J(patch);
	json_t *out = patch_strategic(group, kind, d, p, err, errlen);
	json_decref(d);
	json_decref(p);
	return out;
}

static void check_smp(const char *group, const char *kind, const char *doc, const char *patch,
		      const char *want)
{
	char err[512] = "";
	json_t *out = smp(group, kind, doc, patch, err, sizeof err);
	if (!out)
		fprintf(stderr, "  error: %s\n  patch: %s\n", err, patch);
	CHECK(json_matches(out, want));
	CHECK(no_directives(out));
	json_decref(out);
}

/* The patch fails and the message contains needle. */
static void check_smp_error(const char *group, const char *kind, const char *doc, const char *patch,
			    const char *needle)
{
	char err[512] = "";
	json_t *out = smp(group, kind, doc, patch, err, sizeof err);
	CHECK(out == NULL);
	if (!strstr(err, needle))
		fprintf(stderr, "  error \"%s\" lacks \"%s\"\n", err, needle);
	CHECK(strstr(err, needle) != NULL);
	json_decref(out);
}

static json_t *jpatch(const char *doc, const char *ops, char *err, size_t errlen)
{
	json_t *d = J(doc), *o = J(ops);
	json_t *out = patch_json(d, o, err, errlen);
	json_decref(d);
	json_decref(o);
	return out;
}

static void check_jpatch_error(const char *doc, const char *ops, const char *needle)
{
	char err[512] = "";
	json_t *out = jpatch(doc, ops, err, sizeof err);
	CHECK(out == NULL);
	if (!strstr(err, needle))
		fprintf(stderr, "  error \"%s\" lacks \"%s\"\n", err, needle);
	CHECK(strstr(err, needle) != NULL);
	json_decref(out);
}

/* A chain of n nested objects {"a":{"a":...1...}} as JSON text; caller frees. */
static char *nested_json(int n)
{
	char *s = malloc((size_t)n * 6 + 8), *w = s;
	for (int i = 0; i < n; i++)
		w += sprintf(w, "{\"a\":");
	*w++ = '1';
	for (int i = 0; i < n; i++)
		*w++ = '}';
	*w = '\0';
	return s;
}

/* ---- JSON patch -------------------------------------------------------- */

static void test_json_patch_ops(void)
{
	char err[256] = "";
	json_t *out = jpatch("{\"a\":{\"b\":[1,2]},\"c\":\"x\"}",
			     "[{\"op\":\"add\",\"path\":\"/a/b/-\",\"value\":3},"
			     "{\"op\":\"add\",\"path\":\"/a/b/0\",\"value\":0},"
			     "{\"op\":\"remove\",\"path\":\"/c\"},"
			     "{\"op\":\"replace\",\"path\":\"/a/b/1\",\"value\":9},"
			     "{\"op\":\"copy\",\"from\":\"/a/b\",\"path\":\"/d\"},"
			     "{\"op\":\"move\",\"from\":\"/d\",\"path\":\"/e\"},"
			     "{\"op\":\"test\",\"path\":\"/e\",\"value\":[0,9,2,3]},"
			     "{\"op\":\"test\",\"path\":\"/e/1\",\"value\":9.0}]",
			     err, sizeof err);
	CHECK_STR(err, "");
	CHECK(json_matches(out, "{\"a\":{\"b\":[0,9,2,3]},\"e\":[0,9,2,3]}"));
	json_decref(out);
}

static void test_json_patch_pointer_escapes(void)
{
	char err[256] = "";
	json_t *out =
	    jpatch("{\"metadata\":{\"annotations\":{\"a/b\":\"1\",\"c~d\":\"2\",\"\":\"e\"}}}",
		   "[{\"op\":\"replace\",\"path\":\"/metadata/annotations/a~1b\",\"value\":\"x\"},"
		   "{\"op\":\"remove\",\"path\":\"/metadata/annotations/c~0d\"},"
		   "{\"op\":\"test\",\"path\":\"/metadata/annotations/\",\"value\":\"e\"},"
		   "{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"k\":\"v\"}}]",
		   err, sizeof err);
	CHECK_STR(err, "");
	CHECK(json_matches(out, "{\"metadata\":{\"annotations\":{\"a/"
				"b\":\"x\",\"\":\"e\"},\"labels\":{\"k\":\"v\"}}}"));
	json_decref(out);
}

static void test_json_patch_root(void)
{
	char err[256] = "";
	json_t *out =
	    jpatch("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":{\"b\":2}}]", err,
		   sizeof err);
	CHECK(json_matches(out, "{\"b\":2}"));
	json_decref(out);
	out = jpatch("{\"a\":1}", "[]", err, sizeof err);
	CHECK(json_matches(out, "{\"a\":1}"));
	json_decref(out);
}

static void test_json_patch_errors(void)
{
	const char *doc = "{\"a\":{\"b\":[1,2]},\"c\":\"x\"}";
	check_jpatch_error(doc, "[{\"op\":\"frobnicate\",\"path\":\"/a\"}]",
			   "Unexpected kind: frobnicate");
	check_jpatch_error(doc, "[{\"path\":\"/a\"}]", "no \"op\"");
	check_jpatch_error(doc, "[{\"op\":\"add\",\"value\":1}]",
			   "add operation missing path field");
	check_jpatch_error(doc, "[{\"op\":\"add\",\"path\":\"/z\"}]", "missing value field");
	check_jpatch_error(doc, "[{\"op\":\"remove\",\"path\":\"/nope\"}]",
			   "remove operation does not apply: doc is missing path: \"/nope\"");
	check_jpatch_error(doc, "[{\"op\":\"replace\",\"path\":\"/nope\",\"value\":1}]",
			   "replace operation does not apply: doc is missing key: /nope");
	check_jpatch_error(doc, "[{\"op\":\"add\",\"path\":\"/x/y\",\"value\":1}]",
			   "add operation does not apply: doc is missing path: \"/x/y\"");
	check_jpatch_error(doc, "[{\"op\":\"add\",\"path\":\"/a/b/3\",\"value\":1}]",
			   "invalid index");
	check_jpatch_error(doc, "[{\"op\":\"add\",\"path\":\"/a/b/01\",\"value\":1}]",
			   "invalid index");
	check_jpatch_error(doc, "[{\"op\":\"add\",\"path\":\"/a/b/-1\",\"value\":1}]",
			   "invalid index");
	check_jpatch_error(doc, "[{\"op\":\"remove\",\"path\":\"/a/b/2\"}]",
			   "remove operation does not apply");
	check_jpatch_error(doc, "[{\"op\":\"replace\",\"path\":\"/a/b/-\",\"value\":1}]",
			   "missing key");
	check_jpatch_error(doc, "[{\"op\":\"test\",\"path\":\"/c\",\"value\":\"y\"}]",
			   "testing value /c failed: test failed");
	check_jpatch_error(doc, "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b/0\"}]",
			   "own child");
	check_jpatch_error(doc, "[{\"op\":\"move\",\"from\":\"/q\",\"path\":\"/r\"}]",
			   "move operation does not apply: doc is missing from path: /q");
	check_jpatch_error(doc, "[{\"op\":\"copy\",\"path\":\"/r\"}]",
			   "copy operation missing from field");
	check_jpatch_error(doc, "[{\"op\":\"remove\",\"path\":\"a\"}]",
			   "must be empty or start with");
	check_jpatch_error(doc, "[{\"op\":\"remove\",\"path\":\"/a~2\"}]", "invalid escape");
	check_jpatch_error(doc, "[{\"op\":\"remove\",\"path\":\"\"}]",
			   "remove operation does not apply");
	check_jpatch_error(doc, "{\"op\":\"remove\",\"path\":\"/a\"}",
			   "expected a list of operations");
	check_jpatch_error(doc, "[1]", "no \"op\"");
	/* a failing operation leaves nothing half-applied behind */
	json_t *d = J(doc),
	       *ops =
		   J("[{\"op\":\"remove\",\"path\":\"/c\"},{\"op\":\"remove\",\"path\":\"/c\"}]");
	char err[256];
	CHECK(patch_json(d, ops, err, sizeof err) == NULL);
	CHECK(json_matches(d, doc));
	CHECK(patch_json(NULL, ops, err, sizeof err) == NULL);
	json_decref(d);
	json_decref(ops);
}

static void test_json_patch_limits(void)
{
	char err[256] = "";
	/* too many operations */
	json_t *ops = json_array();
	for (int i = 0; i < 10001; i++)
		json_array_append_new(
		    ops, json_pack("{s:s,s:s,s:i}", "op", "add", "path", "/a", "value", i));
	json_t *doc = J("{}");
	CHECK(patch_json(doc, ops, err, sizeof err) == NULL);
	CHECK(strstr(err, "maximum operations in a JSON patch is 10000") != NULL);
	json_decref(ops);
	/* copying the document into a list inside itself doubles it each time */
	ops = json_array();
	for (int i = 0; i < 60; i++)
		json_array_append_new(
		    ops, json_pack("{s:s,s:s,s:s}", "op", "copy", "from", "", "path", "/x/-"));
	json_object_set_new(doc, "x", J("[1,2,3,4,5,6,7,8]"));
	json_t *out = patch_json(doc, ops, err, sizeof err);
	CHECK(out == NULL);
	CHECK(strstr(err, "Unable to complete the copy") != NULL);
	json_decref(out);
	json_decref(ops);
	/* ... and nesting a value deeper than the bound is refused */
	ops = json_array();
	for (int i = 0; i < 200; i++)
		json_array_append_new(
		    ops, json_pack("{s:s,s:s,s:s}", "op", "copy", "from", "", "path", "/y"));
	out = patch_json(doc, ops, err, sizeof err);
	CHECK(out == NULL);
	CHECK(strstr(err, "deeper than 128") != NULL);
	json_decref(out);
	json_decref(ops);
	/* a pointer deeper than any document may be */
	char path[1024] = "";
	for (int i = 0; i < 200; i++)
		strcat(path, "/a");
	ops = json_pack("[{s:s,s:s,s:i}]", "op", "add", "path", path, "value", 1);
	CHECK(patch_json(doc, ops, err, sizeof err) == NULL);
	CHECK(strstr(err, "tokens") != NULL);
	json_decref(ops);
	json_decref(doc);
}

/* ---- merge patch ------------------------------------------------------- */

/* RFC 7386 appendix A. */
static void test_merge_patch_rfc_examples(void)
{
	static const char *const cases[][3] = {
	    {"{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
	    {"{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}"},
	    {"{\"a\":\"b\"}", "{\"a\":null}", "{}"},
	    {"{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}"},
	    {"{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
	    {"{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}"},
	    {"{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}"},
	    {"{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}"},
	    {"[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]"},
	    {"{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]"},
	    {"{\"a\":\"foo\"}", "null", "null"},
	    {"{\"a\":\"foo\"}", "\"bar\"", "\"bar\""},
	    {"{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}"},
	    {"[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}"},
	    {"{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char err[256] = "";
		json_t *d = J(cases[i][0]), *p = J(cases[i][1]);
		json_t *out = patch_merge(d, p, err, sizeof err);
		if (!json_matches(out, cases[i][2]))
			fprintf(stderr, "  RFC 7386 case %zu\n", i);
		CHECK(json_matches(out, cases[i][2]));
		CHECK(json_matches(d, cases[i][0])); /* input untouched */
		json_decref(out);
		json_decref(d);
		json_decref(p);
	}
}

static void test_merge_patch_limits(void)
{
	char err[256] = "";
	char *deep = nested_json(300);
	json_t *doc = J("{}"), *p = J(deep);
	CHECK(patch_merge(doc, p, err, sizeof err) == NULL);
	CHECK(strstr(err, "deeper") != NULL);
	CHECK(patch_merge(doc, NULL, err, sizeof err) == NULL);
	json_decref(doc);
	json_decref(p);
	free(deep);
}

/* ---- strategic merge patch: what kubectl sends ------------------------- */

static const char deploy[] =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
    "\"metadata\":{\"name\":\"web\",\"namespace\":\"default\",\"labels\":{\"app\":\"web\"},"
    "\"annotations\":{\"deployment.kubernetes.io/revision\":\"1\"},\"finalizers\":[\"f1\"],"
    "\"resourceVersion\":\"105\"},"
    "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
    "\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":\"25%\","
    "\"maxUnavailable\":\"25%\"}},"
    "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":["
    "{\"name\":\"web\",\"image\":\"nginx:1.27\",\"ports\":[{\"containerPort\":80,\"protocol\":"
    "\"TCP\"}],"
    "\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}]},"
    "{\"name\":\"sidecar\",\"image\":\"busybox\",\"args\":[\"sleep\",\"3600\"]}],"
    "\"tolerations\":[{\"key\":\"x\",\"operator\":\"Exists\"}],\"restartPolicy\":\"Always\"}}},"
    "\"status\":{\"replicas\":2,\"conditions\":[{\"type\":\"Available\",\"status\":\"True\"},"
    "{\"type\":\"Progressing\",\"status\":\"True\"}]}}";

/* deploy with one path replaced by a JSON value: the expected results below
 * differ from deploy in one place, which keeps them readable. */
static char *deploy_with(const char *dotted, const char *value)
{
	json_t *d = J(deploy), *cur = d;
	char path[256];
	snprintf(path, sizeof path, "%s", dotted);
	char *save = NULL, *tok = strtok_r(path, ".", &save), *next;
	for (; tok && (next = strtok_r(NULL, ".", &save)); tok = next)
		cur = tok[0] >= '0' && tok[0] <= '9' ? json_array_get(cur, (size_t)atoi(tok))
						     : json_object_get(cur, tok);
	json_t *v = value ? J(value) : NULL;
	if (!v)
		json_object_del(cur, tok);
	else if (json_is_array(cur))
		json_array_set_new(cur, (size_t)atoi(tok), v);
	else
		json_object_set_new(cur, tok, v);
	char *s = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	return s;
}

static void test_smp_kubectl_apply_body(void)
{
	/* the shape the brief and kubectl-traces.md show, verbatim */
	check_smp(
	    "apps", "Deployment",
	    "{\"metadata\":{\"name\":\"d\",\"annotations\":{\"old\":\"1\"}},\"spec\":{\"replicas\":"
	    "1,"
	    "\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"old\"}]}}}}",
	    "{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/"
	    "last-applied-configuration\":\"{}\\n\"}},"
	    "\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"a\"}],"
	    "\"containers\":[{\"image\":\"x\",\"name\":\"a\"}]}}}}",
	    "{\"metadata\":{\"name\":\"d\",\"annotations\":{\"old\":\"1\","
	    "\"kubectl.kubernetes.io/"
	    "last-applied-configuration\":\"{}\\n\"}},\"spec\":{\"replicas\":1,"
	    "\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x\"}]}}}}");
}

/* One container's image changes; the other container, the env, ports and
 * every other field stay as they are. */
static void test_smp_change_one_image(void)
{
	char *want = deploy_with("spec.template.spec.containers.0.image", "\"nginx:1.28\"");
	check_smp("apps", "Deployment", deploy,
		  "{\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/"
		  "containers\":[{\"name\":\"web\"},"
		  "{\"name\":\"sidecar\"}],\"containers\":[{\"image\":\"nginx:1.28\",\"name\":"
		  "\"web\"}]}}}}",
		  want);
	free(want);
	/* kubectl edit sends the order with just the changed container */
	want = deploy_with("spec.template.spec.containers.1.image", "\"busybox:2\"");
	check_smp("apps", "Deployment", deploy,
		  "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"image\":\"busybox:2\","
		  "\"name\":\"sidecar\"}]}}}}",
		  want);
	free(want);
}

/* kubectl-traces.md: apply --dry-run body with a nested env order. */
static void test_smp_kubectl_nested_order(void)
{
	char *want = deploy_with(
	    "spec.template.spec.containers.0",
	    "{\"name\":\"web\",\"image\":\"nginx:1.28\",\"ports\":[{\"containerPort\":80,"
	    "\"protocol\":\"TCP\"}],\"env\":[{\"name\":\"A\",\"value\":\"2\"},{\"name\":\"B\","
	    "\"value\":\"2\"}]}");
	check_smp("apps", "Deployment", deploy,
		  "{\"metadata\":{\"resourceVersion\":\"105\"},\"spec\":{\"template\":{\"spec\":{"
		  "\"$setElementOrder/"
		  "containers\":[{\"name\":\"web\"},{\"name\":\"sidecar\"}],\"containers\":[{"
		  "\"$setElementOrder/"
		  "env\":[{\"name\":\"A\"},{\"name\":\"B\"}],\"env\":[{\"name\":\"A\",\"value\":"
		  "\"2\"}],\"image\":\"nginx:1.28\",\"name\":\"web\"}]}}}}",
		  want);
	free(want);
}

static void test_smp_env_delete(void)
{
	char *want = deploy_with("spec.template.spec.containers.0.env",
				 "[{\"name\":\"B\",\"value\":\"2\"}]");
	check_smp("apps", "Deployment", deploy,
		  "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\","
		  "\"env\":[{\"name\":\"A\",\"$patch\":\"delete\"}]}]}}}}",
		  want);
	/* as kubectl apply words it */
	check_smp(
	    "apps", "Deployment", deploy,
	    "{\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/"
	    "containers\":[{\"name\":\"web\"},"
	    "{\"name\":\"sidecar\"}],\"containers\":[{\"$setElementOrder/env\":[{\"name\":\"B\"}],"
	    "\"env\":[{\"$patch\":\"delete\",\"name\":\"A\"}],\"name\":\"web\"}]}}}}",
	    want);
	free(want);
}

static void test_smp_ports_merge(void)
{
	char *want = deploy_with("spec.template.spec.containers.0.ports",
				 "[{\"containerPort\":443,\"protocol\":\"TCP\"},"
				 "{\"containerPort\":80,\"protocol\":\"TCP\",\"name\":\"http\"}]");
	check_smp("apps", "Deployment", deploy,
		  "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"ports\":["
		  "{\"containerPort\":443,\"protocol\":\"TCP\"},{\"containerPort\":80,\"name\":"
		  "\"http\"}]}]}}}}",
		  want);
	free(want);
}

static void test_smp_retain_keys(void)
{
	char *want = deploy_with("spec.strategy", "{\"type\":\"Recreate\"}");
	check_smp("apps", "Deployment", deploy,
		  "{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\","
		  "\"rollingUpdate\":null}}}",
		  want);
	/* keys not retained go even when the patch does not null them */
	check_smp("apps", "Deployment", deploy,
		  "{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"}}}",
		  want);
	free(want);
	check_smp_error(
	    "apps", "Deployment", deploy,
	    "{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"rollingUpdate\":{}}}}",
	    "invalid patch format of retainKeys");
	check_smp_error("apps", "Deployment", deploy,
			"{\"spec\":{\"strategy\":{\"$retainKeys\":\"type\"}}}",
			"invalid patch format of retainKeys");
}

/* Inputs are borrowed: neither the live object nor the patch changes. */
static void test_smp_inputs_untouched(void)
{
	json_t *d = J(deploy);
	json_t *p = J("{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"},"
		      "\"template\":{"
		      "\"spec\":{\"containers\":[{\"name\":\"web\",\"env\":[{\"name\":\"A\",\"$"
		      "patch\":\"delete\"}],"
		      "\"ports\":[{\"containerPort\":81}]}]}}}}");
	char *before_d = json_dumps(d, JSON_COMPACT), *before_p = json_dumps(p, JSON_COMPACT);
	char err[256] = "";
	json_t *out = patch_strategic("apps", "Deployment", d, p, err, sizeof err);
	CHECK(out != NULL);
	char *after_d = json_dumps(d, JSON_COMPACT), *after_p = json_dumps(p, JSON_COMPACT);
	CHECK_STR(after_d, before_d);
	CHECK_STR(after_p, before_p);
	/* and the result shares nothing with them */
	json_object_set_new(json_object_get(json_object_get(out, "spec"), "template"), "x",
			    json_true());
	json_array_clear(json_object_get(json_object_get(out, "status"), "conditions"));
	free(after_d);
	after_d = json_dumps(d, JSON_COMPACT);
	CHECK_STR(after_d, before_d);
	free(before_d);
	free(before_p);
	free(after_d);
	free(after_p);
	json_decref(out);
	json_decref(d);
	json_decref(p);
}

/* ---- strategic merge patch: upstream's vectors ------------------------- */

struct smp_vector {
	const char *name, *doc, *patch, *want;
};

/* From k8s.io/apimachinery strategicpatch patch_test.go (ThreeWay applied to
 * Current gives Result), with mergingList -> pod containers (key name),
 * mergeItemPtr's inner list -> container ports, mergingIntList -> finalizers. */
static const struct smp_vector smp_upstream[] = {
    {"nested order in a merged element",
     "{\"spec\":{\"containers\":[{\"name\":1,\"other\":\"a\",\"ports\":[{\"containerPort\":1,"
     "\"value\":\"a\"},"
     "{\"containerPort\":2,\"value\":2,\"other\":\"b\"}]},{\"name\":2,\"other\":\"b\"}]}}",
     "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":1},{\"name\":2}],\"containers\":[{"
     "\"$setElementOrder/ports\":[{\"containerPort\":1},{\"containerPort\":2}],\"name\":1,"
     "\"ports\":[{\"containerPort\":1,\"value\":1}]}]}}",
     "{\"spec\":{\"containers\":[{\"name\":1,\"other\":\"a\",\"ports\":[{\"containerPort\":1,"
     "\"value\":1},"
     "{\"containerPort\":2,\"value\":2,\"other\":\"b\"}]},{\"name\":2,\"other\":\"b\"}]}}"},
    {"merge lists of scalars", "{\"metadata\":{\"finalizers\":[1,2,4]}}",
     "{\"metadata\":{\"$setElementOrder/finalizers\":[1,2,3],\"finalizers\":[3]}}",
     "{\"metadata\":{\"finalizers\":[1,2,3,4]}}"},
    {"add an item in a list of primitives and preserve order",
     "{\"metadata\":{\"finalizers\":[1,4,2]}}",
     "{\"metadata\":{\"$setElementOrder/finalizers\":[3,1,2],\"finalizers\":[3]}}",
     "{\"metadata\":{\"finalizers\":[3,1,4,2]}}"},
    {"delete an item in a list of primitives and preserve order",
     "{\"metadata\":{\"finalizers\":[1,2,3]}}",
     "{\"metadata\":{\"$setElementOrder/finalizers\":[2,1],\"$deleteFromPrimitiveList/"
     "finalizers\":[3]}}",
     "{\"metadata\":{\"finalizers\":[2,1]}}"},
    {"add an item in a list and preserve order",
     "{\"spec\":{\"containers\":[{\"name\":1,\"other\":\"a\"},{\"name\":2,\"value\":2,\"other\":"
     "\"b\"}]}}",
     "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":3},{\"name\":1},{\"name\":2}],"
     "\"containers\":[{\"name\":3,\"value\":3}]}}",
     "{\"spec\":{\"containers\":[{\"name\":3,\"value\":3},{\"name\":1,\"other\":\"a\"},"
     "{\"name\":2,\"value\":2,\"other\":\"b\"}]}}"},
    {"add multiple items in a list and preserve order",
     "{\"spec\":{\"containers\":[{\"name\":1,\"other\":\"a\"},{\"name\":2,\"value\":2,\"other\":"
     "\"b\"}]}}",
     "{\"spec\":{\"$setElementOrder/"
     "containers\":[{\"name\":1},{\"name\":4},{\"name\":2},{\"name\":3}],"
     "\"containers\":[{\"name\":4,\"value\":4},{\"name\":3,\"value\":3}]}}",
     "{\"spec\":{\"containers\":[{\"name\":1,\"other\":\"a\"},{\"name\":4,\"value\":4},"
     "{\"name\":2,\"value\":2,\"other\":\"b\"},{\"name\":3,\"value\":3}]}}"},
    {"delete an item in a list and preserve order",
     "{\"spec\":{\"containers\":[{\"name\":1,\"other\":\"a\"},{\"name\":2,\"value\":2,\"other\":"
     "\"b\"},"
     "{\"name\":3,\"value\":3}]}}",
     "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":2},{\"name\":1}],"
     "\"containers\":[{\"name\":3,\"$patch\":\"delete\"}]}}",
     "{\"spec\":{\"containers\":[{\"name\":2,\"value\":2,\"other\":\"b\"},{\"name\":1,\"other\":"
     "\"a\"}]}}"},
    {"change an item in a list and preserve order",
     "{\"spec\":{\"containers\":[{\"name\":1,\"other\":\"a\"},{\"name\":2,\"value\":2,\"other\":"
     "\"b\"},"
     "{\"name\":3,\"value\":3}]}}",
     "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":2},{\"name\":3},{\"name\":1}],"
     "\"containers\":[{\"name\":3,\"value\":\"x\"}]}}",
     "{\"spec\":{\"containers\":[{\"name\":2,\"value\":2,\"other\":\"b\"},{\"name\":3,\"value\":"
     "\"x\"},"
     "{\"name\":1,\"other\":\"a\"}]}}"},
    {"add and delete an item in a list and preserve order",
     "{\"spec\":{\"containers\":[{\"name\":1,\"other\":\"a\"},{\"name\":2,\"value\":2,\"other\":"
     "\"b\"},"
     "{\"name\":3,\"value\":3}]}}",
     "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":4},{\"name\":2},{\"name\":1}],"
     "\"containers\":[{\"name\":4,\"value\":4},{\"name\":3,\"$patch\":\"delete\"}]}}",
     "{\"spec\":{\"containers\":[{\"name\":4,\"value\":4},{\"name\":2,\"value\":2,\"other\":\"b\"},"
     "{\"name\":1,\"other\":\"a\"}]}}"},
    {"set elements order in a list with server-only items",
     "{\"spec\":{\"containers\":[{\"name\":1,\"other\":\"a\"},{\"name\":3,\"value\":3},{\"name\":4,"
     "\"value\":4},"
     "{\"name\":2,\"value\":2},{\"name\":9}]}}",
     "{\"spec\":{\"$setElementOrder/"
     "containers\":[{\"name\":4},{\"name\":2},{\"name\":3},{\"name\":1}]}}",
     "{\"spec\":{\"containers\":[{\"name\":4,\"value\":4},{\"name\":2,\"value\":2},{\"name\":3,"
     "\"value\":3},"
     "{\"name\":1,\"other\":\"a\"},{\"name\":9}]}}"},
    {"set elements order in a list with server-only items 2",
     "{\"spec\":{\"containers\":[{\"name\":1,\"other\":\"a\"},{\"name\":2,\"value\":2},{\"name\":9}"
     ","
     "{\"name\":3,\"value\":3},{\"name\":4,\"value\":4}]}}",
     "{\"spec\":{\"$setElementOrder/"
     "containers\":[{\"name\":2},{\"name\":1},{\"name\":4},{\"name\":3}]}}",
     "{\"spec\":{\"containers\":[{\"name\":2,\"value\":2},{\"name\":1,\"other\":\"a\"},{\"name\":9}"
     ","
     "{\"name\":4,\"value\":4},{\"name\":3,\"value\":3}]}}"},
    {"set elements order in a list with server-only items 3",
     "{\"spec\":{\"containers\":[{\"name\":1,\"other\":\"a\"},{\"name\":2,\"value\":2},{\"name\":7}"
     ",{\"name\":9},"
     "{\"name\":8},{\"name\":3,\"value\":3},{\"name\":4,\"value\":4}]}}",
     "{\"spec\":{\"$setElementOrder/"
     "containers\":[{\"name\":2},{\"name\":1},{\"name\":4},{\"name\":3}]}}",
     "{\"spec\":{\"containers\":[{\"name\":2,\"value\":2},{\"name\":1,\"other\":\"a\"},{\"name\":7}"
     ","
     "{\"name\":9},{\"name\":8},{\"name\":4,\"value\":4},{\"name\":3,\"value\":3}]}}"},
    {"set elements order in an int list with server-only items",
     "{\"metadata\":{\"finalizers\":[1,3,4,2,9]}}",
     "{\"metadata\":{\"$setElementOrder/finalizers\":[4,2,3,1]}}",
     "{\"metadata\":{\"finalizers\":[4,2,3,1,9]}}"},
};

static void test_smp_upstream_vectors(void)
{
	for (size_t i = 0; i < sizeof smp_upstream / sizeof smp_upstream[0]; i++) {
		int before = test_failed_checks;
		check_smp("", "Pod", smp_upstream[i].doc, smp_upstream[i].patch,
			  smp_upstream[i].want);
		if (test_failed_checks != before)
			fprintf(stderr, "  in vector \"%s\"\n", smp_upstream[i].name);
	}
}

/* ---- strategic merge patch: per-kind strategies ------------------------ */

static void test_smp_pod(void)
{
	const char *pod =
	    "{\"spec\":{\"containers\":[{\"name\":\"c\",\"volumeMounts\":[{\"mountPath\":\"/a\","
	    "\"name\":\"v\"}],\"volumeDevices\":[{\"devicePath\":\"/dev/x\",\"name\":\"d\"}]}],"
	    "\"volumes\":[{\"name\":\"v\",\"emptyDir\":{}},{\"name\":\"w\",\"secret\":{"
	    "\"secretName\":\"s\"}}],"
	    "\"tolerations\":[{\"key\":\"x\"}],\"imagePullSecrets\":[{\"name\":\"r1\"}],"
	    "\"hostAliases\":[{\"ip\":\"1.1.1.1\",\"hostnames\":[\"a\"]}],"
	    "\"topologySpreadConstraints\":[{\"topologyKey\":\"zone\",\"maxSkew\":1}],"
	    "\"schedulingGates\":[{\"name\":\"g1\"}]},"
	    "\"status\":{\"podIPs\":[{\"ip\":\"10.0.0.1\"}],\"conditions\":[{\"type\":\"Ready\","
	    "\"status\":\"False\"}]}}";
	check_smp(
	    "", "Pod", pod,
	    "{\"spec\":{\"containers\":[{\"name\":\"c\",\"volumeMounts\":[{\"mountPath\":\"/"
	    "a\",\"readOnly\":true}],"
	    "\"volumeDevices\":[{\"devicePath\":\"/dev/x\",\"name\":\"e\"}]}],"
	    "\"volumes\":[{\"name\":\"w\",\"$retainKeys\":[\"name\",\"configMap\"],\"configMap\":{"
	    "\"name\":\"m\"}}],"
	    "\"tolerations\":[{\"key\":\"y\"}],\"imagePullSecrets\":[{\"name\":\"r1\",\"x\":1}],"
	    "\"hostAliases\":[{\"ip\":\"1.1.1.1\",\"hostnames\":[\"b\"]}],"
	    "\"topologySpreadConstraints\":[{\"topologyKey\":\"zone\",\"maxSkew\":2}],"
	    "\"schedulingGates\":[{\"name\":\"g1\",\"$patch\":\"delete\"}]},"
	    "\"status\":{\"podIPs\":[{\"ip\":\"10.0.0.1\",\"x\":1}],\"conditions\":[{\"type\":"
	    "\"Ready\","
	    "\"status\":\"True\"}]}}",
	    "{\"spec\":{\"containers\":[{\"name\":\"c\",\"volumeMounts\":[{\"mountPath\":\"/"
	    "a\",\"name\":\"v\","
	    "\"readOnly\":true}],\"volumeDevices\":[{\"devicePath\":\"/dev/x\",\"name\":\"e\"}]}],"
	    "\"volumes\":[{\"name\":\"v\",\"emptyDir\":{}},{\"name\":\"w\",\"configMap\":{\"name\":"
	    "\"m\"}}],"
	    "\"tolerations\":[{\"key\":\"y\"}],\"imagePullSecrets\":[{\"name\":\"r1\",\"x\":1}],"
	    "\"hostAliases\":[{\"ip\":\"1.1.1.1\",\"hostnames\":[\"b\"]}],"
	    "\"topologySpreadConstraints\":[{\"topologyKey\":\"zone\",\"maxSkew\":2}],"
	    "\"schedulingGates\":[]},"
	    "\"status\":{\"podIPs\":[{\"ip\":\"10.0.0.1\",\"x\":1}],\"conditions\":[{\"type\":"
	    "\"Ready\","
	    "\"status\":\"True\"}]}}");
	/* init and ephemeral containers get the container rules too */
	check_smp(
	    "", "Pod",
	    "{\"spec\":{\"initContainers\":[{\"name\":\"i\",\"env\":[{\"name\":\"A\",\"value\":"
	    "\"1\"}]}],"
	    "\"ephemeralContainers\":[{\"name\":\"e\",\"env\":[{\"name\":\"A\",\"value\":\"1\"}]}]}"
	    "}",
	    "{\"spec\":{\"initContainers\":[{\"name\":\"i\",\"env\":[{\"name\":\"A\",\"value\":"
	    "\"2\"}]}],"
	    "\"ephemeralContainers\":[{\"name\":\"e\",\"env\":[{\"name\":\"B\",\"value\":\"2\"}]}]}"
	    "}",
	    "{\"spec\":{\"initContainers\":[{\"name\":\"i\",\"env\":[{\"name\":\"A\",\"value\":"
	    "\"2\"}]}],"
	    "\"ephemeralContainers\":[{\"name\":\"e\",\"env\":[{\"name\":\"B\",\"value\":\"2\"},"
	    "{\"name\":\"A\",\"value\":\"1\"}]}]}}");
}

/* The pod spec rules apply under every workload's template. */
static void test_smp_pod_templates(void)
{
	static const char *const kinds[][3] = {
	    {"apps", "ReplicaSet", "spec.template"},
	    {"apps", "StatefulSet", "spec.template"},
	    {"apps", "DaemonSet", "spec.template"},
	    {"batch", "Job", "spec.template"},
	    {"", "ReplicationController", "spec.template"},
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		int before = test_failed_checks;
		check_smp(kinds[i][0], kinds[i][1],
			  "{\"spec\":{\"template\":{\"metadata\":{\"finalizers\":[\"a\"]},\"spec\":"
			  "{\"containers\":[{"
			  "\"name\":\"a\",\"image\":\"1\"},{\"name\":\"b\",\"image\":\"1\"}]}}}}",
			  "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"b\","
			  "\"image\":\"2\"}]}}}}",
			  "{\"spec\":{\"template\":{\"metadata\":{\"finalizers\":[\"a\"]},\"spec\":"
			  "{\"containers\":[{"
			  "\"name\":\"a\",\"image\":\"1\"},{\"name\":\"b\",\"image\":\"2\"}]}}}}");
		if (test_failed_checks != before)
			fprintf(stderr, "  in kind %s\n", kinds[i][1]);
	}
	check_smp("", "PodTemplate",
		  "{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"1\"}]}}}",
		  "{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"2\"}]}}}",
		  "{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"2\"}]}}}");
	check_smp(
	    "batch", "CronJob",
	    "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"containers\":[{"
	    "\"name\":\"a\","
	    "\"image\":\"1\",\"env\":[{\"name\":\"X\",\"value\":\"1\"}]},{\"name\":\"b\"}]}}}}}}",
	    "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"containers\":[{"
	    "\"name\":\"a\","
	    "\"image\":\"2\",\"env\":[{\"name\":\"X\",\"$patch\":\"delete\"}]}]}}}}}}",
	    "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"containers\":[{"
	    "\"name\":\"a\","
	    "\"image\":\"2\",\"env\":[]},{\"name\":\"b\"}]}}}}}}");
	/* DaemonSet updateStrategy with $retainKeys */
	check_smp(
	    "apps", "DaemonSet",
	    "{\"spec\":{\"updateStrategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{"
	    "\"maxUnavailable\":1}}}}",
	    "{\"spec\":{\"updateStrategy\":{\"$retainKeys\":[\"type\"],\"type\":\"OnDelete\"}}}",
	    "{\"spec\":{\"updateStrategy\":{\"type\":\"OnDelete\"}}}");
}

static void test_smp_other_kinds(void)
{
	check_smp(
	    "", "Node",
	    "{\"spec\":{\"podCIDRs\":[\"10.0.0.0/"
	    "24\"],\"taints\":[{\"key\":\"a\"}]},\"status\":{\"addresses\":["
	    "{\"type\":\"InternalIP\",\"address\":\"1\"},{\"type\":\"Hostname\",\"address\":\"h\"}]"
	    "}}",
	    "{\"spec\":{\"podCIDRs\":[\"10.0.0.0/24\",\"fd00::/64\"],\"taints\":[{\"key\":\"b\"}]},"
	    "\"status\":{\"addresses\":[{\"type\":\"Hostname\",\"address\":\"h2\"}]}}",
	    "{\"spec\":{\"podCIDRs\":[\"10.0.0.0/24\",\"fd00::/64\"],\"taints\":[{\"key\":\"b\"}]},"
	    "\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"1\"},"
	    "{\"type\":\"Hostname\",\"address\":\"h2\"}]}}");
	check_smp("", "Service",
		  "{\"spec\":{\"ports\":[{\"port\":80,\"name\":\"http\"},{\"port\":443,\"name\":"
		  "\"https\"}],"
		  "\"externalIPs\":[\"1.1.1.1\"]}}",
		  "{\"spec\":{\"ports\":[{\"port\":443,\"targetPort\":8443}],\"externalIPs\":[\"2."
		  "2.2.2\"]}}",
		  "{\"spec\":{\"ports\":[{\"port\":80,\"name\":\"http\"},{\"port\":443,\"name\":"
		  "\"https\","
		  "\"targetPort\":8443}],\"externalIPs\":[\"2.2.2.2\"]}}");
	check_smp("", "ServiceAccount",
		  "{\"secrets\":[{\"name\":\"a\"}],\"imagePullSecrets\":[{\"name\":\"x\"}]}",
		  "{\"$setElementOrder/"
		  "secrets\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"secrets\":[{\"name\":\"b\"}],"
		  "\"imagePullSecrets\":[{\"name\":\"y\"}]}",
		  "{\"secrets\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"imagePullSecrets\":[{"
		  "\"name\":\"y\"}]}");
	/* status conditions of any built-in kind merge by type */
	char *want =
	    deploy_with("status.conditions",
			"[{\"type\":\"Available\",\"status\":\"True\"},{\"type\":\"Progressing\","
			"\"status\":\"False\",\"reason\":\"X\"}]");
	check_smp("apps", "Deployment", deploy,
		  "{\"status\":{\"conditions\":[{\"type\":\"Progressing\",\"status\":\"False\","
		  "\"reason\":\"X\"}]}}",
		  want);
	free(want);
	check_smp("", "Namespace", "{\"status\":{\"conditions\":[{\"type\":\"A\"}]}}",
		  "{\"status\":{\"conditions\":[{\"type\":\"A\",\"status\":\"True\"}]}}",
		  "{\"status\":{\"conditions\":[{\"type\":\"A\",\"status\":\"True\"}]}}");
}

static void test_smp_metadata(void)
{
	check_smp(
	    "", "ConfigMap",
	    "{\"metadata\":{\"ownerReferences\":[{\"uid\":\"u1\",\"name\":\"a\"},{\"uid\":\"u2\","
	    "\"name\":\"b\"}],"
	    "\"finalizers\":[\"a\",\"b\",\"c\"],\"labels\":{\"x\":\"1\",\"y\":\"2\"}},\"data\":{"
	    "\"k\":\"v\"}}",
	    "{\"metadata\":{\"ownerReferences\":[{\"uid\":\"u2\",\"controller\":true},{\"uid\":"
	    "\"u1\","
	    "\"$patch\":\"delete\"}],\"$deleteFromPrimitiveList/finalizers\":[\"b\"],"
	    "\"labels\":{\"y\":null,\"z\":\"3\"}},\"data\":{\"k\":null}}",
	    "{\"metadata\":{\"ownerReferences\":[{\"uid\":\"u2\",\"name\":\"b\",\"controller\":"
	    "true}],"
	    "\"finalizers\":[\"a\",\"c\"],\"labels\":{\"x\":\"1\",\"z\":\"3\"}},\"data\":{}}");
	/* custom resources: only ObjectMeta has strategies; lists replace */
	check_smp(
	    "example.com", "Widget",
	    "{\"metadata\":{\"finalizers\":[\"a\"]},\"spec\":{\"containers\":[{\"name\":\"a\","
	    "\"x\":1}]},"
	    "\"status\":{\"conditions\":[{\"type\":\"A\"}]}}",
	    "{\"metadata\":{\"finalizers\":[\"b\"]},\"spec\":{\"containers\":[{\"name\":\"b\"}]},"
	    "\"status\":{\"conditions\":[{\"reason\":\"no type here\"}]}}",
	    "{\"metadata\":{\"finalizers\":[\"b\",\"a\"]},\"spec\":{\"containers\":[{\"name\":"
	    "\"b\"}]},"
	    "\"status\":{\"conditions\":[{\"reason\":\"no type here\"}]}}");
}

/* Merging without $setElementOrder orders like upstream's mergeSlice: patch
 * elements in patch order, live-only ones placed by their live positions. */
static void test_smp_order_without_directive(void)
{
	check_smp(
	    "", "Pod",
	    "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]}}",
	    "{\"spec\":{\"containers\":[{\"name\":\"b\",\"x\":1},{\"name\":\"d\"}]}}",
	    "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\",\"x\":1},{\"name\":\"d\"},"
	    "{\"name\":\"c\"}]}}");
}

/* "$patch: delete" removes every live element with the key, as upstream's
 * deleteMatchingEntries does (DNS ports 53/TCP and 53/UDP share a key). 80
 * and 80.0 are the same key; deleting from an absent list is a no-op. */
static void test_smp_keys(void)
{
	check_smp("", "Pod",
		  "{\"spec\":{\"containers\":[{\"name\":\"dns\",\"ports\":[{\"containerPort\":53,"
		  "\"protocol\":\"UDP\"},{\"containerPort\":53,\"protocol\":\"TCP\"},{"
		  "\"containerPort\":80}]}]}}",
		  "{\"spec\":{\"containers\":[{\"name\":\"dns\",\"ports\":[{\"containerPort\":53,"
		  "\"$patch\":\"delete\"},{\"containerPort\":80.0,\"name\":\"http\"}]}]}}",
		  "{\"spec\":{\"containers\":[{\"name\":\"dns\",\"ports\":[{\"containerPort\":80.0,"
		  "\"name\":\"http\"}]}]}}");
	check_smp("", "Pod", "{\"metadata\":{}}",
		  "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"a\"]}}",
		  "{\"metadata\":{}}");
}

/* ---- strategic merge patch: directives --------------------------------- */

static void test_smp_patch_directives(void)
{
	/* replace a list */
	check_smp(
	    "", "Pod", "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]}}",
	    "{\"spec\":{\"containers\":[{\"$patch\":\"replace\"},{\"name\":\"only\",\"x\":null}]}}",
	    "{\"spec\":{\"containers\":[{\"name\":\"only\"}]}}");
	/* replace a map */
	check_smp("", "Pod", "{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}}}",
		  "{\"metadata\":{\"labels\":{\"$patch\":\"replace\",\"c\":\"3\"}}}",
		  "{\"metadata\":{\"labels\":{\"c\":\"3\"}}}");
	/* delete a map */
	char *want = deploy_with("spec.strategy", NULL);
	check_smp("apps", "Deployment", deploy, "{\"spec\":{\"strategy\":{\"$patch\":\"delete\"}}}",
		  want);
	free(want);
	/* explicit merge of a map is a plain merge */
	check_smp("", "Pod", "{\"metadata\":{\"labels\":{\"a\":\"1\"}}}",
		  "{\"metadata\":{\"labels\":{\"$patch\":\"merge\",\"b\":\"2\"}}}",
		  "{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}}}");
	/* directives inside values that land on nothing are dropped */
	check_smp(
	    "", "Pod", "{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}",
	    "{\"spec\":{\"$setElementOrder/"
	    "initContainers\":[{\"name\":\"i\"}],\"initContainers\":[{"
	    "\"name\":\"i\",\"$setElementOrder/env\":[{\"name\":\"E\"}],\"env\":[{\"name\":\"E\"},"
	    "{\"name\":\"F\",\"$patch\":\"delete\"}],\"securityContext\":{\"$patch\":\"delete\"}}],"
	    "\"containers\":[{\"name\":\"n\",\"resources\":{\"$patch\":\"replace\",\"limits\":{"
	    "\"cpu\":\"1\","
	    "\"memory\":null}}}]}}",
	    "{\"spec\":{\"containers\":[{\"name\":\"n\",\"resources\":{\"limits\":{\"cpu\":\"1\"}}}"
	    ","
	    "{\"name\":\"a\"}],\"initContainers\":[{\"name\":\"i\",\"env\":[{\"name\":\"E\"}]}]}}");
	/* deleting the whole object */
	check_smp("", "Pod", "{\"a\":1}", "{\"$patch\":\"delete\"}", "{}");
	/* null for an absent key is not an error and adds nothing */
	check_smp("", "Pod", "{\"a\":1}", "{\"b\":null,\"c\":{\"d\":null}}", "{\"a\":1,\"c\":{}}");
}

static void test_smp_errors(void)
{
	const char *pod =
	    "{\"spec\":{\"containers\":[{\"name\":\"a\"}]},\"metadata\":{\"finalizers\":[\"x\"]}}";
	check_smp_error("", "Pod", pod, "{\"spec\":{\"containers\":{\"name\":\"a\"}}}",
			"spec.containers: expected a list, but received a map");
	check_smp_error("", "Pod", pod,
			"{\"spec\":{\"containers\":[{\"name\":\"a\",\"env\":\"A=1\"}]}}",
			"spec.containers[].env: expected a list, but received a string");
	check_smp_error("", "Pod", pod, "{\"metadata\":[1]}",
			"metadata: expected a map, but received a list");
	check_smp_error("", "Pod", pod, "{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}",
			"does not contain declared merge key: name");
	check_smp_error("", "Pod", pod, "{\"spec\":{\"containers\":[{\"$patch\":\"delete\"}]}}",
			"does not contain declared merge key: name");
	check_smp_error("", "Pod", pod, "{\"spec\":{\"containers\":[\"a\"]}}", "not identical");
	check_smp_error("", "Pod", "{\"spec\":{\"containers\":[]}}",
			"{\"spec\":{\"containers\":[\"a\"]}}",
			"spec.containers: expected a list of maps, but received a string");
	check_smp_error("", "Pod", pod,
			"{\"spec\":{\"containers\":[{\"name\":\"a\",\"$patch\":\"frob\"}]}}",
			"unknown patch type: \"frob\"");
	check_smp_error("", "Pod", pod,
			"{\"spec\":{\"containers\":[{\"name\":\"a\",\"$patch\":\"merge\"}]}}",
			"merging lists cannot yet be specified in the patch");
	check_smp_error("", "Pod", pod, "{\"spec\":{\"$patch\":7}}", "unknown patch type: 7");
	check_smp_error("", "Pod", pod,
			"{\"spec\":{\"$setElementOrder/"
			"containers\":[{\"name\":\"a\"}],\"containers\":[{\"name\":\"b\"}]}}",
			"doesn't match $setElementOrder list");
	check_smp_error("", "Pod", pod,
			"{\"spec\":{\"$setElementOrder/containers\":{\"name\":\"a\"}}}",
			"invalid patch format of setElementOrder list");
	check_smp_error("", "Pod", pod, "{\"spec\":{\"$setElementOrder\":[]}}",
			"invalid patch format of setElementOrder list");
	check_smp_error("", "Pod", pod,
			"{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":\"x\"}}",
			"invalid patch format of primitive list");
	check_smp_error("", "Pod", pod, "{\"metadata\":{\"finalizers\":[[\"y\"]]}}",
			"lists of lists");
	check_smp_error("", "Pod", pod, "{\"metadata\":{\"finalizers\":[1]}}", "not identical");
	check_smp_error("", "Pod", "{\"metadata\":{\"finalizers\":[{\"a\":1}]}}",
			"{\"metadata\":{\"finalizers\":[{\"b\":1}]}}",
			"cannot merge lists without merge key");
	check_smp_error("", "Pod", pod, "[]", "expected a map, but received a list");
	check_smp_error("", "Pod", "7", "{}", "expected a map, but received a number");
	/* hostile nesting is refused, not recursed into */
	char *deep = nested_json(300);
	check_smp_error("", "Pod", pod, deep, "nested deeper than");
	check_smp_error("", "Pod", deep, "{}", "nested deeper than");
	free(deep);
	/* a merged list the size of a denial of service */
	json_t *big = json_array();
	for (int i = 0; i < 10001; i++)
		json_array_append_new(big, json_pack("{s:i}", "name", i));
	json_t *d = J(pod), *p = json_pack("{s:{s:o}}", "spec", "containers", big);
	char err[256] = "";
	CHECK(patch_strategic("", "Pod", d, p, err, sizeof err) == NULL);
	CHECK(strstr(err, "cannot be merged") != NULL);
	CHECK(patch_strategic("", "Pod", d, p, NULL, 0) == NULL); /* no buffer for the message */
	json_decref(d);
	json_decref(p);
}

int main(void)
{
	TEST_RUN(test_json_patch_ops);
	TEST_RUN(test_json_patch_pointer_escapes);
	TEST_RUN(test_json_patch_root);
	TEST_RUN(test_json_patch_errors);
	TEST_RUN(test_json_patch_limits);
	TEST_RUN(test_merge_patch_rfc_examples);
	TEST_RUN(test_merge_patch_limits);
	TEST_RUN(test_smp_kubectl_apply_body);
	TEST_RUN(test_smp_change_one_image);
	TEST_RUN(test_smp_kubectl_nested_order);
	TEST_RUN(test_smp_env_delete);
	TEST_RUN(test_smp_ports_merge);
	TEST_RUN(test_smp_retain_keys);
	TEST_RUN(test_smp_inputs_untouched);
	TEST_RUN(test_smp_upstream_vectors);
	TEST_RUN(test_smp_pod);
	TEST_RUN(test_smp_pod_templates);
	TEST_RUN(test_smp_other_kinds);
	TEST_RUN(test_smp_metadata);
	TEST_RUN(test_smp_order_without_directive);
	TEST_RUN(test_smp_keys);
	TEST_RUN(test_smp_patch_directives);
	TEST_RUN(test_smp_errors);
	return test_summary();
}
