/* Validation of a pod spec (pkg/apis/core/validation ValidatePodSpec), shared
 * by Pods and every pod template (path prefix spec or spec.template.spec), and
 * the pod update rule: only images, activeDeadlineSeconds, added tolerations
 * and a negative terminationGracePeriodSeconds may change. Every step checks
 * JSON types first, so any shape yields causes and never a crash. */
#include "apiserver/admission.h"
#include "apiserver/admission_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const restart_policies[] = {"Always", "OnFailure", "Never", NULL};
static const char *const dns_policies[] = {"ClusterFirstWithHostNet", "ClusterFirst", "Default",
					   "None", NULL};
static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};
static const char *const pull_policies[] = {"Always", "IfNotPresent", "Never", NULL};
static const char *const msg_policies[] = {"File", "FallbackToLogsOnError", NULL};
static const char *const toleration_ops[] = {"Equal", "Exists", NULL};
static const char *const taint_effects[] = {"NoExecute", "NoSchedule", "PreferNoSchedule", NULL};

/* Names seen so far in a list, for Duplicate causes (grows as needed, up
 * to ADM_MAX_ITEMS names). */
struct seen {
	const char **names;
	size_t n, cap;
};

static void seen_free(struct seen *s)
{
	free(s->names);
	s->names = NULL;
	s->n = s->cap = 0;
}

/* Returns true when name was already seen; remembers it otherwise. */
static bool seen_check(struct seen *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			return true;
	if (s->n == s->cap && s->cap < ADM_MAX_ITEMS) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		const char **grown = realloc(s->names, cap * sizeof *grown);
		if (!grown)
			return false;
		s->names = grown;
		s->cap = cap;
	}
	if (s->n < s->cap)
		s->names[s->n++] = name;
	return false;
}

static void check_dns_label_field(struct adm *a, const json_t *obj, const char *key)
{
	const char *msgs[3];
	const char *s = adm_get_str(a, obj, key);
	int n = s && s[0] ? adm_check_dns1123_label(s, msgs) : 0;
	for (int i = 0; i < n; i++)
		adm_invalid_str(a, key, s, msgs[i]);
}

/* ---- ports ---- */

static void validate_container_port(struct adm *a, const json_t *p, struct seen *names)
{
	if (!json_is_object(p)) {
		adm_type_invalid(a, NULL, p, "object");
		return;
	}
	const char *name = adm_get_str(a, p, "name");
	if (name && name[0]) {
		const char *msgs[5];
		int n = adm_check_port_name(name, msgs);
		for (int i = 0; i < n; i++)
			adm_invalid_str(a, "name", name, msgs[i]);
		if (seen_check(names, name))
			adm_duplicate(a, "name", json_object_get(p, "name"));
	}
	adm_check_port(a, "containerPort", json_object_get(p, "containerPort"), true);
	adm_check_port(a, "hostPort", json_object_get(p, "hostPort"), false);
	adm_check_enum(a, p, "protocol", protocols, true);
}

static void validate_container_ports(struct adm *a, const json_t *c)
{
	json_t *ports = adm_get_arr(a, c, "ports");
	struct seen names = {0};
	size_t i;
	json_t *p;
	json_array_foreach(ports, i, p)
	{
		if (i >= ADM_MAX_ITEMS)
			break;
		size_t mark = adm_push(a, "ports");
		adm_push_index(a, i);
		validate_container_port(a, p, &names);
		adm_pop(a, mark);
	}
	seen_free(&names);
}

/* ---- env ---- */

