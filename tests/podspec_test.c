/* Tests of agent/podspec and agent/volume: a Pod's container turned into a
 * runtime spec (command/args against the image, $(VAR) expansion, env
 * precedence and every valueFrom kind, securityContext, resources,
 * namespaces, mounts, the hostNetwork + privileged + hostPath /dev pattern),
 * Quantity parsing, and volumes written like the kubelet's AtomicWriter
 * (items, modes, updates, downward API, path traversal refused). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "agent/podspec.h"
#include "common/quantity.h"
#include "common/jsonutil.h"
#include "tests/test.h"

static char tmp[64], layer[128], voldir[128];
static char *layers[] = {layer, NULL};
static char *img_env[] = {"PATH=/usr/bin:/bin", "LANG=C", NULL};
static char *img_ep[] = {"/entry", NULL};
static char *img_cmd[] = {"serve", "--port=80", NULL};
static struct rt_image_info image;
static json_t *objects; /* "configmaps/ns/name" -> object */

static void cleanup(void)
{
	if (tmp[0]) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmp);
	}
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static const json_t *get_object(void *ud, const char *res, const char *ns, const char *name)
{
	char key[512];
	snprintf(key, sizeof(key), "%s/%s/%s", res, ns, name);
	return json_object_get((json_t *)ud, key);
}

static void reset_image(void)
{
	image = (struct rt_image_info){
	    .name = "docker.io/library/busybox:test",
	    .id = "sha256:0000",
	    .layers = layers,
	    .n_layers = 1,
	    .env = img_env,
	    .n_env = 2,
	    .entrypoint = img_ep,
	    .n_entrypoint = 1,
	    .cmd = img_cmd,
	    .n_cmd = 2,
	    .working_dir = "/srv",
	    .user = "",
	};
}

static struct agent_pod_ctx ctx(void)
{
	static const char *ips[] = {"10.42.0.7", "fd00::7", NULL};
	struct agent_pod_ctx c = {
	    .image = &image,
	    .pod_ip = "10.42.0.7",
	    .pod_ips = ips,
	    .host_ip = "192.168.1.50",
	    .node_name = "wyse-1",
	    .node_cpu_milli = 4000,
	    .node_memory = 2LL << 30,
	    .get_object = get_object,
	    .ud = objects,
	    .volume_dir = voldir,
	};
	return c;
}

static json_t *load(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	if (!j)
		fprintf(stderr, "bad test JSON: %s at %d: %s\n", e.text, e.position, text);
	return j;
}

/* A pod around one container (given as JSON); extra: more pod.spec fields. */
static json_t *pod_with(const char *container, const char *extra)
{
	char buf[8192];
	snprintf(buf, sizeof(buf),
		 "{\"metadata\":{\"name\":\"web-0\",\"namespace\":\"default\",\"uid\":\"u-123\","
		 "\"labels\":{\"app\":\"web\",\"tier\":\"db\"},\"annotations\":{\"note\":"
		 "\"say \\\"hi\\\"\"}},\"spec\":{\"nodeName\":\"wyse-1\",\"serviceAccountName\":"
		 "\"default\",\"containers\":[%s]%s%s}}",
		 container, extra && *extra ? "," : "", extra ? extra : "");
	return load(buf);
}

static const json_t *first_container(const json_t *pod)
{
	return json_array_get(json_path(pod, "spec.containers"), 0);
}

/* Spec for the pod's first container; returns the call's result. */
static int spec_of(const json_t *pod, const struct agent_pod_ctx *c, struct rt_spec *s, char *err,
		   size_t errlen)
{
	return agent_pod_container_spec(pod, first_container(pod), c, s, err, errlen);
}

static void join(const char *const *v, char *out, size_t n)
{
	out[0] = '\0';
	for (size_t i = 0; v && v[i]; i++) {
		size_t l = strlen(out);
		snprintf(out + l, n - l, "%s%s", i ? " " : "", v[i]);
	}
}

static const char *env_get(const struct rt_spec *s, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; s->env && s->env[i]; i++)
		if (!strncmp(s->env[i], key, kl) && s->env[i][kl] == '=')
			return s->env[i] + kl + 1;
	return NULL;
}

static const struct rt_mount *mount_at(const struct rt_spec *s, const char *dst)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (!strcmp(s->mounts[i].destination, dst))
			return &s->mounts[i];
	return NULL;
}

/* ---- command and args ---- */

static void test_command_args(void)
{
	static const struct {
		const char *container; /* JSON fields besides name/image */
		bool ep;	       /* image has ENTRYPOINT */
		const char *want;      /* NULL: error */
	} cases[] = {
	    {"", true, "/entry serve --port=80"},
	    {"\"command\":[\"/bin/sh\",\"-c\",\"x\"]", true, "/bin/sh -c x"},
	    {"\"args\":[\"a\",\"b\"]", true, "/entry a b"},
	    {"\"command\":[\"/bin/echo\"],\"args\":[\"a\"]", true, "/bin/echo a"},
	    {"\"args\":[\"a\",\"b\"]", false, "a b"},
	    {"\"command\":[],\"args\":[]", false, "serve --port=80"},
	    {"\"command\":[\"/x\"]", false, "/x"},
	    {"\"command\":[1]", true, NULL},
	    {"\"command\":\"/bin/sh\"", true, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char c[512], got[512], err[256] = "";
		snprintf(c, sizeof(c), "{\"name\":\"c\",\"image\":\"busybox\"%s%s}",
			 *cases[i].container ? "," : "", cases[i].container);
		json_t *pod = pod_with(c, NULL);
		reset_image();
		if (!cases[i].ep) {
			image.entrypoint = NULL;
			image.n_entrypoint = 0;
		}
		struct agent_pod_ctx x = ctx();
		struct rt_spec s;
		int r = spec_of(pod, &x, &s, err, sizeof(err));
		if (cases[i].want) {
			CHECK_INT(r, 0);
			join(s.args, got, sizeof(got));
			CHECK_STR(got, cases[i].want);
		} else {
			CHECK_INT(r, -EINVAL);
			CHECK(s.args == NULL && s.env == NULL);
		}
		agent_spec_free(&s);
		json_decref(pod);
	}
	/* nothing anywhere */
	reset_image();
	image.entrypoint = image.cmd = NULL;
	image.n_entrypoint = image.n_cmd = 0;
	json_t *pod = pod_with("{\"name\":\"c\"}", NULL);
	struct agent_pod_ctx x = ctx();
	struct rt_spec s;
	char err[256];
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "no command specified");
	json_decref(pod);
	reset_image();
}

static void test_expansion(void)
{
	char *env[] = {"A=alpha", "EMPTY=", "B=$(A)", NULL};
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"$(A)", "alpha"},
	    {"x$(A)y", "xalphay"},
	    {"$$(A)", "$(A)"},
	    {"$$$(A)", "$alpha"},
	    {"$$$$(A)", "$$(A)"},
	    {"$(UNDEF)", "$(UNDEF)"},
	    {"$(A", "$(A"},
	    {"$(A)$(A", "alpha$(A"},
	    {"a$b", "a$b"},
	    {"$", "$"},
	    {"$$", "$"},
	    {"x$", "x$"},
	    {"$()", "$()"},
	    {"$(EMPTY)|", "|"},
	    {"$(B)", "$(A)"}, /* values are not expanded again */
	    {"", ""},
	    {"no vars", "no vars"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = agent_expand(cases[i].in, env);
		CHECK_STR(got, cases[i].want);
		free(got);
	}
	char *got = agent_expand("$(A)", NULL);
	CHECK_STR(got, "$(A)");
	free(got);

	json_t *pod =
	    pod_with("{\"name\":\"c\",\"command\":[\"echo\",\"$(GREETING)\",\"$$(GREETING)\","
		     "\"$(NOPE)\"],\"args\":[\"$(MSG)\"],\"env\":[{\"name\":\"GREETING\","
		     "\"value\":\"hi\"},{\"name\":\"MSG\",\"value\":\"$(GREETING) "
		     "$(LATER) $(PATH)\"},{\"name\":\"LATER\",\"value\":\"x\"}]}",
		     NULL);
	struct agent_pod_ctx x = ctx();
	struct rt_spec s;
	char err[256], all[512];
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), 0);
	join(s.args, all, sizeof(all));
	/* LATER is defined after MSG and PATH only in the image: both stay literal */
	CHECK_STR(all, "echo hi $(GREETING) $(NOPE) hi $(LATER) $(PATH)");
	agent_spec_free(&s);
	json_decref(pod);
}

/* ---- env ---- */

static void test_env_precedence(void)
{
	json_t *pod = pod_with(
	    "{\"name\":\"c\",\"envFrom\":[{\"configMapRef\":{\"name\":\"app\"}},{\"prefix\":\"S_\","
	    "\"secretRef\":{\"name\":\"creds\"}},{\"configMapRef\":{\"name\":\"absent\","
	    "\"optional\":true}}],\"env\":[{\"name\":\"LANG\",\"value\":\"de\"},{\"name\":\"REF\","
	    "\"value\":\"$(COLOR)-$(S_user)\"},{\"name\":\"COLOR\",\"value\":\"red\"},{\"name\":"
	    "\"EMPTY\"}]}",
	    NULL);
	struct agent_pod_ctx x = ctx();
	struct rt_spec s;
	char err[256];
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), 0);
	CHECK_STR(s.env[0], "PATH=/usr/bin:/bin"); /* image env first, in place */
	CHECK_STR(s.env[1], "LANG=de");		   /* env beats envFrom beats image */
	CHECK_STR(env_get(&s, "COLOR"), "red");
	CHECK_STR(env_get(&s, "SIZE"), "L");
	CHECK_STR(env_get(&s, "S_user"), "admin");
	CHECK_STR(env_get(&s, "S_password"), "s3cr3t");
	CHECK_STR(env_get(&s, "REF"), "blue-admin"); /* expanded before COLOR was redefined */
	CHECK_STR(env_get(&s, "EMPTY"), "");
	CHECK(env_get(&s, "bad key") != NULL); /* printable names are accepted (1.32) */
	CHECK(env_get(&s, "HOME") == NULL || !strcmp(env_get(&s, "HOME"), "/root"));
	agent_spec_free(&s);
	json_decref(pod);
}

