/* Namespace lifecycle: the namespaces that exist from the first start, the
 * `kubernetes` and `kube-dns` Services, the default StorageClass, and finishing the deletion of Terminating namespaces
 * (delete their contents, then the namespace itself). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apiserver/internal.h"
#include "common/jsonutil.h"

static const char *const initial_namespaces[] = {"default", "kube-system", "kube-public",
						 "kube-node-lease"};

static int create_if_absent(struct cp *cp, const struct resource *r, json_t *obj)
{
	char key[512], uuid[37], now[32];
	rest_key(r, json_path_str(obj, "metadata.namespace") ?: "",
		 json_path_str(obj, "metadata.name"), key, sizeof key);
	struct store_kv kv = {0};
	if (store_get(cp->store, key, &kv) == 0) {
		store_kv_clear(&kv);
		return 0;
	}
	api_new_uid(uuid);
	time_rfc3339(now);
	json_t *meta = json_object_get(obj, "metadata");
	json_object_set_new(meta, "uid", json_string(uuid));
	json_object_set_new(meta, "creationTimestamp", json_string(now));
	return rest_store_update(cp, r, obj, -1);
}

/* kube-system/kube-dns at the tenth address of the service CIDR: each node's
 * agent answers DNS on that address itself (agent/dns.h), so the Service has
 * no selector, and the service-proxy-name label tells Service proxies to
 * leave it alone (kube-proxy's convention). */