static void validate_env_var(struct adm *a, const json_t *e)
{
	if (!json_is_object(e)) {
		adm_type_invalid(a, NULL, e, "object");
		return;
	}
	const char *name = adm_get_str(a, e, "name");
	adm_get_str(a, e, "value");
	adm_get_obj(a, e, "valueFrom");
	if (!name || !name[0]) {
		if (!json_object_get(e, "name") || json_is_string(json_object_get(e, "name")))
			adm_required(a, "name", "");
		return;
	}
	for (const char *p = name; *p; p++) {
		if (*p < 0x20 || *p > 0x7e || *p == '=') {
			adm_invalid_str(a, "name", name,
					"a valid environment variable name must consist only of "
					"printable ASCII characters other than '='");
			break;
		}
	}
}

static void validate_env(struct adm *a, const json_t *c)
{
	json_t *env = adm_get_arr(a, c, "env");
	size_t i;
	json_t *e;
	json_array_foreach(env, i, e)
	{
		if (i >= ADM_MAX_ITEMS)
			break;
		size_t mark = adm_push(a, "env");
		adm_push_index(a, i);
		validate_env_var(a, e);
		adm_pop(a, mark);
	}
}

/* ---- resources ---- */

static bool standard_container_resource(const char *name)
{
	return !strcmp(name, "cpu") || !strcmp(name, "memory") ||
	       !strcmp(name, "ephemeral-storage") || !strncmp(name, "hugepages-", 10) ||
	       strchr(name, '/') != NULL;
}

/* Validates one quantity map (limits or requests); fills vals per key. */
static void validate_quantities(struct adm *a, const json_t *m)
{
	const char *k;
	json_t *q;
	json_object_foreach((json_t *)m, k, q)
	{
		size_t mark = adm_push_key(a, k);
		long double v;
		if (!standard_container_resource(k)) {
			adm_invalid_str(a, NULL, k, "must be a standard resource for containers");
		} else if (!adm_quantity_parse(q, &v)) {
			adm_invalid(a, NULL, q, adm_quantity_regex_msg);
		} else if (v < 0) {
			adm_invalid(a, NULL, q, "must be greater than or equal to 0");
		}
		adm_pop(a, mark);
	}
}

static void check_request_le_limit(struct adm *a, const json_t *req, const json_t *lim)
{
	const char *k;
	json_t *q;
	json_object_foreach((json_t *)req, k, q)
	{
		json_t *l = json_object_get(lim, k);
		long double rv, lv;
		if (!l || !adm_quantity_parse(q, &rv) || !adm_quantity_parse(l, &lv))
			continue;
		char detail[ADM_VALUE_MAX + 2 * ADM_PATH_MAX], lbuf[ADM_VALUE_MAX];
		adm_render(l, lbuf, sizeof lbuf);
		if (json_is_string(l))
			snprintf(lbuf, sizeof lbuf, "%s", json_string_value(l));
		bool hugepages = !strncmp(k, "hugepages-", 10);
		if (hugepages && rv != lv) {
			snprintf(detail, sizeof detail, "must be equal to %s limit of %s", k, lbuf);
			adm_invalid(a, "requests", q, detail);
		} else if (rv > lv) {
			snprintf(detail, sizeof detail,
				 "must be less than or equal to %s limit of %s", k, lbuf);
			adm_invalid(a, "requests", q, detail);
		}
	}
}

static void validate_resources(struct adm *a, const json_t *c)
{
	json_t *res = adm_get_obj(a, c, "resources");
	size_t mark = adm_push(a, "resources");
	json_t *lim = adm_get_obj(a, res, "limits");
	json_t *req = adm_get_obj(a, res, "requests");
	size_t m2 = adm_push(a, "limits");
	validate_quantities(a, lim);
	adm_pop(a, m2);
	m2 = adm_push(a, "requests");
	validate_quantities(a, req);
	adm_pop(a, m2);
	check_request_le_limit(a, req, lim);
	adm_pop(a, mark);
}

/* ---- volume mounts ---- */