static void test_value_from(void)
{
	json_t *pod = pod_with(
	    "{\"name\":\"c\",\"resources\":{\"limits\":{\"memory\":\"128Mi\",\"cpu\":\"500m\"},"
	    "\"requests\":{\"cpu\":\"250m\"}},\"env\":["
	    "{\"name\":\"N\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.name\"}}},"
	    "{\"name\":\"NS\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.namespace\"}}},"
	    "{\"name\":\"UID\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.uid\"}}},"
	    "{\"name\":\"APP\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.labels['app']"
	    "\"}}},"
	    "{\"name\":\"NONE\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.labels['x']"
	    "\"}}},"
	    "{\"name\":\"NOTE\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.annotations["
	    "'note']\"}}},"
	    "{\"name\":\"NODE\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"spec.nodeName\"}}},"
	    "{\"name\":\"SA\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"spec."
	    "serviceAccountName\"}}},"
	    "{\"name\":\"IP\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"status.podIP\"}}},"
	    "{\"name\":\"IPS\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"status.podIPs\"}}},"
	    "{\"name\":\"HIP\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"status.hostIP\"}}},"
	    "{\"name\":\"MEM\",\"valueFrom\":{\"resourceFieldRef\":{\"resource\":\"limits.memory\","
	    "\"divisor\":\"1Mi\"}}},"
	    "{\"name\":\"CPU\",\"valueFrom\":{\"resourceFieldRef\":{\"resource\":\"limits.cpu\"}}},"
	    "{\"name\":\"REQ\",\"valueFrom\":{\"resourceFieldRef\":{\"resource\":\"requests.cpu\","
	    "\"divisor\":\"1m\"}}},"
	    "{\"name\":\"SIDE\",\"valueFrom\":{\"resourceFieldRef\":{\"containerName\":\"side\","
	    "\"resource\":\"limits.cpu\",\"divisor\":\"1m\"}}},"
	    "{\"name\":\"SIDEMEM\",\"valueFrom\":{\"resourceFieldRef\":{\"containerName\":\"side\","
	    "\"resource\":\"limits.memory\"}}},"
	    "{\"name\":\"CM\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"app\",\"key\":"
	    "\"COLOR\"}}},"
	    "{\"name\":\"PW\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"creds\",\"key\":"
	    "\"password\"}}},"
	    "{\"name\":\"OPT1\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"gone\",\"key\":\"k\","
	    "\"optional\":true}}},"
	    "{\"name\":\"OPT2\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"app\",\"key\":"
	    "\"nokey\",\"optional\":true}}}]},{\"name\":\"side\"}",
	    NULL);
	struct agent_pod_ctx x = ctx();
	struct rt_spec s;
	char err[256] = "";
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "%s\n", err);
	CHECK_STR(env_get(&s, "N"), "web-0");
	CHECK_STR(env_get(&s, "NS"), "default");
	CHECK_STR(env_get(&s, "UID"), "u-123");
	CHECK_STR(env_get(&s, "APP"), "web");
	CHECK_STR(env_get(&s, "NONE"), "");
	CHECK_STR(env_get(&s, "NOTE"), "say \"hi\"");
	CHECK_STR(env_get(&s, "NODE"), "wyse-1");
	CHECK_STR(env_get(&s, "SA"), "default");
	CHECK_STR(env_get(&s, "IP"), "10.42.0.7");
	CHECK_STR(env_get(&s, "IPS"), "10.42.0.7,fd00::7");
	CHECK_STR(env_get(&s, "HIP"), "192.168.1.50");
	CHECK_STR(env_get(&s, "MEM"), "128");
	CHECK_STR(env_get(&s, "CPU"), "1"); /* 500m rounded up to whole cores */
	CHECK_STR(env_get(&s, "REQ"), "250");
	CHECK_STR(env_get(&s, "SIDE"), "4000");		 /* no limit: node allocatable */
	CHECK_STR(env_get(&s, "SIDEMEM"), "2147483648"); /* idem */
	CHECK_STR(env_get(&s, "CM"), "blue");
	CHECK_STR(env_get(&s, "PW"), "s3cr3t");
	CHECK(env_get(&s, "OPT1") == NULL);
	CHECK(env_get(&s, "OPT2") == NULL);
	agent_spec_free(&s);
	json_decref(pod);
}

