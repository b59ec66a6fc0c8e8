/* Tests for common/yaml: sigs.k8s.io/yaml scalar resolution, manifests,
 * multi-document streams, anchors/merge keys, the alias and depth bounds,
 * upstream-style error messages, and emit -> parse round trips. */
#include "common/yaml.h"
#include "tests/test.h"

#include <stdbool.h>
#include <stdlib.h>

static json_t *parse(const char *s, char *err, size_t errlen)
{
	return yaml_parse(s, strlen(s), err, errlen);
}

/* The compact JSON of the YAML's first document ("ERR: msg" on failure). */
static char *to_json(const char *yaml)
{
	char err[256];
	json_t *v = parse(yaml, err, sizeof err);
	char *s;
	if (!v) {
		char *e = malloc(strlen(err) + 6);
		sprintf(e, "ERR: %s", err);
		return e;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	json_decref(v);
	return s;
}

#define CHECK_YAML(yaml, json)                                                                     \
	do {                                                                                       \
		char *got_ = to_json(yaml);                                                        \
		CHECK_STR(got_, json);                                                             \
		free(got_);                                                                        \
	} while (0)

static void test_scalar_resolution(void)
{
	CHECK_YAML("a: true", "{\"a\":true}");
	CHECK_YAML("a: \"true\"", "{\"a\":\"true\"}");
	CHECK_YAML("a: 'yes'", "{\"a\":\"yes\"}");
	CHECK_YAML("[yes, Yes, YES, y, Y, on, On, ON, True, TRUE]",
		   "[true,true,true,true,true,true,true,true,true,true]");
	CHECK_YAML("[no, No, NO, n, N, off, Off, OFF, False, FALSE]",
		   "[false,false,false,false,false,false,false,false,false,false]");
	CHECK_YAML("[yEs, tRue, nil, None]", "[\"yEs\",\"tRue\",\"nil\",\"None\"]");
	CHECK_YAML("[null, Null, NULL, ~, ]", "[null,null,null,null]");
	CHECK_YAML("a:\nb: ~\nc: \"\"", "{\"a\":null,\"b\":null,\"c\":\"\"}");
	CHECK_YAML("[0, 42, -7, +7, 1_000]", "[0,42,-7,7,1000]");
	CHECK_YAML("[0x1F, 0X1f, 0o17, 0b101, -0x10]", "[31,31,15,5,-16]");
	/* go-yaml v2: a leading 0 is octal; 08 is not octal but a float 8 */
	CHECK_YAML("[0123, 0777, 08, \"0123\"]", "[83,511,8,\"0123\"]");
	CHECK_YAML("[1e3, 1.5, -2.5e-1, .5, 1., \"1e3\"]", "[1000,1.5,-0.25,0.5,1,\"1e3\"]");
	CHECK_YAML("[9223372036854775807, -9223372036854775808]",
		   "[9223372036854775807,-9223372036854775808]");
	CHECK_YAML("big: 18446744073709551615", "{\"big\":1.8446744073709552e19}");
	CHECK_YAML("[1e400, 0x, 1.2.3, 1-2, +, 12:30:00]",
		   "[\"1e400\",\"0x\",\"1.2.3\",\"1-2\",\"+\",\"12:30:00\"]");
	/* timestamps stay strings, as go-yaml hands them to interface{} */
	CHECK_YAML("t: 2024-01-02T03:04:05Z", "{\"t\":\"2024-01-02T03:04:05Z\"}");
	CHECK_YAML("d: 2001-12-14", "{\"d\":\"2001-12-14\"}");
	CHECK_YAML("[.inf]", "ERR: yaml: line 1: json: unsupported value: +Inf");
	CHECK_YAML("x: .nan", "ERR: yaml: line 1: json: unsupported value: NaN");
	/* explicit tags */
	CHECK_YAML("[!!str 123, !!int \"42\", !!float 3, !!bool \"on\", !custom 5]",
		   "[\"123\",42,3,true,\"5\"]");
	CHECK_YAML("a: !!int abc", "ERR: yaml: line 1: cannot decode !!str `abc` as a !!int");
	/* block scalars are strings */
	CHECK_YAML("s: |\n  true\n  line2\nf: >\n  folded\n  text\n",
		   "{\"s\":\"true\\nline2\\n\",\"f\":\"folded text\\n\"}");
	CHECK_YAML("s: |-\n  123\n", "{\"s\":\"123\"}");
	CHECK_YAML("s: \"a\\tb\\u00e9\\0c\"", "{\"s\":\"a\\tbé\\u0000c\"}");
	CHECK_YAML("42", "42");
	CHECK_YAML("", "null");
	CHECK_YAML("# only a comment\n", "null");
}

static void test_keys(void)
{
	CHECK_YAML("1: a\n0x10: b\ntrue: c\nno: d\n1.5: e\n2.0: f\n\"3\": g",
		   "{\"1\":\"a\",\"16\":\"b\",\"true\":\"c\",\"false\":\"d\",\"1.5\":\"e\","
		   "\"2\":\"f\",\"3\":\"g\"}");
	CHECK_YAML("y: 1\nn: 2", "{\"true\":1,\"false\":2}");
	CHECK_YAML("a: 1\na: 2", "{\"a\":2}");
	CHECK_YAML("~: 1", "ERR: yaml: line 1: unsupported map key of type null");
	CHECK_YAML("? [a]\n: 1", "ERR: yaml: line 1: unsupported map key of type array");
	CHECK_YAML("? {a: 1}\n: 1", "ERR: yaml: line 1: unsupported map key of type map");
	/* go-yaml v2 reads a bare y as true, in flow collections too */
	CHECK_YAML("{a: 1, b: [x, y, z], \"c\": {d: e}}",
		   "{\"a\":1,\"b\":[\"x\",true,\"z\"],\"c\":{\"d\":\"e\"}}");
}

static const char deployment[] = "apiVersion: apps/v1\n"
				 "kind: Deployment\n"
				 "metadata:\n"
				 "  name: web\n"
				 "  labels:\n"
				 "    app: web\n"
				 "  annotations:\n"
				 "    enabled: \"true\"\n"
				 "spec:\n"
				 "  replicas: 3\n"
				 "  selector:\n"
				 "    matchLabels:\n"
				 "      app: web\n"
				 "  template:\n"
				 "    metadata:\n"
				 "      labels:\n"
				 "        app: web\n"
				 "    spec:\n"
				 "      containers:\n"
				 "      - name: nginx\n"
				 "        image: nginx:1.25\n"
				 "        args: [\"--port\", \"8080\"]\n"
				 "        command:\n"
				 "          - /bin/sh\n"
				 "          - -c\n"
				 "          - |\n"
				 "            echo hello\n"
				 "            exec nginx\n"
				 "        ports:\n"
				 "        - containerPort: 80\n"
				 "          protocol: TCP\n"
				 "        env:\n"
				 "        - name: DEBUG\n"
				 "          value: \"false\"\n"
				 "        - name: EMPTY\n"
				 "          value:\n"
				 "        resources:\n"
				 "          limits: {cpu: 500m, memory: 128Mi}\n";

static void test_deployment(void)
{
	char err[256];
	json_t *v = parse(deployment, err, sizeof err);
	json_t *c;
	CHECK(v != NULL);
	if (!v)
		return;
	CHECK_STR(json_string_value(json_object_get(v, "kind")), "Deployment");
	CHECK_INT(json_integer_value(json_object_get(json_object_get(v, "spec"), "replicas")), 3);
	CHECK(json_is_integer(json_object_get(json_object_get(v, "spec"), "replicas")));
	CHECK_STR(json_string_value(json_object_get(
		      json_object_get(json_object_get(v, "metadata"), "annotations"), "enabled")),
		  "true");
	c = json_array_get(
	    json_object_get(
		json_object_get(json_object_get(json_object_get(v, "spec"), "template"), "spec"),
		"containers"),
	    0);
	CHECK_STR(json_string_value(json_object_get(c, "image")), "nginx:1.25");
	CHECK_STR(json_string_value(json_array_get(json_object_get(c, "command"), 2)),
		  "echo hello\nexec nginx\n");
	CHECK_STR(json_string_value(json_array_get(json_object_get(c, "command"), 1)), "-c");
	CHECK_STR(json_string_value(json_array_get(json_object_get(c, "args"), 1)), "8080");
	CHECK_INT(json_integer_value(json_object_get(json_array_get(json_object_get(c, "ports"), 0),
						     "containerPort")),
		  80);
	CHECK_STR(json_string_value(
		      json_object_get(json_array_get(json_object_get(c, "env"), 0), "value")),
		  "false");
	CHECK(json_is_null(json_object_get(json_array_get(json_object_get(c, "env"), 1), "value")));
	CHECK_STR(json_string_value(json_object_get(
		      json_object_get(json_object_get(c, "resources"), "limits"), "memory")),
		  "128Mi");
	/* key order is document order */
	const char *first = json_object_iter_key(json_object_iter(v));
	CHECK_STR(first, "apiVersion");
	json_decref(v);
}

static void test_multi_document(void)
{
	const char *s = "---\napiVersion: v1\nkind: ConfigMap\n---\n# empty\n---\n"
			"apiVersion: v1\nkind: Secret\n...\n---\nkind: Service\n---\n";
	char err[256];
	json_t *docs = yaml_parse_all(s, strlen(s), err, sizeof err);
	CHECK(docs && json_array_size(docs) == 3);
	CHECK_STR(json_string_value(json_object_get(json_array_get(docs, 0), "kind")), "ConfigMap");
	CHECK_STR(json_string_value(json_object_get(json_array_get(docs, 1), "kind")), "Secret");
	CHECK_STR(json_string_value(json_object_get(json_array_get(docs, 2), "kind")), "Service");
	json_decref(docs);
	/* yaml_parse takes the first document only and ignores errors after it */
	json_t *v = yaml_parse(s, strlen(s), err, sizeof err);
	CHECK_STR(json_string_value(json_object_get(v, "kind")), "ConfigMap");
	json_decref(v);
	const char *bad = "a: 1\n---\nb: [\n";
	v = yaml_parse(bad, strlen(bad), err, sizeof err);
	CHECK(v && json_object_get(v, "a"));
	json_decref(v);
	docs = yaml_parse_all(bad, strlen(bad), err, sizeof err);
	CHECK(docs == NULL);
	CHECK(strncmp(err, "yaml: line ", 11) == 0);
	docs = yaml_parse_all("", 0, err, sizeof err);
	CHECK(docs && json_array_size(docs) == 0);
	json_decref(docs);
	/* anchors do not cross documents */
	const char *cross = "a: &x 1\n---\nb: *x\n";
	docs = yaml_parse_all(cross, strlen(cross), err, sizeof err);
	CHECK(docs == NULL);
	CHECK_STR(err, "yaml: line 3: unknown anchor 'x' referenced");
}

static void test_anchors_and_merge(void)
{
	CHECK_YAML("base: &b {cpu: 1, mem: 2}\nx: *b\nz: *b",
		   "{\"base\":{\"cpu\":1,\"mem\":2},\"x\":{\"cpu\":1,\"mem\":2},"
		   "\"z\":{\"cpu\":1,\"mem\":2}}");
	CHECK_YAML("a: &v hello\nb: *v", "{\"a\":\"hello\",\"b\":\"hello\"}");
	CHECK_YAML("base: &b {a: 1, b: 2}\nobj:\n  <<: *b\n  b: 3",
		   "{\"base\":{\"a\":1,\"b\":2},\"obj\":{\"a\":1,\"b\":3}}");
	CHECK_YAML("obj:\n  b: 3\n  <<: {a: 1, b: 2}", "{\"obj\":{\"b\":3,\"a\":1}}");
	CHECK_YAML("a: &a {x: 1}\nb: &b {x: 2, z: 2}\nc:\n  <<: [*a, *b]",
		   "{\"a\":{\"x\":1},\"b\":{\"x\":2,\"z\":2},\"c\":{\"x\":1,\"z\":2}}");
	CHECK_YAML("c:\n  <<: 5",
		   "ERR: yaml: line 2: map merge requires map or sequence of maps as the value");
	CHECK_YAML("c:\n  \"<<\": 5", "{\"c\":{\"<<\":5}}");
	CHECK_YAML("a: *nope", "ERR: yaml: line 1: unknown anchor 'nope' referenced");
	CHECK_YAML("a: &x [1, *x]", "ERR: yaml: line 1: unknown anchor 'x' referenced");
	/* redefinition: the newest wins */
	CHECK_YAML("- &x 1\n- &x 2\n- *x", "[1,2,2]");
	CHECK_YAML("&k key: *k", "{\"key\":\"key\"}");

	/* expanded aliases are copies: changing one leaves the other alone */
	char err[256];
	json_t *v = parse("a: &a {num: 1}\nb: *a", err, sizeof err);
	json_object_set_new(json_object_get(v, "b"), "num", json_integer(2));
	CHECK_INT(json_integer_value(json_object_get(json_object_get(v, "a"), "num")), 1);
	json_decref(v);
}

static void test_billion_laughs(void)
{
	const char *lol =
	    "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
	    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
	    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
	    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
	    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
	    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
	    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
	    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	char err[256];
	json_t *v = yaml_parse(lol, strlen(lol), err, sizeof err);
	CHECK(v == NULL);
	CHECK(strstr(err, "document contains excessive aliasing") != NULL);
	CHECK(strncmp(err, "yaml: line ", 11) == 0);
	/* a modest amount of aliasing is fine */
	const char *ok = "a: &a [1,2,3]\nb: [*a,*a,*a]\n";
	v = yaml_parse(ok, strlen(ok), err, sizeof err);
	CHECK(v && json_array_size(json_object_get(v, "b")) == 3);
	json_decref(v);
}

static char *nested(int depth, bool flow)
{
	char *s = malloc((size_t)depth * 4 + 16), *p = s;
	for (int i = 0; i < depth; i++)
		*p++ = '[';
	for (int i = 0; i < depth; i++)
		*p++ = ']';
	*p = '\0';
	(void)flow;
	return s;
}

static void test_depth_limit(void)
{
	char err[256];
	char *ok = nested(99, true), *deep = nested(101, true), *huge = nested(100000, true);
	json_t *v = yaml_parse(ok, strlen(ok), err, sizeof err);
	CHECK(v != NULL);
	json_decref(v);
	v = yaml_parse(deep, strlen(deep), err, sizeof err);
	CHECK(v == NULL);
	CHECK_STR(err, "yaml: line 1: exceeded max depth of 100");
	v = yaml_parse(huge, strlen(huge), err, sizeof err);
	CHECK(v == NULL);
	/* an alias that would push a tree past the bound */
	char doc[2048];
	snprintf(doc, sizeof doc, "a: &a %s\nb: [[[[*a]]]]\n", ok);
	v = yaml_parse(doc, strlen(doc), err, sizeof err);
	CHECK(v == NULL);
	CHECK(strstr(err, "exceeded max depth") != NULL);
	free(ok);
	free(deep);
	free(huge);
}

static void test_errors(void)
{
	/* bad indentation: a key dedented into the middle of a mapping (on line
	 * 5). go-yaml reports parser errors with libyaml's 0-based line and
	 * scanner errors 1-based; kubectl users see exactly these numbers. */
	CHECK_YAML("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n labels: y\n",
		   "ERR: yaml: line 4: did not find expected key");
	CHECK_YAML("a: b: c", "ERR: yaml: mapping values are not allowed in this context");
	CHECK_YAML("a: 1\nb: c: d\n",
		   "ERR: yaml: line 2: mapping values are not allowed in this context");
	CHECK_YAML("a: [1, 2\nb: 3\n", "ERR: yaml: line 1: did not find expected ',' or ']'");
	CHECK_YAML("a:\n\t- b\n", "ERR: yaml: line 2: found character that cannot start any token");
	CHECK_YAML("a: \"unterminated\n", "ERR: yaml: line 2: found unexpected end of stream");
	char err[256];
	const char bin[] = "a: \xff\xfe";
	json_t *v = yaml_parse(bin, sizeof bin - 1, err, sizeof err);
	CHECK(v == NULL && strncmp(err, "yaml: ", 6) == 0);
	/* no error buffer: still no crash */
	v = yaml_parse("a: [", 4, NULL, 0);
	CHECK(v == NULL);
	/* not NUL-terminated: only len bytes are read */
	v = yaml_parse("a: 1b: 2", 4, err, sizeof err);
	CHECK(v && json_integer_value(json_object_get(v, "a")) == 1);
	json_decref(v);
}

static char *emit_str(const char *json)
{
	json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
	char *s = v ? yaml_emit(v) : NULL;
	json_decref(v);
	return s;
}

#define CHECK_EMIT(json, yaml)                                                                     \
	do {                                                                                       \
		char *got_ = emit_str(json);                                                       \
		CHECK_STR(got_, yaml);                                                             \
		free(got_);                                                                        \
	} while (0)

static void test_emit_style(void)
{
	CHECK_EMIT("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
		   "\"labels\":{}},\"spec\":{\"containers\":[{\"name\":\"c\",\"ports\":"
		   "[{\"containerPort\":80}]}],\"volumes\":[]}}",
		   "apiVersion: v1\n"
		   "kind: Pod\n"
		   "metadata:\n"
		   "  name: p\n"
		   "  labels: {}\n"
		   "spec:\n"
		   "  containers:\n"
		   "  - name: c\n"
		   "    ports:\n"
		   "    - containerPort: 80\n"
		   "  volumes: []\n");
	CHECK_EMIT("{\"a\":\"true\",\"b\":true,\"c\":\"0123\",\"d\":\"1e3\",\"e\":\"\",\"f\":null,"
		   "\"g\":\"yes\",\"h\":\"12:30\",\"i\":\"2024-01-02T03:04:05Z\",\"j\":\"~\"}",
		   "a: \"true\"\nb: true\nc: \"0123\"\nd: \"1e3\"\ne: \"\"\nf: null\ng: \"yes\"\n"
		   "h: \"12:30\"\ni: \"2024-01-02T03:04:05Z\"\nj: \"~\"\n");
	CHECK_EMIT("{\"k\":\"*\",\"l\":\"- x\",\"m\":\"a: b\",\"n\":\"#c\",\"o\":\" lead\"}",
		   "k: '*'\nl: '- x'\nm: 'a: b'\n\"n\": '#c'\no: ' lead'\n");
	CHECK_EMIT("{\"s\":\"line1\\nline2\\n\"}", "s: |\n  line1\n  line2\n");
	CHECK_EMIT("{\"x\":0.5,\"y\":1000000.0,\"z\":0.00001,\"w\":-3}",
		   "x: 0.5\n\"y\": 1e+06\nz: 1e-05\nw: -3\n");
	CHECK_EMIT("{\"true\":1,\"123\":2,\"<<\":3}", "\"true\": 1\n\"123\": 2\n\"<<\": 3\n");
	CHECK_EMIT("[[1,2],{\"a\":[]}]", "- - 1\n  - 2\n- a: []\n");
	CHECK_EMIT("{\"u\":\"héllo\"}", "u: héllo\n");
	CHECK(yaml_emit(NULL) == NULL);
}

static void test_round_trip(void)
{
	const char *json =
	    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm\","
	    "\"annotations\":{\"a\":\"true\",\"b\":\"0x1F\",\"c\":\"1e3\",\"d\":\"null\","
	    "\"e\":\"\",\"f\":\"~\",\"g\":\"on\",\"h\":\"-\",\"i\":\"  spaced  \","
	    "\"j\":\"trailing \\nspace\",\"k\":\"tab\\there\",\"l\":\"quote\\\"s'\","
	    "\"m\":\"nul\\u0000byte\",\"n\":\"üñí\",\"o\":\"# not a comment\","
	    "\"p\":\"key: value\",\"q\":\"[1,2]\",\"r\":\"{a}\",\"s\":\"&anchor\","
	    "\"t\":\"*alias\",\"u\":\"!tag\",\"v\":\"%x\",\"w\":\"@at\",\"x\":\"`bt\","
	    "\"y\":\"08\",\"z\":\"1_000\",\"aa\":\"2001-12-14\",\"ab\":\"1:20\","
	    "\"ac\":\"multi\\nline\\ntext\",\"ad\":\"\\nleading newline\","
	    "\"ae\":\"y\",\"af\":\"N\",\"ag\":\".5\",\"ah\":\"+.inf\",\"ai\":\"<<\"}},"
	    "\"data\":{\"n1\":1,\"n2\":-2.5,\"n3\":1e100,\"n4\":true,\"n5\":null,"
	    "\"n6\":[],\"n7\":{},\"n8\":[[[{\"deep\":[1,\"2\",3.25]}]]],"
	    "\"n9\":9223372036854775807}}";
	json_error_t je;
	json_t *orig = json_loads(json, JSON_ALLOW_NUL, &je);
	char err[256], *yaml;
	json_t *back;
	CHECK(orig != NULL);
	if (!orig)
		return;
	yaml = yaml_emit(orig);
	CHECK(yaml != NULL);
	back = yaml ? yaml_parse(yaml, strlen(yaml), err, sizeof err) : NULL;
	CHECK(back != NULL);
	CHECK(back && json_equal(orig, back));
	if (back && !json_equal(orig, back)) {
		char *a = json_dumps(back, JSON_PRESERVE_ORDER);
		fprintf(stderr, "yaml:\n%s\nback: %s\n", yaml, a);
		free(a);
	}
	/* and parse(emit(parse(deployment))) is stable */
	json_t *d1 = parse(deployment, err, sizeof err);
	char *y1 = yaml_emit(d1);
	json_t *d2 = y1 ? parse(y1, err, sizeof err) : NULL;
	CHECK(d2 && json_equal(d1, d2));
	char *y2 = d2 ? yaml_emit(d2) : NULL;
	CHECK_STR(y2, y1);
	free(yaml);
	free(y1);
	free(y2);
	json_decref(orig);
	json_decref(back);
	json_decref(d1);
	json_decref(d2);
}

static void test_emit_scalars_at_root(void)
{
	CHECK_EMIT("\"x\"", "x\n");
	CHECK_EMIT("null", "null\n");
	CHECK_EMIT("{}", "{}\n");
	CHECK_EMIT("[]", "[]\n");
}

int main(void)
{
	TEST_RUN(test_scalar_resolution);
	TEST_RUN(test_keys);
	TEST_RUN(test_deployment);
	TEST_RUN(test_multi_document);
	TEST_RUN(test_anchors_and_merge);
	TEST_RUN(test_billion_laughs);
	TEST_RUN(test_depth_limit);
	TEST_RUN(test_errors);
	TEST_RUN(test_emit_style);
	TEST_RUN(test_round_trip);
	TEST_RUN(test_emit_scalars_at_root);
	return test_summary();
}