static void validate_mount(struct adm *a, const json_t *m, const struct seen *volumes,
			   struct seen *paths)
{
	if (!json_is_object(m)) {
		adm_type_invalid(a, NULL, m, "object");
		return;
	}
	const char *name = adm_get_str(a, m, "name");
	const char *path = adm_get_str(a, m, "mountPath");
	adm_get_bool(a, m, "readOnly", false);
	if (!name || !name[0]) {
		adm_required(a, "name", "");
	} else {
		bool found = false;
		for (size_t i = 0; i < volumes->n && !found; i++)
			found = !strcmp(volumes->names[i], name);
		if (!found)
			adm_not_found(a, "name", json_object_get(m, "name"));
	}
	if (!path || !path[0])
		adm_required(a, "mountPath", "");
	else if (seen_check(paths, path))
		adm_invalid_str(a, "mountPath", path, "must be unique");
}

static void validate_mounts(struct adm *a, const json_t *c, const struct seen *volumes)
{
	json_t *mounts = adm_get_arr(a, c, "volumeMounts");
	struct seen paths = {0};
	size_t i;
	json_t *m;
	json_array_foreach(mounts, i, m)
	{
		if (i >= ADM_MAX_ITEMS)
			break;
		size_t mark = adm_push(a, "volumeMounts");
		adm_push_index(a, i);
		validate_mount(a, m, volumes, &paths);
		adm_pop(a, mark);
	}
	seen_free(&paths);
}

/* ---- containers ---- */

static void validate_string_list(struct adm *a, const json_t *c, const char *key)
{
	json_t *list = adm_get_arr(a, c, key);
	size_t i;
	json_t *s;
	json_array_foreach(list, i, s)
	{
		if (i >= ADM_MAX_ITEMS)
			break;
		if (json_is_string(s))
			continue;
		size_t mark = adm_push(a, key);
		adm_push_index(a, i);
		adm_type_invalid(a, NULL, s, "string");
		adm_pop(a, mark);
	}
}

static void validate_container_name(struct adm *a, const json_t *c, struct seen *names)
{
	json_t *v = json_object_get(c, "name");
	const char *name = adm_get_str(a, c, "name");
	if (!name || !name[0]) {
		if (!v || json_is_string(v) || json_is_null(v))
			adm_required(a, "name", "");
		return;
	}
	check_dns_label_field(a, c, "name");
	if (seen_check(names, name))
		adm_duplicate(a, "name", v);
}

static void validate_container_image(struct adm *a, const json_t *c)
{
	json_t *v = json_object_get(c, "image");
	const char *image = adm_get_str(a, c, "image");
	if (!image || !image[0]) {
		if (!v || json_is_string(v) || json_is_null(v))
			adm_required(a, "image", "");
		return;
	}
	size_t len = strlen(image);
	if (image[0] == ' ' || image[0] == '\t' || image[len - 1] == ' ' || image[len - 1] == '\t')
		adm_invalid_str(a, "image", image, "must not have leading or trailing whitespace");
}

/* An IntOrString port of httpGet/tcpSocket: a number in range or a port
 * name (upstream ValidatePortNumOrName). */
static void validate_port_num_or_name(struct adm *a, const json_t *h)
{
	const json_t *port = json_object_get(h, "port");
	const char *msgs[5];
	if (json_is_integer(port)) {
		if (json_integer_value(port) < 1 || json_integer_value(port) > 65535)
			adm_invalid(a, "port", port, "must be between 1 and 65535, inclusive");
	} else if (json_is_string(port)) {
		int n = adm_check_port_name(json_string_value(port), msgs);
		for (int i = 0; i < n; i++)
			adm_invalid(a, "port", port, msgs[i]);
	} else if (!port || json_is_null(port))
		adm_required(a, "port", "");
	else
		adm_type_invalid(a, "port", port, "integer or string");
}

/* A probe's or lifecycle hook's handler (upstream validateHandler): exactly
 * one of the types it may have and each type's required fields. grace is the
 * pod's terminationGracePeriodSeconds, which bounds a sleep. */
