/* Validation of the kinds that are neither pods nor workloads: Service,
 * ConfigMap, Secret, Namespace, Node, PersistentVolume(Claim), Lease,
 * PriorityClass, PodDisruptionBudget, EndpointSlice, Endpoints, Events and
 * ServiceAccount, with their update rules (Service clusterIP, immutable
 * ConfigMap/Secret data, Secret type, PVC spec, PriorityClass value,
 * EndpointSlice addressType). Messages follow the upstream pkg/apis/<group>/validation packages. */
#include "apiserver/admission.h"
#include "apiserver/admission_internal.h"
#include "common/crypto.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};
static const char msg_immutable[] = "field is immutable";
static const char msg_immutable_set[] = "field is immutable when `immutable` is set";

/* The spec object: a cause when mistyped; an empty object when absent. */
static json_t *spec_of(struct adm *a, const json_t *obj, json_t *empty, bool *mistyped)
{
	json_t *raw = json_object_get(obj, "spec");
	json_t *spec = adm_get_obj(a, obj, "spec");
	*mistyped = raw && !json_is_null(raw) && !spec;
	return spec ? spec : empty;
}

/* ---- Service ---- */

static bool is_ip(const char *s)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static void validate_target_port(struct adm *a, const json_t *p)
{
	json_t *tp = json_object_get(p, "targetPort");
	if (!tp || json_is_null(tp))
		return;
	if (json_is_integer(tp)) {
		if (json_integer_value(tp) < 1 || json_integer_value(tp) > 65535)
			adm_invalid(a, "targetPort", tp, "must be between 1 and 65535, inclusive");
	} else if (json_is_string(tp)) {
		const char *msgs[5];
		int n = adm_check_port_name(json_string_value(tp), msgs);
		for (int i = 0; i < n; i++)
			adm_invalid(a, "targetPort", tp, msgs[i]);
	} else {
		adm_type_invalid(a, "targetPort", tp, "integer or string");
	}
}

static void validate_service_port(struct adm *a, const json_t *p, bool multi, const char *type,
				  const char **names, size_t idx)
{
	if (!json_is_object(p)) {
		adm_type_invalid(a, NULL, p, "object");
		return;
	}
	const char *name = adm_get_str(a, p, "name");
	if (multi && (!name || !name[0])) {
		adm_required(a, "name", "");
	} else if (name && name[0]) {
		const char *msgs[3];
		int n = adm_check_dns1123_label(name, msgs);
		for (int i = 0; i < n; i++)
			adm_invalid_str(a, "name", name, msgs[i]);
		for (size_t i = 0; i < idx; i++)
			if (names[i] && !strcmp(names[i], name)) {
				adm_duplicate(a, "name", json_object_get(p, "name"));
				break;
			}
	}
	names[idx] = name;
	adm_check_port(a, "port", json_object_get(p, "port"), true);
	adm_check_enum(a, p, "protocol", protocols, true);
	validate_target_port(a, p);
	json_t *np = json_object_get(p, "nodePort");
	if (np && !json_is_null(np) && !(json_is_integer(np) && json_integer_value(np) == 0)) {
		if (!json_is_integer(np))
			adm_type_invalid(a, "nodePort", np, "integer");
		else if (type && !strcmp(type, "ClusterIP"))
			adm_forbidden(a, "nodePort", "may not be used when `type` is 'ClusterIP'");
		else if (json_integer_value(np) < 30000 || json_integer_value(np) > 32767)
			adm_invalid(a, "nodePort", np,
				    "provided port is not in the valid range. The range of valid "
				    "ports is 30000-32767");
	}
}

static void validate_service_ports(struct adm *a, const json_t *spec, const char *type,
				   bool headless)
{
	json_t *raw = json_object_get(spec, "ports");
	json_t *ports = adm_get_arr(a, spec, "ports");
	bool external = type && !strcmp(type, "ExternalName");
	if ((!raw || json_is_null(raw) || json_array_size(ports) == 0) && !headless && !external &&
	    (!raw || ports)) {
		adm_required(a, "ports", "");
		return;
	}
	size_t n = json_array_size(ports);
	if (n > ADM_MAX_ITEMS)
		n = ADM_MAX_ITEMS;
	const char **names = calloc(n ? n : 1, sizeof *names);
	if (!names)
		return;
	for (size_t i = 0; i < n; i++) {
		size_t mark = adm_push(a, "ports");
		adm_push_index(a, i);
		validate_service_port(a, json_array_get(ports, i), n > 1, type, names, i);
		adm_pop(a, mark);
	}
	free(names);
}

