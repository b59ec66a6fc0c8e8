/* PersistentVolume controller: the binder (a Pending claim gets the best
 * Available volume that fits, both sides written like upstream's
 * pv_controller: PV.spec.claimRef + phase Bound, PVC.spec.volumeName +
 * status + pv.kubernetes.io/bind-completed), the local-path provisioner of
 * k3s (a claim of a rancher.io/local-path class with a selected node gets a
 * hostPath volume under --default-local-storage-path pinned to that node),
 * and the volume side of a claim going away (Released; Retain keeps it,
 * Delete of a local-path volume is finished by the node's agent, which
 * removes the directory and then the PV).
 *
 * Claims of WaitForFirstConsumer classes wait for the scheduler's
 * volume.kubernetes.io/selected-node annotation; only volumes whose node
 * affinity matches that node are considered for them. A claim still used by
 * a pod that has not finished keeps its volume (as pvc-protection would). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonutil.h"
#include "common/labels.h"
#include "common/quantity.h"
#include "controllers/ctl.h"
#include "controllers/persistentvolume.h"

/* ---- matching (pure) ---- */

static const char *str_or(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

const char *pv_claim_class(const json_t *pvc)
{
	const json_t *cls = json_path(pvc, "spec.storageClassName");
	if (json_is_string(cls))
		return json_string_value(cls);
	const json_t *ann = json_path(pvc, "metadata.annotations");
	return str_or(
	    json_string_value(json_object_get(ann, "volume.beta.kubernetes.io/storage-class")), "");
}

const char *pv_volume_class(const json_t *pv)
{
	const json_t *ann = json_path(pv, "metadata.annotations");
	const char *beta =
	    json_string_value(json_object_get(ann, "volume.beta.kubernetes.io/storage-class"));
	return beta ? beta : str_or(json_path_str(pv, "spec.storageClassName"), "");
}

static bool modes_superset(const json_t *have, const json_t *want)
{
	size_t i, j;
	json_t *w, *h;
	json_array_foreach(want, i, w)
	{
		bool found = false;
		json_array_foreach(have, j, h) found = found || json_equal(h, w);
		if (!found)
			return false;
	}
	return true;
}

static int64_t storage_of(const json_t *resources)
{
	int64_t v = -1;
	const char *q = json_string_value(json_object_get(resources, "storage"));
	if (!q || quantity_value(q, &v))
		return -1;
	return v;
}

static bool claim_ref_names(const json_t *pv, const json_t *pvc)
{
	const json_t *ref = json_path(pv, "spec.claimRef");
	const char *uid = json_string_value(json_object_get(ref, "uid"));
	const char *cuid = json_path_str(pvc, "metadata.uid");
	return !strcmp(str_or(json_string_value(json_object_get(ref, "namespace")), ""),
		       str_or(json_path_str(pvc, "metadata.namespace"), "")) &&
	       !strcmp(str_or(json_string_value(json_object_get(ref, "name")), ""),
		       str_or(json_path_str(pvc, "metadata.name"), "")) &&
	       (!uid || !*uid || (cuid && !strcmp(uid, cuid)));
}

static bool pre_bound(const json_t *pv, const json_t *pvc)
{
	if (json_is_object(json_path(pv, "spec.claimRef")))
		return claim_ref_names(pv, pvc);
	const char *want = json_path_str(pvc, "spec.volumeName");
	return want && *want && !strcmp(want, str_or(json_path_str(pv, "metadata.name"), ""));
}

bool pv_matches_claim(const json_t *pv, const json_t *pvc, const json_t *node)
{
	if (!json_is_object(pv) || !json_is_object(pvc) ||
	    json_path(pv, "metadata.deletionTimestamp"))
		return false;
	const json_t *ref = json_path(pv, "spec.claimRef");
	if (json_is_object(ref) && !claim_ref_names(pv, pvc))
		return false; /* promised to another claim */
	const char *want = json_path_str(pvc, "spec.volumeName");
	if (want && *want && strcmp(want, str_or(json_path_str(pv, "metadata.name"), "")))
		return false;
	const char *phase = str_or(json_path_str(pv, "status.phase"), "Pending");
	if (!pre_bound(pv, pvc) && strcmp(phase, "Available") && strcmp(phase, "Pending"))
		return false; /* Released, Failed, Bound */
	if (strcmp(pv_volume_class(pv), pv_claim_class(pvc)))
		return false;
	if (strcmp(str_or(json_path_str(pv, "spec.volumeMode"), "Filesystem"),
		   str_or(json_path_str(pvc, "spec.volumeMode"), "Filesystem")))
		return false;
	if (!modes_superset(json_path(pv, "spec.accessModes"), json_path(pvc, "spec.accessModes")))
		return false;
	int64_t have = storage_of(json_path(pv, "spec.capacity"));
	int64_t need = storage_of(json_path(pvc, "spec.resources.requests"));
	if (have < 0 || need < 0 || have < need)
		return false;
	const json_t *sel = json_path(pvc, "spec.selector");
	if (json_is_object(sel) && !labels_match_selector(sel, json_path(pv, "metadata.labels")))
		return false;
	const json_t *req = json_path(pv, "spec.nodeAffinity.required");
	if (node && req &&
	    !labels_match_node_selector(req, json_path(node, "metadata.labels"),
					json_path_str(node, "metadata.name")))
		return false;
	return true;
}

static const json_t *best_of(const json_t *best, const json_t *pv)
{
	if (!best)
		return pv;
	int64_t a = storage_of(json_path(best, "spec.capacity")),
		b = storage_of(json_path(pv, "spec.capacity"));
	if (b != a)
		return b < a ? pv : best;
	/* equal sizes: a stable choice, by name */
	return strcmp(json_path_str(pv, "metadata.name") ?: "",
		      json_path_str(best, "metadata.name") ?: "") < 0
		   ? pv
		   : best;
}

static const json_t *consider(const json_t *best, const json_t *pv, const json_t *pvc,
			      const json_t *node, const json_t **bound)
{
	if (!pv_matches_claim(pv, pvc, node))
		return best;
	if (pre_bound(pv, pvc))
		*bound = pv;
	return best_of(best, pv);
}

const json_t *pv_find_best(const json_t *pvs, const json_t *pvc, const json_t *node)
{
	const json_t *best = NULL, *bound = NULL;
	if (json_is_array(pvs)) {
		size_t i;
		json_t *pv;
		json_array_foreach(pvs, i, pv) best = consider(best, pv, pvc, node, &bound);
	} else {
		const char *k;
		json_t *pv;
		json_object_foreach((json_t *)pvs, k, pv) best =
		    consider(best, pv, pvc, node, &bound);
	}
	return bound ? bound : best;
}

json_t *pv_local_path_volume(const json_t *pvc, const json_t *sc, const char *node,
			     const char *hostname, const char *storage_dir)
{
	const char *uid = json_path_str(pvc, "metadata.uid");
	const char *ns = json_path_str(pvc, "metadata.namespace") ?: "default";
	const char *name = json_path_str(pvc, "metadata.name") ?: "";
	const char *request = json_path_str(pvc, "spec.resources.requests.storage");
	if (!uid || !*uid || !request || !node)
		return NULL;
	char pv_name[300], path[2048];
	snprintf(pv_name, sizeof pv_name, "pvc-%s", uid);
	snprintf(path, sizeof path, "%s/%s_%s_%s", storage_dir, pv_name, ns, name);
	const json_t *m = json_path(pvc, "spec.accessModes");
	json_t *modes = json_is_array(m) ? json_deep_copy(m) : json_array();
	json_t *pv = json_pack(
	    "{s:s,s:s,s:{s:s,s:{s:s,s:s}},s:{s:{s:s},s:o,s:s,s:s,s:s,s:{s:s,s:s},"
	    "s:{s:{s:[{s:[{s:s,s:s,s:[s]}]}]}},s:{s:s,s:s,s:s,s:s,s:s,s:s}}}",
	    "apiVersion", "v1", "kind", "PersistentVolume", "metadata", "name", pv_name,
	    "annotations", PV_ANN_PROVISIONED_BY, PV_LOCAL_PATH_PROVISIONER,
	    "local.path.provisioner/selected-node", node, "spec", "capacity", "storage", request,
	    "accessModes", modes, "persistentVolumeReclaimPolicy",
	    str_or(json_string_value(json_object_get(sc, "reclaimPolicy")), "Delete"),
	    "storageClassName", pv_claim_class(pvc), "volumeMode", "Filesystem", "hostPath", "path",
	    path, "type", "DirectoryOrCreate", "nodeAffinity", "required", "nodeSelectorTerms",
	    "matchExpressions", "key", "kubernetes.io/hostname", "operator", "In", "values",
	    hostname ? hostname : node, "claimRef", "apiVersion", "v1", "kind",
	    "PersistentVolumeClaim", "namespace", ns, "name", name, "uid", uid, "resourceVersion",
	    json_path_str(pvc, "metadata.resourceVersion") ?: "");
	return pv;
}

/* ---- the controller ---- */

struct pv_ctl {
	struct ctl_env *env;
	struct informer *pvs, *pvcs, *classes, *pods, *nodes;
	struct ctl_queue *claims, *volumes;
	json_t *told; /* "ns/name" -> the reason of the last event about a waiting claim */
};

static void queue_unbound_claims(struct pv_ctl *c)
{
	const char *k;
	json_t *pvc;
	json_object_foreach((json_t *)informer_items(c->pvcs), k, pvc)
	{
		const char *vol = json_path_str(pvc, "spec.volumeName");
		if (!vol || !*vol)
			ctl_queue_add_obj(c->claims, pvc);
	}
}

static void on_claim(void *ud, enum store_event_type type, const json_t *pvc, const json_t *old)
{
	struct pv_ctl *c = ud;
	if (type == STORE_EVENT_DELETE) {
		char key[600];
		snprintf(key, sizeof key, "%s/%s", ctl_ns(pvc), ctl_name(pvc));
		json_object_del(c->told, key);
		const char *vol = json_path_str(pvc, "spec.volumeName");
		if (vol && *vol)
			ctl_queue_add(c->volumes, "", vol);
		/* a volume pre-bound to it may be waiting */
		const char *k;
		json_t *pv;
		json_object_foreach((json_t *)informer_items(c->pvs), k, pv)
		{
			if (claim_ref_names(pv, pvc))
				ctl_queue_add_obj(c->volumes, pv);
		}
		return;
	}
	ctl_queue_add_obj(c->claims, pvc);
	const char *vol = json_path_str(pvc, "spec.volumeName");
	if (vol && *vol)
		ctl_queue_add(c->volumes, "", vol);
}

static void on_volume(void *ud, enum store_event_type type, const json_t *pv, const json_t *old)
{
	struct pv_ctl *c = ud;
	if (type != STORE_EVENT_DELETE)
		ctl_queue_add_obj(c->volumes, pv);
	const json_t *ref = json_path(pv, "spec.claimRef");
	if (json_is_object(ref))
		ctl_queue_add(c->claims, json_string_value(json_object_get(ref, "namespace")) ?: "",
			      json_string_value(json_object_get(ref, "name")) ?: "");
	if (type == STORE_EVENT_DELETE || !json_is_object(ref))
		queue_unbound_claims(c); /* room for a waiting claim, or a bound one lost it */
}

static void on_class(void *ud, enum store_event_type type, const json_t *sc, const json_t *old)
{
	queue_unbound_claims(ud);
}

/* A pod that finished or went away may release a claim that was deleted meanwhile. */
static void on_pod(void *ud, enum store_event_type type, const json_t *pod, const json_t *old)
{
	struct pv_ctl *c = ud;
	const char *phase = json_path_str(pod, "status.phase") ?: "";
	if (type != STORE_EVENT_DELETE && strcmp(phase, "Succeeded") && strcmp(phase, "Failed"))
		return;
	size_t i;
	json_t *v;
	json_array_foreach(json_path(pod, "spec.volumes"), i, v)
	{
		const char *claim = json_path_str(v, "persistentVolumeClaim.claimName");
		const char *k;
		json_t *pv;
		if (!claim)
			continue;
		json_object_foreach((json_t *)informer_items(c->pvs), k, pv)
		{
			const json_t *ref = json_path(pv, "spec.claimRef");
			if (!strcmp(json_string_value(json_object_get(ref, "name")) ?: "", claim) &&
			    !strcmp(json_string_value(json_object_get(ref, "namespace")) ?: "",
				    ctl_ns(pod)))
				ctl_queue_add_obj(c->volumes, pv);
		}
	}
}

/* One event per claim and reason while it waits. */
static void tell(struct pv_ctl *c, const json_t *pvc, const char *type, const char *reason,
		 const char *msg)
{
	char key[600];
	snprintf(key, sizeof key, "%s/%s", ctl_ns(pvc), ctl_name(pvc));
	const char *last = json_string_value(json_object_get(c->told, key));
	if (last && !strcmp(last, reason))
		return;
	json_object_set_new(c->told, key, json_string(reason));
	ctl_event(c->env, pvc, "v1", "PersistentVolumeClaim", type, reason, "%s", msg);
}

static int status_patch(struct pv_ctl *c, const char *plural, const char *ns, const char *name,
			json_t *status)
{
	char path[700];
	json_t *patch = json_pack("{s:o}", "status", status);
	int code = api_merge_patch(
	    &c->env->api, api_path(path, sizeof path, "", "v1", plural, ns, name, "status"), patch,
	    NULL);
	json_decref(patch);
	return code == 200 ? 0 : -EAGAIN;
}

static int volume_phase(struct pv_ctl *c, const json_t *pv, const char *phase, const char *message)
{
	if (!strcmp(json_path_str(pv, "status.phase") ?: "", phase) &&
	    !strcmp(json_path_str(pv, "status.message") ?: "", message ?: ""))
		return 0;
	json_t *st = json_pack("{s:s}", "phase", phase);
	json_object_set_new(st, "message", message ? json_string(message) : json_null());
	return status_patch(c, "persistentvolumes", "", ctl_name(pv), st);
}

static const char *annotation(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(json_path(obj, "metadata.annotations"), key));
}