static void test_env_errors(void)
{
	static const struct {
		const char *env, *msg;
	} cases[] = {
	    {"\"env\":[{\"name\":\"X\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"nope\","
	     "\"key\":\"k\"}}}]",
	     "configmap \"nope\" not found"},
	    {"\"env\":[{\"name\":\"X\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"app\","
	     "\"key\":\"k\"}}}]",
	     "couldn't find key k in ConfigMap default/app"},
	    {"\"env\":[{\"name\":\"X\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"nope\","
	     "\"key\":\"k\"}}}]",
	     "secret \"nope\" not found"},
	    {"\"env\":[{\"name\":\"X\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"creds\","
	     "\"key\":\"k\"}}}]",
	     "couldn't find key k in Secret default/creds"},
	    {"\"envFrom\":[{\"secretRef\":{\"name\":\"nope\"}}]", "secret \"nope\" not found"},
	    {"\"envFrom\":[{\"configMapRef\":{\"name\":\"nope\"}}]",
	     "configmap \"nope\" not found"},
	    {"\"env\":[{\"name\":\"X\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"spec.bogus\"}}}"
	     "]",
	     "unsupported fieldPath: spec.bogus"},
	    {"\"env\":[{\"name\":\"X\",\"valueFrom\":{\"resourceFieldRef\":{\"resource\":"
	     "\"limits.gpu\"}}}]",
	     "unsupported container resource: limits.gpu"},
	    {"\"env\":[{\"name\":\"X=Y\",\"value\":\"1\"}]", "env: invalid name X=Y"},
	    {"\"env\":[{\"value\":\"1\"}]", "env: invalid name "},
	    {"\"env\":[{\"name\":\"X\",\"valueFrom\":{}}]", "valueFrom has no known source"},
	    {"\"env\":[{\"name\":\"X\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"bad64\","
	     "\"key\":\"k\"}}}]",
	     "secret bad64 key k: cannot decode"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char c[1024], err[256] = "";
		snprintf(c, sizeof(c), "{\"name\":\"c\",%s}", cases[i].env);
		json_t *pod = pod_with(c, NULL);
		struct agent_pod_ctx x = ctx();
		struct rt_spec s;
		CHECK(spec_of(pod, &x, &s, err, sizeof(err)) < 0);
		CHECK_STR(err, cases[i].msg);
		CHECK(s.env == NULL && s.args == NULL && s.n_mounts == 0);
		json_decref(pod);
	}
	/* no lookup callback at all: every reference is missing */
	json_t *pod =
	    pod_with("{\"name\":\"c\",\"envFrom\":[{\"configMapRef\":{\"name\":\"app\"}}]}", NULL);
	struct agent_pod_ctx x = ctx();
	x.get_object = NULL;
	char **env = NULL, err[256];
	CHECK_INT(agent_container_env(pod, first_container(pod), &x, &env, err, sizeof(err)),
		  -ENOENT);
	CHECK(env == NULL);
	json_decref(pod);
}

/* ---- quantities ---- */

static void test_quantities(void)
{
	static const struct {
		const char *s;
		int scale;
		long long want;
		int rc;
	} cases[] = {
	    {"1", 0, 1, 0},
	    {"128Mi", 0, 134217728, 0},
	    {"1Gi", 0, 1073741824, 0},
	    {"1.5Gi", 0, 1610612736, 0},
	    {"64Ki", 0, 65536, 0},
	    {"1Ti", 0, 1099511627776LL, 0},
	    {"1Ei", 0, 1152921504606846976LL, 0},
	    {"1k", 0, 1000, 0},
	    {"1M", 0, 1000000, 0},
	    {"2G", 0, 2000000000, 0},
	    {"1e3", 0, 1000, 0},
	    {"1E3", 0, 1000, 0},
	    {"1.5e-1", 3, 150, 0},
	    {"1E", 0, 1000000000000000000LL, 0},
	    {"500m", 3, 500, 0},
	    {"500m", 0, 1, 0}, /* Value() rounds up */
	    {"0.1", 3, 100, 0},
	    {"0.5", 0, 1, 0},
	    {"2", 3, 2000, 0},
	    {"0", 3, 0, 0},
	    {"+3", 0, 3, 0},
	    {"100u", 3, 1, 0},
	    {"1n", 0, 1, 0},
	    {"1.", 0, 1, 0},
	    {".5", 3, 500, 0},
	    {"0.000000000000000000000000001", 0, 1, 0},
	    {"9223372036854775807", 0, 9223372036854775807LL, 0},
	    {"9223372036854775808", 0, 0, -ERANGE},
	    {"16Ei", 0, 0, -ERANGE},
	    {"1e100", 0, 0, -ERANGE},
	    {"", 0, 0, -EINVAL},
	    {"-1", 0, 0, -EINVAL},
	    {"1Gb", 0, 0, -EINVAL},
	    {"1 Gi", 0, 0, -EINVAL},
	    {"Gi", 0, 0, -EINVAL},
	    {"1..2", 0, 0, -EINVAL},
	    {"1e", 0, 0, -EINVAL},
	    {"1e+", 0, 0, -EINVAL},
	    {"0x10", 0, 0, -EINVAL},
	    {"1mi", 0, 0, -EINVAL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = -42;
		int rc = quantity_parse(cases[i].s, cases[i].scale, &v);
		if (rc != cases[i].rc || (rc == 0 && v != cases[i].want))
			fprintf(stderr, "quantity %s scale %d: rc %d value %lld\n", cases[i].s,
				cases[i].scale, rc, (long long)v);
		CHECK_INT(rc, cases[i].rc);
		if (rc == 0)
			CHECK_INT(v, cases[i].want);
	}
	int64_t v;
	CHECK_INT(quantity_parse(NULL, 0, &v), -EINVAL);
	char big[200];
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(quantity_parse(big, 0, &v), -EINVAL);
}

/* ---- securityContext ---- */

static void test_security_user(void)
{
	char err[256] = "";
	struct rt_spec s;
	/* runAsUser + runAsGroup */
	json_t *pod = pod_with("{\"name\":\"c\",\"securityContext\":{\"runAsUser\":1000,"
			       "\"runAsGroup\":2000}}",
			       NULL);
	struct agent_pod_ctx x = ctx();
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), 0);
	CHECK_INT(s.uid, 1000);
	CHECK_INT(s.gid, 2000);
	agent_spec_free(&s);
	json_decref(pod);
	/* pod-level runAsUser resolved in the image's passwd; groups merged */
	pod = pod_with("{\"name\":\"c\"}", "\"securityContext\":{\"runAsUser\":33,"
					   "\"supplementalGroups\":[5000,44],\"fsGroup\":6000}");
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), 0);
	CHECK_INT(s.uid, 33);
	CHECK_INT(s.gid, 33);
	bool g44 = false, g5000 = false, g6000 = false;
	for (size_t i = 0; i < s.n_groups; i++) {
		g44 = g44 || s.groups[i] == 44;
		g5000 = g5000 || s.groups[i] == 5000;
		g6000 = g6000 || s.groups[i] == 6000;
	}
	CHECK(g44 && g5000 && g6000);
	CHECK_STR(env_get(&s, "HOME"), "/var/www");
	agent_spec_free(&s);
	json_decref(pod);
	/* the container's setting wins over the pod's */
	pod = pod_with("{\"name\":\"c\",\"securityContext\":{\"runAsUser\":0}}",
		       "\"securityContext\":{\"runAsUser\":33}");
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), 0);
	CHECK_INT(s.uid, 0);
	agent_spec_free(&s);
	json_decref(pod);
	/* image USER by name, runAsGroup overrides its group */
	image.user = "www";
	pod = pod_with("{\"name\":\"c\",\"securityContext\":{\"runAsGroup\":7}}", NULL);
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), 0);
	CHECK_INT(s.uid, 33);
	CHECK_INT(s.gid, 7);
	agent_spec_free(&s);
	json_decref(pod);
	/* runAsNonRoot against a named image user */
	pod = pod_with("{\"name\":\"c\",\"securityContext\":{\"runAsNonRoot\":true}}", NULL);
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), -EPERM);
	CHECK_STR(err, "container has runAsNonRoot and image has non-numeric user (www), cannot "
		       "verify user is non-root");
	json_decref(pod);
	/* ... and against root */
	reset_image();
	pod = pod_with("{\"name\":\"c\"}", "\"securityContext\":{\"runAsNonRoot\":true}");
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), -EPERM);
	CHECK_STR(err, "container has runAsNonRoot and image will run as root");
	json_decref(pod);
	pod = pod_with("{\"name\":\"c\",\"securityContext\":{\"runAsUser\":1000}}",
		       "\"securityContext\":{\"runAsNonRoot\":true}");
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), 0);
	agent_spec_free(&s);
	json_decref(pod);
	/* unknown user name in the image */
	image.user = "nobody-here";
	pod = pod_with("{\"name\":\"c\"}", NULL);
	CHECK(spec_of(pod, &x, &s, err, sizeof(err)) < 0);
	json_decref(pod);
	reset_image();
	pod = pod_with("{\"name\":\"c\",\"securityContext\":{\"runAsUser\":-1}}", NULL);
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), -EINVAL);
	json_decref(pod);
}