static void validate_cluster_ips(struct adm *a, const json_t *spec)
{
	const char *cip = adm_get_str(a, spec, "clusterIP");
	if (cip && cip[0] && strcmp(cip, "None") != 0 && !is_ip(cip))
		adm_invalid_str(a, "clusterIPs[0]", cip,
				"must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
	json_t *ips = adm_get_arr(a, spec, "clusterIPs");
	size_t i;
	json_t *ip;
	json_array_foreach(ips, i, ip)
	{
		if (i >= 2)
			break;
		const char *s = json_string_value(ip);
		if (!s) {
			char child[32];
			snprintf(child, sizeof child, "clusterIPs[%zu]", i);
			adm_type_invalid(a, child, ip, "string");
		}
	}
}

static void validate_service_spec(struct adm *a, const json_t *spec)
{
	static const char *const types[] = {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort",
					    NULL};
	static const char *const affinities[] = {"ClientIP", "None", NULL};
	static const char *const policies[] = {"Cluster", "Local", NULL};
	adm_check_enum(a, spec, "type", types, true);
	adm_check_enum(a, spec, "sessionAffinity", affinities, true);
	adm_check_enum(a, spec, "externalTrafficPolicy", policies, false);
	adm_check_enum(a, spec, "internalTrafficPolicy", policies, false);
	const char *type = json_string_value(json_object_get(spec, "type"));
	const char *cip = json_string_value(json_object_get(spec, "clusterIP"));
	bool headless = cip && !strcmp(cip, "None");
	validate_cluster_ips(a, spec);
	validate_service_ports(a, spec, type, headless);
	json_t *sel = adm_get_obj(a, spec, "selector");
	size_t mark = adm_push(a, "selector");
	adm_validate_labels(a, sel);
	adm_pop(a, mark);
	const char *ext = adm_get_str(a, spec, "externalName");
	if (type && !strcmp(type, "ExternalName")) {
		const char *msgs[3];
		int n = ext && ext[0] ? adm_check_dns1123_subdomain(ext, msgs) : 0;
		if (!ext || !ext[0])
			adm_required(a, "externalName", "");
		for (int i = 0; i < n; i++)
			adm_invalid_str(a, "externalName", ext, msgs[i]);
	}
}

static void validate_service_update(struct adm *a, const json_t *spec, const json_t *ospec)
{
	json_t *nips = json_object_get(spec, "clusterIPs");
	const char *n0 = json_string_value(json_array_get(nips, 0));
	const char *o0 = json_string_value(json_array_get(json_object_get(ospec, "clusterIPs"), 0));
	if (!n0)
		n0 = json_string_value(json_object_get(spec, "clusterIP"));
	if (!o0)
		o0 = json_string_value(json_object_get(ospec, "clusterIP"));
	const char *otype = json_string_value(json_object_get(ospec, "type"));
	const char *ntype = json_string_value(json_object_get(spec, "type"));
	bool external =
	    (otype && !strcmp(otype, "ExternalName")) || (ntype && !strcmp(ntype, "ExternalName"));
	if (external || !n0 || !o0 || !n0[0] || !o0[0] || !strcmp(n0, o0))
		return;
	char buf[ADM_VALUE_MAX], q[300];
	snprintf(buf, sizeof buf, "[]string{");
	size_t cnt = json_is_array(nips) ? json_array_size(nips) : 1;
	for (size_t i = 0; i < cnt && i < 2; i++) {
		const char *ip =
		    json_is_array(nips) ? json_string_value(json_array_get(nips, i)) : n0;
		adm_quote(ip ? ip : "", q, sizeof q);
		size_t used = strlen(buf);
		snprintf(buf + used, sizeof buf - used, "%s%s", i ? ", " : "", q);
	}
	size_t used = strlen(buf);
	snprintf(buf + used, sizeof buf - used, "}");
	adm_invalid_raw(a, "clusterIPs[0]", buf, "may not change once set");
}

static void validate_service(struct adm *a, const json_t *obj, const json_t *old)
{
	json_t *empty = json_object();
	bool mistyped;
	json_t *spec = spec_of(a, obj, empty, &mistyped);
	size_t mark = adm_push(a, "spec");
	if (!mistyped) {
		validate_service_spec(a, spec);
		json_t *ospec = json_object_get(old, "spec");
		if (old && json_is_object(ospec))
			validate_service_update(a, spec, ospec);
	}
	adm_pop(a, mark);
	json_decref(empty);
}

/* ---- ConfigMap / Secret ---- */

/* Keys of one data map; returns the byte size of the values. */
static size_t validate_data_keys(struct adm *a, const json_t *obj, const char *field, bool base64,
				 const json_t *other)
{
	json_t *m = adm_get_obj(a, obj, field);
	size_t total = 0;
	const char *k;
	json_t *v;
	json_object_foreach(m, k, v)
	{
		size_t mark = adm_push(a, field);
		adm_push_key(a, k);
		const char *msgs[3];
		int n = adm_check_config_key(k, msgs);
		for (int i = 0; i < n; i++)
			adm_invalid_str(a, NULL, k, msgs[i]);
		if (other && json_object_get(other, k))
			adm_invalid_str(a, NULL, k, "duplicate of key present in data");
		if (!json_is_string(v)) {
			adm_type_invalid(a, NULL, v, "string");
		} else {
			size_t len = json_string_length(v);
			total += base64 ? len / 4 * 3 : len;
		}
		adm_pop(a, mark);
	}
	return total;
}

/* A base64 value must decode; reports the value redacted, like upstream. */
static void validate_base64_values(struct adm *a, const json_t *m, const char *field)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)m, k, v)
	{
		const char *s = json_string_value(v);
		if (!s)
			continue;
		size_t n;
		char *buf = base64_decode_alloc(s, json_string_length(v), &n);
		free(buf);
		if (buf)
			continue;
		size_t mark = adm_push(a, field);
		adm_push_key(a, k);
		adm_invalid_raw(a, NULL, "\"<secret contents redacted>\"",
				"illegal base64 data in value");
		adm_pop(a, mark);
	}
}