static void validate_handler(struct adm *a, const json_t *h, bool hook, long long grace)
{
	static const char *const probe_types[] = {"exec", "httpGet", "tcpSocket", "grpc", NULL};
	static const char *const hook_types[] = {"exec", "httpGet", "tcpSocket", "sleep", NULL};
	int n = 0;
	for (const char *const *t = hook ? hook_types : probe_types; *t; t++)
		n += json_is_object(json_object_get(h, *t));
	if (n == 0)
		adm_required(a, NULL, "must specify a handler type");
	else if (n > 1)
		adm_forbidden(a, NULL, "may not specify more than 1 handler type");
	json_t *v = adm_get_obj(a, h, "exec");
	if (v) {
		size_t m2 = adm_push(a, "exec");
		validate_string_list(a, v, "command");
		if (json_array_size(json_object_get(v, "command")) == 0)
			adm_required(a, "command", "");
		adm_pop(a, m2);
	}
	static const char *const schemes[] = {"HTTP", "HTTPS", NULL};
	for (int i = 0; i < 2; i++) {
		const char *key = i ? "tcpSocket" : "httpGet";
		if (!(v = adm_get_obj(a, h, key)))
			continue;
		size_t m2 = adm_push(a, key);
		validate_port_num_or_name(a, v);
		if (!i)
			adm_check_enum(a, v, "scheme", schemes, false);
		adm_pop(a, m2);
	}
	if (!hook && (v = adm_get_obj(a, h, "grpc"))) {
		/* A number only: the API has no named grpc ports. */
		size_t m2 = adm_push(a, "grpc");
		const json_t *port = json_object_get(v, "port");
		long long pn = json_is_integer(port) ? json_integer_value(port) : 0;
		if (port && !json_is_null(port) && !json_is_integer(port))
			adm_type_invalid(a, "port", port, "integer");
		else if (pn < 1 || pn > 65535)
			adm_invalid_int(a, "port", pn, "must be between 1 and 65535, inclusive");
		adm_get_str(a, v, "service");
		adm_pop(a, m2);
	}
	if (hook && (v = adm_get_obj(a, h, "sleep"))) {
		long long secs = 0;
		const json_t *sv = json_object_get(v, "seconds");
		size_t m2 = adm_push(a, "sleep");
		bool typed = !sv || json_is_null(sv) || adm_get_int(a, v, "seconds", &secs);
		adm_pop(a, m2);
		if (typed && (secs <= 0 || secs > grace)) {
			char why[120];
			snprintf(why, sizeof why,
				 "must be greater than 0 and less than "
				 "terminationGracePeriodSeconds (%lld)",
				 grace);
			adm_invalid_int(a, "sleep", secs, why);
		}
	}
}

/* lifecycle.postStart and lifecycle.preStop (upstream validateLifecycle);
 * init containers may have them only as sidecars (restartPolicy Always). */
static void validate_lifecycle(struct adm *a, const json_t *spec, const json_t *c, bool init)
{
	json_t *lc = json_is_object(c) ? adm_get_obj(a, c, "lifecycle") : NULL;
	if (!lc)
		return;
	const char *rp = json_string_value(json_object_get(c, "restartPolicy"));
	if (init && !(rp && !strcmp(rp, "Always"))) {
		adm_forbidden(a, "lifecycle",
			      "may not be set for init containers without restartPolicy=Always");
		return;
	}
	const json_t *g = json_object_get(spec, "terminationGracePeriodSeconds");
	long long grace = json_is_integer(g) ? json_integer_value(g) : 30;
	size_t mark = adm_push(a, "lifecycle");
	static const char *const hooks[] = {"postStart", "preStop"};
	for (int i = 0; i < 2; i++) {
		json_t *h = adm_get_obj(a, lc, hooks[i]);
		if (!h)
			continue;
		size_t m2 = adm_push(a, hooks[i]);
		validate_handler(a, h, true, grace);
		adm_pop(a, m2);
	}
	adm_pop(a, mark);
}

