/* ClusterIPs from the service CIDR, NodePorts from 30000-32767 (never
 * handed out twice: taken ones are read from the stored Services), pod
 * priority from PriorityClasses, and each Node's pod CIDR (the lowest /24 of
 * the cluster CIDR no other stored Node holds; freed when the Node goes). */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver/alloc.h"
#include "apiserver/admission.h"
#include "common/jsonutil.h"

#define NODEPORT_MIN 30000
#define NODEPORT_MAX 32767

int alloc_parse_cidr4(const char *cidr, uint32_t *base, uint32_t *size)
{
	char ip[64];
	int bits;
	if (!cidr || sscanf(cidr, "%63[^/]/%d", ip, &bits) != 2 || bits < 8 || bits > 30)
		return -1;
	struct in_addr a;
	if (inet_pton(AF_INET, ip, &a) != 1)
		return -1;
	uint32_t mask = bits == 0 ? 0 : ~0u << (32 - bits);
	*base = ntohl(a.s_addr) & mask;
	*size = ~mask + 1;
	return 0;
}

/* All stored Services except the one being written (same namespace/name). */
static json_t *other_services(struct cp *cp, const json_t *self)
{
	json_t *out = json_array();
	struct store_list l = {0};
	if (store_list(cp->store, "/registry/core/services/", 0, NULL, 0, &l))
		return out;
	const char *ns = json_path_str(self, "metadata.namespace") ?: "";
	const char *name = json_path_str(self, "metadata.name") ?: "";
	for (size_t i = 0; i < l.count; i++) {
		json_t *s = json_loadb(l.items[i].value, l.items[i].len, 0, NULL);
		if (s && !(!strcmp(json_path_str(s, "metadata.namespace") ?: "", ns) &&
			   !strcmp(json_path_str(s, "metadata.name") ?: "", name)))
			json_array_append(out, s);
		json_decref(s);
	}
	store_list_clear(&l);
	return out;
}

static bool ip_taken(const json_t *services, const char *ip)
{
	size_t i;
	json_t *s;
	json_array_foreach(services, i, s) {
		const char *c = json_path_str(s, "spec.clusterIP");
		if (c && !strcmp(c, ip))
			return true;
	}
	return false;
}

static bool port_taken(const json_t *services, json_int_t port)
{
	size_t i, j;
	json_t *s, *p;
	json_array_foreach(services, i, s) {
		json_array_foreach(json_path(s, "spec.ports"), j, p) {
			if (json_integer_value(json_object_get(p, "nodePort")) == port)
				return true;
		}
	}
	return false;
}

static bool port_in_spec(const json_t *spec, json_int_t port)
{
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(spec, "ports"), i, p) {
		if (json_integer_value(json_object_get(p, "nodePort")) == port)
			return true;
	}
	return false;
}

__attribute__((format(printf, 3, 4))) static void add_cause(json_t *causes, const char *field, const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_array_append_new(causes, json_pack("{s:s,s:s,s:s}", "reason", "FieldValueInvalid", "message", msg,
						"field", field));
}

static void ip_string(uint32_t host, char out[16])
{
	struct in_addr a = {htonl(host)};
	inet_ntop(AF_INET, &a, out, 16);
}

static void allocate_cluster_ip(struct cp *cp, json_t *spec, const json_t *others, json_t *causes)
{
	json_t *ipv = json_object_get(spec, "clusterIP");
	const char *ip = json_string_value(ipv);
	if (ip && (!strcmp(ip, "None") || *ip)) {
		struct in_addr a;
		if (strcmp(ip, "None") && inet_pton(AF_INET, ip, &a) == 1) {
			uint32_t h = ntohl(a.s_addr);
			if (h - cp->svc_base >= cp->svc_size)
				add_cause(causes, "spec.clusterIPs", "Invalid value: \"%s\": provided IP is not in the valid range. The range of valid IPs is the service CIDR",
					  ip);
			else if (ip_taken(others, ip))
				add_cause(causes, "spec.clusterIPs", "Invalid value: \"%s\": failed to allocate IP: provided IP is already allocated", ip);
		}
		json_object_set_new(spec, "clusterIPs", json_pack("[s]", ip));
		return;
	}
	/* .1 is the kubernetes Service; start after it, wrap once. */
	uint32_t n = cp->svc_size - 2;
	uint32_t start = (uint32_t)(json_array_size(others) * 7u) % (n - 1);
	for (uint32_t k = 0; k < n - 1; k++) {
		uint32_t off = 2 + (start + k) % (n - 1);
		char s[16];
		ip_string(cp->svc_base + off, s);
		if (!ip_taken(others, s)) {
			json_object_set_new(spec, "clusterIP", json_string(s));
			json_object_set_new(spec, "clusterIPs", json_pack("[s]", s));
			return;
		}
	}
	add_cause(causes, "spec.clusterIPs", "Internal error: %s", "range is full");
}