static size_t count(const char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

static bool has(const char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static int sec_spec(const char *sc, const char *pod_sc, struct rt_spec *s, char *err)
{
	char c[512], p[256] = "";
	snprintf(c, sizeof(c), "{\"name\":\"c\",\"securityContext\":%s}", sc);
	if (pod_sc)
		snprintf(p, sizeof(p), "\"securityContext\":%s", pod_sc);
	json_t *pod = pod_with(c, p);
	struct agent_pod_ctx x = ctx();
	int r = spec_of(pod, &x, s, err, 256);
	json_decref(pod);
	return r;
}

static void test_security_context(void)
{
	struct rt_spec s;
	char err[256];
	/* defaults: runtime caps, seccomp RuntimeDefault, no_new_privs (DESIGN.md) */
	CHECK_INT(sec_spec("{}", NULL, &s, err), 0);
	CHECK(s.security.caps == NULL);
	CHECK(!s.security.privileged);
	CHECK(s.security.no_new_privs);
	CHECK_INT(s.security.seccomp, RT_SECCOMP_DEFAULT);
	CHECK(!s.security.readonly_rootfs);
	agent_spec_free(&s);
	CHECK_INT(sec_spec("{\"privileged\":true}", NULL, &s, err), 0);
	CHECK(s.security.privileged);
	CHECK(!s.security.no_new_privs);
	CHECK_INT(s.security.seccomp, RT_SECCOMP_UNCONFINED);
	agent_spec_free(&s);
	CHECK_INT(sec_spec("{\"capabilities\":{\"add\":[\"NET_ADMIN\"],\"drop\":[\"ALL\"]}}", NULL,
			   &s, err),
		  0);
	CHECK_INT(count(s.security.caps), 1);
	CHECK(has(s.security.caps, "NET_ADMIN"));
	agent_spec_free(&s);
	CHECK_INT(sec_spec("{\"capabilities\":{\"drop\":[\"CHOWN\",\"CAP_KILL\",\"net_raw\"]}}",
			   NULL, &s, err),
		  0);
	CHECK_INT(count(s.security.caps), 11);
	CHECK(!has(s.security.caps, "CHOWN") && !has(s.security.caps, "KILL"));
	CHECK(!has(s.security.caps, "NET_RAW") && has(s.security.caps, "SETUID"));
	agent_spec_free(&s);
	CHECK_INT(
	    sec_spec("{\"capabilities\":{\"add\":[\"ALL\"],\"drop\":[\"CHOWN\"]}}", NULL, &s, err),
	    0);
	CHECK(count(s.security.caps) > 30);
	CHECK(has(s.security.caps, "SYS_ADMIN") && !has(s.security.caps, "CHOWN"));
	CHECK(!s.security.no_new_privs);
	agent_spec_free(&s);
	CHECK_INT(sec_spec("{\"capabilities\":{\"add\":[\"SYS_TIME\"]}}", NULL, &s, err), 0);
	CHECK_INT(count(s.security.caps), 15);
	agent_spec_free(&s);
	CHECK_INT(sec_spec("{\"capabilities\":{\"add\":[7]}}", NULL, &s, err), -EINVAL);
	CHECK_INT(sec_spec("{\"readOnlyRootFilesystem\":true,\"allowPrivilegeEscalation\":true}",
			   NULL, &s, err),
		  0);
	CHECK(s.security.readonly_rootfs);
	CHECK(!s.security.no_new_privs);
	agent_spec_free(&s);
	CHECK_INT(sec_spec("{\"allowPrivilegeEscalation\":false}", NULL, &s, err), 0);
	CHECK(s.security.no_new_privs);
	agent_spec_free(&s);
	CHECK_INT(sec_spec("{}", "{\"seccompProfile\":{\"type\":\"Unconfined\"}}", &s, err), 0);
	CHECK_INT(s.security.seccomp, RT_SECCOMP_UNCONFINED);
	agent_spec_free(&s);
	CHECK_INT(sec_spec("{\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}",
			   "{\"seccompProfile\":{\"type\":\"Unconfined\"}}", &s, err),
		  0);
	CHECK_INT(s.security.seccomp, RT_SECCOMP_DEFAULT);
	agent_spec_free(&s);
	CHECK_INT(
	    sec_spec("{\"seccompProfile\":{\"type\":\"Localhost\",\"localhostProfile\":\"x\"}}",
		     NULL, &s, err),
	    -ENOTSUP);
	CHECK(strstr(err, "Localhost") != NULL);
	CHECK_INT(sec_spec("{\"seccompProfile\":{\"type\":\"Weird\"}}", NULL, &s, err), -EINVAL);
}

/* ---- resources ---- */

static int res_spec(const char *res, struct rt_spec *s, char *err)
{
	char c[512];
	snprintf(c, sizeof(c), "{\"name\":\"c\",\"resources\":%s}", res);
	json_t *pod = pod_with(c, NULL);
	struct agent_pod_ctx x = ctx();
	int r = spec_of(pod, &x, s, err, 256);
	json_decref(pod);
	return r;
}

static void test_resources(void)
{
	struct rt_spec s;
	char err[256];
	CHECK_INT(res_spec("{\"limits\":{\"memory\":\"128Mi\",\"cpu\":\"500m\"},\"requests\":{"
			   "\"cpu\":\"250m\",\"memory\":\"64Mi\"}}",
			   &s, err),
		  0);
	CHECK_INT(s.resources.memory_limit, 134217728);
	CHECK_INT(s.resources.cpu_quota, 50000);
	CHECK_INT(s.resources.cpu_period, 100000);
	CHECK_INT(s.resources.cpu_shares, 256);
	CHECK_INT(s.resources.pids_limit, 0);
	agent_spec_free(&s);
	CHECK_INT(res_spec("{}", &s, err), 0);
	CHECK_INT(s.resources.memory_limit, 0);
	CHECK_INT(s.resources.cpu_quota, 0);
	CHECK_INT(s.resources.cpu_shares, 2);
	agent_spec_free(&s);
	CHECK_INT(res_spec("{\"limits\":{\"cpu\":\"2\"}}", &s, err), 0);
	CHECK_INT(s.resources.cpu_quota, 200000);
	CHECK_INT(s.resources.cpu_shares, 2048); /* requests default to limits */
	agent_spec_free(&s);
	CHECK_INT(res_spec("{\"limits\":{\"cpu\":\"1m\"},\"requests\":{\"cpu\":\"1m\"}}", &s, err),
		  0);
	CHECK_INT(s.resources.cpu_quota, 1000); /* the kernel's minimum */
	CHECK_INT(s.resources.cpu_shares, 2);
	agent_spec_free(&s);
	CHECK_INT(res_spec("{\"limits\":{\"memory\":\"1G\"}}", &s, err), 0);
	CHECK_INT(s.resources.memory_limit, 1000000000);
	agent_spec_free(&s);
	CHECK_INT(res_spec("{\"limits\":{\"memory\":\"lots\"}}", &s, err), -EINVAL);
	CHECK_STR(err, "resources.limits.memory is not a valid quantity");
	CHECK_INT(res_spec("{\"requests\":{\"cpu\":5}}", &s, err), -EINVAL);
}

static void test_qos_class(void)
{
	static const struct {
		const char *res, *want;
	} cases[] = {
	    {"{}", "BestEffort"},
	    {"{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}}", "Guaranteed"},
	    {"{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"},\"requests\":{\"cpu\":\"1000m\","
	     "\"memory\":\"1Gi\"}}",
	     "Guaranteed"},
	    {"{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"},\"requests\":{\"cpu\":\"500m\"}}",
	     "Burstable"},
	    {"{\"requests\":{\"memory\":\"1Gi\"}}", "Burstable"},
	    {"{\"limits\":{\"cpu\":\"1\"}}", "Burstable"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char c[512];
		snprintf(c, sizeof(c), "{\"name\":\"c\",\"resources\":%s}", cases[i].res);
		json_t *pod = pod_with(c, NULL);
		CHECK_STR(agent_pod_qos_class(pod), cases[i].want);
		json_decref(pod);
	}
	json_t *pod =
	    pod_with("{\"name\":\"c\",\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":"
		     "\"1Gi\"}}},{\"name\":\"d\"}",
		     NULL);
	CHECK_STR(agent_pod_qos_class(pod), "Burstable");
	json_decref(pod);
}

/* ---- namespaces and mounts ---- */

static void test_namespaces(void)
{
	struct rt_spec s;
	char err[256];
	json_t *pod = pod_with("{\"name\":\"c\"}", NULL);
	struct agent_pod_ctx x = ctx();
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), 0);
	CHECK_INT(s.ns_mode[RT_NS_NET], RT_NS_MODE_NEW);
	CHECK_INT(s.ns_mode[RT_NS_UTS], RT_NS_MODE_NEW);
	CHECK_STR(s.hostname, "web-0");
	CHECK_STR(s.cwd, "/srv"); /* the image's WorkingDir */
	CHECK_STR(s.image, "docker.io/library/busybox:test");
	CHECK_INT(s.n_layers, 1);
	CHECK_STR(s.layers[0], layer);
	agent_spec_free(&s);
	x.ns_path[RT_NS_NET] = "/proc/77/ns/net";
	x.ns_path[RT_NS_IPC] = "/proc/77/ns/ipc";
	x.ns_path[RT_NS_UTS] = "/proc/77/ns/uts";
	x.ns_path[RT_NS_PID] = "/proc/77/ns/pid";
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), 0);
	CHECK_INT(s.ns_mode[RT_NS_NET], RT_NS_MODE_JOIN);
	CHECK_STR(s.ns_path[RT_NS_NET], "/proc/77/ns/net");
	CHECK_INT(s.ns_mode[RT_NS_IPC], RT_NS_MODE_JOIN);
	CHECK_INT(s.ns_mode[RT_NS_UTS], RT_NS_MODE_JOIN);
	CHECK_INT(s.ns_mode[RT_NS_PID], RT_NS_MODE_NEW); /* no shareProcessNamespace */
	CHECK(s.hostname == NULL);
	agent_spec_free(&s);
	json_decref(pod);
	pod = pod_with("{\"name\":\"c\",\"workingDir\":\"/work\"}",
		       "\"hostIPC\":true,\"hostPID\":true,\"hostname\":\"box\"");
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), 0);
	CHECK_INT(s.ns_mode[RT_NS_IPC], RT_NS_MODE_HOST);
	CHECK_INT(s.ns_mode[RT_NS_PID], RT_NS_MODE_HOST);
	CHECK_STR(s.cwd, "/work");
	agent_spec_free(&s);
	json_decref(pod);
	pod = pod_with("{\"name\":\"c\"}", "\"shareProcessNamespace\":true,\"hostname\":\"box\"");
	x = ctx();
	x.ns_path[RT_NS_PID] = "/proc/77/ns/pid";
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), 0);
	CHECK_INT(s.ns_mode[RT_NS_PID], RT_NS_MODE_JOIN);
	CHECK_STR(s.hostname, "box");
	agent_spec_free(&s);
	json_decref(pod);
	char name[80];
	pod = load("{\"metadata\":{\"name\":"
		   "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-"
		   "bbb\"}}");
	agent_pod_hostname(pod, name, sizeof(name));
	CHECK_INT(strlen(name), 62); /* 63, then the dangling '-' trimmed */
	json_decref(pod);
}

/* The ser2net pattern: hostNetwork, privileged, hostPath /dev. */
static void test_ser2net_pattern(void)
{
	json_t *pod = pod_with(
	    "{\"name\":\"ser2net\",\"securityContext\":{\"privileged\":true},\"volumeMounts\":[{"
	    "\"name\":\"dev\",\"mountPath\":\"/dev\"}]}",
	    "\"hostNetwork\":true,\"volumes\":[{\"name\":\"dev\",\"hostPath\":{\"path\":\"/dev\","
	    "\"type\":\"Directory\"}}]");
	struct agent_pod_ctx x = ctx();
	x.ns_path[RT_NS_NET] = "/proc/77/ns/net"; /* ignored: hostNetwork */
	x.ns_path[RT_NS_UTS] = "/proc/77/ns/uts";
	struct rt_spec s;
	char err[256] = "";
	CHECK_INT(agent_volume_materialize(pod, json_array_get(json_path(pod, "spec.volumes"), 0),
					   &x, err, sizeof(err)),
		  0);
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), 0);
	CHECK_INT(s.ns_mode[RT_NS_NET], RT_NS_MODE_HOST);
	CHECK_INT(s.ns_mode[RT_NS_UTS], RT_NS_MODE_HOST);
	CHECK(s.ns_path[RT_NS_NET] == NULL);
	CHECK(s.hostname == NULL);
	CHECK(s.security.privileged);
	CHECK(!s.security.no_new_privs);
	const struct rt_mount *m = mount_at(&s, "/dev");
	CHECK(m != NULL);
	if (m) {
		CHECK_STR(m->source, "/dev");
		CHECK_STR(m->type, "bind");
		CHECK_STR(m->options, "rbind,rprivate");
	}
	agent_spec_free(&s);
	json_decref(pod);
}