/* A probe: exactly one handler, exec.command strings, non-negative timing
 * (upstream ValidateProbe; the zero values mean the API defaults). */
static void validate_probe(struct adm *a, const json_t *c, const char *key, bool success_one)
{
	json_t *p = adm_get_obj(a, c, key);
	if (!p)
		return;
	size_t mark = adm_push(a, key);
	validate_handler(a, p, false, 0);
	static const char *const timing[] = {"initialDelaySeconds", "periodSeconds", "timeoutSeconds",
					     "successThreshold", "failureThreshold",
					     "terminationGracePeriodSeconds"};
	for (size_t i = 0; i < sizeof timing / sizeof timing[0]; i++) {
		long long v;
		if (adm_get_int(a, p, timing[i], &v) && v < 0)
			adm_invalid_int(a, timing[i], v, "must be greater than or equal to 0");
	}
	long long st;
	if (success_one && adm_get_int(a, p, "successThreshold", &st) && st > 1)
		adm_invalid_int(a, "successThreshold", st, "must be 1");
	adm_pop(a, mark);
}

static void validate_container(struct adm *a, const json_t *c, struct seen *names,
			       const struct seen *volumes)
{
	if (!json_is_object(c)) {
		adm_type_invalid(a, NULL, c, "object");
		return;
	}
	validate_container_name(a, c, names);
	validate_container_image(a, c);
	adm_check_enum(a, c, "imagePullPolicy", pull_policies, false);
	adm_check_enum(a, c, "terminationMessagePolicy", msg_policies, false);
	validate_string_list(a, c, "command");
	validate_string_list(a, c, "args");
	validate_probe(a, c, "livenessProbe", true);
	validate_probe(a, c, "readinessProbe", false);
	validate_probe(a, c, "startupProbe", true);
	validate_container_ports(a, c);
	validate_env(a, c);
	validate_resources(a, c);
	validate_mounts(a, c, volumes);
}

static void validate_containers(struct adm *a, const json_t *spec, const char *key, bool required,
				struct seen *names, const struct seen *volumes)
{
	json_t *raw = json_object_get(spec, key);
	json_t *list = adm_get_arr(a, spec, key);
	if ((!raw || json_is_null(raw) || (list && json_array_size(list) == 0)) && required) {
		adm_required(a, key, "");
		return;
	}
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c)
	{
		if (i >= ADM_MAX_ITEMS)
			break;
		size_t mark = adm_push(a, key);
		adm_push_index(a, i);
		validate_container(a, c, names, volumes);
		validate_lifecycle(a, spec, c, !strcmp(key, "initContainers"));
		adm_pop(a, mark);
	}
}

/* ---- volumes ---- */

static void validate_volume(struct adm *a, const json_t *v, struct seen *volumes)
{
	if (!json_is_object(v)) {
		adm_type_invalid(a, NULL, v, "object");
		return;
	}
	json_t *raw = json_object_get(v, "name");
	const char *name = adm_get_str(a, v, "name");
	if (!name || !name[0]) {
		if (!raw || json_is_string(raw) || json_is_null(raw))
			adm_required(a, "name", "");
		return;
	}
	check_dns_label_field(a, v, "name");
	if (seen_check(volumes, name))
		adm_duplicate(a, "name", raw);
	size_t sources = 0;
	const char *k;
	json_t *src;
	json_object_foreach((json_t *)v, k, src)
	{
		if (!strcmp(k, "name") || json_is_null(src))
			continue;
		if (!json_is_object(src))
			adm_type_invalid(a, k, src, "object");
		else if (++sources > 1)
			adm_forbidden(a, k, "may not specify more than 1 volume type");
	}
}