static void allocate_node_ports(json_t *spec, const json_t *others, json_t *causes)
{
	size_t i;
	json_t *p;
	unsigned seed = (unsigned)json_array_size(others) * 2654435761u;
	json_array_foreach(json_object_get(spec, "ports"), i, p) {
		json_int_t np = json_integer_value(json_object_get(p, "nodePort"));
		if (np) {
			if (port_taken(others, np)) {
				char field[64], val[16];
				snprintf(field, sizeof field, "spec.ports[%zu].nodePort", i);
				snprintf(val, sizeof val, "%lld", (long long)np);
				add_cause(causes, field, "Invalid value: %s: provided port is already allocated", val);
			}
			continue;
		}
		for (int k = 0; k <= NODEPORT_MAX - NODEPORT_MIN; k++) {
			json_int_t cand = NODEPORT_MIN + (seed + (unsigned)k * 7919u) % (NODEPORT_MAX - NODEPORT_MIN + 1);
			if (!port_taken(others, cand) && !port_in_spec(spec, cand)) {
				json_object_set_new(p, "nodePort", json_integer(cand));
				break;
			}
		}
	}
}

static void admit_service(struct cp *cp, json_t *obj, const json_t *old, json_t *causes)
{
	json_t *spec = json_object_ensure(obj, "spec");
	const char *type = json_string_value(json_object_get(spec, "type")) ?: "ClusterIP";
	if (old) { /* allocated addresses stay with the Service */
		json_t *ospec = json_object_get(old, "spec");
		if (!json_object_get(spec, "clusterIP") && json_object_get(ospec, "clusterIP"))
			json_object_set(spec, "clusterIP", json_object_get(ospec, "clusterIP"));
		if (!json_object_get(spec, "clusterIPs") && json_object_get(ospec, "clusterIPs"))
			json_object_set(spec, "clusterIPs", json_object_get(ospec, "clusterIPs"));
	}
	json_t *others = other_services(cp, obj);
	if (strcmp(type, "ExternalName"))
		allocate_cluster_ip(cp, spec, others, causes);
	if (!strcmp(type, "NodePort") || !strcmp(type, "LoadBalancer"))
		allocate_node_ports(spec, others, causes);
	json_decref(others);
}

static json_int_t builtin_priority(const char *name)
{
	if (!strcmp(name, "system-cluster-critical"))
		return 2000000000;
	if (!strcmp(name, "system-node-critical"))
		return 2000001000;
	return -1;
}

static void admit_pod_priority(struct cp *cp, json_t *obj, json_t *causes)
{
	json_t *spec = json_object_ensure(obj, "spec");
	const char *pc = json_string_value(json_object_get(spec, "priorityClassName"));
	json_int_t value = 0;
	const char *policy = NULL;
	json_t *cls = NULL;
	struct store_kv kv = {0};
	if (pc && *pc) {
		value = builtin_priority(pc);
		if (value < 0) {
			char key[512];
			snprintf(key, sizeof key, "/registry/scheduling.k8s.io/priorityclasses/%s", pc);
			if (store_get(cp->store, key, &kv) == 0)
				cls = json_loadb(kv.value, kv.len, 0, NULL);
			if (!cls) {
				add_cause(causes, "spec.priorityClassName", "Invalid value: \"%s\": no PriorityClass with this name was found", pc);
				return;
			}
		}
	} else {
		struct store_list l = {0};
		if (store_list(cp->store, "/registry/scheduling.k8s.io/priorityclasses/", 0, NULL, 0, &l) == 0)
			for (size_t i = 0; i < l.count && !cls; i++) {
				json_t *c = json_loadb(l.items[i].value, l.items[i].len, 0, NULL);
				if (json_is_true(json_object_get(c, "globalDefault")))
					cls = c;
				else
					json_decref(c);
			}
		store_list_clear(&l);
		if (cls)
			json_object_set(spec, "priorityClassName", json_path(cls, "metadata.name"));
	}
	if (cls) {
		value = json_integer_value(json_object_get(cls, "value"));
		policy = json_string_value(json_object_get(cls, "preemptionPolicy"));
	}
	json_object_set_new(spec, "priority", json_integer(value));
	if (policy)
		json_object_set_new(spec, "preemptionPolicy", json_string(policy));
	json_decref(cls);
	store_kv_clear(&kv);
}