/* Both halves of a binding, volume first (as upstream: a crash in between
 * leaves a claimRef that the next sync completes). */
static int bind_claim(struct pv_ctl *c, const json_t *pvc, const json_t *pv)
{
	char path[700];
	int code;
	if (!json_is_object(json_path(pv, "spec.claimRef")) ||
	    !*(json_path_str(pv, "spec.claimRef.uid") ?: "")) {
		json_t *obj = json_deep_copy(pv);
		json_object_set_new(
		    json_object_get(obj, "spec"), "claimRef",
		    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "apiVersion", "v1", "kind",
			      "PersistentVolumeClaim", "namespace", ctl_ns(pvc), "name",
			      ctl_name(pvc), "uid", ctl_uid(pvc), "resourceVersion",
			      json_path_str(pvc, "metadata.resourceVersion") ?: ""));
		json_object_set_new(
		    json_object_ensure(json_object_get(obj, "metadata"), "annotations"),
		    PV_ANN_BOUND_BY_CONTROLLER, json_string("yes"));
		code = api_update(&c->env->api,
				  api_path(path, sizeof path, "", "v1", "persistentvolumes", NULL,
					   ctl_name(pv), NULL),
				  obj, NULL);
		json_decref(obj);
		if (code != 200)
			return -EAGAIN;
	}
	if (volume_phase(c, pv, "Bound", NULL))
		return -EAGAIN;
	const char *vol = json_path_str(pvc, "spec.volumeName");
	if (!vol || !*vol || !annotation(pvc, PV_ANN_BIND_COMPLETED)) {
		json_t *obj = json_deep_copy(pvc);
		json_object_set_new(json_object_get(obj, "spec"), "volumeName",
				    json_string(ctl_name(pv)));
		json_t *ann = json_object_ensure(json_object_get(obj, "metadata"), "annotations");
		json_object_set_new(ann, PV_ANN_BIND_COMPLETED, json_string("yes"));
		if (!vol || !*vol)
			json_object_set_new(ann, PV_ANN_BOUND_BY_CONTROLLER, json_string("yes"));
		code = api_update(&c->env->api,
				  api_path(path, sizeof path, "", "v1", "persistentvolumeclaims",
					   ctl_ns(pvc), ctl_name(pvc), NULL),
				  obj, NULL);
		json_decref(obj);
		if (code != 200)
			return -EAGAIN;
	}
	json_t *st =
	    json_pack("{s:s,s:O,s:O}", "phase", "Bound", "capacity", json_path(pv, "spec.capacity"),
		      "accessModes", json_path(pv, "spec.accessModes"));
	if (!st)
		return -ENOMEM;
	if (status_patch(c, "persistentvolumeclaims", ctl_ns(pvc), ctl_name(pvc), st))
		return -EAGAIN;
	char key[600];
	snprintf(key, sizeof key, "%s/%s", ctl_ns(pvc), ctl_name(pvc));
	json_object_del(c->told, key);
	log_v(&c->env->log, 2, "persistentvolume", "bound claim=%s volume=%s", key, ctl_name(pv));
	return 0;
}