static void validate_immutable_data(struct adm *a, const json_t *obj, const json_t *old,
				    const char *const *fields)
{
	if (!old || !json_is_true(json_object_get(old, "immutable")))
		return;
	if (!json_is_true(json_object_get(obj, "immutable")))
		adm_forbidden(a, "immutable", msg_immutable_set);
	for (size_t i = 0; fields[i]; i++) {
		json_t *n = json_object_get(obj, fields[i]), *o = json_object_get(old, fields[i]);
		bool ne = json_object_size(n) == 0, oe = json_object_size(o) == 0;
		if (!(ne && oe) && !json_equal(n, o))
			adm_forbidden(a, fields[i], msg_immutable_set);
	}
}

static void validate_configmap(struct adm *a, const json_t *obj, const json_t *old)
{
	static const char *const fields[] = {"data", "binaryData", NULL};
	json_t *data = json_object_get(obj, "data");
	size_t total = validate_data_keys(a, obj, "data", false, NULL);
	total += validate_data_keys(a, obj, "binaryData", true, json_is_object(data) ? data : NULL);
	validate_base64_values(a, adm_get_obj(NULL, obj, "binaryData"), "binaryData");
	adm_get_bool(a, obj, "immutable", false);
	if (total > ADM_CONFIGMAP_MAX)
		adm_too_long(a, NULL, ADM_CONFIGMAP_MAX);
	validate_immutable_data(a, obj, old, fields);
}