static int kube_dns_bootstrap(struct cp *cp)
{
	char ip[16];
	uint32_t a = cp->svc_base + 10;
	if (cp->svc_size < 16) /* no tenth address to give */
		return 0;
	snprintf(ip, sizeof ip, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	json_t *svc = json_pack(
	    "{s:s,s:s,s:{s:s,s:s,s:{s:s,s:s,s:s,s:s}},s:{s:s,s:s,s:[s],s:s,"
	    "s:[{s:s,s:s,s:i,s:i},{s:s,s:s,s:i,s:i}],s:s,s:s,s:[s]},s:{s:{}}}",
	    "kind", "Service", "apiVersion", "v1", "metadata", "name", "kube-dns", "namespace",
	    "kube-system", "labels", "k8s-app", "kube-dns", "kubernetes.io/cluster-service", "true",
	    "kubernetes.io/name", "CoreDNS", "service.kubernetes.io/service-proxy-name", "minikube-dns",
	    "spec", "type", "ClusterIP", "clusterIP", ip, "clusterIPs", ip, "sessionAffinity", "None",
	    "ports", "name", "dns", "protocol", "UDP", "port", 53, "targetPort", 53, "name", "dns-tcp",
	    "protocol", "TCP", "port", 53, "targetPort", 53, "internalTrafficPolicy", "Cluster",
	    "ipFamilyPolicy", "SingleStack", "ipFamilies", "IPv4", "status", "loadBalancer");
	int rc = create_if_absent(cp, resource_find("", "v1", "services"), svc);
	json_decref(svc);
	return rc;
}

/* k3s's default StorageClass, backed by the local-path provisioner
 * (controllers/persistentvolume.c) and the agents. Created once: the marker
 * key remembers it, so a class the user deleted or replaced stays so. */
#define LOCAL_PATH_MARKER "/minikube/bootstrap/storageclass-local-path"

static int local_path_class_bootstrap(struct cp *cp)
{
	struct store_kv kv = {0};
	if (store_get(cp->store, LOCAL_PATH_MARKER, &kv) == 0) {
		store_kv_clear(&kv);
		return 0;
	}
	json_t *sc = json_pack("{s:s,s:s,s:{s:s,s:{s:s}},s:s,s:s,s:s}", "kind", "StorageClass",
			       "apiVersion", "storage.k8s.io/v1", "metadata", "name", "local-path",
			       "annotations", "storageclass.kubernetes.io/is-default-class", "true",
			       "provisioner", "rancher.io/local-path", "reclaimPolicy", "Delete",
			       "volumeBindingMode", "WaitForFirstConsumer");
	int rc = create_if_absent(cp, resource_find("storage.k8s.io", "v1", "storageclasses"), sc);
	json_decref(sc);
	if (rc == 0)
		rc = store_create(cp->store, LOCAL_PATH_MARKER, "1", 1, NULL);
	return rc == -EEXIST ? 0 : rc;
}

int namespace_bootstrap(struct cp *cp)
{
	const struct resource *nsr = resource_find("", "v1", "namespaces");
	for (size_t i = 0; i < sizeof initial_namespaces / sizeof initial_namespaces[0]; i++) {
		json_t *ns =
		    json_pack("{s:s,s:s,s:{s:s,s:{s:s}},s:{s:[s]},s:{s:s}}", "kind", "Namespace",
			      "apiVersion", "v1", "metadata", "name", initial_namespaces[i],
			      "labels", "kubernetes.io/metadata.name", initial_namespaces[i],
			      "spec", "finalizers", "kubernetes", "status", "phase", "Active");
		int rc = create_if_absent(cp, nsr, ns);
		json_decref(ns);
		if (rc)
			return rc;
	}
	char ip[16];
	uint32_t first = cp->svc_base + 1;
	snprintf(ip, sizeof ip, "%u.%u.%u.%u", first >> 24, (first >> 16) & 255, (first >> 8) & 255,
		 first & 255);
	json_t *svc = json_pack(
	    "{s:s,s:s,s:{s:s,s:s,s:{s:s,s:s}},s:{s:s,s:s,s:[s],s:s,s:[{s:s,s:s,s:i,s:i}],s:s,"
	    "s:s,s:[s]},s:{s:{}}}",
	    "kind", "Service", "apiVersion", "v1", "metadata", "name", "kubernetes", "namespace",
	    "default", "labels", "component", "apiserver", "provider", "kubernetes", "spec", "type",
	    "ClusterIP", "clusterIP", ip, "clusterIPs", ip, "sessionAffinity", "None", "ports",
	    "name", "https", "protocol", "TCP", "port", 443, "targetPort", cp_port(cp),
	    "internalTrafficPolicy", "Cluster", "ipFamilyPolicy", "SingleStack", "ipFamilies",
	    "IPv4", "status", "loadBalancer");
	int rc = create_if_absent(cp, resource_find("", "v1", "services"), svc);
	json_decref(svc);
	if (rc == 0)
		rc = kube_dns_bootstrap(cp);
	return rc ? rc : local_path_class_bootstrap(cp);
}

/* Deletes or marks for deletion everything in namespace ns; returns how many
 * objects are left. */
static size_t delete_contents(struct cp *cp, const char *ns)
{
	size_t left = 0;
	char now[32];
	time_rfc3339(now);
	for (size_t i = 0; i < resource_table_len; i++) {
		const struct resource *r = &resource_table[i];
		if (!r->namespaced)
			continue;
		char prefix[512];
		rest_prefix(r, ns, prefix, sizeof prefix);
		struct store_list l = {0};
		if (store_list(cp->store, prefix, 0, NULL, 0, &l))
			continue;
		for (size_t j = 0; j < l.count; j++) {
			json_t *obj = json_loadb(l.items[j].value, l.items[j].len, 0, NULL);
			bool finalizers =
			    json_array_size(json_path(obj, "metadata.finalizers")) > 0;
			if (!finalizers) {
				store_delete(cp->store, l.items[j].key, l.items[j].mod_rev, NULL,
					     NULL);
			} else {
				left++;
				if (obj && !json_path(obj, "metadata.deletionTimestamp")) {
					json_object_set_new(json_object_get(obj, "metadata"),
							    "deletionTimestamp", json_string(now));
					rest_store_update(cp, r, obj, l.items[j].mod_rev);
				}
			}
			json_decref(obj);
		}
		store_list_clear(&l);
	}
	return left;
}

void namespace_finalize_pending(struct cp *cp)
{
	const struct resource *nsr = resource_find("", "v1", "namespaces");
	struct store_list l = {0};
	if (store_list(cp->store, "/registry/core/namespaces/", 0, NULL, 0, &l))
		return;
	for (size_t i = 0; i < l.count; i++) {
		json_t *ns = json_loadb(l.items[i].value, l.items[i].len, 0, NULL);
		const char *name = json_path_str(ns, "metadata.name");
		if (ns && name && json_path(ns, "metadata.deletionTimestamp") &&
		    delete_contents(cp, name) == 0 &&
		    json_array_size(json_path(ns, "metadata.finalizers")) == 0) {
			char key[512];
			rest_key(nsr, "", name, key, sizeof key);
			store_delete(cp->store, key, 0, NULL, NULL);
		}
		json_decref(ns);
	}
	store_list_clear(&l);
}