static int provision_local_path(struct pv_ctl *c, const json_t *pvc, const json_t *sc,
				const char *node_name)
{
	char path[700], msg[800];
	const json_t *node = informer_get(c->nodes, "", node_name);
	const char *hostname = json_string_value(
	    json_object_get(json_path(node, "metadata.labels"), "kubernetes.io/hostname"));
	json_t *pv = pv_local_path_volume(pvc, sc, node_name, hostname, c->env->local_storage_path);
	if (!pv) {
		tell(c, pvc, "Warning", "ProvisioningFailed",
		     "failed to provision volume with StorageClass: the claim has no storage "
		     "request");
		return 0;
	}
	snprintf(msg, sizeof msg, "External provisioner is provisioning volume for claim \"%s/%s\"",
		 ctl_ns(pvc), ctl_name(pvc));
	tell(c, pvc, "Normal", "Provisioning", msg);
	json_t *ans = NULL;
	int code = api_create(
	    &c->env->api,
	    api_path(path, sizeof path, "", "v1", "persistentvolumes", NULL, NULL, NULL), pv, &ans);
	if (code == 201) {
		snprintf(msg, sizeof msg, "Successfully provisioned volume %s", ctl_name(pv));
		ctl_event(c->env, pvc, "v1", "PersistentVolumeClaim", "Normal",
			  "ProvisioningSucceeded", "%s", msg);
		log_info(&c->env->log, "persistentvolume",
			 "provisioned volume=%s claim=%s/%s node=%s path=%s", ctl_name(pv),
			 ctl_ns(pvc), ctl_name(pvc), node_name,
			 json_path_str(pv, "spec.hostPath.path"));
	} else if (code != 409) {
		snprintf(msg, sizeof msg, "failed to provision volume with StorageClass \"%s\": %s",
			 ctl_name(sc), api_status_message(ans));
		tell(c, pvc, "Warning", "ProvisioningFailed", msg);
	}
	json_decref(ans);
	json_decref(pv);
	return code == 201 || code == 409 ? 0 : -EAGAIN; /* the volume's event binds it */
}