static void validate_volumes(struct adm *a, const json_t *spec, struct seen *volumes)
{
	json_t *list = adm_get_arr(a, spec, "volumes");
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		if (i >= ADM_MAX_ITEMS)
			break;
		size_t mark = adm_push(a, "volumes");
		adm_push_index(a, i);
		validate_volume(a, v, volumes);
		adm_pop(a, mark);
	}
}

/* ---- tolerations and misc ---- */

static void validate_toleration(struct adm *a, const json_t *t)
{
	if (!json_is_object(t)) {
		adm_type_invalid(a, NULL, t, "object");
		return;
	}
	const char *key = adm_get_str(a, t, "key");
	const char *op = adm_get_str(a, t, "operator");
	const char *value = adm_get_str(a, t, "value");
	long long secs;
	adm_get_int(a, t, "tolerationSeconds", &secs);
	adm_check_enum(a, t, "operator", toleration_ops, false);
	adm_check_enum(a, t, "effect", taint_effects, false);
	if (key && key[0]) {
		char bufs[3][400];
		int n = adm_check_qualified_name(key, bufs);
		for (int i = 0; i < n; i++)
			adm_invalid_str(a, "key", key, bufs[i]);
	} else if (op && !strcmp(op, "Equal")) {
		adm_invalid_str(a, "operator", op,
				"operator must be Exists when `key` is empty, which means \"match "
				"all values and all keys\"");
	}
	if (op && !strcmp(op, "Exists") && value && value[0])
		adm_invalid_str(a, "operator", value,
				"value must be empty when `operator` is 'Exists'");
}

static void validate_tolerations(struct adm *a, const json_t *spec)
{
	json_t *list = adm_get_arr(a, spec, "tolerations");
	size_t i;
	json_t *t;
	json_array_foreach(list, i, t)
	{
		if (i >= ADM_MAX_ITEMS)
			break;
		size_t mark = adm_push(a, "tolerations");
		adm_push_index(a, i);
		validate_toleration(a, t);
		adm_pop(a, mark);
	}
}

static void validate_pod_scalars(struct adm *a, const json_t *spec)
{
	long long v;
	adm_check_enum(a, spec, "restartPolicy", restart_policies, true);
	adm_check_enum(a, spec, "dnsPolicy", dns_policies, true);
	if (adm_get_int(a, spec, "activeDeadlineSeconds", &v) && (v < 1 || v > 2147483647))
		adm_invalid_int(a, "activeDeadlineSeconds", v,
				"must be between 1 and 2147483647, inclusive");
	adm_get_int(a, spec, "terminationGracePeriodSeconds", &v);
	adm_get_bool(a, spec, "hostNetwork", false);
	check_dns_label_field(a, spec, "hostname");
	check_dns_label_field(a, spec, "subdomain");
	const char *sa = adm_get_str(a, spec, "serviceAccountName");
	const char *msgs[3];
	int n = sa && sa[0] ? adm_check_dns1123_subdomain(sa, msgs) : 0;
	for (int i = 0; i < n; i++)
		adm_invalid_str(a, "serviceAccountName", sa, msgs[i]);
	adm_get_str(a, spec, "nodeName");
	json_t *ns = adm_get_obj(a, spec, "nodeSelector");
	size_t mark = adm_push(a, "nodeSelector");
	adm_validate_labels(a, ns);
	adm_pop(a, mark);
}

void adm_validate_pod_spec(struct adm *a, const json_t *spec)
{
	struct seen volumes = {0}, names = {0};
	validate_volumes(a, spec, &volumes);
	validate_containers(a, spec, "containers", true, &names, &volumes);
	validate_containers(a, spec, "initContainers", false, &names, &volumes);
	seen_free(&volumes);
	seen_free(&names);
	validate_pod_scalars(a, spec);
	validate_tolerations(a, spec);
}