static void test_mounts(void)
{
	char hosts[160], term[160], want[256], err[256] = "";
	snprintf(hosts, sizeof(hosts), "%s/hosts", tmp);
	snprintf(term, sizeof(term), "%s/termlog", tmp);
	put(hosts, "127.0.0.1 localhost\n");
	put(term, "");
	json_t *pod = pod_with(
	    "{\"name\":\"c\",\"env\":[{\"name\":\"POD\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":"
	    "\"metadata.name\"}}}],\"volumeMounts\":["
	    "{\"name\":\"cache\",\"mountPath\":\"/cache\"},"
	    "{\"name\":\"cache\",\"mountPath\":\"/logs\",\"subPathExpr\":\"logs/$(POD)\"},"
	    "{\"name\":\"cache\",\"mountPath\":\"/ro\",\"readOnly\":true,\"subPath\":\"data\"},"
	    "{\"name\":\"cfg\",\"mountPath\":\"/etc/app\"},"
	    "{\"name\":\"cache\",\"mountPath\":\"/prop\",\"mountPropagation\":\"HostToContainer\"}]"
	    ",\"terminationMessagePath\":\"/tmp/term\"}",
	    "\"volumes\":[{\"name\":\"cache\",\"emptyDir\":{}},{\"name\":\"cfg\",\"configMap\":{"
	    "\"name\":\"app\"}}]");
	struct agent_pod_ctx x = ctx();
	x.hosts_path = hosts;
	x.resolv_path = hosts;
	x.termination_log_path = term;
	struct rt_spec s;
	CHECK_INT(agent_volume_materialize(pod, json_array_get(json_path(pod, "spec.volumes"), 0),
					   &x, err, sizeof(err)),
		  0);
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), 0);
	const struct rt_mount *m = mount_at(&s, "/cache");
	snprintf(want, sizeof(want), "%s/kubernetes.io~empty-dir/cache", voldir);
	CHECK(m && !strcmp(m->source, want) && !strcmp(m->options, "rbind,rprivate"));
	m = mount_at(&s, "/logs");
	snprintf(want, sizeof(want), "%s/kubernetes.io~empty-dir/cache/logs/web-0", voldir);
	CHECK(m && !strcmp(m->source, want));
	struct stat st;
	CHECK_INT(stat(want, &st), 0); /* created like the kubelet does */
	m = mount_at(&s, "/ro");
	CHECK(m && !strcmp(m->options, "rbind,rprivate,ro"));
	m = mount_at(&s, "/etc/app");
	snprintf(want, sizeof(want), "%s/kubernetes.io~configmap/cfg", voldir);
	CHECK(m && !strcmp(m->source, want) && !strcmp(m->options, "rbind,rprivate,ro"));
	m = mount_at(&s, "/prop");
	CHECK(m && !strcmp(m->options, "rbind,rslave"));
	m = mount_at(&s, "/etc/hosts");
	CHECK(m && !strcmp(m->source, hosts));
	CHECK(mount_at(&s, "/etc/resolv.conf") != NULL);
	CHECK(mount_at(&s, "/etc/hostname") == NULL); /* not prepared by the caller */
	m = mount_at(&s, "/tmp/term");
	CHECK(m && !strcmp(m->source, term));
	CHECK(mount_at(&s, "/dev/termination-log") == NULL);
	agent_spec_free(&s);
	json_decref(pod);

	/* errors: unknown volume, traversal in subPath, relative mountPath, unsupported kind */
	static const struct {
		const char *mounts, *volumes, *msg;
	} bad[] = {
	    {"{\"name\":\"nope\",\"mountPath\":\"/x\"}", "{\"name\":\"a\",\"emptyDir\":{}}",
	     "cannot find volume \"nope\" to mount into container"},
	    {"{\"name\":\"a\",\"mountPath\":\"/x\",\"subPath\":\"../../etc\"}",
	     "{\"name\":\"a\",\"emptyDir\":{}}",
	     "subPath ../../etc must be a relative path without '..'"},
	    {"{\"name\":\"a\",\"mountPath\":\"/x\",\"subPath\":\"/etc\"}",
	     "{\"name\":\"a\",\"emptyDir\":{}}",
	     "subPath /etc must be a relative path without '..'"},
	    {"{\"name\":\"a\",\"mountPath\":\"x\"}", "{\"name\":\"a\",\"emptyDir\":{}}",
	     "volumeMount a: mountPath must be an absolute path without '..'"},
	    {"{\"name\":\"a\",\"mountPath\":\"/x/../..\"}", "{\"name\":\"a\",\"emptyDir\":{}}",
	     "volumeMount a: mountPath must be an absolute path without '..'"},
	    {"{\"name\":\"a\",\"mountPath\":\"/x\"}",
	     "{\"name\":\"a\",\"nfs\":{\"server\":\"nas\",\"path\":\"/x\"}}",
	     "volume a: only emptyDir, hostPath, configMap, secret, downwardAPI, projected and "
	     "persistentVolumeClaim volumes are supported on this node"},
	    {"{\"name\":\"a\",\"mountPath\":\"/x\"}",
	     "{\"name\":\"a\",\"persistentVolumeClaim\":{\"claimName\":\"c\"}}",
	     "persistentvolumeclaim \"c\" not found"},
	    {"{\"name\":\"a\",\"mountPath\":\"/x\"}",
	     "{\"name\":\"a\",\"hostPath\":{\"path\":\"/srv/../etc\"}}",
	     "volume a: hostPath.path must be an absolute path without '..'"},
	};
	/* a symlink planted in an emptyDir cannot lead a subPath out of the volume */
	char link[256];
	snprintf(link, sizeof(link), "%s/kubernetes.io~empty-dir/cache/escape", voldir);
	CHECK_INT(symlink("/etc", link), 0);
	pod = pod_with("{\"name\":\"c\",\"volumeMounts\":[{\"name\":\"cache\",\"mountPath\":"
		       "\"/x\",\"subPath\":\"escape\"}]}",
		       "\"volumes\":[{\"name\":\"cache\",\"emptyDir\":{}}]");
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), -EPERM);
	CHECK_STR(err, "subPath escape leads outside of its volume");
	json_decref(pod);
	pod = pod_with("{\"name\":\"c\",\"volumeMounts\":[{\"name\":\"cache\",\"mountPath\":"
		       "\"/x\",\"subPath\":\"escape/newdir\"}]}",
		       "\"volumes\":[{\"name\":\"cache\",\"emptyDir\":{}}]");
	CHECK(spec_of(pod, &x, &s, err, sizeof(err)) < 0);
	struct stat est;
	CHECK(lstat("/etc/newdir", &est) < 0); /* nothing created through the link */
	json_decref(pod);
	/* a symlink that stays inside the volume is fine (configMap keys are such links) */
	pod = pod_with("{\"name\":\"c\",\"volumeMounts\":[{\"name\":\"cfg\",\"mountPath\":"
		       "\"/color\",\"subPath\":\"COLOR\"}]}",
		       "\"volumes\":[{\"name\":\"cfg\",\"configMap\":{\"name\":\"app\"}}]");
	CHECK_INT(agent_volume_materialize(pod, json_array_get(json_path(pod, "spec.volumes"), 0),
					   &x, err, sizeof(err)),
		  0);
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), 0);
	m = mount_at(&s, "/color");
	CHECK(m && strstr(m->source, "/kubernetes.io~configmap/cfg/..20") != NULL);
	CHECK(m && !strcmp(m->options, "rbind,rprivate,ro"));
	agent_spec_free(&s);
	json_decref(pod);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char c[512], v[512];
		snprintf(c, sizeof(c), "{\"name\":\"c\",\"volumeMounts\":[%s]}", bad[i].mounts);
		snprintf(v, sizeof(v), "\"volumes\":[%s]", bad[i].volumes);
		pod = pod_with(c, v);
		CHECK(spec_of(pod, &x, &s, err, sizeof(err)) < 0);
		CHECK_STR(err, bad[i].msg);
		CHECK(s.n_mounts == 0 && s.mounts == NULL);
		json_decref(pod);
	}
}