static int sync_claim(void *ud, const char *ns, const char *name)
{
	struct pv_ctl *c = ud;
	const json_t *pvc = informer_get(c->pvcs, ns, name);
	char msg[800];
	if (!pvc || ctl_terminating(pvc))
		return 0;
	const char *vol = json_path_str(pvc, "spec.volumeName");
	if (vol && *vol && annotation(pvc, PV_ANN_BIND_COMPLETED)) {
		const json_t *pv = informer_get(c->pvs, "", vol);
		if (!pv) {
			if (strcmp(json_path_str(pvc, "status.phase") ?: "", "Lost")) {
				snprintf(msg, sizeof msg,
					 "Bound claim has lost its PersistentVolume. Data on the "
					 "volume is lost!");
				ctl_event(c->env, pvc, "v1", "PersistentVolumeClaim", "Warning",
					  "ClaimLost", "%s", msg);
				return status_patch(c, "persistentvolumeclaims", ns, name,
						    json_pack("{s:s}", "phase", "Lost"));
			}
			return 0;
		}
		if (claim_ref_names(pv, pvc) &&
		    strcmp(json_path_str(pvc, "status.phase") ?: "", "Bound"))
			return bind_claim(c, pvc, pv);
		return 0;
	}
	json_incref((json_t *)pvc); /* our writes replace it in the informer */
	int rc = 0;
	const char *cls_name = pv_claim_class(pvc);
	const json_t *sc = *cls_name ? informer_get(c->classes, "", cls_name) : NULL;
	const char *mode = json_string_value(json_object_get(sc, "volumeBindingMode"));
	bool wffc = mode && !strcmp(mode, "WaitForFirstConsumer");
	const char *selected = annotation(pvc, PV_ANN_SELECTED_NODE);
	const json_t *node = wffc && selected ? informer_get(c->nodes, "", selected) : NULL;
	const char *prov = json_string_value(json_object_get(sc, "provisioner"));
	if (wffc && !selected) {
		tell(c, pvc, "Normal", "WaitForFirstConsumer",
		     "waiting for first consumer to be created before binding");
		goto out;
	}
	const json_t *pv = wffc && !node ? NULL : pv_find_best(informer_items(c->pvs), pvc, node);
	if (pv) {
		rc = bind_claim(c, pvc, pv);
	} else if (*cls_name && !sc) {
		snprintf(msg, sizeof msg, "storageclass.storage.k8s.io \"%s\" not found", cls_name);
		tell(c, pvc, "Warning", "ProvisioningFailed", msg);
	} else if (prov && !strcmp(prov, PV_LOCAL_PATH_PROVISIONER)) {
		if (!selected)
			tell(c, pvc, "Warning", "ProvisioningFailed",
			     "failed to provision volume with StorageClass: configuration error, "
			     "no node was "
			     "specified (use volumeBindingMode WaitForFirstConsumer)");
		else
			rc = provision_local_path(c, pvc, sc, selected);
	} else if (prov && strcmp(prov, "kubernetes.io/no-provisioner")) {
		snprintf(msg, sizeof msg,
			 "Waiting for a volume to be created either by the external provisioner "
			 "'%s' or manually by "
			 "the system administrator. If volume creation is delayed, please verify "
			 "that the provisioner "
			 "is running and correctly registered.",
			 prov);
		tell(c, pvc, "Normal", "ExternalProvisioning", msg);
	} else {
		tell(c, pvc, "Normal", "FailedBinding",
		     *cls_name ? "no persistent volumes available for this claim"
			       : "no persistent volumes available for this claim and no storage "
				 "class is set");
	}
out:
	json_decref((json_t *)pvc);
	return rc;
}