void adm_validate_pod_template(struct adm *a, const json_t *tmpl)
{
	json_t *meta = adm_get_obj(a, tmpl, "metadata");
	size_t mark = adm_push(a, "metadata");
	adm_validate_meta_maps(a, meta);
	adm_pop(a, mark);
	json_t *raw = json_object_get(tmpl, "spec");
	json_t *spec = adm_get_obj(a, tmpl, "spec");
	if (raw && !json_is_null(raw) && !spec)
		return;
	json_t *empty = json_object();
	mark = adm_push(a, "spec");
	adm_validate_pod_spec(a, spec ? spec : empty);
	adm_pop(a, mark);
	json_decref(empty);
}

/* ---- pod update ---- */

static const char pod_update_msg[] =
    "pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
    "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be "
    "set to 1 if it was previously negative)";

/* Copies each container's image from old into new (same count only). */
static void mask_images(json_t *nspec, const json_t *ospec, const char *key)
{
	json_t *nl = json_object_get(nspec, key), *ol = json_object_get(ospec, key);
	if (!json_is_array(nl) || !json_is_array(ol) || json_array_size(nl) != json_array_size(ol))
		return;
	for (size_t i = 0; i < json_array_size(nl); i++) {
		json_t *nc = json_array_get(nl, i), *oc = json_array_get(ol, i);
		json_t *img = json_object_get(oc, "image");
		if (json_is_object(nc) && img)
			json_object_set(nc, "image", img);
	}
}

/* Tolerations may only be added: every old one must still be present. */
static bool tolerations_only_added(const json_t *nl, const json_t *ol)
{
	for (size_t i = 0; i < json_array_size(ol); i++) {
		bool found = false;
		for (size_t j = 0; j < json_array_size(nl) && !found; j++)
			found = json_equal(json_array_get(ol, i), json_array_get(nl, j));
		if (!found)
			return false;
	}
	return true;
}

static void mask_field(json_t *nspec, const json_t *ospec, const char *key)
{
	json_t *ov = json_object_get(ospec, key);
	if (ov)
		json_object_set(nspec, key, ov);
	else
		json_object_del(nspec, key);
}

static void validate_deadline_update(struct adm *a, const json_t *nspec, const json_t *ospec)
{
	json_t *nv = json_object_get(nspec, "activeDeadlineSeconds");
	json_t *ov = json_object_get(ospec, "activeDeadlineSeconds");
	if (!json_is_integer(ov))
		return;
	if (!json_is_integer(nv))
		adm_invalid(a, "spec.activeDeadlineSeconds", nv ? nv : json_null(),
			    "must not update from a positive integer to nil value");
	else if (json_integer_value(nv) > json_integer_value(ov))
		adm_invalid(a, "spec.activeDeadlineSeconds", nv,
			    "must be less than or equal to previous value");
}

void adm_validate_pod_update(struct adm *a, const json_t *obj, const json_t *old)
{
	json_t *nspec = json_object_get(obj, "spec");
	json_t *ospec = json_object_get(old, "spec");
	if (!json_is_object(nspec) || !json_is_object(ospec))
		return;
	validate_deadline_update(a, nspec, ospec);
	json_t *masked = json_deep_copy(nspec);
	if (!masked)
		return;
	mask_images(masked, ospec, "containers");
	mask_images(masked, ospec, "initContainers");
	mask_field(masked, ospec, "activeDeadlineSeconds");
	if (tolerations_only_added(json_object_get(nspec, "tolerations"),
				   json_object_get(ospec, "tolerations")))
		mask_field(masked, ospec, "tolerations");
	json_t *ogp = json_object_get(ospec, "terminationGracePeriodSeconds");
	json_t *ngp = json_object_get(nspec, "terminationGracePeriodSeconds");
	if (json_is_integer(ogp) && json_integer_value(ogp) < 0 && json_is_integer(ngp) &&
	    json_integer_value(ngp) == 1)
		mask_field(masked, ospec, "terminationGracePeriodSeconds");
	if (!json_equal(masked, ospec))
		adm_forbidden(a, "spec", pod_update_msg);
	json_decref(masked);
}