/* Per-type required keys (pkg/apis/core/validation ValidateSecret). */
static void validate_secret_type(struct adm *a, const json_t *obj, const char *type)
{
	json_t *data = json_object_get(obj, "data");
	if (!json_is_object(data))
		data = NULL;
	static const struct {
		const char *type, *keys[2];
	} need[] = {
	    {"kubernetes.io/dockerconfigjson", {".dockerconfigjson", NULL}},
	    {"kubernetes.io/dockercfg", {".dockercfg", NULL}},
	    {"kubernetes.io/ssh-auth", {"ssh-privatekey", NULL}},
	    {"kubernetes.io/tls", {"tls.crt", "tls.key"}},
	};
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
		if (strcmp(type, need[i].type) != 0)
			continue;
		for (size_t j = 0; j < 2 && need[i].keys[j]; j++) {
			if (json_object_get(data, need[i].keys[j]))
				continue;
			size_t mark = adm_push(a, "data");
			adm_push_key(a, need[i].keys[j]);
			adm_required(a, NULL, "");
			adm_pop(a, mark);
		}
	}
	if (!strcmp(type, "kubernetes.io/basic-auth") && !json_object_get(data, "username") &&
	    !json_object_get(data, "password")) {
		adm_required(a, "data[username]", "");
		adm_required(a, "data[password]", "");
	}
	if (!strcmp(type, "kubernetes.io/service-account-token")) {
		json_t *ann = json_object_get(json_object_get(obj, "metadata"), "annotations");
		if (!json_is_string(json_object_get(ann, "kubernetes.io/service-account.name")))
			adm_required(a, "metadata.annotations[kubernetes.io/service-account.name]",
				     "");
	}
}

/* The decoded .dockerconfigjson must be a JSON document. */
static void validate_dockerconfig(struct adm *a, const json_t *obj, const char *type)
{
	if (strcmp(type, "kubernetes.io/dockerconfigjson") != 0)
		return;
	json_t *v = json_object_get(json_object_get(obj, "data"), ".dockerconfigjson");
	const char *s = json_string_value(v);
	if (!s)
		return;
	size_t n = 0;
	char *buf = base64_decode_alloc(s, json_string_length(v), &n);
	json_t *doc = buf ? json_loadb(buf, n, 0, NULL) : NULL;
	if (buf && !doc)
		adm_invalid_raw(a, "data[.dockerconfigjson]", "\"<secret contents redacted>\"",
				"invalid character looking for beginning of value");
	json_decref(doc);
	free(buf);
}

static void validate_secret(struct adm *a, const json_t *obj, const json_t *old)
{
	static const char *const fields[] = {"data", NULL};
	size_t total = validate_data_keys(a, obj, "data", true, NULL);
	total += validate_data_keys(a, obj, "stringData", false, NULL);
	validate_base64_values(a, adm_get_obj(NULL, obj, "data"), "data");
	if (total > ADM_CONFIGMAP_MAX)
		adm_too_long(a, "data", ADM_CONFIGMAP_MAX);
	adm_get_bool(a, obj, "immutable", false);
	const char *type = adm_get_str(a, obj, "type");
	if (type) {
		validate_secret_type(a, obj, type);
		validate_dockerconfig(a, obj, type);
	}
	const char *otype = json_string_value(json_object_get(old, "type"));
	if (old && type && otype && strcmp(type, otype) != 0)
		adm_invalid_str(a, "type", type, msg_immutable);
	validate_immutable_data(a, obj, old, fields);
}

/* ---- Namespace / Node ---- */

static void validate_namespace(struct adm *a, const json_t *obj)
{
	json_t *empty = json_object();
	bool mistyped;
	json_t *spec = spec_of(a, obj, empty, &mistyped);
	size_t mark = adm_push(a, "spec");
	json_t *fins = adm_get_arr(a, spec, "finalizers");
	size_t i;
	json_t *f;
	json_array_foreach(fins, i, f)
	{
		if (i >= ADM_MAX_ITEMS)
			break;
		size_t m2 = adm_push(a, "finalizers");
		adm_push_index(a, i);
		char bufs[3][400];
		int n =
		    json_is_string(f) ? adm_check_qualified_name(json_string_value(f), bufs) : 0;
		if (!json_is_string(f))
			adm_type_invalid(a, NULL, f, "string");
		for (int j = 0; j < n; j++)
			adm_invalid(a, NULL, f, bufs[j]);
		adm_pop(a, m2);
	}
	adm_pop(a, mark);
	json_decref(empty);
}