/* ---- volumes ---- */

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int materialize(const char *volume, const char *pod_extra, char *err)
{
	char v[2048];
	snprintf(v, sizeof(v), "\"volumes\":[%s]%s%s", volume, pod_extra ? "," : "",
		 pod_extra ? pod_extra : "");
	json_t *pod =
	    pod_with("{\"name\":\"c\",\"resources\":{\"limits\":{\"cpu\":\"1500m\"}}}", v);
	struct agent_pod_ctx x = ctx();
	int r = pod ? agent_volume_materialize(
			  pod, json_array_get(json_path(pod, "spec.volumes"), 0), &x, err, 256)
		    : -EINVAL;
	json_decref(pod);
	return r;
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static void test_configmap_volume(void)
{
	char err[256] = "", p[512], target[256], first[256];
	CHECK_INT(materialize("{\"name\":\"cfg\",\"configMap\":{\"name\":\"app\",\"defaultMode\":"
			      "288,\"items\":[{\"key\":\"COLOR\",\"path\":\"conf/color.txt\","
			      "\"mode\":384},{\"key\":\"SIZE\",\"path\":\"size\"}]}}",
			      NULL, err),
		  0);
	if (err[0])
		fprintf(stderr, "%s\n", err);
	snprintf(p, sizeof(p), "%s/kubernetes.io~configmap/cfg/conf/color.txt", voldir);
	CHECK_STR(slurp(p), "blue");
	CHECK_INT(mode_of(p), 0600);
	snprintf(p, sizeof(p), "%s/kubernetes.io~configmap/cfg/size", voldir);
	CHECK_STR(slurp(p), "L");
	CHECK_INT(mode_of(p), 0440); /* defaultMode 288 */
	snprintf(p, sizeof(p), "%s/kubernetes.io~configmap/cfg/LANG", voldir);
	CHECK(slurp(p) == NULL); /* items select keys */
	snprintf(p, sizeof(p), "%s/kubernetes.io~configmap/cfg/conf", voldir);
	ssize_t n = readlink(p, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	CHECK_STR(target, "..data/conf");
	snprintf(p, sizeof(p), "%s/kubernetes.io~configmap/cfg/..data", voldir);
	n = readlink(p, first, sizeof(first) - 1);
	first[n > 0 ? n : 0] = '\0';
	CHECK(!strncmp(first, "..20", 4));

	/* unchanged: not rewritten */
	CHECK_INT(materialize("{\"name\":\"cfg\",\"configMap\":{\"name\":\"app\",\"defaultMode\":"
			      "288,\"items\":[{\"key\":\"COLOR\",\"path\":\"conf/color.txt\","
			      "\"mode\":384},{\"key\":\"SIZE\",\"path\":\"size\"}]}}",
			      NULL, err),
		  0);
	n = readlink(p, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	CHECK_STR(target, first);

	/* the object changes: new ..data, old dir and stale names gone */
	json_t *cm = json_object_get(objects, "configmaps/default/app");
	json_object_set_new(json_object_get(cm, "data"), "COLOR", json_string("green"));
	CHECK_INT(materialize("{\"name\":\"cfg\",\"configMap\":{\"name\":\"app\",\"items\":[{"
			      "\"key\":\"COLOR\",\"path\":\"color\"}]}}",
			      NULL, err),
		  0);
	n = readlink(p, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	CHECK(strcmp(target, first) != 0);
	snprintf(p, sizeof(p), "%s/kubernetes.io~configmap/cfg/color", voldir);
	CHECK_STR(slurp(p), "green");
	CHECK_INT(mode_of(p), 0644);
	snprintf(p, sizeof(p), "%s/kubernetes.io~configmap/cfg/size", voldir);
	struct stat st;
	CHECK(lstat(p, &st) < 0); /* stale symlink removed */
	snprintf(p, sizeof(p), "%s/kubernetes.io~configmap/cfg/%s", voldir, first);
	CHECK(lstat(p, &st) < 0); /* old timestamped dir removed */
	json_object_set_new(json_object_get(cm, "data"), "COLOR", json_string("blue"));

	/* all keys, binaryData included */
	CHECK_INT(materialize("{\"name\":\"all\",\"configMap\":{\"name\":\"app\"}}", NULL, err), 0);
	snprintf(p, sizeof(p), "%s/kubernetes.io~configmap/all/LANG", voldir);
	CHECK_STR(slurp(p), "en");
	snprintf(p, sizeof(p), "%s/kubernetes.io~configmap/all/blob", voldir);
	CHECK_STR(slurp(p), "hello");

	/* missing object, missing key, optional */
	CHECK_INT(materialize("{\"name\":\"m\",\"configMap\":{\"name\":\"nope\"}}", NULL, err),
		  -ENOENT);
	CHECK_STR(err, "configmap \"nope\" not found");
	CHECK_INT(
	    materialize("{\"name\":\"m\",\"configMap\":{\"name\":\"nope\",\"optional\":true}}",
			NULL, err),
	    0);
	snprintf(p, sizeof(p), "%s/kubernetes.io~configmap/m/..data", voldir);
	CHECK_INT(stat(p, &st), 0); /* an empty volume */
	CHECK_INT(materialize("{\"name\":\"m\",\"configMap\":{\"name\":\"app\",\"items\":[{\"key\":"
			      "\"zzz\",\"path\":\"z\"}]}}",
			      NULL, err),
		  -ENOENT);
	CHECK_STR(err, "configmap references non-existent config key: zzz");
	CHECK_INT(materialize("{\"name\":\"m\",\"configMap\":{\"name\":\"app\",\"defaultMode\":"
			      "4096}}",
			      NULL, err),
		  -EINVAL);
}

static void test_secret_and_projected_volume(void)
{
	char err[256] = "", p[512];
	CHECK_INT(
	    materialize("{\"name\":\"s\",\"secret\":{\"secretName\":\"creds\",\"defaultMode\":"
			"256}}",
			NULL, err),
	    0);
	snprintf(p, sizeof(p), "%s/kubernetes.io~secret/s/password", voldir);
	CHECK_STR(slurp(p), "s3cr3t");
	CHECK_INT(mode_of(p), 0400);
	CHECK_INT(materialize("{\"name\":\"s2\",\"secret\":{\"secretName\":\"nope\"}}", NULL, err),
		  -ENOENT);
	CHECK_STR(err, "secret \"nope\" not found");
	CHECK_INT(materialize("{\"name\":\"s3\",\"secret\":{\"secretName\":\"creds\",\"items\":[{"
			      "\"key\":\"x\",\"path\":\"x\"}]}}",
			      NULL, err),
		  -ENOENT);
	CHECK_STR(err, "secret references non-existent secret key: x");

	/* A serviceAccountToken source needs the pod's fetched TokenRequest. */
	CHECK_INT(materialize("{\"name\":\"tk\",\"projected\":{\"sources\":["
			      "{\"serviceAccountToken\":{\"path\":\"token\"}}]}}",
			      NULL, err),
		  -ENOENT);
	json_object_set_new(objects, "tokens/default/3600/",
			    json_pack("{s:{s:s}}", "status", "token", "header.claims.sig"));
	CHECK_INT(materialize("{\"name\":\"pr\",\"projected\":{\"defaultMode\":420,\"sources\":["
			      "{\"configMap\":{\"name\":\"app\",\"items\":[{\"key\":\"COLOR\","
			      "\"path\":\"color\"}]}},"
			      "{\"secret\":{\"name\":\"creds\",\"items\":[{\"key\":\"user\","
			      "\"path\":\"auth/user\"}]}},"
			      "{\"downwardAPI\":{\"items\":[{\"path\":\"name\",\"fieldRef\":{"
			      "\"fieldPath\":\"metadata.name\"}}]}},"
			      "{\"serviceAccountToken\":{\"path\":\"token\"}}]}}",
			      NULL, err),
		  0);
	snprintf(p, sizeof(p), "%s/kubernetes.io~projected/pr/color", voldir);
	CHECK_STR(slurp(p), "blue");
	snprintf(p, sizeof(p), "%s/kubernetes.io~projected/pr/auth/user", voldir);
	CHECK_STR(slurp(p), "admin");
	snprintf(p, sizeof(p), "%s/kubernetes.io~projected/pr/name", voldir);
	CHECK_STR(slurp(p), "web-0");
	snprintf(p, sizeof(p), "%s/kubernetes.io~projected/pr/token", voldir);
	CHECK_STR(slurp(p), "header.claims.sig");
}

static void test_downward_volume(void)
{
	char err[256] = "", p[512];
	CHECK_INT(
	    materialize("{\"name\":\"d\",\"downwardAPI\":{\"items\":["
			"{\"path\":\"labels\",\"fieldRef\":{\"fieldPath\":\"metadata.labels\"}},"
			"{\"path\":\"annotations\",\"fieldRef\":{\"fieldPath\":"
			"\"metadata.annotations\"}},"
			"{\"path\":\"ns\",\"fieldRef\":{\"fieldPath\":\"metadata.namespace\"},"
			"\"mode\":256},"
			"{\"path\":\"cpu\",\"resourceFieldRef\":{\"containerName\":\"c\","
			"\"resource\":\"limits.cpu\",\"divisor\":\"1m\"}}]}}",
			NULL, err),
	    0);
	if (err[0])
		fprintf(stderr, "%s\n", err);
	snprintf(p, sizeof(p), "%s/kubernetes.io~downward-api/d/labels", voldir);
	CHECK_STR(slurp(p), "app=\"web\"\ntier=\"db\"");
	snprintf(p, sizeof(p), "%s/kubernetes.io~downward-api/d/annotations", voldir);
	CHECK_STR(slurp(p), "note=\"say \\\"hi\\\"\"");
	snprintf(p, sizeof(p), "%s/kubernetes.io~downward-api/d/ns", voldir);
	CHECK_STR(slurp(p), "default");
	CHECK_INT(mode_of(p), 0400);
	snprintf(p, sizeof(p), "%s/kubernetes.io~downward-api/d/cpu", voldir);
	CHECK_STR(slurp(p), "1500");
	CHECK_INT(materialize("{\"name\":\"d2\",\"downwardAPI\":{\"items\":[{\"path\":\"x\","
			      "\"fieldRef\":{\"fieldPath\":\"spec.containers\"}}]}}",
			      NULL, err),
		  -EINVAL);
	CHECK_STR(err, "unsupported fieldPath: spec.containers");
}

static void test_path_traversal(void)
{
	static const char *const paths[] = {"../evil", "a/../../evil", "/abs", "..data/x",
					    "..x",     "a//b",	       "a/",   ""};
	char err[256], v[512], p[512];
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(v, sizeof(v),
			 "{\"name\":\"t\",\"configMap\":{\"name\":\"app\",\"items\":[{"
			 "\"key\":\"COLOR\",\"path\":\"%s\"}]}}",
			 paths[i]);
		err[0] = '\0';
		CHECK_INT(materialize(v, NULL, err), -EINVAL);
		CHECK(strstr(err, "invalid path") != NULL);
	}
	/* a key that would escape, with all keys */
	json_t *cm = json_pack("{s:{s:s}}", "data", "../../escape", "x");
	json_object_set_new(objects, "configmaps/default/evil", cm);
	CHECK_INT(materialize("{\"name\":\"t\",\"configMap\":{\"name\":\"evil\"}}", NULL, err),
		  -EINVAL);
	snprintf(p, sizeof(p), "%s/escape", voldir);
	struct stat st;
	CHECK(lstat(p, &st) < 0);
	CHECK_INT(materialize("{\"name\":\"t\",\"downwardAPI\":{\"items\":[{\"path\":\"../x\","
			      "\"fieldRef\":{\"fieldPath\":\"metadata.name\"}}]}}",
			      NULL, err),
		  -EINVAL);
	CHECK_INT(materialize("{\"name\":\"../t\",\"emptyDir\":{}}", NULL, err), -EINVAL);
}

/* persistentVolumeClaim: the bound volume's hostPath (or local) path, made
 * for DirectoryOrCreate, read-only when the claim says so; a claim not yet
 * bound is -EAGAIN (the pod waits). */
static void test_claim_volume(void)
{
	char err[256] = "", p[256], pvjs[512];
	snprintf(p, sizeof(p), "%s/storage/pvc-1_default_data", tmp);
	snprintf(pvjs, sizeof(pvjs),
		 "{\"metadata\":{\"name\":\"pvc-1\",\"annotations\":{\"pv.kubernetes.io/provisioned-by\":"
		 "\"rancher.io/local-path\"}},\"spec\":{\"hostPath\":{\"path\":\"%s\",\"type\":"
		 "\"DirectoryOrCreate\"}}}",
		 p);
	json_object_set_new(objects, "persistentvolumes//pvc-1", json_loads(pvjs, 0, NULL));
	json_object_set_new(objects, "persistentvolumeclaims//data",
			    json_pack("{s:{s:s},s:{s:s}}", "spec", "volumeName", "pvc-1", "status", "phase", "Bound"));
	json_object_set_new(objects, "persistentvolumeclaims//waiting",
			    json_pack("{s:{},s:{s:s}}", "spec", "status", "phase", "Pending"));
	CHECK_INT(materialize("{\"name\":\"d\",\"persistentVolumeClaim\":{\"claimName\":\"data\"}}", NULL, err),
		  0);
	struct stat st;
	CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0777);
	CHECK_INT(materialize("{\"name\":\"d\",\"persistentVolumeClaim\":{\"claimName\":\"waiting\"}}", NULL,
			      err),
		  -EAGAIN);
	CHECK_STR(err, "persistentvolumeclaim \"waiting\" is not bound");
	struct agent_pod_ctx x = ctx();
	struct rt_spec s;
	json_t *pod = pod_with("{\"name\":\"c\",\"volumeMounts\":[{\"name\":\"d\",\"mountPath\":\"/data\"},"
			       "{\"name\":\"r\",\"mountPath\":\"/ro\"}]}",
			       "\"volumes\":[{\"name\":\"d\",\"persistentVolumeClaim\":{\"claimName\":\"data\"}},"
			       "{\"name\":\"r\",\"persistentVolumeClaim\":{\"claimName\":\"data\",\"readOnly\":true}}]");
	CHECK_INT(spec_of(pod, &x, &s, err, sizeof(err)), 0);
	const struct rt_mount *m = mount_at(&s, "/data");
	CHECK(m && !strcmp(m->source, p) && !strstr(m->options, "ro"));
	m = mount_at(&s, "/ro");
	CHECK(m && !strcmp(m->source, p) && strstr(m->options, ",ro"));
	agent_spec_free(&s);
	json_decref(pod);
	/* the claim's volume must be known and of a kind this node mounts */
	json_object_set_new(objects, "persistentvolumeclaims//nfs",
			    json_pack("{s:{s:s},s:{s:s}}", "spec", "volumeName", "nfs-pv", "status", "phase", "Bound"));
	CHECK(materialize("{\"name\":\"d\",\"persistentVolumeClaim\":{\"claimName\":\"nfs\"}}", NULL, err) < 0);
	CHECK_STR(err, "persistentvolume \"nfs-pv\" not found");
	json_object_set_new(objects, "persistentvolumes//nfs-pv",
			    json_pack("{s:{s:s},s:{s:{s:s,s:s}}}", "metadata", "name", "nfs-pv", "spec", "nfs", "server",
				      "nas", "path", "/x"));
	CHECK_INT(materialize("{\"name\":\"d\",\"persistentVolumeClaim\":{\"claimName\":\"nfs\"}}", NULL, err),
		  -ENOTSUP);
}

static void test_host_path_and_empty_dir(void)
{
	char err[256] = "", v[512], p[256];
	snprintf(p, sizeof(p), "%s/hp/new/dir", tmp);
	snprintf(v, sizeof(v),
		 "{\"name\":\"h\",\"hostPath\":{\"path\":\"%s\",\"type\":"
		 "\"DirectoryOrCreate\"}}",
		 p);
	CHECK_INT(materialize(v, NULL, err), 0);
	struct stat st;
	CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
	snprintf(v, sizeof(v), "{\"name\":\"h\",\"hostPath\":{\"path\":\"%s\",\"type\":\"File\"}}",
		 p);
	CHECK_INT(materialize(v, NULL, err), -ENOTDIR);
	snprintf(v, sizeof(v), "hostPath type check failed: %s is not a file", p);
	CHECK_STR(err, v);
	snprintf(p, sizeof(p), "%s/hp/f/file", tmp);
	snprintf(v, sizeof(v),
		 "{\"name\":\"h\",\"hostPath\":{\"path\":\"%s\",\"type\":"
		 "\"FileOrCreate\"}}",
		 p);
	CHECK_INT(materialize(v, NULL, err), 0);
	CHECK(stat(p, &st) == 0 && S_ISREG(st.st_mode));
	CHECK_INT(materialize("{\"name\":\"h\",\"hostPath\":{\"path\":\"/dev/null\",\"type\":"
			      "\"CharDevice\"}}",
			      NULL, err),
		  0);
	CHECK_INT(materialize("{\"name\":\"h\",\"hostPath\":{\"path\":\"/dev/null\",\"type\":"
			      "\"Socket\"}}",
			      NULL, err),
		  -ENOTDIR);
	CHECK_INT(materialize("{\"name\":\"h\",\"hostPath\":{\"path\":\"/nonexistent-x\",\"type\":"
			      "\"Directory\"}}",
			      NULL, err),
		  -ENOTDIR);
	CHECK_INT(
	    materialize("{\"name\":\"h\",\"hostPath\":{\"path\":\"/tmp\",\"type\":\"Weird\"}}",
			NULL, err),
	    -EINVAL);
	CHECK_INT(
	    materialize("{\"name\":\"h\",\"hostPath\":{\"path\":\"/nonexistent-x\"}}", NULL, err),
	    0); /* no type: no checks */

	CHECK_INT(materialize("{\"name\":\"e\",\"emptyDir\":{}}", NULL, err), 0);
	snprintf(p, sizeof(p), "%s/kubernetes.io~empty-dir/e", voldir);
	CHECK_INT(mode_of(p), 0777);
	if (geteuid() != 0)
		return;
	int r = materialize("{\"name\":\"mem\",\"emptyDir\":{\"medium\":\"Memory\",\"sizeLimit\":"
			    "\"1Mi\"}}",
			    NULL, err);
	snprintf(p, sizeof(p), "%s/kubernetes.io~empty-dir/mem", voldir);
	if (r < 0) { /* e.g. a container without CAP_SYS_ADMIN */
		fprintf(stderr, "skipping tmpfs emptyDir: %s\n", err);
		return;
	}
	struct statfs sf;
	CHECK(statfs(p, &sf) == 0 && sf.f_type == TMPFS_MAGIC);
	CHECK_INT(materialize("{\"name\":\"mem\",\"emptyDir\":{\"medium\":\"Memory\"}}", NULL, err),
		  0); /* already mounted: nothing to do */
	CHECK_INT(umount2(p, MNT_DETACH), 0);
	CHECK_INT(materialize("{\"name\":\"mem\",\"emptyDir\":{\"medium\":\"Memory\",\"sizeLimit\":"
			      "\"x\"}}",
			      NULL, err),
		  -EINVAL);
}

static void test_hosts_file(void)
{
	const char *ips[] = {"10.42.0.7", NULL};
	json_t *pod = pod_with("{\"name\":\"c\"}",
			       "\"hostAliases\":[{\"ip\":\"10.0.0.9\",\"hostnames\":[\"db\","
			       "\"db.lab\"]},{\"ip\":\"10.0.0.8\"}]");
	char *h = agent_pod_hosts_file(pod, ips, NULL, NULL);
	CHECK_STR(h, "# Kubernetes-managed hosts file.\n"
		     "127.0.0.1\tlocalhost\n"
		     "::1\tlocalhost ip6-localhost ip6-loopback\n"
		     "fe00::0\tip6-localnet\n"
		     "fe00::0\tip6-mcastprefix\n"
		     "fe00::1\tip6-allnodes\n"
		     "fe00::2\tip6-allrouters\n"
		     "10.42.0.7\tweb-0\n"
		     "\n# Entries added by HostAliases.\n"
		     "10.0.0.9\tdb\tdb.lab\n");
	free(h);
	json_decref(pod);
	pod = pod_with("{\"name\":\"c\"}", "\"hostname\":\"h\",\"subdomain\":\"sub\"");
	h = agent_pod_hosts_file(pod, ips, NULL, "example.local");
	CHECK(h && strstr(h, "10.42.0.7\th.sub.default.svc.example.local\th\n") != NULL);
	free(h);
	json_decref(pod);
	pod = pod_with("{\"name\":\"c\"}", "\"hostNetwork\":true");
	h = agent_pod_hosts_file(pod, ips, "127.0.0.1 localhost\n192.168.1.50 wyse-1", NULL);
	CHECK_STR(h, "# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n"
		     "192.168.1.50 wyse-1\n");
	free(h);
	json_decref(pod);
}

static void test_resolv_conf(void)
{
	const char *host = "# generated\nnameserver 192.168.1.1\nnameserver 1.1.1.1\n"
			   "search lan\noptions edns0 ndots:2\n";
	char err[256];
	json_t *pod = pod_with("{\"name\":\"c\"}", NULL);
	char *r = agent_pod_resolv_conf(pod, host, "10.43.0.10", NULL, err, sizeof(err));
	CHECK_STR(r, "search default.svc.cluster.local svc.cluster.local cluster.local lan\n"
		     "nameserver 10.43.0.10\noptions ndots:5\n");
	free(r);
	/* no cluster DNS: the node's */
	r = agent_pod_resolv_conf(pod, host, NULL, NULL, err, sizeof(err));
	CHECK_STR(r, "search lan\nnameserver 192.168.1.1\nnameserver 1.1.1.1\n"
		     "options edns0 ndots:2\n");
	free(r);
	json_decref(pod);
	/* hostNetwork with ClusterFirst uses the node's; ClusterFirstWithHostNet the cluster's */
	pod = pod_with("{\"name\":\"c\"}", "\"hostNetwork\":true");
	r = agent_pod_resolv_conf(pod, host, "10.43.0.10", NULL, err, sizeof(err));
	CHECK(r && strstr(r, "nameserver 192.168.1.1\n") != NULL);
	free(r);
	json_decref(pod);
	pod = pod_with("{\"name\":\"c\"}",
		       "\"hostNetwork\":true,\"dnsPolicy\":\"ClusterFirstWithHostNet\"");
	r = agent_pod_resolv_conf(pod, host, "10.43.0.10", NULL, err, sizeof(err));
	CHECK(r && strstr(r, "nameserver 10.43.0.10\n") != NULL);
	free(r);
	json_decref(pod);
	/* None + dnsConfig; at most 3 nameservers; options merged by name */
	pod = pod_with("{\"name\":\"c\"}",
		       "\"dnsPolicy\":\"None\",\"dnsConfig\":{\"nameservers\":[\"1.1.1.1\","
		       "\"8.8.8.8\",\"9.9.9.9\",\"8.8.4.4\",\"1.1.1.1\"],\"searches\":[\"a.b\"],"
		       "\"options\":[{\"name\":\"ndots\",\"value\":\"2\"},{\"name\":"
		       "\"edns0\"},{\"name\":\"ndots\",\"value\":\"3\"},{\"value\":\"x\"}]}");
	r = agent_pod_resolv_conf(pod, host, "10.43.0.10", NULL, err, sizeof(err));
	CHECK_STR(r, "search a.b\nnameserver 1.1.1.1\nnameserver 8.8.8.8\nnameserver "
		     "9.9.9.9\noptions ndots:3 edns0\n");
	free(r);
	json_decref(pod);
	pod = pod_with("{\"name\":\"c\"}", "\"dnsPolicy\":\"None\"");
	CHECK(agent_pod_resolv_conf(pod, host, NULL, NULL, err, sizeof(err)) == NULL);
	CHECK_STR(err, "dnsPolicy None needs dnsConfig");
	json_decref(pod);
	/* ClusterFirst plus dnsConfig additions */
	pod = pod_with("{\"name\":\"c\"}",
		       "\"dnsConfig\":{\"options\":[{\"name\":\"ndots\",\"value\":\"1\"}]}");
	r = agent_pod_resolv_conf(pod, NULL, "10.43.0.10", "k.local", err, sizeof(err));
	CHECK_STR(r, "search default.svc.k.local svc.k.local k.local\nnameserver 10.43.0.10\n"
		     "options ndots:1\n");
	free(r);
	json_decref(pod);
}

/* Odd JSON shapes: an error or a spec, never a crash (run under ASan). */
static void test_odd_shapes(void)
{
	static const char *const containers[] = {
	    "{\"name\":\"c\",\"env\":{}}",
	    "{\"name\":\"c\",\"env\":[1,null,\"x\"]}",
	    "{\"name\":\"c\",\"envFrom\":[{}]}",
	    "{\"name\":\"c\",\"envFrom\":[{\"configMapRef\":\"x\"}]}",
	    "{\"name\":\"c\",\"env\":[{\"name\":\"A\",\"valueFrom\":{\"fieldRef\":5}}]}",
	    "{\"name\":\"c\",\"env\":[{\"name\":\"A\",\"valueFrom\":{\"resourceFieldRef\":{}}}]}",
	    "{\"name\":\"c\",\"volumeMounts\":{}}",
	    "{\"name\":\"c\",\"volumeMounts\":[1,{\"mountPath\":5}]}",
	    "{\"name\":\"c\",\"securityContext\":5}",
	    "{\"name\":\"c\",\"securityContext\":{\"capabilities\":{\"add\":\"ALL\"}}}",
	    "{\"name\":\"c\",\"resources\":{\"limits\":[]}}",
	    "{\"name\":\"c\",\"workingDir\":7}",
	    "{}",
	};
	static const char *const extras[] = {"\"volumes\":5", "\"securityContext\":[]",
					     "\"hostNetwork\":\"yes\""};
	char err[256];
	for (size_t i = 0; i < sizeof(containers) / sizeof(containers[0]); i++) {
		for (size_t j = 0; j < sizeof(extras) / sizeof(extras[0]); j++) {
			json_t *pod = pod_with(containers[i], extras[j]);
			struct agent_pod_ctx x = ctx();
			struct rt_spec s;
			CHECK(pod != NULL);
			if (spec_of(pod, &x, &s, err, sizeof(err)) == 0)
				agent_spec_free(&s);
			json_decref(pod);
		}
	}
	struct agent_pod_ctx x = ctx();
	struct rt_spec s;
	json_t *five = json_integer(5);
	CHECK_INT(agent_pod_container_spec(five, five, &x, &s, err, sizeof(err)), -EINVAL);
	CHECK_INT(agent_volume_materialize(five, five, &x, err, sizeof(err)), -EINVAL);
	json_decref(five);
	json_t *pod = load("{\"spec\":{\"containers\":[{\"name\":\"c\"}]}}");
	char name[64];
	agent_pod_hostname(pod, name, sizeof(name));
	CHECK_STR(name, "");
	CHECK_STR(agent_pod_qos_class(pod), "BestEffort");
	json_decref(pod);
	/* too many env entries */
	json_t *c = json_pack("{s:s,s:[]}", "name", "c", "env");
	for (int i = 0; i < AGENT_ENV_MAX + 1; i++)
		json_array_append_new(json_object_get(c, "env"),
				      json_pack("{s:s,s:s}", "name", "A", "value", "1"));
	pod = json_pack("{s:{s:[O]}}", "spec", "containers", c);
	CHECK_INT(agent_pod_container_spec(pod, c, &x, &s, err, sizeof(err)), -E2BIG);
	json_decref(pod);
	json_decref(c);
}

static void setup(void)
{
	char p[256];
	snprintf(layer, sizeof(layer), "%s/layer", tmp);
	snprintf(voldir, sizeof(voldir), "%s/pods/u-123/volumes", tmp);
	snprintf(p, sizeof(p), "mkdir -p '%s/etc' '%s'", layer, voldir);
	if (system(p) != 0)
		fprintf(stderr, "mkdir failed\n");
	snprintf(p, sizeof(p), "%s/etc/passwd", layer);
	put(p, "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33:www:/var/www:/bin/sh\n");
	snprintf(p, sizeof(p), "%s/etc/group", layer);
	put(p, "root:x:0:\nwww:x:33:\nvideo:x:44:www\n");
	objects = json_pack(
	    "{s:{s:{s:s,s:s,s:s,s:s}, s:{s:s}}, s:{s:{s:s,s:s}}, s:{s:{s:s}}}",
	    "configmaps/default/app", "data", "LANG", "en", "COLOR", "blue", "SIZE", "L", "bad key",
	    "ok", "binaryData", "blob", "aGVsbG8=", "secrets/default/creds", "data", "user",
	    "YWRtaW4=", "password", "czNjcjN0", "secrets/default/bad64", "data", "k", "!!!");
	reset_image();
}

int main(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/podspec_test.XXXXXX");
	if (!mkdtemp(tmp))
		return 1;
	setup();
	TEST_RUN(test_command_args);
	TEST_RUN(test_expansion);
	TEST_RUN(test_env_precedence);
	TEST_RUN(test_value_from);
	TEST_RUN(test_env_errors);
	TEST_RUN(test_quantities);
	TEST_RUN(test_security_user);
	TEST_RUN(test_security_context);
	TEST_RUN(test_resources);
	TEST_RUN(test_qos_class);
	TEST_RUN(test_namespaces);
	TEST_RUN(test_ser2net_pattern);
	TEST_RUN(test_mounts);
	TEST_RUN(test_configmap_volume);
	TEST_RUN(test_secret_and_projected_volume);
	TEST_RUN(test_downward_volume);
	TEST_RUN(test_path_traversal);
	TEST_RUN(test_host_path_and_empty_dir);
	TEST_RUN(test_claim_volume);
	TEST_RUN(test_hosts_file);
	TEST_RUN(test_resolv_conf);
	TEST_RUN(test_odd_shapes);
	json_decref(objects);
	cleanup();
	return test_summary();
}