/* Whether a pod that has not finished still uses the claim. */
static bool claim_in_use(struct pv_ctl *c, const char *ns, const char *claim)
{
	const char *k;
	json_t *pod;
	json_object_foreach((json_t *)informer_items(c->pods), k, pod)
	{
		const char *phase = json_path_str(pod, "status.phase") ?: "";
		if (strcmp(ctl_ns(pod), ns) || !strcmp(phase, "Succeeded") ||
		    !strcmp(phase, "Failed"))
			continue;
		size_t i;
		json_t *v;
		json_array_foreach(json_path(pod, "spec.volumes"), i, v)
		{
			if (!strcmp(json_path_str(v, "persistentVolumeClaim.claimName") ?: "",
				    claim))
				return true;
		}
	}
	return false;
}

static int sync_volume(void *ud, const char *ns, const char *name)
{
	struct pv_ctl *c = ud;
	const json_t *pv = informer_get(c->pvs, "", name);
	(void)ns;
	if (!pv || ctl_terminating(pv))
		return 0;
	const json_t *ref = json_path(pv, "spec.claimRef");
	if (!json_is_object(ref))
		return volume_phase(c, pv, "Available", NULL);
	const char *cns = json_string_value(json_object_get(ref, "namespace")) ?: "";
	const char *cname = json_string_value(json_object_get(ref, "name")) ?: "";
	const json_t *pvc = informer_get(c->pvcs, cns, cname);
	if (pvc && claim_ref_names(pv, pvc)) {
		const char *vol = json_path_str(pvc, "spec.volumeName");
		if (vol && !strcmp(vol, name))
			return volume_phase(c, pv, "Bound", NULL);
		if (!vol || !*vol) { /* pre-bound or half-bound: the claim's sync finishes it */
			ctl_queue_add(c->claims, cns, cname);
			return volume_phase(c, pv, "Available", NULL);
		}
		/* the claim went to another volume: this one is released */
	} else if (!*(json_string_value(json_object_get(ref, "uid")) ?: "")) {
		return volume_phase(c, pv, "Available", NULL); /* waits for that claim to exist */
	} else if (pvc && ctl_terminating(pvc)) {
		return 0;
	}
	if (claim_in_use(c, cns, cname))
		return 10000; /* the claim is gone but a pod still runs with it: look again */
	const char *policy = json_path_str(pv, "spec.persistentVolumeReclaimPolicy") ?: "Retain";
	const char *prov = annotation(pv, PV_ANN_PROVISIONED_BY);
	if (!strcmp(policy, "Delete") && !(prov && !strcmp(prov, PV_LOCAL_PATH_PROVISIONER))) {
		char msg[600];
		snprintf(
		    msg, sizeof msg,
		    "error getting deleter volume plugin for volume \"%s\": no deletable volume "
		    "plugin matched",
		    name);
		if (strcmp(json_path_str(pv, "status.phase") ?: "", "Failed"))
			ctl_event(c->env, pv, "v1", "PersistentVolume", "Warning",
				  "VolumeFailedDelete", "%s", msg);
		return volume_phase(c, pv, "Failed", msg);
	}
	if (!strcmp(policy, "Recycle"))
		return volume_phase(c, pv, "Failed", "Recycle is not supported on this cluster");
	/* Retain keeps it; Delete of a local-path volume: its node's agent
	 * removes the directory, then the object. */
	if (!strcmp(json_path_str(pv, "status.phase") ?: "", "Released"))
		return 0;
	log_info(&c->env->log, "persistentvolume", "released volume=%s claim=%s/%s policy=%s", name,
		 cns, cname, policy);
	return volume_phase(c, pv, "Released", NULL);
}