static void validate_node(struct adm *a, const json_t *obj)
{
	static const char *const effects[] = {"NoExecute", "NoSchedule", "PreferNoSchedule", NULL};
	json_t *empty = json_object();
	bool mistyped;
	json_t *spec = spec_of(a, obj, empty, &mistyped);
	size_t mark = adm_push(a, "spec");
	adm_get_bool(a, spec, "unschedulable", false);
	adm_get_str(a, spec, "podCIDR");
	json_t *taints = adm_get_arr(a, spec, "taints");
	size_t i;
	json_t *t;
	json_array_foreach(taints, i, t)
	{
		if (i >= ADM_MAX_ITEMS)
			break;
		size_t m2 = adm_push(a, "taints");
		adm_push_index(a, i);
		if (!json_is_object(t)) {
			adm_type_invalid(a, NULL, t, "object");
		} else {
			const char *key = adm_get_str(a, t, "key");
			char bufs[3][400];
			int n = adm_check_qualified_name(key ? key : "", bufs);
			for (int j = 0; j < n; j++)
				adm_invalid_str(a, "key", key ? key : "", bufs[j]);
			adm_check_enum(a, t, "effect", effects, true);
		}
		adm_pop(a, m2);
	}
	adm_pop(a, mark);
	json_decref(empty);
}

/* ---- volumes ---- */

static void validate_access_modes(struct adm *a, const json_t *spec, const char *detail)
{
	static const char *const modes[] = {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce",
					    "ReadWriteOncePod", NULL};
	json_t *raw = json_object_get(spec, "accessModes");
	json_t *list = adm_get_arr(a, spec, "accessModes");
	if ((!raw || json_is_null(raw) || (list && json_array_size(list) == 0))) {
		adm_required(a, "accessModes", detail);
		return;
	}
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m)
	{
		if (!json_is_string(m) || !adm_str_in(json_string_value(m), modes))
			adm_not_supported(a, "accessModes", m, modes);
	}
}

static void validate_storage_quantity(struct adm *a, const json_t *m, const char *child)
{
	json_t *q = json_object_get(m, "storage");
	long double v;
	if (!adm_quantity_parse(q, &v))
		adm_invalid(a, child, q, adm_quantity_regex_msg);
	else if (v <= 0)
		adm_invalid(a, child, q, "must be greater than zero");
}

static void validate_pv(struct adm *a, const json_t *obj)
{
	static const char *const reclaim[] = {"Delete", "Recycle", "Retain", NULL};
	static const char *const vmodes[] = {"Block", "Filesystem", NULL};
	static const char *const storage[] = {"storage", NULL};
	json_t *empty = json_object();
	bool mistyped;
	json_t *spec = spec_of(a, obj, empty, &mistyped);
	size_t mark = adm_push(a, "spec");
	if (!mistyped) {
		validate_access_modes(a, spec, "");
		json_t *cap = adm_get_obj(a, spec, "capacity");
		if (!cap || json_object_size(cap) == 0)
			adm_required(a, "capacity", "");
		else if (!json_object_get(cap, "storage") || json_object_size(cap) > 1)
			adm_not_supported(a, "capacity", cap, storage);
		else
			validate_storage_quantity(a, cap, "capacity[storage]");
		adm_check_enum(a, spec, "persistentVolumeReclaimPolicy", reclaim, false);
		adm_check_enum(a, spec, "volumeMode", vmodes, false);
		static const char *const sources[] = {"hostPath", "local",  "nfs", "csi", "iscsi",
						      "fc",	  "cephfs", "rbd", NULL};
		bool any = false;
		for (size_t i = 0; sources[i]; i++)
			any = any || json_is_object(json_object_get(spec, sources[i]));
		if (!any)
			adm_required(a, NULL, "must specify a volume type");
	}
	adm_pop(a, mark);
	json_decref(empty);
}