/* cidr may point into spec itself: build both values before replacing either */
static void set_pod_cidr(json_t *spec, const char *cidr)
{
	json_t *one = json_string(cidr), *list = json_pack("[s]", cidr);
	json_object_set_new(spec, "podCIDR", one);
	json_object_set_new(spec, "podCIDRs", list);
}

/* The pod CIDRs of every stored Node but self, as a set of strings: each
 * Node is parsed once per admission (a scan per candidate was cubic in the
 * number of Nodes when many join at once). NULL when the store fails. */
static json_t *pod_cidrs_taken(struct cp *cp, const char *self)
{
	struct store_list l = {0};
	if (store_list(cp->store, "/registry/core/nodes/", 0, NULL, 0, &l))
		return NULL;
	json_t *taken = json_object();
	for (size_t i = 0; i < l.count; i++) {
		json_t *n = json_loadb(l.items[i].value, l.items[i].len, 0, NULL);
		const char *c = json_path_str(n, "spec.podCIDR");
		if (c && *c && strcmp(json_path_str(n, "metadata.name") ?: "", self))
			json_object_set_new(taken, c, json_true());
		json_decref(n);
	}
	store_list_clear(&l);
	return taken;
}

/* A pod CIDR never changes once set (as in Kubernetes); a Node without one
 * gets the lowest free /24 (the whole range when the cluster CIDR is smaller). */
static void admit_node(struct cp *cp, json_t *obj, const json_t *old, json_t *causes)
{
	json_t *spec = json_object_ensure(obj, "spec");
	const char *had = json_path_str(old, "spec.podCIDR");
	if (had && *had)
		return set_pod_cidr(spec, had);
	const char *want = json_string_value(json_object_get(spec, "podCIDR"));
	uint32_t base, size;
	if (alloc_parse_cidr4(cp->cfg.cluster_cidr, &base, &size))
		return;
	uint32_t step = size < 256 ? size : 256;
	int bits = 32 - __builtin_ctz(step);
	json_t *taken = pod_cidrs_taken(cp, json_path_str(obj, "metadata.name") ?: "");
	if (!taken)
		return add_cause(causes, "spec.podCIDR", "Internal error: %s", "cannot read the nodes");
	if (want && *want) {
		uint32_t wb, ws;
		if (alloc_parse_cidr4(want, &wb, &ws))
			add_cause(causes, "spec.podCIDR", "Invalid value: \"%s\": must be an IPv4 CIDR such as 10.42.1.0/24", want);
		else if (json_object_get(taken, want))
			add_cause(causes, "spec.podCIDR", "Invalid value: \"%s\": already allocated to another node", want);
		else
			set_pod_cidr(spec, want);
		json_decref(taken);
		return;
	}
	for (uint32_t off = 0; off < size; off += step) {
		char ip[16], cidr[24];
		ip_string(base + off, ip);
		snprintf(cidr, sizeof cidr, "%s/%d", ip, bits);
		if (!json_object_get(taken, cidr)) {
			set_pod_cidr(spec, cidr);
			json_decref(taken);
			return;
		}
	}
	json_decref(taken);
	add_cause(causes, "spec.podCIDR", "Internal error: no free pod CIDR left in the cluster CIDR %s",
		  cp->cfg.cluster_cidr);
}

/* DefaultStorageClass: a new claim without a class gets the default one. */
static void admit_pvc_class(struct cp *cp, json_t *obj)
{
	struct store_list l = {0};
	json_t *classes = json_array();
	if (store_list(cp->store, "/registry/storage.k8s.io/storageclasses/", 0, NULL, 0, &l) == 0)
		for (size_t i = 0; i < l.count; i++)
			json_array_append_new(classes, json_loadb(l.items[i].value, l.items[i].len, 0, NULL));
	store_list_clear(&l);
	admission_default_storage_class(obj, classes);
	json_decref(classes);
}

int alloc_admit(struct cp *cp, const struct resource *r, json_t *obj, const json_t *old, json_t *causes)
{
	size_t before = json_array_size(causes);
	if (!strcmp(r->kind, "Service") && r->group[0] == 0)
		admit_service(cp, obj, old, causes);
	else if (!strcmp(r->kind, "Pod") && r->group[0] == 0 && !old)
		admit_pod_priority(cp, obj, causes);
	else if (!strcmp(r->kind, "Node") && r->group[0] == 0)
		admit_node(cp, obj, old, causes);
	else if (!strcmp(r->kind, "PersistentVolumeClaim") && r->group[0] == 0 && !old)
		admit_pvc_class(cp, obj);
	return json_array_size(causes) > before ? -1 : 0;
}