static void pv_ctl_stop(void *ud)
{
	struct pv_ctl *c = ud;
	json_decref(c->told);
	c->told = NULL;
}

int persistentvolume_controller_start(struct ctl_env *e)
{
	struct pv_ctl *c = ctl_alloc(e, sizeof *c);
	if (!c)
		return -ENOMEM;
	c->env = e;
	c->told = json_object();
	c->pvs = ctl_informer(e, "", "persistentvolumes");
	c->pvcs = ctl_informer(e, "", "persistentvolumeclaims");
	c->classes = ctl_informer(e, "storage.k8s.io", "storageclasses");
	c->pods = ctl_informer(e, "", "pods");
	c->nodes = ctl_informer(e, "", "nodes");
	c->claims = ctl_queue_new(e, "persistentvolume-claims", sync_claim, c);
	c->volumes = ctl_queue_new(e, "persistentvolume-volumes", sync_volume, c);
	if (!c->told || !c->pvs || !c->pvcs || !c->classes || !c->pods || !c->nodes || !c->claims ||
	    !c->volumes || ctl_on_stop(e, pv_ctl_stop, c))
		return -ENOMEM;
	informer_add_handler(c->classes, on_class, c);
	informer_add_handler(c->pvs, on_volume, c);
	informer_add_handler(c->pvcs, on_claim, c);
	informer_add_handler(c->pods, on_pod, c);
	return 0;
}