static void validate_pvc_update(struct adm *a, const json_t *spec, const json_t *ospec)
{
	json_t *n = json_deep_copy(spec), *o = json_deep_copy(ospec);
	json_t *nres = json_object_get(n, "resources"), *ores = json_object_get(o, "resources");
	json_t *nreq = json_object_get(json_object_get(spec, "resources"), "requests");
	json_t *oreq = json_object_get(json_object_get(ospec, "resources"), "requests");
	long double nv, ov;
	if (adm_quantity_parse(json_object_get(nreq, "storage"), &nv) &&
	    adm_quantity_parse(json_object_get(oreq, "storage"), &ov) && nv < ov)
		adm_forbidden(a, "resources.requests.storage",
			      "field can not be less than previous value");
	if (json_is_object(nres))
		json_object_del(nres, "requests");
	if (json_is_object(ores))
		json_object_del(ores, "requests");
	json_object_del(n, "volumeAttributesClassName");
	json_object_del(o, "volumeAttributesClassName");
	/* the binder fills volumeName in; setting it from empty is fine */
	if (!json_string_length(json_object_get(o, "volumeName")))
		json_object_del(n, "volumeName"), json_object_del(o, "volumeName");
	if (n && o && !json_equal(n, o))
		adm_forbidden(a, NULL,
			      "spec is immutable after creation except resources.requests and "
			      "volumeAttributesClassName for bound claims");
	json_decref(n);
	json_decref(o);
}

static void validate_pvc(struct adm *a, const json_t *obj, const json_t *old)
{
	static const char *const vmodes[] = {"Block", "Filesystem", NULL};
	json_t *empty = json_object();
	bool mistyped;
	json_t *spec = spec_of(a, obj, empty, &mistyped);
	size_t mark = adm_push(a, "spec");
	if (!mistyped) {
		validate_access_modes(a, spec, "at least 1 access mode is required");
		json_t *res = adm_get_obj(a, spec, "resources");
		size_t m2 = adm_push(a, "resources");
		json_t *req = adm_get_obj(a, res, "requests");
		adm_pop(a, m2);
		if (!json_object_get(req, "storage"))
			adm_required(a, "resources[storage]", "");
		else
			validate_storage_quantity(a, req, "resources[storage]");
		adm_check_enum(a, spec, "volumeMode", vmodes, false);
		json_t *ospec = json_object_get(old, "spec");
		if (old && json_is_object(ospec))
			validate_pvc_update(a, spec, ospec);
	}
	adm_pop(a, mark);
	json_decref(empty);
}

/* storage.k8s.io/v1 StorageClass (ValidateStorageClass / ...Update). */
static void validate_storageclass(struct adm *a, const json_t *obj, const json_t *old)
{
	static const char *const reclaim[] = {"Delete", "Retain", NULL};
	static const char *const modes[] = {"Immediate", "WaitForFirstConsumer", NULL};
	const char *prov = adm_get_str(a, obj, "provisioner");
	char bufs[3][400];
	if (!prov || !*prov)
		adm_required(a, "provisioner", "");
	else
		for (int i = 0, n = adm_check_qualified_name(prov, bufs); i < n; i++)
			adm_invalid_str(a, "provisioner", prov, bufs[i]);
	adm_get_obj(a, obj, "parameters");
	adm_get_bool(a, obj, "allowVolumeExpansion", false);
	adm_check_enum(a, obj, "reclaimPolicy", reclaim, false);
	adm_check_enum(a, obj, "volumeBindingMode", modes, false);
	if (!old)
		return;
	static const char *const fixed[][2] = {{"parameters", "updates to parameters are forbidden."},
					       {"provisioner", "updates to provisioner are forbidden."},
					       {"reclaimPolicy", "updates to reclaimPolicy are forbidden."},
					       {"volumeBindingMode", "field is immutable"}};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		json_t *n = json_object_get(obj, fixed[i][0]), *o = json_object_get(old, fixed[i][0]);
		if (!(n ? o && json_equal(n, o) : !o))
			adm_forbidden(a, fixed[i][0], fixed[i][1]);
	}
}

/* ---- small kinds ---- */

static void validate_lease(struct adm *a, const json_t *obj)
{
	json_t *empty = json_object();
	bool mistyped;
	json_t *spec = spec_of(a, obj, empty, &mistyped);
	size_t mark = adm_push(a, "spec");
	long long v;
	if (adm_get_int(a, spec, "leaseDurationSeconds", &v) && v <= 0)
		adm_invalid_int(a, "leaseDurationSeconds", v, "must be greater than 0");
	if (adm_get_int(a, spec, "leaseTransitions", &v) && v < 0)
		adm_invalid_int(a, "leaseTransitions", v, "must be greater than or equal to 0");
	adm_get_str(a, spec, "holderIdentity");
	adm_get_str(a, spec, "acquireTime");
	adm_get_str(a, spec, "renewTime");
	adm_pop(a, mark);
	json_decref(empty);
}

