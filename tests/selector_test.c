/* Tests for apiserver/selector.c: label selector parsing, matching and
 * upstream error texts; metav1.LabelSelector conversion; field selectors
 * per kind, escaping and errors; metadata.name extraction. */
#include "apiserver/selector.h"
#include "tests/test.h"

#include <stdlib.h>

static json_t *labels_of(const char *js)
{
	return json_loads(js, 0, NULL);
}

static int label_match(const char *sel_text, const char *labels_json)
{
	char err[1024] = "";
	struct selector *s = label_selector_parse(sel_text, err, sizeof err);
	if (!s) {
		fprintf(stderr, "parse %s: %s\n", sel_text, err);
		return -1;
	}
	json_t *l = labels_json ? labels_of(labels_json) : NULL;
	int m = label_selector_matches(s, l);
	json_decref(l);
	selector_free(s);
	return m;
}

static void test_label_match_table(void)
{
	static const struct {
		const char *sel, *labels;
		int want;
	} cases[] = {
	    {"", "{}", 1},
	    {"", NULL, 1},
	    {"app=web", "{\"app\":\"web\"}", 1},
	    {"app==web", "{\"app\":\"web\"}", 1},
	    {"app=web", "{\"app\":\"db\"}", 0},
	    {"app=web", "{}", 0},
	    {"app!=web", "{}", 1}, /* != matches objects without the label */
	    {"app!=web", "{\"app\":\"web\"}", 0},
	    {"app!=web", "{\"app\":\"db\"}", 1},
	    {"env in (prod,staging)", "{\"env\":\"prod\"}", 1},
	    {"env in (prod, staging)", "{\"env\":\"dev\"}", 0},
	    {"env in (prod)", "{}", 0},
	    {"env notin (prod)", "{}", 1},
	    {"env notin (prod,dev)", "{\"env\":\"dev\"}", 0},
	    {"env notin (prod)", "{\"env\":\"dev\"}", 1},
	    {"app", "{\"app\":\"\"}", 1},
	    {"app", "{}", 0},
	    {"!app", "{}", 1},
	    {"!app", "{\"app\":\"x\"}", 0},
	    {"app=web,tier=fe", "{\"app\":\"web\",\"tier\":\"fe\"}", 1},
	    {"app=web,tier=fe", "{\"app\":\"web\"}", 0},
	    {"app=web, !canary", "{\"app\":\"web\"}", 1},
	    {"example.com/role=db", "{\"example.com/role\":\"db\"}", 1},
	    {"x in (in,notin)", "{\"x\":\"notin\"}", 1},
	    {"app=", "{\"app\":\"\"}", 1},
	    {"app in (,a)", "{\"app\":\"\"}", 1},
	    {"app in ()", "{\"app\":\"\"}", 1},
	    {"n>5", "{\"n\":\"7\"}", 1},
	    {"n>5", "{\"n\":\"3\"}", 0},
	    {"n<5", "{\"n\":\"3\"}", 1},
	    {"n<5", "{\"n\":\"x\"}", 0},
	    {"  app  =  web  ", "{\"app\":\"web\"}", 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = label_match(cases[i].sel, cases[i].labels);
		if (got != cases[i].want)
			fprintf(stderr, "case %zu: '%s' on %s: got %d\n", i, cases[i].sel,
				cases[i].labels ? cases[i].labels : "NULL", got);
		CHECK_INT(got, cases[i].want);
	}
}

static void expect_label_error(const char *sel, const char *want)
{
	char err[2048] = "";
	struct selector *s = label_selector_parse(sel, err, sizeof err);
	CHECK(s == NULL);
	selector_free(s);
	if (strcmp(err, want))
		fprintf(stderr, "selector '%s'\n", sel);
	CHECK_STR(err, want);
}

static void test_label_errors(void)
{
	expect_label_error("app=web,", "found '', expected: identifier after ','");
	expect_label_error(",app", "found ',', expected: !, identifier, or 'end of string'");
	expect_label_error("app web",
			   "unable to parse requirement: found 'web', expected: in, notin, =, ==, "
			   "!=, gt, lt");
	expect_label_error("app in prod",
			   "unable to parse requirement: found 'prod' expected: '('");
	expect_label_error("app in (a b)",
			   "unable to parse requirement: found 'b', expected: ',' or ')'");
	expect_label_error("app=a=b", "found '=', expected: ',' or 'end of string'");
	expect_label_error("!", "unable to parse requirement: found '', expected: identifier");
	expect_label_error("app=(x)",
			   "unable to parse requirement: found '(', expected: identifier");
	expect_label_error(
	    "-app=x",
	    "unable to parse requirement: <nil>: Invalid value: \"-app\": name part must consist "
	    "of alphanumeric characters, '-', '_' or '.', and must start and end with an "
	    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
	    "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
	expect_label_error(
	    "Example.com/app",
	    "unable to parse requirement: <nil>: Invalid value: \"Example.com/app\": prefix part "
	    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
	    "'-' or '.', and must start and end with an alphanumeric character (e.g. "
	    "'example.com', regex used for validation is "
	    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
	expect_label_error(
	    "app=-bad",
	    "unable to parse requirement: values[0][app]: Invalid value: \"-bad\": a valid label "
	    "must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
	    "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  "
	    "or '12345', regex used for validation is "
	    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
	expect_label_error(
	    "n>x", "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', "
		   "'Lt' operators, the value must be an integer");
	/* 64-character key name */
	char longkey[80];
	memset(longkey, 'a', 64);
	strcpy(longkey + 64, "=b");
	expect_label_error(longkey,
			   "unable to parse requirement: <nil>: Invalid value: "
			   "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": "
			   "name part must be no more than 63 characters");
	/* bounded input: never crashes on huge selectors */
	size_t n = 40000;
	char *big = malloc(n + 1);
	memset(big, 'a', n);
	big[n] = 0;
	char err[256];
	CHECK(label_selector_parse(big, err, sizeof err) == NULL);
	free(big);
	/* NULL err buffer is allowed */
	CHECK(label_selector_parse("a b", NULL, 0) == NULL);
}

static void test_label_string(void)
{
	char err[256], buf[256];
	struct selector *s = label_selector_parse("z=1,a in (y,x),!b,c", err, sizeof err);
	CHECK(s != NULL);
	CHECK_STR(label_selector_string(s, buf, sizeof buf), "a in (x,y),!b,c,z=1");
	selector_free(s);
}

static struct selector *ls_json(const char *js, char *err, size_t errlen)
{
	json_t *j = js ? json_loads(js, 0, NULL) : NULL;
	struct selector *s = label_selector_from_json(j, err, errlen);
	json_decref(j);
	return s;
}

static void test_label_from_json(void)
{
	char err[1024] = "", buf[256];
	json_t *web = labels_of("{\"app\":\"web\",\"tier\":\"fe\"}");
	json_t *empty = json_object();

	struct selector *s = ls_json(NULL, err, sizeof err);
	CHECK(s && !label_selector_matches(s, web) && !label_selector_matches(s, empty));
	selector_free(s);

	s = ls_json("{}", err, sizeof err);
	CHECK(s && label_selector_matches(s, web) && label_selector_matches(s, empty));
	selector_free(s);

	s = ls_json("{\"matchLabels\":{\"app\":\"web\"},\"matchExpressions\":[{\"key\":\"tier\","
		    "\"operator\":\"In\",\"values\":[\"fe\",\"be\"]},{\"key\":\"canary\","
		    "\"operator\":\"DoesNotExist\"}]}",
		    err, sizeof err);
	CHECK(s != NULL);
	CHECK(label_selector_matches(s, web));
	CHECK(!label_selector_matches(s, empty));
	CHECK_STR(label_selector_string(s, buf, sizeof buf), "app=web,!canary,tier in (be,fe)");
	selector_free(s);

	s = ls_json("{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"NotIn\","
		    "\"values\":[\"fe\"]},{\"key\":\"app\",\"operator\":\"Exists\"}]}",
		    err, sizeof err);
	CHECK(s && !label_selector_matches(s, web));
	selector_free(s);

	s = ls_json("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Foo\"}]}", err,
		    sizeof err);
	CHECK(s == NULL);
	CHECK_STR(err, "\"Foo\" is not a valid label selector operator");

	s = ls_json("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\",\"values\":[]}]}",
		    err, sizeof err);
	CHECK(s == NULL);
	CHECK_STR(err, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values "
		       "set can't be empty");

	s = ls_json("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\",\"values\":"
		    "[\"x\"]}]}",
		    err, sizeof err);
	CHECK(s == NULL);
	CHECK_STR(err, "values: Invalid value: []string{\"x\"}: values set must be empty for "
		       "exists and does not exist");

	s = ls_json("{\"matchLabels\":{\"a b\":\"x\"}}", err, sizeof err);
	CHECK(s == NULL);
	CHECK(strncmp(err, "key: Invalid value: \"a b\": name part must consist", 49) == 0);

	s = ls_json("{\"matchLabels\":\"nope\"}", err, sizeof err);
	CHECK(s == NULL);
	s = ls_json("[1]", err, sizeof err);
	CHECK(s == NULL);
	json_decref(web);
	json_decref(empty);
}

static int field_match(const char *kind, const char *sel_text, const char *obj_json)
{
	char err[512] = "";
	struct selector *s = field_selector_parse(kind, sel_text, err, sizeof err);
	if (!s) {
		fprintf(stderr, "field parse %s: %s\n", sel_text, err);
		return -1;
	}
	json_t *o = json_loads(obj_json, 0, NULL);
	int m = field_selector_matches(s, o);
	json_decref(o);
	selector_free(s);
	return m;
}

static void test_field_pod(void)
{
	const char *pod =
	    "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\",\"namespace\":\"default\"},"
	    "\"spec\":{\"nodeName\":\"node-a\",\"restartPolicy\":\"Always\"},"
	    "\"status\":{\"phase\":\"Running\",\"podIPs\":[{\"ip\":\"10.0.0.5\"}]}}";
	CHECK_INT(field_match("Pod", "", pod), 1);
	CHECK_INT(field_match("Pod", "spec.nodeName=node-a", pod), 1);
	CHECK_INT(field_match("Pod", "spec.nodeName=node-b", pod), 0);
	CHECK_INT(field_match("Pod", "spec.host=node-a", pod), 1);
	CHECK_INT(field_match("Pod", "status.phase!=Succeeded,status.phase!=Failed", pod), 1);
	CHECK_INT(field_match("Pod", "status.phase==Running,metadata.namespace=default", pod), 1);
	CHECK_INT(field_match("Pod", "status.podIP=10.0.0.5", pod), 1);
	CHECK_INT(field_match("Pod", "spec.hostNetwork=false", pod), 1);
	CHECK_INT(field_match("Pod", "spec.schedulerName=", pod), 1); /* missing = "" */
	CHECK_INT(field_match("Pod", "metadata.name=web-1", pod), 1);
	CHECK_INT(field_match("Pod", "metadata.name!=web-1", pod), 0);
	/* kind comes from the selector, not the object */
	CHECK_INT(
	    field_match("Pod", "spec.nodeName=node-a", "{\"spec\":{\"nodeName\":\"node-a\"}}"), 1);
}

static void test_field_other_kinds(void)
{
	const char *ev = "{\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"web-1\",\"namespace\":"
			 "\"default\",\"uid\":\"u1\"},\"reason\":\"Pulled\",\"type\":\"Normal\","
			 "\"reportingComponent\":\"kubelet\"}";
	CHECK_INT(field_match("Event",
			      "involvedObject.name=web-1,involvedObject.namespace=default,"
			      "involvedObject.uid=u1,involvedObject.kind=Pod",
			      ev),
		  1);
	CHECK_INT(field_match("Event", "source=kubelet", ev), 1); /* falls back */
	CHECK_INT(field_match("Event", "source=x",
			      "{\"source\":{\"component\":\"x\"},\"reportingComponent\":\"y\"}"),
		  1);
	CHECK_INT(field_match("Event", "involvedObject.fieldPath=", ev), 1);
	CHECK_INT(field_match("Node", "spec.unschedulable=false", "{\"spec\":{}}"), 1);
	CHECK_INT(
	    field_match("Node", "spec.unschedulable=true", "{\"spec\":{\"unschedulable\":true}}"),
	    1);
	CHECK_INT(
	    field_match("Secret", "type=kubernetes.io/tls", "{\"type\":\"kubernetes.io/tls\"}"), 1);
	CHECK_INT(
	    field_match("Namespace", "status.phase=Active", "{\"status\":{\"phase\":\"Active\"}}"),
	    1);
	CHECK_INT(field_match("Job", "status.successful=2", "{\"status\":{\"succeeded\":2}}"), 1);
	CHECK_INT(field_match("Job", "status.successful=0", "{\"status\":{}}"), 1);
	CHECK_INT(field_match("ReplicaSet", "status.replicas=3", "{\"status\":{\"replicas\":3}}"),
		  1);
	CHECK_INT(field_match("ConfigMap", "metadata.name=a", "{\"metadata\":{\"name\":\"a\"}}"),
		  1);
	CHECK_INT(field_match(NULL, "metadata.namespace=", "{\"metadata\":{\"name\":\"a\"}}"), 1);
}

static void expect_field_error(const char *kind, const char *sel, const char *want)
{
	char err[512] = "";
	struct selector *s = field_selector_parse(kind, sel, err, sizeof err);
	CHECK(s == NULL);
	selector_free(s);
	CHECK_STR(err, want);
}

static void test_field_errors(void)
{
	expect_field_error("Pod", "spec.foo=bar", "field label not supported: spec.foo");
	expect_field_error("ConfigMap", "spec.nodeName=x",
			   "field label not supported: spec.nodeName");
	expect_field_error("Deployment", "status.phase=Running",
			   "field label not supported: status.phase");
	expect_field_error("Node", "metadata.name",
			   "invalid selector: 'metadata.name'; can't "
			   "understand 'metadata.name'");
	expect_field_error("Pod", "metadata.name=a=b",
			   "invalid field selector: unescaped character in value: =");
	expect_field_error("Pod", "metadata.name=a\\x",
			   "invalid field selector: invalid escape sequence: \\x");
	expect_field_error("Pod", "metadata.name=a\\",
			   "invalid field selector: invalid escape sequence: \\");
	expect_field_error("Pod", "metadata.name =a", "field label not supported: metadata.name ");
	/* terms are sorted first, so the first error in sorted order wins */
	expect_field_error("Pod", "zzz=1,aaa=2", "field label not supported: aaa");
}

static void test_field_escaping_and_name(void)
{
	char err[256];
	struct selector *s =
	    field_selector_parse("ConfigMap", "metadata.name=a\\,b\\=c\\\\d", err, sizeof err);
	CHECK(s != NULL);
	CHECK_STR(field_selector_name(s), "a,b=c\\d");
	json_t *o = json_pack("{s:{s:s}}", "metadata", "name", "a,b=c\\d");
	CHECK(field_selector_matches(s, o));
	json_decref(o);
	selector_free(s);

	s = field_selector_parse("Pod", "metadata.name==web,spec.nodeName=n", err, sizeof err);
	CHECK_STR(field_selector_name(s), "web");
	selector_free(s);
	s = field_selector_parse("Pod", "metadata.name!=web", err, sizeof err);
	CHECK(field_selector_name(s) == NULL);
	selector_free(s);
	s = field_selector_parse("Pod", "status.phase=Running", err, sizeof err);
	CHECK(field_selector_name(s) == NULL);
	selector_free(s);
	s = field_selector_parse("Pod", ",,metadata.name=x,", err, sizeof err);
	CHECK_STR(field_selector_name(s), "x");
	selector_free(s);
	CHECK(field_selector_name(NULL) == NULL);
	CHECK(field_selector_matches(NULL, NULL));
	CHECK(label_selector_matches(NULL, NULL));
}

int main(void)
{
	TEST_RUN(test_label_match_table);
	TEST_RUN(test_label_errors);
	TEST_RUN(test_label_string);
	TEST_RUN(test_label_from_json);
	TEST_RUN(test_field_pod);
	TEST_RUN(test_field_other_kinds);
	TEST_RUN(test_field_errors);
	TEST_RUN(test_field_escaping_and_name);
	return test_summary();
}