static bool is_system_priority_class(const char *name)
{
	return name &&
	       (!strcmp(name, "system-node-critical") || !strcmp(name, "system-cluster-critical"));
}

static void validate_priorityclass(struct adm *a, const json_t *obj, const json_t *old)
{
	static const char *const policies[] = {"Never", "PreemptLowerPriority", NULL};
	const char *name =
	    json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));
	long long v = 0;
	json_t *raw = json_object_get(obj, "value");
	bool has = adm_get_int(a, obj, "value", &v);
	if (!raw || json_is_null(raw))
		adm_required(a, "value", "");
	if (name && !strncmp(name, "system-", 7) && !is_system_priority_class(name))
		adm_forbidden(a, "metadata.name",
			      "priority class names with 'system-' prefix are reserved");
	else if (has && v > 1000000000 && !is_system_priority_class(name))
		adm_forbidden(a, "value",
			      "maximum allowed value of a user defined priority is 1000000000");
	adm_get_bool(a, obj, "globalDefault", false);
	adm_check_enum(a, obj, "preemptionPolicy", policies, false);
	if (!old)
		return;
	json_t *ov = json_object_get(old, "value");
	if (json_is_integer(ov) && has && json_integer_value(ov) != v)
		adm_forbidden(a, "value", "may not be changed in an update.");
	json_t *np = json_object_get(obj, "preemptionPolicy");
	json_t *op = json_object_get(old, "preemptionPolicy");
	if (np && op && !json_equal(np, op))
		adm_invalid(a, "preemptionPolicy", np, msg_immutable);
}

static long long pdb_value(struct adm *a, const json_t *spec, const char *key)
{
	json_t *v = json_object_get(spec, key);
	if (!v || json_is_null(v))
		return -1;
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			adm_invalid(a, key, v, "must be greater than or equal to 0");
		return 0;
	}
	if (!json_is_string(v)) {
		adm_type_invalid(a, key, v, "integer or string");
	} else if (!adm_is_percent(json_string_value(v))) {
		adm_invalid_raw(a, key, json_string_value(v),
				"a valid percent string must be a numeric string followed by an "
				"ending '%' (e.g. '1%',  or '93%', regex used for validation is "
				"'[0-9]+%')");
	} else if (strtoll(json_string_value(v), NULL, 10) > 100) {
		adm_invalid_raw(a, key, json_string_value(v), "must not be greater than 100%");
	}
	return 0;
}

static void validate_pdb(struct adm *a, const json_t *obj)
{
	static const char *const policies[] = {"AlwaysAllow", "IfHealthyBudget", NULL};
	json_t *empty = json_object();
	bool mistyped;
	json_t *spec = spec_of(a, obj, empty, &mistyped);
	size_t mark = adm_push(a, "spec");
	long long min = pdb_value(a, spec, "minAvailable");
	long long max = pdb_value(a, spec, "maxUnavailable");
	if (min >= 0 && max >= 0)
		adm_invalid_raw(a, NULL, "policy.PodDisruptionBudgetSpec{...}",
				"minAvailable and maxUnavailable cannot be both set");
	json_t *sel = adm_get_obj(a, spec, "selector");
	size_t m2 = adm_push(a, "selector");
	if (sel)
		adm_validate_label_selector(a, sel);
	adm_pop(a, m2);
	adm_check_enum(a, spec, "unhealthyPodEvictionPolicy", policies, false);
	adm_pop(a, mark);
	json_decref(empty);
}

static void validate_port_list(struct adm *a, const json_t *parent, const char *key,
			       bool port_required)
{
	json_t *ports = adm_get_arr(a, parent, key);
	size_t i;
	json_t *p;
	json_array_foreach(ports, i, p)
	{
		if (i >= ADM_MAX_ITEMS)
			break;
		size_t mark = adm_push(a, key);
		adm_push_index(a, i);
		if (!json_is_object(p)) {
			adm_type_invalid(a, NULL, p, "object");
		} else {
			adm_check_port(a, "port", json_object_get(p, "port"), port_required);
			adm_check_enum(a, p, "protocol", protocols, false);
			const char *name = adm_get_str(a, p, "name");
			const char *msgs[3];
			int n = name && name[0] ? adm_check_dns1123_label(name, msgs) : 0;
			for (int j = 0; j < n; j++)
				adm_invalid_str(a, "name", name, msgs[j]);
		}
		adm_pop(a, mark);
	}
}

static void validate_endpointslice(struct adm *a, const json_t *obj, const json_t *old)
{
	static const char *const types[] = {"FQDN", "IPv4", "IPv6", NULL};
	adm_check_enum(a, obj, "addressType", types, true);
	validate_port_list(a, obj, "ports", false);
	json_t *eps = adm_get_arr(a, obj, "endpoints");
	size_t i;
	json_t *e;
	json_array_foreach(eps, i, e)
	{
		if (i >= ADM_MAX_ITEMS)
			break;
		size_t mark = adm_push(a, "endpoints");
		adm_push_index(a, i);
		json_t *addrs = adm_get_arr(a, e, "addresses");
		if (json_is_object(e) && json_array_size(addrs) == 0 &&
		    !json_object_get(e, "addresses"))
			adm_required(a, "addresses", "must contain at least 1 address");
		adm_pop(a, mark);
	}
	json_t *nt = json_object_get(obj, "addressType");
	json_t *ot = json_object_get(old, "addressType");
	if (old && nt && ot && !json_equal(nt, ot))
		adm_invalid(a, "addressType", nt, msg_immutable);
}

static void validate_endpoints(struct adm *a, const json_t *obj)
{
	json_t *subsets = adm_get_arr(a, obj, "subsets");
	size_t i;
	json_t *s;
	json_array_foreach(subsets, i, s)
	{
		if (i >= ADM_MAX_ITEMS)
			break;
		size_t mark = adm_push(a, "subsets");
		adm_push_index(a, i);
		if (!json_is_object(s))
			adm_type_invalid(a, NULL, s, "object");
		else
			validate_port_list(a, s, "ports", true);
		adm_pop(a, mark);
	}
}

static void validate_event(struct adm *a, const json_t *obj)
{
	adm_get_obj(a, obj, "involvedObject");
	adm_get_obj(a, obj, "regarding");
	adm_get_str(a, obj, "reason");
	adm_get_str(a, obj, "message");
	adm_get_str(a, obj, "type");
	long long v;
	if (adm_get_int(a, obj, "count", &v) && v < 0)
		adm_invalid_int(a, "count", v, "must be greater than or equal to 0");
}

bool adm_validate_core_kind(struct adm *a, const char *kind, const json_t *obj, const json_t *old)
{
	if (!strcmp(kind, "Service"))
		validate_service(a, obj, old);
	else if (!strcmp(kind, "ConfigMap"))
		validate_configmap(a, obj, old);
	else if (!strcmp(kind, "Secret"))
		validate_secret(a, obj, old);
	else if (!strcmp(kind, "Namespace"))
		validate_namespace(a, obj);
	else if (!strcmp(kind, "Node"))
		validate_node(a, obj);
	else if (!strcmp(kind, "PersistentVolume"))
		validate_pv(a, obj);
	else if (!strcmp(kind, "PersistentVolumeClaim"))
		validate_pvc(a, obj, old);
	else if (!strcmp(kind, "Lease"))
		validate_lease(a, obj);
	else if (!strcmp(kind, "PriorityClass"))
		validate_priorityclass(a, obj, old);
	else if (!strcmp(kind, "StorageClass"))
		validate_storageclass(a, obj, old);
	else if (!strcmp(kind, "PodDisruptionBudget"))
		validate_pdb(a, obj);
	else if (!strcmp(kind, "EndpointSlice"))
		validate_endpointslice(a, obj, old);
	else if (!strcmp(kind, "Endpoints"))
		validate_endpoints(a, obj);
	else if (!strcmp(kind, "Event"))
		validate_event(a, obj);
	else
		return !strcmp(kind, "ServiceAccount");
	return true;
}
